package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/satchel-project/satchel/account"
)

// prisonSetup registers HMP Example with one staff member, and a leaver
// enrolled with it; it returns the staff token, the leaver's pod URL and
// token, and the enrolment code.
func prisonSetup(t *testing.T, s *testServer) (staff, pod, leaverTok, enrolment string) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.b.Issuers.CreateOrg(ctx, "hmp-example", "HMP Example"); err != nil {
		t.Fatal(err)
	}
	a, err := s.b.Accounts.CreateWith(ctx, "officer", account.Issuer, "An Officer", "correct-horse-battery", "hmp-example")
	if err != nil {
		t.Fatal(err)
	}
	staff, _, _ = s.b.Tokens.Issue(a)
	pod, leaverTok = s.leaver("jo")
	r := s.do("POST", s.url+"/api/v1/issuers/hmp-example/enrolment", leaverTok, strings.NewReader(`{"name":"Jo Bloggs"}`), "Content-Type", "application/json")
	expect(t, r, http.StatusCreated)
	var e struct{ ID string }
	json.Unmarshal(r.body, &e)
	return staff, pod, leaverTok, e.ID
}

// month is the first of the month years and months before now, as a date.
func month(years, months int) string {
	y, m, _ := time.Now().UTC().Date()
	return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC).AddDate(-years, -months, 0).Format(time.DateOnly)
}

