package server_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/issuer"
)

// An organisation's pages and enrolment on the web (issue 16, parts 1 and
// 2), driven as browsers drive them.

// orgStaff makes organisation slug (if new) and a staff account of it.
func (s *testServer) orgStaff(t *testing.T, slug, name, username string, admin bool) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.b.Issuers.Org(ctx, slug); err != nil {
		if _, err := s.b.Issuers.CreateOrg(ctx, slug, name); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.b.Accounts.CreateWith(ctx, username, account.Issuer, "Staff "+username, webPassword, slug); err != nil {
		t.Fatal(err)
	}
	if admin {
		if _, err := s.b.Accounts.SetOrgAdmin(ctx, username, true); err != nil {
			t.Fatal(err)
		}
	}
}

var joinCodeRE = `id="join-code">([A-Z0-9]{4}-[A-Z0-9]{4})<`

// course is the issue form filled in for enrolment to.
func course(to, name string) url.Values {
	return url.Values{"to": {to}, "course": {name}, "code": {"FSE-L1"}, "accredited": {"yes"}, "body": {"Pearson"}, "level": {"Level 1"},
		"start-day": {"6"}, "start-month": {"1"}, "start-year": {"2025"}, "end-day": {"27"}, "end-month": {"6"}, "end-year": {"2025"},
		"outcome": {"Achieved"}, "grade": {"Pass"}, "establishment": {"HMP Example"}}
}

