package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/consent/statuslist"
	"github.com/satchel-project/satchel/server"
)

const history = `{"@context":"https://w3id.org/satchel/v1","type":"AddressHistory","entries":[
 {"id":"#custody","type":"AddressHistoryEntry","address":{"type":"PostalAddress","addressLocality":"HMP Example"},"from":"2021-03-01","to":"2024-01-15","accommodationKind":"custody"},
 {"id":"#current","type":"AddressHistoryEntry","address":{"type":"PostalAddress","streetAddress":"2 Park Row","addressLocality":"Leeds","postalCode":"LS1 5AB"},"from":"2024-01-15","accommodationKind":"own-tenancy"}]}`

type grantResp struct {
	ID         string `json:"id"`
	Status     string `json:"status"`
	ShareURL   string `json:"shareURL"`
	Credential string `json:"credential"`
	Views      int    `json:"views"`
}

func (s *testServer) share(tok, body string) (grantResp, response) {
	s.t.Helper()
	r := s.do("POST", s.url+"/api/v1/grants", tok, strings.NewReader(body), "Content-Type", "application/json")
	var g grantResp
	json.Unmarshal(r.body, &g)
	// Share links are made with the base URL; reach them on this address.
	g.ShareURL = strings.Replace(g.ShareURL, s.b.Config.BaseURL, s.url, 1)
	return g, r
}

func leaverWithHistory(t *testing.T, s *testServer) (string, string) {
	pod, tok := s.leaver("jo")
	expect(t, s.do("PUT", pod+"housing/history.jsonld", tok, strings.NewReader(history), "Content-Type", "application/ld+json"), http.StatusCreated)
	return pod, tok
}

const currentAddressOnly = `{"recipient":{"name":"Acme Lettings","kind":"landlord"},"purpose":"tenancy-application",
 "items":[{"path":"housing/history.jsonld","fields":["/entries/#current/address"]}],"expiresIn":"7d"}`

func TestGrantIsASignedCredentialAnyoneCanVerify(t *testing.T) {
	s := newTestServer(t)
	_, tok := leaverWithHistory(t, s)
	g, r := s.share(tok, currentAddressOnly)
	expect(t, r, http.StatusCreated)
	token := g.ShareURL[strings.LastIndex(g.ShareURL, "/")+1:]
	if len(token) != 22 || g.Status != "active" {
		t.Fatalf("share %+v", g)
	}
	msg, err := jws.Parse([]byte(g.Credential))
	if err != nil {
		t.Fatal(err)
	}
	h := msg.Signatures()[0].ProtectedHeaders()
	did, _ := consent.DIDWeb(s.b.Config.BaseURL)
	if h.Type() != "vc+jwt" || h.ContentType() != "vc" || !strings.HasPrefix(h.KeyID(), did+"#") {
		t.Fatalf("headers typ=%q cty=%q kid=%q", h.Type(), h.ContentType(), h.KeyID())
	}
	var vc map[string]any
	json.Unmarshal(msg.Payload(), &vc)
	subj := vc["credentialSubject"].(map[string]any)
	pc := subj["providedConsent"].(map[string]any)
	data := pc["forPersonalData"].([]any)
	if len(data) != 1 || !strings.HasSuffix(data[0].(string), "housing/history.jsonld#%2Fentries%2F%23current%2Faddress") || pc["hasStatus"] != "ConsentStatusExplicitlyGiven" {
		t.Fatalf("providedConsent %v", pc)
	}

	// A verifier with only the published JWK Set and status list.
	set, err := jwk.Parse(s.do("GET", s.url+"/.well-known/jwks.json", "", nil).body)
	if err != nil {
		t.Fatal(err)
	}
	v, err := consent.VerifyCredential(g.Credential, set, did, time.Now())
	if err != nil {
		t.Fatalf("offline verification: %v", err)
	}
	revoked := func() bool {
		sl := s.do("GET", s.url+"/status/revocation", "", nil)
		expect(t, sl, http.StatusOK)
		subj, err := consent.VerifyStatusList(string(sl.body), set, did, time.Now())
		if err != nil {
			t.Fatalf("status list credential: %v", err)
		}
		set, err := statuslist.Check(subj, v.StatusIndex)
		if err != nil {
			t.Fatal(err)
		}
		return set
	}
	if revoked() {
		t.Fatal("a new grant is marked revoked")
	}
	expect(t, s.do("POST", s.url+"/api/v1/grants/"+g.ID+"/revoke", tok, nil), http.StatusNoContent)
	if !revoked() {
		t.Fatal("the published status list does not show the revocation")
	}
	did2 := s.do("GET", s.url+"/.well-known/did.json", "", nil)
	if !strings.Contains(string(did2.body), h.KeyID()) {
		t.Fatalf("did.json lacks %s: %s", h.KeyID(), did2.body)
	}
}