// TestSignedCustodyStayAndRelease: a prison signs a custody period, a
// hostel stay and a release document; each verifies as HMP Example's,
// reaches the leaver's inbox, is kept where it belongs, counts in the
// five-year summary (custody and stay), and is shared whole, the
// landlord's page saying "Signed by HMP Example".
func TestSignedCustodyStayAndRelease(t *testing.T) {
	s := newTestServer(t)
	staff, pod, leaverTok, enrolment := prisonSetup(t, s)
	issue := func(tok, org, kind, record string) response {
		return s.do("POST", s.url+"/api/v1/issuers/"+org+"/issue", tok, strings.NewReader(`{"enrolment":"`+enrolment+`","`+kind+`":`+record+`}`), "Content-Type", "application/json")
	}
	custody := `{"establishment":"HMP Example","address":{"streetAddress":"1 Prison Road","addressLocality":"Leeds","postalCode":"LS1 1AA"},"from":"` + month(6, 0) + `","to":"` + month(2, 0) + `"}`
	stay := `{"accommodationKind":"hostel","provider":"Example House","address":{"streetAddress":"3 Hostel Lane","addressLocality":"Leeds"},"from":"` + month(2, 0) + `"}`
	release := `{"releaseDate":"` + month(2, 0) + `","establishment":"HMP Example","licenceEnd":"` + month(1, 0) + `"}`
	for _, c := range []struct{ kind, record, credType, says string }{
		{"custodyPeriod", custody, "CustodyPeriodCredential", "HMP Example"},
		{"stay", stay, "AccommodationStayCredential", "Example House"},
		{"releaseDocument", release, "ReleaseDocumentCredential", "licenceEnd"},
	} {
		r := issue(staff, "hmp-example", c.kind, c.record)
		expect(t, r, http.StatusCreated)
		var out struct {
			VC map[string]any `json:"verifiableCredential"`
		}
		json.Unmarshal(r.body, &out)
		proof, _ := out.VC["proof"].(map[string]any)
		types, _ := json.Marshal(out.VC["type"])
		if proof["cryptosuite"] != "eddsa-rdfc-2022" || !strings.Contains(string(types), c.credType) || out.VC["credentialStatus"] == nil || !strings.Contains(string(r.body), c.says) {
			t.Fatalf("%s: %s", c.kind, r.body)
		}
		body, _ := json.Marshal(map[string]any{"verifiableCredential": out.VC})
		v := s.do("POST", s.url+"/api/v1/verify", "", strings.NewReader(string(body)), "Content-Type", "application/json")
		var res struct {
			Valid, IssuerKnown bool
			IssuerName         string
		}
		json.Unmarshal(v.body, &res)
		if !res.Valid || !res.IssuerKnown || res.IssuerName != "HMP Example" {
			t.Fatalf("%s verifies as %s", c.kind, v.body)
		}
	}
	inbox := members(t, s.do("GET", pod+"inbox/", leaverTok, nil))
	if len(inbox) != 3 {
		t.Fatalf("inbox: %v", inbox)
	}

	// The leaver's address history: only where they live now. Alone it
	// leaves years uncovered.
	current := `{"@context":"https://w3id.org/satchel/v1","type":"AddressHistory","entries":[
 {"id":"#current","type":"AddressHistoryEntry","address":{"type":"PostalAddress","streetAddress":"2 Park Row","addressLocality":"Leeds"},"from":"` + month(1, 0) + `","accommodationKind":"own-tenancy"}]}`
	expect(t, s.do("PUT", pod+"housing/address-history.jsonld", leaverTok, strings.NewReader(current), "Content-Type", "application/ld+json"), http.StatusCreated)
	b := s.browser(t)
	b.signIn("jo", webPassword)
	b.get("/my/addresses").want(http.StatusOK).shows("There is a gap", "2 Park Row").hides("Addresses an organisation signed")

	// The leaver sees each in their inbox, signed by HMP Example, and keeps
	// it: custody and the stay into housing/, the release into documents/.
	b.get("/my").want(http.StatusOK).shows("In custody at HMP Example", "Hostel stay at Example House", "Released from HMP Example")
	for _, m := range inbox {
		path := strings.TrimPrefix(m, pod)
		b.form("/my/things/" + path).shows("HMP Example")
		b.post("/my/keep/"+path, url.Values{"csrf": {b.csrf}}).want(http.StatusSeeOther)
	}
	housing := strings.Join(members(t, s.do("GET", pod+"housing/", leaverTok, nil)), " ")
	documents := strings.Join(members(t, s.do("GET", pod+"documents/", leaverTok, nil)), " ")
	if !strings.Contains(housing, "custody-period") || !strings.Contains(housing, "accommodation-stay") || !strings.Contains(documents, "release-document") {
		t.Fatalf("kept: housing %s; documents %s", housing, documents)
	}
	// Now the five years are covered: the custody period and the stay count.
	b.get("/my/addresses").want(http.StatusOK).shows("Addresses an organisation signed", "In custody at HMP Example", "Signed by HMP Example", "Hostel stay at Example House").
		hides("There is a gap")

	// The share wizard lists them as things to choose.
	b.get("/my/share").want(http.StatusSeeOther)
	what := b.get("/my/share/what").want(http.StatusOK)
	what.shows("In custody at HMP Example", "Hostel stay at Example House", "Released from HMP Example")

	// Shared with a landlord, whole: "Signed by HMP Example", and the
	// history beside them covers five years.
	var custodyPath, stayPath, releasePath string
	for _, m := range strings.Fields(housing + " " + documents) {
		p := strings.TrimPrefix(m, pod)
		switch {
		case strings.Contains(p, "custody-period"):
			custodyPath = p
		case strings.Contains(p, "accommodation-stay"):
			stayPath = p
		case strings.Contains(p, "release-document"):
			releasePath = p
		}
	}
	unescape := func(p string) string { u, _ := url.PathUnescape(p); return u }
	g, sr := s.share(leaverTok, `{"recipient":{"name":"Acme Lettings","kind":"landlord"},"purpose":"tenancy-application","items":[{"path":"housing/address-history.jsonld"},{"path":"`+unescape(custodyPath)+`"},{"path":"`+unescape(stayPath)+`"},{"path":"`+unescape(releasePath)+`"}]}`)
	expect(t, sr, http.StatusCreated)
	s.browser(t).get(g.ShareURL).want(http.StatusOK).
		shows("Signed by HMP Example. Signature checked, not withdrawn.", "In custody at HMP Example", "Hostel stay at Example House", "Released from HMP Example", "Covers the last 5 years").
		hides("Has a gap")
	// The history alone has a gap: only the signed periods close it.
	g2, sr := s.share(leaverTok, `{"recipient":{"name":"Acme Lettings","kind":"landlord"},"purpose":"tenancy-application","items":[{"path":"housing/address-history.jsonld"}]}`)
	expect(t, sr, http.StatusCreated)
	s.browser(t).get(g2.ShareURL).want(http.StatusOK).shows("Has a gap").hides("Signed by HMP Example")

	// The leaver may delete one: it is gone from the pod.
	expect(t, s.do("DELETE", pod+releasePath, leaverTok, nil), http.StatusNoContent)
}