func TestWebOrganisationPages(t *testing.T) {
	s := newTestServer(t)
	s.orgStaff(t, "hmp-example", "HMP Example Education", "boss", true)
	s.orgStaff(t, "hmp-example", "", "tutor", false)
	s.orgStaff(t, "elsewhere", "Elsewhere College", "clerk", false)
	s.leaver("jo")
	s.leaver("sam")

	// Staff land on their organisation's pages, with its join code.
	tutor := s.signedIn(t, "tutor", webPassword, "/org")
	home := tutor.get("/org").want(http.StatusOK).shows("HMP Example Education", "How people join", `src="/org/qr.png"`).hides(`href="/org/staff"`)
	code := home.find(joinCodeRE)
	if qr := tutor.get("/org/qr.png").want(http.StatusOK); qr.header.Get("Content-Type") != "image/png" {
		t.Fatalf("QR code: %s", qr.header.Get("Content-Type"))
	}
	tutor.get("/org/people").want(http.StatusOK).shows("Nobody has joined yet")
	tutor.get("/my").want(http.StatusNotFound)

	// The leaver joins with the code, typed loosely, and says yes.
	jo := s.signedIn(t, "jo", webPassword, "/my")
	jo.get("/my/organisations").want(http.StatusOK).shows("No organisation can send you records yet.")
	jo.send("/my/organisations/join", url.Values{"code": {"WXYZ-2345"}}).want(http.StatusUnprocessableEntity).
		shows("There is a problem", "That code is not right")
	jo.send("/my/organisations/join", url.Values{"code": {strings.ToLower(code)}}).want(http.StatusOK).
		shows("Get records from HMP Example Education?", "They cannot see anything in your Satchel.", `value="Test jo"`)
	jo.send("/my/organisations/join", url.Values{"code": {code}, "confirm": {"yes"}, "name": {""}}).want(http.StatusUnprocessableEntity).
		shows("Enter a name of up to 200 letters")
	jo.send("/my/organisations/join", url.Values{"code": {code}, "confirm": {"yes"}, "name": {"Jo Bloggs"}}).redirects("/my/organisations")
	jo.get("/my/organisations").want(http.StatusOK).shows("They can now send records", "HMP Example Education", "Jo Bloggs")
	// The QR code's link leads a signed-in leaver to the same question;
	// anyone else is told what to do.
	jo.get("/join/" + strings.ReplaceAll(code, "-", "")).redirects("/my/organisations/join?code=" + strings.ReplaceAll(code, "-", ""))
	s.browser(t).get("/join/"+strings.ReplaceAll(code, "-", "")).want(http.StatusOK).shows("Get records from HMP Example Education", code, "Sign in")
	s.browser(t).get("/join/WXYZ2345").want(http.StatusNotFound)

	people := tutor.get("/org/people").want(http.StatusOK).shows("Jo Bloggs")
	enrolment := people.find(`href="/org/issue\?to=([a-z2-7]+)"`)

	// Issuing by form: errors in a summary, then check your answers.
	bad := course(enrolment, "")
	bad.Set("end-year", "2024")
	bad.Set("accredited", "")
	tutor.send("/org/issue", bad).want(http.StatusUnprocessableEntity).
		shows("There is a problem", `href="#course"`, "Enter the course name", "The course cannot end before it starts", "Say if the course is accredited")
	tutor.send("/org/issue", course(enrolment, "Functional Skills English")).redirects("/org/issue/check")
	tutor.form("/org/issue/check").shows("Check your answers", "Jo Bloggs", "Functional Skills English", "6 January 2025", "27 June 2025", "Sign and send")
	tutor.post("/org/issue/check", url.Values{"csrf": {tutor.csrf}}).redirects("/org/issued")
	tutor.get("/org/issued").want(http.StatusOK).shows("The record is signed and sent", "Functional Skills English", "Jo Bloggs", "Valid")
	jo.get("/my").want(http.StatusOK).shows("Functional Skills English", "signed by HMP Example Education")

	// A CSV: good rows sent, each bad row explained with its number.
	csv := strings.Join(issuer.CSVColumns, ",") + "\n" +
		enrolment + ",Maths,,no,,Entry Level 3,2025-01-06,2025-03-28,Achieved,,HMP Example\n" +
		enrolment + ",Woodwork,,no,,Level 1,2025-05-01,2025-03-28,Achieved,,HMP Example\n" +
		"aaaaaaaaaaaaaaaa,Cookery,,maybe,,Level 1,2025-01-06,2025-03-28,Achieved,,HMP Example\n" +
		"aaaaaaaaaaaaaaaa,Cookery,,no,,Level 1,2025-01-06,2025-03-28,Achieved,,HMP Example\n"
	done := tutor.upload("/org/upload", part{name: "csrf"}, part{name: "file", file: "completions.csv", data: []byte(csv)}).want(http.StatusUnprocessableEntity)
	done.shows("Rows not sent: 3", "Records signed and sent: 1",
		`href="#row-3">Row 3: The course cannot end before it starts.`,
		`href="#row-4">Row 4: Accredited must be yes or no, not &#34;maybe&#34;.`,
		`href="#row-5">Row 5: This person has not allowed this issuer to send them records.`)
	tutor.upload("/org/upload", part{name: "csrf"}, part{name: "file", file: "x.csv", data: []byte("name,course\nx,y\n")}).
		want(http.StatusUnprocessableEntity).shows("There is a problem", "We could not read the file.", "The header has no enrolment column.")

	// Withdrawing, with a reason.
	issued := tutor.get("/org/issued").want(http.StatusOK).shows("Maths")
	withdraw := issued.find(`href="(/org/issued/[0-9a-f-]+/withdraw)"`)
	tutor.send(withdraw, url.Values{"reason": {" "}}).want(http.StatusUnprocessableEntity).shows("Say why you are withdrawing it")
	tutor.send(withdraw, url.Values{"reason": {"Sent to the wrong person"}}).redirects("/org/issued")
	tutor.get("/org/issued").want(http.StatusOK).shows("The record is withdrawn", "Withdrawn", "Sent to the wrong person")
	tutor.get(withdraw).redirects("/org/issued")
	id := strings.Split(withdraw, "/")[3]
	list, _ := s.b.Issuers.IssuedBy(context.Background(), "hmp-example")
	for _, rec := range list {
		if rec.ID == id {
			if revoked, err := s.b.Issuers.Revoked(context.Background(), "hmp-example", rec.StatusIndex); err != nil || !revoked {
				t.Fatalf("the status list does not say withdrawn: %v %v", revoked, err)
			}
		}
	}

	// Another organisation's staff reach none of it.
	clerk := s.signedIn(t, "clerk", webPassword, "/org")
	clerk.get("/org").want(http.StatusOK).shows("Elsewhere College").hides("HMP Example")
	if clerk.get("/org").find(joinCodeRE) == code {
		t.Fatal("two organisations show the same join code")
	}
	clerk.get("/org/people").want(http.StatusOK).hides("Jo Bloggs", enrolment)
	clerk.get("/org/issued").want(http.StatusOK).hides("Functional Skills English", "Maths", "Jo Bloggs")
	clerk.get(withdraw).want(http.StatusNotFound)
	others := issued.find(`href="(/org/issued/[0-9a-f-]+/withdraw)"`)
	clerk.get(others).want(http.StatusNotFound)
	clerk.form("/org/upload") // Elsewhere has nobody to issue to: its form is not shown
	forged := course(enrolment, "Forged")
	forged.Set("csrf", clerk.csrf)
	clerk.post("/org/issue", forged).want(http.StatusUnprocessableEntity).shows("Choose who the record is for")
	clerk.get("/org/issue?to=" + enrolment).want(http.StatusOK).hides("Jo Bloggs")
	clerk.upload("/org/upload", part{name: "csrf"}, part{name: "file", file: "x.csv", data: []byte(strings.Join(issuer.CSVColumns, ",") + "\n" +
		enrolment + ",Forged,,no,,Level 1,2025-01-06,2025-03-28,Achieved,,HMP Example\n")}).
		want(http.StatusUnprocessableEntity).shows("Row 2: This person has not allowed this issuer to send them records.")
	clerk.get("/org/staff").want(http.StatusNotFound)

	// The leaver stops the organisation: it can send nothing more.
	jo.form("/my/organisations/hmp-example/stop").shows("Stop HMP Example Education sending you records?")
	jo.post("/my/organisations/hmp-example/stop", url.Values{"csrf": {jo.csrf}}).redirects("/my/organisations")
	jo.get("/my/organisations").want(http.StatusOK).shows("They can no longer send you records", "No organisation can send you records yet.")
	tutor.get("/org/people").want(http.StatusOK).hides("Jo Bloggs")
	tutor.form("/org/upload")
	after := course(enrolment, "After")
	after.Set("csrf", tutor.csrf)
	tutor.post("/org/issue", after).want(http.StatusUnprocessableEntity).shows("Choose who the record is for")
	tutor.upload("/org/upload", part{name: "csrf"}, part{name: "file", file: "x.csv", data: []byte(strings.Join(issuer.CSVColumns, ",") + "\n" +
		enrolment + ",After,,no,,Level 1,2025-01-06,2025-03-28,Achieved,,HMP Example\n")}).
		want(http.StatusUnprocessableEntity).shows("Row 2: This person has not allowed this issuer to send them records.")
	tutor.get("/org/issued").want(http.StatusOK).shows("Someone who stopped getting records from you")
}