func TestShareLinkLifecycle(t *testing.T) {
	s := newTestServer(t)
	_, tok := leaverWithHistory(t, s)
	g, r := s.share(tok, strings.Replace(currentAddressOnly, `"expiresIn":"7d"`, `"expiresIn":"7d","maxViews":2`, 1))
	expect(t, r, http.StatusCreated)

	page := s.do("GET", g.ShareURL, "", nil)
	expect(t, page, http.StatusOK)
	for _, want := range []string{"Acme Lettings", "Test jo", "to apply for a tenancy", "2 Park Row", "Dates not shared", "LS1 5AB", "not a Right to Rent check"} {
		if !strings.Contains(string(page.body), want) {
			t.Errorf("share page lacks %q", want)
		}
	}
	// Only the shared field: the address in custody is not on the page.
	if strings.Contains(string(page.body), "HMP Example") || strings.Contains(string(page.body), "custody") {
		t.Error("the share page shows a field that was not shared")
	}
	for k, v := range map[string]string{"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow", "Referrer-Policy": "no-referrer"} {
		if page.header.Get(k) != v {
			t.Errorf("%s: %q", k, page.header.Get(k))
		}
	}
	// The machine form: the signed grant.
	cred := s.do("GET", g.ShareURL+"/grant", "", nil)
	if cred.header.Get("Content-Type") != "application/vc+jwt" || string(cred.body) != g.Credential {
		t.Fatalf("grant download: %s %q", cred.header.Get("Content-Type"), cred.body)
	}
	// The second view is the last one allowed.
	expect(t, s.do("GET", g.ShareURL, "", nil), http.StatusOK)
	used := s.do("GET", g.ShareURL, "", nil)
	expect(t, used, http.StatusGone)
	if !strings.Contains(string(used.body), "used as many times") {
		t.Fatalf("used-up page: %s", used.body)
	}
	// Every view is in the leaver's log, and nobody else's.
	var log struct{ Entries []consent.LogEntry }
	json.Unmarshal(s.do("GET", s.url+"/api/v1/log", tok, nil).body, &log)
	if len(log.Entries) != 2 || log.Entries[0].Recipient.Name != "Acme Lettings" || log.Entries[0].Views != 2 {
		t.Fatalf("access log %+v", log.Entries)
	}
	_, other := s.leaver("sam")
	json.Unmarshal(s.do("GET", s.url+"/api/v1/log", other, nil).body, &log)
	if len(log.Entries) != 0 {
		t.Fatal("another leaver sees the log")
	}
	expect(t, s.do("GET", s.url+"/api/v1/grants/"+g.ID, other, nil), http.StatusNotFound)
	expect(t, s.do("POST", s.url+"/api/v1/grants/"+g.ID+"/revoke", other, nil), http.StatusNotFound)

	// A token changed by one character, and one never issued.
	last := g.ShareURL[len(g.ShareURL)-1]
	flip := byte('A')
	if last == 'A' {
		flip = 'B'
	}
	expect(t, s.do("GET", g.ShareURL[:len(g.ShareURL)-1]+string(flip), "", nil), http.StatusGone)
	expect(t, s.do("GET", s.url+"/s/not-a-token", "", nil), http.StatusGone)

	// Receipt, QR codes and the list.
	rc := s.do("GET", s.url+"/api/v1/grants/"+g.ID+"/receipt", tok, nil)
	for _, want := range []string{"Acme Lettings", "landlord or letting agent", "to apply for a tenancy", "satchel revoke " + g.ID, "at most 2 times"} {
		if !strings.Contains(string(rc.body), want) {
			t.Errorf("receipt lacks %q:\n%s", want, rc.body)
		}
	}
	png := s.do("GET", s.url+"/api/v1/grants/"+g.ID+"/qr.png", tok, nil)
	if png.header.Get("Content-Type") != "image/png" || !strings.HasPrefix(string(png.body), "\x89PNG") {
		t.Fatal("qr.png is not a PNG")
	}
	svg := s.do("GET", s.url+"/api/v1/grants/"+g.ID+"/qr.svg", tok, nil)
	if !strings.Contains(string(svg.body), "<svg") || !strings.Contains(string(svg.body), "Acme Lettings") {
		t.Fatalf("qr.svg: %.200s", svg.body)
	}
	list := s.do("GET", s.url+"/api/v1/grants?status=used-up", tok, nil)
	if !strings.Contains(string(list.body), g.ID) {
		t.Fatalf("used-up list: %s", list.body)
	}
}

