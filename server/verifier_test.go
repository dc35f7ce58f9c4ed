package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/satchel-project/satchel/server"
	"github.com/satchel-project/satchel/verifier"
)

func verify(s *testServer, body, contentType string) (verifier.Result, response) {
	s.t.Helper()
	r := s.do("POST", s.url+"/api/v1/verify", "", strings.NewReader(body), "Content-Type", contentType)
	var res verifier.Result
	json.Unmarshal(r.body, &res)
	return res, r
}

func checkNamed(res verifier.Result, name string) (verifier.Check, bool) {
	for _, c := range res.Checks {
		if c.Check == name {
			return c, true
		}
	}
	return verifier.Check{}, false
}

func TestVerifyAPI(t *testing.T) {
	s := newTestServer(t)
	_, tok := leaverWithHistory(t, s)
	g, _ := s.share(tok, currentAddressOnly)
	token := g.ShareURL[strings.LastIndex(g.ShareURL, "/")+1:]

	res, r := verify(s, `{"token":"`+token+`"}`, "application/json")
	expect(t, r, http.StatusOK)
	if !res.Valid || res.Status != "active" || res.Grant == nil || res.Grant.Recipient.Name != "Acme Lettings" {
		t.Fatalf("valid token: %+v", res)
	}
	for _, name := range []string{"link", "signature", "issuer-key", "not-before", "expiry", "revocation", "scope"} {
		if c, ok := checkNamed(res, name); !ok || !c.Passed {
			t.Errorf("check %s: %+v", name, c)
		}
	}
	if strings.Contains(string(r.body), token) {
		t.Fatal("the verify answer repeats the token")
	}
	// The full share URL works as well as the bare token; the grant too.
	if res, _ := verify(s, `{"token":"`+g.ShareURL+`"}`, "application/json"); !res.Valid {
		t.Fatalf("share URL: %+v", res)
	}
	if res, _ := verify(s, g.Credential, "application/vc+jwt"); !res.Valid {
		t.Fatalf("signed grant: %+v", res)
	}

	// Unknown token, a trailing character.
	for _, bad := range []string{"AAAAAAAAAAAAAAAAAAAAAA", token + "x"} {
		res, r := verify(s, `{"token":"`+bad+`"}`, "application/json")
		expect(t, r, http.StatusOK)
		if res.Valid || res.Status != "unknown" {
			t.Errorf("token %q: %+v", bad, res)
		}
	}
	// A tampered field, and a grant signed by a key we do not publish.
	parts := strings.Split(g.Credential, ".")
	tampered := parts[0] + "." + b64(strings.Replace(string(mustPayload(t, g.Credential)), "Acme Lettings", "Other Lettings", 1)) + "." + parts[2]
	if res, _ := verify(s, tampered, "application/vc+jwt"); res.Valid {
		t.Fatal("a tampered grant verified")
	} else if c, _ := checkNamed(res, "signature"); c.Passed {
		t.Fatalf("tampered grant: %+v", res)
	}
	other := newTestServer(t, func(c *server.Config) { c.BaseURL = s.b.Config.BaseURL })
	_, otherTok := leaverWithHistory(t, other)
	foreign, _ := other.share(otherTok, currentAddressOnly)
	if res, _ := verify(s, foreign.Credential, "application/vc+jwt"); res.Valid {
		t.Fatal("a grant signed by an unknown key verified")
	} else if c, _ := checkNamed(res, "issuer"); c.Passed {
		t.Fatalf("unknown key: %+v", res)
	}
	// Withdrawn: the revocation check fails, from the status list too.
	expect(t, s.do("POST", s.url+"/api/v1/grants/"+g.ID+"/revoke", tok, nil), http.StatusNoContent)
	res, _ = verify(s, g.Credential, "application/vc+jwt")
	if c, _ := checkNamed(res, "revocation"); res.Valid || c.Passed || res.Status != "revoked" {
		t.Fatalf("revoked grant: %+v", res)
	}
	// Bad requests.
	_, r = verify(s, `{"token":"a","credential":"b"}`, "application/json")
	expect(t, r, http.StatusBadRequest)
	_, r = verify(s, `token=a`, "application/x-www-form-urlencoded")
	expect(t, r, http.StatusUnsupportedMediaType)
}