func TestWebOrganisationAdmins(t *testing.T) {
	s := newTestServer(t)
	s.orgStaff(t, "hmp-example", "HMP Example Education", "boss", true)
	s.orgStaff(t, "hmp-example", "", "tutor", false)
	s.orgStaff(t, "elsewhere", "Elsewhere College", "clerk", true)

	tutor := s.signedIn(t, "tutor", webPassword, "/org")
	tutor.get("/org/staff").want(http.StatusNotFound)
	tutor.get("/org/staff/add").want(http.StatusNotFound)

	boss := s.signedIn(t, "boss", webPassword, "/org")
	boss.get("/org").want(http.StatusOK).shows(`href="/org/staff"`)
	boss.get("/org/staff").want(http.StatusOK).shows("Staff boss", "Staff tutor", "Admin").hides("Staff clerk")
	boss.send("/org/staff/add", url.Values{"name": {""}, "username": {"x"}, "role": {""}}).want(http.StatusUnprocessableEntity).
		shows("Enter their full name", "Enter a username of 2 to 64", "Choose a role")
	boss.send("/org/staff/add", url.Values{"name": {"Someone"}, "username": {"clerk"}, "role": {"staff"}}).want(http.StatusUnprocessableEntity).
		shows("That username is taken")
	setup := boss.send("/org/staff/add", url.Values{"name": {"New Tutor"}, "username": {"newbie"}, "role": {"staff"}}).want(http.StatusOK).
		shows("New Tutor is added")
	code := setup.find(`id="setup-code">([2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4})<`)
	s.browser(t).send("/start", url.Values{"username": {"newbie"}, "code": {code}, "password": {"a-new-tutor-password"}, "password2": {"a-new-tutor-password"}}).
		want(http.StatusOK).shows("Your password is saved")
	newbie := s.signedIn(t, "newbie", "a-new-tutor-password", "/org")
	newbie.get("/org").want(http.StatusOK).shows("HMP Example Education")
	newbie.get("/org/staff").want(http.StatusNotFound)

	// Roles: made an admin, the next page says so.
	boss.send("/org/staff", nil)
	boss.post("/org/staff/newbie/role", url.Values{"csrf": {boss.csrf}, "admin": {"yes"}}).redirects("/org/staff")
	newbie.get("/org/staff").want(http.StatusOK)
	boss.post("/org/staff/newbie/role", url.Values{"csrf": {boss.csrf}, "admin": {"no"}}).redirects("/org/staff")
	newbie.get("/org/staff").want(http.StatusNotFound)
	// The only admin stays one, and cannot remove themselves.
	boss.post("/org/staff/boss/role", url.Values{"csrf": {boss.csrf}, "admin": {"no"}}).want(http.StatusUnprocessableEntity).
		shows("Your organisation must keep at least one admin")
	boss.get("/org/staff/boss/remove").want(http.StatusUnprocessableEntity).shows("You cannot remove yourself")
	// Another organisation's staff are not theirs to change or remove.
	boss.post("/org/staff/clerk/role", url.Values{"csrf": {boss.csrf}, "admin": {"no"}}).want(http.StatusNotFound)
	boss.get("/org/staff/clerk/remove").want(http.StatusNotFound)
	boss.post("/org/staff/clerk/remove", url.Values{"csrf": {boss.csrf}}).want(http.StatusNotFound)
	if a, err := s.b.Accounts.Get(context.Background(), "clerk"); err != nil || !a.OrgAdmin {
		t.Fatalf("another organisation's admin was changed: %v %+v", err, a)
	}

	boss.form("/org/staff/newbie/remove").shows("Remove New Tutor?", "Records they sent stay")
	boss.post("/org/staff/newbie/remove", url.Values{"csrf": {boss.csrf}}).redirects("/org/staff")
	boss.get("/org/staff").want(http.StatusOK).shows("They are removed").hides("newbie")
	newbie.get("/org").redirects("/sign-in")
	s.browser(t).signIn("newbie", "a-new-tutor-password").want(http.StatusUnauthorized)
}

