package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/issuer"
	podpkg "github.com/satchel-project/satchel/pod"
)

// Organisation staff sign custody periods, stays and release documents
// from the web pages (issue 16, parts 1 and 4): "What are you sending?",
// the questions for that kind, check your answers, then sent.

// kindOrg makes organisation slug signing kinds, a staff account of it,
// and enrols the leaver at podURL with it as leaver.
func (s *testServer) kindOrg(t *testing.T, slug, name, username, podURL, leaver string, kinds ...string) issuer.Enrolment {
	t.Helper()
	ctx := context.Background()
	if _, err := s.b.Issuers.CreateOrg(ctx, slug, name, kinds...); err != nil {
		t.Fatal(err)
	}
	if _, err := s.b.Accounts.CreateWith(ctx, username, account.Issuer, "Staff "+username, webPassword, slug); err != nil {
		t.Fatal(err)
	}
	e, err := s.b.Issuers.Enrol(ctx, podpkg.PodID(podIDOf(s, podURL)), slug, leaver)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// custody is the custody period form filled in for enrolment to: at HMP
// Example from 1 February 2023, still in custody, in Leeds.
func custody(to string) url.Values {
	return url.Values{"kind": {"custody-period"}, "to": {to}, "establishment": {"HMP Example"},
		"start-day": {"1"}, "start-month": {"2"}, "start-year": {"2023"}, "end-day": {""}, "end-month": {""}, "end-year": {""},
		"street": {"1 Prison Road"}, "town": {"Leeds"}, "postcode": {"LS1 1AA"}}
}

func issuedKinds(t *testing.T, s *testServer, org string) []string {
	t.Helper()
	list, err := s.b.Issuers.IssuedBy(context.Background(), org)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, rec := range list {
		out = append(out, rec.Kind+": "+rec.CourseName)
	}
	return out
}

func TestWebOrgPrisonSignsCustodyStayAndReleaseByForm(t *testing.T) {
	s := newTestServer(t)
	podURL, leaverTok := s.leaver("jo")
	e := s.kindOrg(t, "hmp-resettlement", "HMP Example Resettlement", "officer", podURL, "Jo Bloggs", "CustodyPeriod", "AccommodationStay", "ReleaseDocument")
	officer := s.signedIn(t, "officer", webPassword, "/org")

	// The first question lists only what it may sign; no answer is an error.
	officer.get("/org/issue?to="+e.ID).want(http.StatusOK).
		shows("What are you sending?", "Time in custody", "A stay in a hostel or approved premises", "A release document", `name="to" value="`+e.ID+`"`).
		hides(`value="qualification"`)
	officer.send("/org/issue", url.Values{"step": {"kind"}, "to": {e.ID}}).want(http.StatusUnprocessableEntity).
		shows("There is a problem", `href="#kind"`, "Choose what you are sending")
	officer.send("/org/issue", url.Values{"step": {"kind"}, "kind": {"custody-period"}, "to": {e.ID}}).
		redirects("/org/issue?kind=custody-period&to=" + e.ID)
	officer.form("/org/issue?kind=custody-period&to="+e.ID).
		shows("Send a record of time in custody", "Name of the prison", "When did custody begin?", `<option value="`+e.ID+`" selected>`).
		hides("Course name")

	// Bad dates, an end before the start, an address with no town: each
	// in the error summary, linked to its field.
	bad := custody(e.ID)
	bad.Set("start-day", "30") // 30 February
	bad.Set("end-year", "twenty")
	bad.Set("town", "")
	bad.Set("establishment", "")
	bad.Set("csrf", officer.csrf)
	officer.post("/org/issue", bad).want(http.StatusUnprocessableEntity).
		shows("There is a problem", `href="#start"`, "Enter the date custody began", `href="#end"`, "Enter the date custody ended",
			`href="#town"`, "Enter the town or city", `href="#establishment"`, "Enter the name of the prison")
	before := custody(e.ID)
	before.Set("end-day", "31")
	before.Set("end-month", "1")
	before.Set("end-year", "2023")
	before.Set("csrf", officer.csrf)
	officer.post("/org/issue", before).want(http.StatusUnprocessableEntity).
		shows("There is a problem", `href="#end"`, "The custody period cannot end before it starts").
		hides("Enter the date custody began")
	if got := issuedKinds(t, s, "hmp-resettlement"); len(got) != 0 {
		t.Fatalf("signed with errors: %v", got)
	}

	// Good answers: check them, change one, send.
	good := custody(e.ID)
	good.Set("csrf", officer.csrf)
	officer.post("/org/issue", good).redirects("/org/issue/check")
	officer.form("/org/issue/check").shows("Check your answers", "Time in custody", "Jo Bloggs", "HMP Example", "1 February 2023",
		"Still in custody", "1 Prison Road, Leeds, LS1 1AA", `href="/org/issue?kind=custody-period#end"`, `href="/org/issue"`)
	officer.get("/org/issue?kind=custody-period").want(http.StatusOK).shows(`value="HMP Example"`, `value="Leeds"`)
	officer.post("/org/issue/check", url.Values{"csrf": {officer.csrf}}).redirects("/org/issued")
	officer.get("/org/issued").want(http.StatusOK).
		shows("The record is signed and sent", "Sent to Jo Bloggs: In custody at HMP Example.", "Valid")
	officer.get("/org/issued").want(http.StatusOK).shows("In custody at HMP Example").hides("Sent to Jo Bloggs")

	// A stay, with no town first; then a release document whose licence
	// ends before the release.
	stay := url.Values{"kind": {"stay"}, "to": {e.ID}, "place": {"hostel"}, "provider": {"Example House"}, "street": {"3 Hostel Lane"}, "town": {""},
		"start-day": {"1"}, "start-month": {"2"}, "start-year": {"2025"}, "csrf": {officer.csrf}}
	officer.post("/org/issue", stay).want(http.StatusUnprocessableEntity).shows(`href="#town"`, "Enter the town or city")
	stay.Set("town", "Leeds")
	officer.post("/org/issue", stay).redirects("/org/issue/check")
	officer.form("/org/issue/check").shows("A stay in a hostel or approved premises", "A hostel", "Example House", "Still lives there", "1 February 2025")
	officer.post("/org/issue/check", url.Values{"csrf": {officer.csrf}}).redirects("/org/issued")
	officer.get("/org/issued").want(http.StatusOK).shows("Sent to Jo Bloggs: Stay at Example House.")

	release := url.Values{"kind": {"release"}, "to": {e.ID}, "release-day": {"31"}, "release-month": {"1"}, "release-year": {"2025"},
		"establishment": {"HMP Example"}, "licence-day": {"1"}, "licence-month": {"1"}, "licence-year": {"2025"}, "csrf": {officer.csrf}}
	officer.post("/org/issue", release).want(http.StatusUnprocessableEntity).shows(`href="#licence"`, "The licence cannot end before the release")
	release.Set("licence-year", "")
	officer.post("/org/issue", release).want(http.StatusUnprocessableEntity).shows(`href="#licence"`, "Enter the date the licence ends")
	release.Del("licence-day")
	release.Del("licence-month")
	officer.post("/org/issue", release).redirects("/org/issue/check")
	officer.form("/org/issue/check").shows("A release document", "31 January 2025", "No licence")
	officer.post("/org/issue/check", url.Values{"csrf": {officer.csrf}}).redirects("/org/issued")
	officer.get("/org/issued").want(http.StatusOK).shows("Sent to Jo Bloggs: Released from HMP Example.")

	got := strings.Join(issuedKinds(t, s, "hmp-resettlement"), "; ")
	for _, want := range []string{"CustodyPeriod: In custody at HMP Example", "AccommodationStay: Stay at Example House", "ReleaseDocument: Released from HMP Example"} {
		if !strings.Contains(got, want) {
			t.Fatalf("issued %s, want %s", got, want)
		}
	}
	// The leaver's pod holds them, signed, and their page says by whom.
	inbox := members(t, s.do("GET", podURL+"inbox/", leaverTok, nil))
	if len(inbox) != 3 {
		t.Fatalf("inbox: %v", inbox)
	}
	var all string
	for _, m := range inbox {
		r := s.do("GET", m, leaverTok, nil)
		expect(t, r, http.StatusOK)
		all += string(r.body)
	}
	for _, want := range []string{"CustodyPeriodCredential", `"from":"2023-02-01"`, `"addressLocality":"Leeds"`, "AccommodationStayCredential",
		`"accommodationKind":"hostel"`, "ReleaseDocumentCredential", `"releaseDate":"2025-01-31"`, "HMP Example Resettlement", "eddsa-rdfc-2022"} {
		if !strings.Contains(all, want) {
			t.Fatalf("the pod's inbox does not hold %s: %s", want, all)
		}
	}
	if strings.Contains(all, `"to":"`) || strings.Contains(all, "licenceEnd") {
		t.Fatalf("a blank end date was sent: %s", all)
	}
	jo := s.signedIn(t, "jo", webPassword, "/my")
	jo.get("/my").want(http.StatusOK).shows("In custody at HMP Example", "signed by HMP Example Resettlement",
		"Hostel stay at Example House", "Released from HMP Example")

	// Another organisation's staff cannot send to this enrolment.
	other, _ := s.leaver("sam")
	s.kindOrg(t, "elsewhere", "Elsewhere Probation", "clerk", other, "Sam Smith", "CustodyPeriod")
	clerk := s.signedIn(t, "clerk", webPassword, "/org")
	clerk.form("/org/issue?to="+e.ID).shows("Send a record of time in custody", "Sam Smith").hides("Jo Bloggs", `value="`+e.ID+`" selected`)
	forged := custody(e.ID)
	forged.Set("csrf", clerk.csrf)
	clerk.post("/org/issue", forged).want(http.StatusUnprocessableEntity).shows(`href="#to"`, "Choose who the record is for")
	clerk.post("/org/issue/check", url.Values{"csrf": {clerk.csrf}}).redirects("/org/issue")
	if got := issuedKinds(t, s, "elsewhere"); len(got) != 0 {
		t.Fatalf("signed for another organisation's enrolment: %v", got)
	}
}

// A college that signs courses only goes straight to the course form, is
// not offered the other kinds, and a crafted custody period is refused
// with nothing signed.
func TestWebOrgCollegeIsNotOfferedCustodyPeriods(t *testing.T) {
	s := newTestServer(t)
	podURL, _ := s.leaver("jo")
	e := s.kindOrg(t, "college", "Example College", "tutor", podURL, "Jo Bloggs", "Qualification")
	tutor := s.signedIn(t, "tutor", webPassword, "/org")
	tutor.get("/org").want(http.StatusOK).shows(`href="/org/issue"`, `href="/org/upload"`)
	tutor.form("/org/issue?to="+e.ID).shows("Send a record of a course", "Course name", `name="kind" value="qualification"`).
		hides("What are you sending?", "custody", "Time in custody")
	tutor.get("/org/issue?kind=custody-period&to="+e.ID).want(http.StatusForbidden).
		shows("Your organisation cannot sign custody periods").hides("Name of the prison", `action="/org/issue"`)
	tutor.send("/org/issue", url.Values{"step": {"kind"}, "kind": {"custody-period"}, "to": {e.ID}}).want(http.StatusUnprocessableEntity).
		shows("Choose what you are sending").hides(`value="custody-period"`)
	crafted := custody(e.ID)
	crafted.Set("csrf", tutor.csrf)
	tutor.post("/org/issue", crafted).want(http.StatusForbidden).shows("Your organisation cannot sign custody periods")
	stay := url.Values{"kind": {"stay"}, "to": {e.ID}, "place": {"hostel"}, "town": {"Leeds"}, "start-day": {"1"}, "start-month": {"2"}, "start-year": {"2025"}, "csrf": {tutor.csrf}}
	tutor.post("/org/issue", stay).want(http.StatusForbidden).shows("Your organisation cannot sign stays")
	tutor.post("/org/issue/check", url.Values{"csrf": {tutor.csrf}}).redirects("/org/issue")
	if got := issuedKinds(t, s, "college"); len(got) != 0 {
		t.Fatalf("a college signed %v", got)
	}
	// Its course form works as before.
	tutor.send("/org/issue", course(e.ID, "Functional Skills English")).redirects("/org/issue/check")
	tutor.form("/org/issue/check").shows("Functional Skills English", `href="/org/issue?kind=qualification#course"`).hides("What you are sending")
	tutor.post("/org/issue/check", url.Values{"csrf": {tutor.csrf}}).redirects("/org/issued")
	tutor.get("/org/issued").want(http.StatusOK).shows("The record is signed and sent", "Sent to Jo Bloggs: Functional Skills English.")
	if got := issuedKinds(t, s, "college"); len(got) != 1 || got[0] != "Qualification: Functional Skills English" {
		t.Fatalf("issued %v", got)
	}
}