func mustPayload(t *testing.T, jwt string) []byte {
	parts := strings.Split(jwt, ".")
	b, err := base64Decode(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSharedItemsOnlyWhatWasShared(t *testing.T) {
	s := newTestServer(t)
	pod, tok := leaverWithHistory(t, s)
	expect(t, s.do("PUT", pod+"documents/licence.pdf", tok, strings.NewReader("%PDF-1.4\nlicence"), "Content-Type", "application/pdf"), http.StatusCreated)
	expect(t, s.do("PUT", pod+"finance/bank.jsonld", tok, strings.NewReader(`{"@context":"https://w3id.org/satchel/v1","type":"BankAccount","bankName":"B","accountHolder":"J","sortCode":"12-34-56","accountNumber":"12345678"}`), "Content-Type", "application/ld+json"), http.StatusCreated)
	g, _ := s.share(tok, `{"recipient":{"name":"Acme Lettings","kind":"landlord"},"purpose":"tenancy-application",
	  "items":[{"path":"housing/history.jsonld","fields":["/entries/#current/address"]},{"path":"documents/licence.pdf"}]}`)

	rec := s.do("GET", g.ShareURL+"/items/housing/history.jsonld", "", nil)
	expect(t, rec, http.StatusOK)
	if !strings.Contains(string(rec.body), "2 Park Row") || strings.Contains(string(rec.body), "HMP Example") || strings.Contains(string(rec.body), "2021-03-01") {
		t.Fatalf("record through the link shows more than the shared field: %s", rec.body)
	}
	doc := s.do("GET", g.ShareURL+"/items/documents/licence.pdf?download=1", "", nil)
	if doc.status != 200 || string(doc.body) != "%PDF-1.4\nlicence" || !strings.HasPrefix(doc.header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("document download: %d %v", doc.status, doc.header)
	}
	if doc.header.Get("Cache-Control") != "no-store" || doc.header.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("document headers: %v", doc.header)
	}
	// Outside the grant, and a hidden part of a shared record.
	expect(t, s.do("GET", g.ShareURL+"/items/finance/bank.jsonld", "", nil), http.StatusNotFound)
	expect(t, s.do("GET", g.ShareURL+"/items/housing/../finance/bank.jsonld", "", nil), http.StatusBadRequest)
	// Each item opened is in the leaver's log.
	log := s.do("GET", s.url+"/api/v1/log", tok, nil)
	if strings.Count(string(log.body), `"resource":"housing/history.jsonld"`) != 1 || strings.Count(string(log.body), `"resource":"documents/licence.pdf"`) != 1 {
		t.Fatalf("log: %s", log.body)
	}
}

func TestPageEscapesWhatPeopleTyped(t *testing.T) {
	s := newTestServer(t)
	_, tok := leaverWithHistory(t, s)
	g, r := s.share(tok, `{"sharedBy":"Jo <b>Bloggs</b>","recipient":{"name":"<script>alert(1)</script>","kind":"employer"},"purpose":"job-application","purposeText":"\"><img src=x onerror=alert(2)>","items":[{"path":"housing/"}]}`)
	expect(t, r, http.StatusCreated)
	page := s.do("GET", g.ShareURL, "", nil)
	expect(t, page, http.StatusOK)
	body := string(page.body)
	if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") || strings.Contains(body, "<b>Bloggs") {
		t.Fatalf("unescaped input on the page:\n%s", body)
	}
	if !strings.Contains(body, "&lt;script&gt;") || !strings.Contains(body, "not a Right to Work check") {
		t.Fatalf("page: %s", body)
	}
	if csp := page.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Fatalf("CSP %q", csp)
	}
}

func TestLinkRateLimit(t *testing.T) {
	s := newTestServer(t, func(c *server.Config) { c.LinkRateLimit = 3 })
	_, tok := leaverWithHistory(t, s)
	g, _ := s.share(tok, `{"recipient":{"name":"A","kind":"landlord"},"purpose":"tenancy-application","items":[{"path":"housing/"}]}`)
	for i := 0; i < 3; i++ {
		expect(t, s.do("GET", g.ShareURL+"/grant", "", nil), http.StatusOK)
	}
	r := s.do("GET", g.ShareURL+"/grant", "", nil)
	expect(t, r, http.StatusTooManyRequests)
	if r.header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
}