func TestRevokedLinkStopsAtOnce(t *testing.T) {
	s := newTestServer(t)
	_, tok := leaverWithHistory(t, s)
	g, _ := s.share(tok, currentAddressOnly)
	expect(t, s.do("GET", g.ShareURL, "", nil), http.StatusOK)
	expect(t, s.do("POST", s.url+"/api/v1/grants/"+g.ID+"/revoke", tok, nil), http.StatusNoContent)
	r := s.do("GET", g.ShareURL, "", nil)
	expect(t, r, http.StatusGone)
	if !strings.Contains(string(r.body), "withdrawn by the person who shared it") {
		t.Fatalf("revoked page: %s", r.body)
	}
	// Revoking twice is fine.
	expect(t, s.do("POST", s.url+"/api/v1/grants/"+g.ID+"/revoke", tok, nil), http.StatusNoContent)
}

func TestBadShareRequests(t *testing.T) {
	s := newTestServer(t)
	_, tok := leaverWithHistory(t, s)
	past := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	far := time.Now().Add(100 * 24 * time.Hour).UTC().Format(time.RFC3339)
	for name, body := range map[string]string{
		"not in the pod":     `{"recipient":{"name":"A","kind":"landlord"},"purpose":"tenancy-application","items":[{"path":"housing/nothing.jsonld"}]}`,
		"another pod's URL":  `{"recipient":{"name":"A","kind":"landlord"},"purpose":"tenancy-application","items":[{"path":"../aaaaaaaaaaaaaaaaaaaaaaaaaa/housing/"}]}`,
		"field not there":    `{"recipient":{"name":"A","kind":"landlord"},"purpose":"tenancy-application","items":[{"path":"housing/history.jsonld","fields":["/entries/#hostel"]}]}`,
		"expiry in the past": `{"recipient":{"name":"A","kind":"landlord"},"purpose":"tenancy-application","items":[{"path":"housing/"}],"expires":"` + past + `"}`,
		"beyond 90 days":     `{"recipient":{"name":"A","kind":"landlord"},"purpose":"tenancy-application","items":[{"path":"housing/"}],"expires":"` + far + `"}`,
		"unknown purpose":    `{"recipient":{"name":"A","kind":"landlord"},"purpose":"gossip","items":[{"path":"housing/"}]}`,
		"bad length":         `{"recipient":{"name":"A","kind":"landlord"},"purpose":"tenancy-application","items":[{"path":"housing/"}],"expiresIn":"forever"}`,
	} {
		_, r := s.share(tok, body)
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d %s", name, r.status, r.body)
			continue
		}
		r.problem(t)
	}
	_, r := s.share(tok, `{"recipient":{"name":"A","kind":"landlord"},"purpose":"tenancy-application","items":[{"path":"housing/"}],"surprise":1}`)
	expect(t, r, http.StatusBadRequest)
	_, r = s.share("", currentAddressOnly)
	expect(t, r, http.StatusUnauthorized)
}

