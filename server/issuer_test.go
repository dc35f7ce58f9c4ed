package server_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/credentials/dataintegrity"
)

// issuerSetup registers an organisation with one staff member, and a
// leaver enrolled with it; it returns the staff token, the leaver's pod
// URL and token, and the enrolment code.
func issuerSetup(t *testing.T, s *testServer) (staff, pod, leaverTok, enrolment string) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.b.Issuers.CreateOrg(ctx, "hmp-example-education", "HMP Example - Education Department"); err != nil {
		t.Fatal(err)
	}
	a, err := s.b.Accounts.CreateWith(ctx, "tutor", account.Issuer, "A Tutor", "correct-horse-battery", "hmp-example-education")
	if err != nil {
		t.Fatal(err)
	}
	staff, _, _ = s.b.Tokens.Issue(a)
	pod, leaverTok = s.leaver("jo")
	r := s.do("POST", s.url+"/api/v1/issuers/hmp-example-education/enrolment", leaverTok, strings.NewReader(`{"name":"Jo B"}`), "Content-Type", "application/json")
	expect(t, r, http.StatusCreated)
	var e struct{ ID string }
	json.Unmarshal(r.body, &e)
	return staff, pod, leaverTok, e.ID
}

const qualification = `{"courseName":"Functional Skills English","courseCode":"FSE-L1","accredited":true,"awardingBody":"Pearson","level":"Level 1",
 "learningStart":"2025-01-06","learningEnd":"2025-06-27","outcome":"Achieved","grade":"Pass","establishment":"HMP Example"}`

func TestIssuingIntoTheInbox(t *testing.T) {
	s := newTestServer(t)
	staff, pod, leaverTok, enrolment := issuerSetup(t, s)
	r := s.do("POST", s.url+"/api/v1/issuers/hmp-example-education/issue", staff, strings.NewReader(`{"enrolment":"`+enrolment+`","qualification":`+qualification+`}`), "Content-Type", "application/json")
	expect(t, r, http.StatusCreated)
	var out struct {
		ID string
		VC map[string]any `json:"verifiableCredential"`
	}
	json.Unmarshal(r.body, &out)
	proof, _ := out.VC["proof"].(map[string]any)
	if proof["cryptosuite"] != "eddsa-rdfc-2022" || !strings.HasPrefix(proof["proofValue"].(string), "z") {
		t.Fatalf("proof %v", proof)
	}
	// Delivered into the leaver's inbox.
	inbox := members(t, s.do("GET", pod+"inbox/", leaverTok, nil))
	if len(inbox) != 1 {
		t.Fatalf("inbox: %v", inbox)
	}
	stored := s.do("GET", inbox[0], leaverTok, nil)
	if !strings.Contains(string(stored.body), "Functional Skills English") {
		t.Fatalf("stored credential: %s", stored.body)
	}
	// Anyone can verify it; a changed field fails; the issuer can withdraw it.
	body, _ := json.Marshal(map[string]any{"verifiableCredential": out.VC})
	res := s.do("POST", s.url+"/api/v1/verify", "", strings.NewReader(string(body)), "Content-Type", "application/json")
	if !strings.Contains(string(res.body), `"valid":true`) {
		t.Fatalf("verify: %s", res.body)
	}
	vc2 := strings.Replace(string(body), "Achieved", "Distinction", 1)
	res = s.do("POST", s.url+"/api/v1/verify", "", strings.NewReader(vc2), "Content-Type", "application/json")
	if !strings.Contains(string(res.body), `"valid":false`) {
		t.Fatalf("tampered credential: %s", res.body)
	}
	vcapi := s.do("POST", s.url+"/credentials/verify", "", strings.NewReader(string(body)), "Content-Type", "application/json")
	expect(t, vcapi, http.StatusOK)
	expect(t, s.do("POST", s.url+"/api/v1/issuers/hmp-example-education/credentials/"+out.ID+"/revoke", staff, nil), http.StatusNoContent)
	res = s.do("POST", s.url+"/api/v1/verify", "", strings.NewReader(string(body)), "Content-Type", "application/json")
	if !strings.Contains(string(res.body), "withdrawn by the issuer") {
		t.Fatalf("after the issuer withdrew it: %s", res.body)
	}
	// The issuer's public identity.
	did := s.do("GET", s.url+"/issuers/hmp-example-education/did.json", "", nil)
	if !strings.Contains(string(did.body), `"type":"Multikey"`) || !strings.Contains(string(did.body), `"publicKeyMultibase":"z6Mk`) {
		t.Fatalf("did.json: %s", did.body)
	}
	expect(t, s.do("GET", s.url+"/issuers/hmp-example-education", "", nil), http.StatusOK)
}