func TestWebHelperEnrolsForLeaver(t *testing.T) {
	s := newTestServer(t)
	s.orgStaff(t, "hmp-example", "HMP Example Education", "tutor", false)
	_, joTok := s.leaver("jo")
	s.helperAccount("helen", "Helen Helper")
	s.helperAccount("vic", "Vic Viewer")
	s.choose(t, joTok, "helen", `"add"`)
	s.choose(t, joTok, "vic", `"view"`)
	code := s.signedIn(t, "tutor", webPassword, "/org").get("/org").find(joinCodeRE)

	vic := s.signedIn(t, "vic", webPassword, "/helping")
	pod := vic.get("/helping").find(`href="/helping/([^"/]+)"`)
	vic.get("/helping/" + pod).want(http.StatusOK).hides("/organisations")
	vic.get("/helping/" + pod + "/organisations/join").want(http.StatusNotFound)

	helen := s.signedIn(t, "helen", webPassword, "/helping")
	helen.get("/helping/" + pod).want(http.StatusOK).shows(`href="/helping/` + pod + `/organisations"`)
	join := "/helping/" + pod + "/organisations/join"
	helen.send(join, url.Values{"code": {code}}).want(http.StatusOK).shows("Get records from HMP Example Education?", `value="Test jo"`)
	helen.send(join, url.Values{"code": {code}, "confirm": {"yes"}, "name": {"Test jo"}}).redirects("/helping/" + pod + "/organisations")
	helen.get("/helping/"+pod+"/organisations").want(http.StatusOK).shows("For Test jo", "HMP Example Education").hides("/stop")
	// The QR link tells a helper where to type the code.
	helen.get("/join/" + strings.ReplaceAll(code, "-", "")).want(http.StatusOK).shows("for someone you help")

	jo := s.signedIn(t, "jo", webPassword, "/my")
	jo.get("/my/organisations").want(http.StatusOK).shows("HMP Example Education", "Test jo")
	jo.get("/my/looked").want(http.StatusOK).shows("Helen Helper")
	if !regexp.MustCompile(`Test jo`).MatchString(s.signedIn(t, "tutor", webPassword, "/org").get("/org/people").body) {
		t.Fatal("the organisation does not list the person the helper enrolled")
	}
}
