package server_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/issuer"
	podpkg "github.com/satchel-project/satchel/pod"
)

// A resettlement team set up to sign custody periods and release
// documents is offered those two on the issue form, but not a course nor
// the upload of a CSV of courses, and what it posts for a course is
// refused and nothing is signed; once allowed, both are there.
func TestWebIssueFormOnlyForKindsTheOrganisationMaySign(t *testing.T) {
	s := newTestServer(t)
	ctx := context.Background()
	if _, err := s.b.Issuers.CreateOrg(ctx, "hmp-resettlement", "HMP Example Resettlement", "CustodyPeriod", "ReleaseDocument"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.b.Accounts.CreateWith(ctx, "officer", account.Issuer, "An Officer", webPassword, "hmp-resettlement"); err != nil {
		t.Fatal(err)
	}
	u, _ := s.leaver("jo")
	e, err := s.b.Issuers.Enrol(ctx, podpkg.PodID(podIDOf(s, u)), "hmp-resettlement", "Jo Bloggs")
	if err != nil {
		t.Fatal(err)
	}
	officer := s.signedIn(t, "officer", webPassword, "/org")
	// No link leads to a form it may not use; the issue form offers only
	// what it may sign.
	officer.get("/org").want(http.StatusOK).shows("HMP Example Resettlement", `href="/org/issue"`).hides(`href="/org/upload"`)
	officer.get("/org/people").want(http.StatusOK).shows("Jo Bloggs", `href="/org/issue?to=`+e.ID)
	officer.get("/org/issue?to="+e.ID).want(http.StatusOK).
		shows("What are you sending?", `value="custody-period"`, `value="release"`, "Time in custody", "A release document").
		hides(`value="qualification"`, `value="stay"`, "Course name")
	officer.get("/org/issue?kind=qualification&to="+e.ID).want(http.StatusForbidden).
		shows("Your organisation cannot sign qualifications").hides(`action="/org/issue"`, "Course name")
	officer.get("/org/upload").want(http.StatusForbidden).shows("Your organisation cannot sign qualifications").hides(`type="file"`)
	officer.form("/org/onboard/start") // for a CSRF token
	form := course(e.ID, "Functional Skills English")
	form.Set("csrf", officer.csrf)
	officer.post("/org/issue", form).want(http.StatusForbidden)
	officer.post("/org/issue/check", form).redirects("/org/issue") // nothing to check
	if issued, _ := s.b.Issuers.IssuedBy(ctx, "hmp-resettlement"); len(issued) != 0 {
		t.Fatalf("signed a qualification it may not sign: %+v", issued)
	}
	// The issuing service refuses it too, in a sentence.
	if _, _, err := s.b.Issuers.Issue(ctx, "hmp-resettlement", e.ID, issuer.Qualification{CourseName: "X"}); err == nil || err.Error() != "HMP Example Resettlement cannot sign qualifications." {
		t.Fatalf("service: %v", err)
	}

	if _, err := s.b.Issuers.SetSigns(ctx, "hmp-resettlement", []string{"Qualification", "CustodyPeriod"}); err != nil {
		t.Fatal(err)
	}
	officer.get("/org").want(http.StatusOK).shows(`href="/org/issue"`, `href="/org/upload"`)
	officer.get("/org/people").want(http.StatusOK).shows(`href="/org/issue?to=` + e.ID)
	officer.form("/org/issue?to=" + e.ID).shows(`action="/org/issue"`)
	officer.form("/org/upload").shows(`type="file"`)
	officer.send("/org/issue", course(e.ID, "Functional Skills English")).redirects("/org/issue/check")
}