func TestIssuersOnlyWhereAllowed(t *testing.T) {
	s := newTestServer(t)
	staff, pod, leaverTok, enrolment := issuerSetup(t, s)
	issue := func(tok, enrol string) response {
		return s.do("POST", s.url+"/api/v1/issuers/hmp-example-education/issue", tok, strings.NewReader(`{"enrolment":"`+enrol+`","qualification":`+qualification+`}`), "Content-Type", "application/json")
	}
	// An issuer never writes into a pod directly, inbox or not.
	expect(t, s.do("PUT", pod+"qualifications/x.jsonld", staff, strings.NewReader("{}"), "Content-Type", "application/ld+json"), http.StatusNotFound)
	expect(t, s.do("POST", pod+"inbox/", staff, strings.NewReader("{}"), "Content-Type", "application/ld+json"), http.StatusNotFound)
	// A leaver who never enrolled.
	expect(t, issue(staff, "aaaaaaaaaaaaaaaa"), http.StatusForbidden)
	// Someone who is not this issuer's staff.
	expect(t, issue(leaverTok, enrolment), http.StatusForbidden)
	// A withdrawn enrolment.
	expect(t, s.do("DELETE", s.url+"/api/v1/issuers/hmp-example-education/enrolment", leaverTok, nil), http.StatusNoContent)
	expect(t, issue(staff, enrolment), http.StatusForbidden)
	// A broken qualification.
	s.do("POST", s.url+"/api/v1/issuers/hmp-example-education/enrolment", leaverTok, strings.NewReader(`{}`), "Content-Type", "application/json")
	r := s.do("POST", s.url+"/api/v1/issuers/hmp-example-education/issue", staff, strings.NewReader(`{"enrolment":"`+enrolment+`","qualification":{"courseName":"X"}}`), "Content-Type", "application/json")
	if r.status != http.StatusForbidden && r.status != http.StatusUnprocessableEntity {
		t.Fatalf("broken qualification: %d %s", r.status, r.body)
	}
}

func TestBulkIssuingReportsEachRow(t *testing.T) {
	s := newTestServer(t)
	staff, pod, leaverTok, enrolment := issuerSetup(t, s)
	csv := "enrolment,course_name,level,learning_start,learning_end,outcome,establishment,accredited\n" +
		enrolment + ",English,Level 1,2025-01-06,2025-06-27,Achieved,HMP Example,yes\n" +
		enrolment + ",Maths,Entry 3,2025-06-27,2025-01-06,Achieved,HMP Example,no\n" +
		"nobody,Art,Level 1,2025-01-06,2025-06-27,Achieved,HMP Example,no\n" +
		enrolment + ",Cooking,Level 2,2025-01-06,2025-06-27,Achieved,HMP Example,maybe\n" +
		enrolment + ",Forklift,Level 2,2025-02-03,2025-02-07,Achieved,HMP Example,yes\n"
	r := s.do("POST", s.url+"/api/v1/issuers/hmp-example-education/issue.csv", staff, strings.NewReader(csv), "Content-Type", "text/csv")
	expect(t, r, http.StatusOK)
	var out struct {
		Issued, Failed int
		Rows           []struct {
			Row    int
			Issued bool
			Error  string
		}
	}
	json.Unmarshal(r.body, &out)
	if out.Issued != 2 || out.Failed != 3 {
		t.Fatalf("bulk: %s", r.body)
	}
	for _, row := range out.Rows {
		if (row.Row == 1 || row.Row == 5) != row.Issued || (!row.Issued && row.Error == "") {
			t.Errorf("row %+v", row)
		}
	}
	if n := len(members(t, s.do("GET", pod+"inbox/", leaverTok, nil))); n != 2 {
		t.Fatalf("inbox holds %d credentials, want 2", n)
	}
}