// TestSignedRecordsBadInput: what a prison cannot sign, each refused in
// plain words with nothing delivered.
func TestSignedRecordsBadInput(t *testing.T) {
	s := newTestServer(t)
	staff, pod, leaverTok, enrolment := prisonSetup(t, s)
	issue := func(tok, org, body string) response {
		return s.do("POST", s.url+"/api/v1/issuers/"+org+"/issue", tok, strings.NewReader(body), "Content-Type", "application/json")
	}
	with := func(kind, record string) string {
		return `{"enrolment":"` + enrolment + `","` + kind + `":` + record + `}`
	}
	for _, c := range []struct {
		body   string
		status int
		says   string
	}{
		{with("custodyPeriod", `{"establishment":"HMP Example","from":"2024-05-01","to":"2023-02-01"}`), 422, "The custody period cannot end before it starts."},
		{with("custodyPeriod", `{"establishment":"HMP Example","from":"01/02/2023"}`), 422, "The date custody began must be a date like 2023-02-01"},
		{with("custodyPeriod", `{"establishment":"HMP Example","from":"2023-02-01","to":"2024-13-45"}`), 422, "The date custody ended must be a date like"},
		{with("custodyPeriod", `{"from":"2023-02-01"}`), 422, "The prison is missing."},
		{with("stay", `{"accommodationKind":"hostel","address":{"addressLocality":"Leeds"},"from":"2025-03-01","to":"2025-02-01"}`), 422, "The stay cannot end before it starts"},
		{with("stay", `{"accommodationKind":"custody","address":{"addressLocality":"Leeds"},"from":"2025-03-01"}`), 422, "hostel or approved-premises"},
		{with("stay", `{"accommodationKind":"hostel","from":"2025-03-01"}`), 422, "The address is missing."},
		{with("releaseDocument", `{"releaseDate":"31 January 2025","establishment":"HMP Example"}`), 422, "The date of release must be a date like"},
		{with("releaseDocument", `{"releaseDate":"2025-01-31","establishment":"HMP Example","licenceEnd":"2024-01-31"}`), 422, "The licence cannot end before the release"},
		// Two records at once.
		{`{"enrolment":"` + enrolment + `","custodyPeriod":{"establishment":"HMP Example","from":"2023-02-01"},"releaseDocument":{"releaseDate":"2025-01-31","establishment":"HMP Example"}}`, 400, "one of"},
	} {
		r := issue(staff, "hmp-example", c.body)
		if r.status != c.status || !strings.Contains(string(r.body), c.says) {
			t.Errorf("%s: %d %s, want %d saying %q", c.body, r.status, r.body, c.status, c.says)
		}
	}
	// Still in custody: an open end is what the schema allows.
	expect(t, issue(staff, "hmp-example", with("custodyPeriod", `{"establishment":"HMP Example","from":"2023-02-01"}`)), http.StatusCreated)

	// Staff of another organisation can neither issue as HMP Example nor
	// sign a custody period naming it as the issuer.
	ctx := context.Background()
	if _, err := s.b.Issuers.CreateOrg(ctx, "other-probation", "Other Probation Service"); err != nil {
		t.Fatal(err)
	}
	a, err := s.b.Accounts.CreateWith(ctx, "other", account.Issuer, "Someone Else", "correct-horse-battery", "other-probation")
	if err != nil {
		t.Fatal(err)
	}
	other, _, _ := s.b.Tokens.Issue(a)
	custody := `{"establishment":"HMP Example","from":"2023-02-01","to":"2024-02-01"}`
	expect(t, issue(other, "hmp-example", with("custodyPeriod", custody)), http.StatusForbidden)
	vc := `{"credential":{"@context":["https://www.w3.org/ns/credentials/v2","https://w3id.org/satchel/v1"],"type":["VerifiableCredential","CustodyPeriodCredential"],
 "issuer":"` + s.b.Issuers.DID("hmp-example") + `","credentialSubject":{"type":"CustodyPeriod","establishment":"HMP Example","from":"2023-02-01","to":"2024-02-01"}}}`
	r := s.do("POST", s.url+"/credentials/issue", other, strings.NewReader(vc), "Content-Type", "application/json")
	if r.status != http.StatusForbidden || !strings.Contains(string(r.body), "Nothing was signed") {
		t.Fatalf("a custody period naming another organisation: %d %s", r.status, r.body)
	}
	// Only the one good record reached the inbox; a pod refuses a custody
	// period nobody signed.
	if n := len(members(t, s.do("GET", pod+"inbox/", leaverTok, nil))); n != 1 {
		t.Fatalf("inbox holds %d records, want 1", n)
	}
	r = s.do("PUT", pod+"housing/custody.jsonld", leaverTok, strings.NewReader(`{"@context":"https://w3id.org/satchel/v1","type":"CustodyPeriod","establishment":"HMP Example","from":"2023-02-01"}`), "Content-Type", "application/ld+json")
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), "comes only signed") {
		t.Fatalf("an unsigned custody period: %d %s", r.status, r.body)
	}
}