func TestForgedGrantsFailVerification(t *testing.T) {
	s := newTestServer(t)
	_, tok := leaverWithHistory(t, s)
	g, _ := s.share(tok, currentAddressOnly)
	set, _ := jwk.Parse(s.do("GET", s.url+"/.well-known/jwks.json", "", nil).body)
	did, _ := consent.DIDWeb(s.b.Config.BaseURL)

	// Re-signed by another service's key, claiming ours.
	other := newTestServer(t, func(c *server.Config) { c.BaseURL = s.b.Config.BaseURL })
	_, otherTok := other.leaver("jo")
	forged, _ := other.share(otherTok, `{"recipient":{"name":"A","kind":"landlord"},"purpose":"tenancy-application","items":[{"path":"housing/"}]}`)
	if _, err := consent.VerifyCredential(forged.Credential, set, did, time.Now()); err == nil {
		t.Fatal("a grant signed by another key verified")
	}
	// Payload changed after signing.
	parts := strings.Split(g.Credential, ".")
	m, _ := jws.Parse([]byte(g.Credential))
	changed := strings.Replace(string(m.Payload()), "Acme Lettings", "Evil Lettings", 1)
	tampered := parts[0] + "." + b64(changed) + "." + parts[2]
	if _, err := consent.VerifyCredential(tampered, set, did, time.Now()); err == nil || !strings.Contains(err.Error(), "changed or forged") {
		t.Fatalf("tampered grant: %v", err)
	}
	// Expired.
	if _, err := consent.VerifyCredential(g.Credential, set, did, time.Now().Add(8*24*time.Hour)); err == nil {
		t.Fatal("an expired grant verified")
	}
}

// TestNoUseAfterRevocation runs uses of a grant in parallel with its
// revocation: once Revoke has returned, no use may succeed.
func TestNoUseAfterRevocation(t *testing.T) {
	s := newTestServer(t)
	_, tok := leaverWithHistory(t, s)
	g, _ := s.share(tok, `{"recipient":{"name":"A","kind":"landlord"},"purpose":"tenancy-application","items":[{"path":"housing/"}]}`)
	ctx := context.Background()
	grant, _, err := s.b.Consent.Resolve(ctx, g.ShareURL[strings.LastIndex(g.ShareURL, "/")+1:])
	if err != nil {
		t.Fatal(err)
	}
	var acked atomic.Bool
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				after := acked.Load()
				d, err := s.b.Consent.Use(ctx, grant, consent.Visit{Request: consent.Request{Path: "housing/history.jsonld", Opening: true}, Who: "A"})
				if err != nil {
					t.Error(err)
					return
				}
				if d.Allowed && after {
					t.Error("a use succeeded after the revocation was acknowledged")
					return
				}
			}
		}()
	}
	// Let some uses through, then revoke while they run.
	for {
		sh, _ := s.b.Consent.Get(ctx, grant.Pod, grant.ID)
		if sh.Views >= 3 {
			break
		}
	}
	if err := s.b.Consent.Revoke(ctx, grant.Pod, grant.ID); err != nil {
		t.Fatal(err)
	}
	acked.Store(true)
	// Give every worker the chance to try after the acknowledgement.
	for {
		sh, _ := s.b.Consent.Get(ctx, grant.Pod, grant.ID)
		if sh.Revoked {
			break
		}
	}
	d, _ := s.b.Consent.Use(ctx, grant, consent.Visit{Request: consent.Request{Path: "housing/history.jsonld", Opening: true}})
	close(stop)
	wg.Wait()
	if d.Allowed || d.Reason != consent.Revoked {
		t.Fatalf("use after revocation: %+v", d)
	}
}