// TestSharedQualificationShowsItsIssuer: a leaver files an issued
// credential and shares it; the recipient's page names the issuer and
// says the signature was checked, then that the issuer withdrew it.
func TestSharedQualificationShowsItsIssuer(t *testing.T) {
	s := newTestServer(t)
	staff, pod, leaverTok, enrolment := issuerSetup(t, s)
	r := s.do("POST", s.url+"/api/v1/issuers/hmp-example-education/issue", staff, strings.NewReader(`{"enrolment":"`+enrolment+`","qualification":`+qualification+`}`), "Content-Type", "application/json")
	var out struct{ ID string }
	json.Unmarshal(r.body, &out)
	delivered := members(t, s.do("GET", pod+"inbox/", leaverTok, nil))[0]
	path := strings.TrimPrefix(delivered, pod)
	g, sr := s.share(leaverTok, `{"recipient":{"name":"Acme Jobs","kind":"employer"},"purpose":"job-application","items":[{"path":"`+path+`"}]}`)
	expect(t, sr, http.StatusCreated)
	page := string(s.do("GET", g.ShareURL, "", nil).body)
	for _, want := range []string{"Issued and signed by HMP Example - Education Department", "Signature checked, not withdrawn", "Functional Skills English", "6 January 2025", `govuk-summary-list__value">Yes</dd>`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	expect(t, s.do("POST", s.url+"/api/v1/issuers/hmp-example-education/credentials/"+out.ID+"/revoke", staff, nil), http.StatusNoContent)
	page = string(s.do("GET", g.ShareURL, "", nil).body)
	if !strings.Contains(page, "Withdrawn by the issuer") {
		t.Fatalf("page after the issuer withdrew it lacks the warning")
	}
}

func TestDIDKeyCredentialsAndPresentations(t *testing.T) {
	s := newTestServer(t)
	pub, priv, _ := ed25519.GenerateKey(nil)
	did := dataintegrity.DIDKey(pub)
	vm := did + "#" + strings.TrimPrefix(did, "did:key:")
	vc := map[string]any{
		"@context":          []any{"https://www.w3.org/ns/credentials/v2", "https://w3id.org/satchel/v1"},
		"type":              []any{"VerifiableCredential", "QualificationCredential"},
		"issuer":            did,
		"validFrom":         "2026-01-01T00:00:00Z",
		"credentialSubject": map[string]any{"type": "Qualification", "title": "Barista skills", "level": "Entry 3"},
	}
	signed, err := dataintegrity.Sign(vc, priv, vm, time.Now(), "assertionMethod", dataintegrity.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Its signature checks, but a did:key is nobody Satchel knows: the
	// credential is the holder's own word, not valid as an issuer's.
	body, _ := json.Marshal(map[string]any{"verifiableCredential": signed})
	r := s.do("POST", s.url+"/credentials/verify", "", strings.NewReader(string(body)), "Content-Type", "application/json")
	if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), `"checks":["proof","not-before"]`) || !strings.Contains(string(r.body), "issuer-known: signed by a key Satchel does not know") {
		t.Fatalf("did:key credential: %d %s", r.status, r.body)
	}
	vp, _ := json.Marshal(map[string]any{"verifiablePresentation": map[string]any{"type": []any{"VerifiablePresentation"}, "verifiableCredential": []any{signed}}})
	r = s.do("POST", s.url+"/presentations/verify", "", strings.NewReader(string(vp)), "Content-Type", "application/json")
	if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "credential 1: issuer-known: signed by a key Satchel does not know") {
		t.Fatalf("presentation of a did:key credential: %d %s", r.status, r.body)
	}

	// A wrong cryptosuite, and a did:web somewhere else, are refused.
	bad := map[string]any{}
	for k, v := range signed {
		bad[k] = v
	}
	proof := map[string]any{}
	for k, v := range signed["proof"].(map[string]any) {
		proof[k] = v
	}
	proof["cryptosuite"] = "ecdsa-rdfc-2019"
	bad["proof"] = proof
	body, _ = json.Marshal(map[string]any{"verifiableCredential": bad})
	expect(t, s.do("POST", s.url+"/credentials/verify", "", strings.NewReader(string(body)), "Content-Type", "application/json"), http.StatusBadRequest)
	elsewhere := strings.Replace(string(mustJSON(signed)), did, "did:web:evil.example", -1)
	body = []byte(`{"verifiableCredential":` + elsewhere + `}`)
	r = s.do("POST", s.url+"/credentials/verify", "", strings.NewReader(string(body)), "Content-Type", "application/json")
	if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "not one this service can check") {
		t.Fatalf("remote did:web: %d %s", r.status, r.body)
	}
}

func mustJSON(v any) []byte { b, _ := json.Marshal(v); return b }
