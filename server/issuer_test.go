package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/satchel-project/satchel/account"
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
