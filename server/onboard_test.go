package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/onboard"
	podpkg "github.com/satchel-project/satchel/pod"
)

// Pre-release onboarding (issue 16, part 3), driven as browsers drive it.

const claimCodeRE = `id="claim-code">([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})<`

// startPod starts a pod on the organisation's pages and returns the
// person's page.
func startPod(b *browser, name, day, month, year, ref string) string {
	b.t.Helper()
	p := b.send("/org/onboard/start", url.Values{"name": {name}, "dob-day": {day}, "dob-month": {month}, "dob-year": {year}, "reference": {ref}})
	p.want(http.StatusSeeOther)
	return p.header.Get("Location")
}

// printLetter prints a claim letter for the person at page and returns its
// code and page.
func printLetter(b *browser, person string) (string, page) {
	b.t.Helper()
	p := b.send(person+"/letter", nil).want(http.StatusOK)
	return p.find(claimCodeRE), p
}

func claimForm(code, day, month, year string) url.Values {
	return url.Values{"code": {code}, "dob-day": {day}, "dob-month": {month}, "dob-year": {year}, "password": {"my-own-password"}, "password2": {"my-own-password"}}
}

func TestOnboardingJourney(t *testing.T) {
	s := newTestServer(t)
	s.orgStaff(t, "hmp-example", "HMP Example Resettlement", "officer", false)
	s.orgStaff(t, "elsewhere", "Elsewhere Probation", "clerk", false)
	ctx := context.Background()

	// Staff start a pod for someone in custody.
	officer := s.signedIn(t, "officer", webPassword, "/org")
	officer.get("/org").want(http.StatusOK).shows(`href="/org/onboard"`)
	officer.get("/org/onboard").want(http.StatusOK).shows("There is nobody waiting.")
	person := startPod(officer, "Jo Bloggs", "5", "4", "1990", "A1234BC")
	if !strings.HasPrefix(person, "/org/onboard/") {
		t.Fatalf("started at %q", person)
	}
	officer.get(person).want(http.StatusOK).shows("Jo Bloggs", "A1234BC", "1990-04-05", "Not printed yet")
	officer.get("/org/onboard").want(http.StatusOK).shows("Jo Bloggs", "A1234BC")

	// They add a scan, marked as added by the organisation.
	officer.upload(person+"/add", part{name: "csrf"}, field("title", "Birth certificate"), field("where", "identity/"),
		part{name: "file", file: "scan.png", data: idCardPNG(t)}).redirects(person)
	officer.get(person).want(http.StatusOK).shows("birth-certificate.png")
	// And a record: their National Insurance number.
	officer.send(person+"/national-insurance", url.Values{"ni": {"nope"}}).want(http.StatusUnprocessableEntity).shows("There is a problem")
	officer.send(person+"/national-insurance", url.Values{"ni": {"jk123456c"}}).redirects(person)
	officer.get(person).want(http.StatusOK).shows("JK 12 34 56 C")
	clerk0 := s.signedIn(t, "clerk", webPassword, "/org")
	clerk0.get(person + "/national-insurance").want(http.StatusNotFound)

	// Another organisation's staff see nothing of it and can do nothing.
	clerk := s.signedIn(t, "clerk", webPassword, "/org")
	clerk.get("/org/onboard").want(http.StatusOK).hides("Jo Bloggs", "A1234BC")
	clerk.get(person).want(http.StatusNotFound)
	clerk.get(person + "/add").want(http.StatusNotFound)
	clerk.get(person + "/letter").want(http.StatusNotFound)
	clerk.form("/org/onboard/start")
	clerk.post(person+"/letter", url.Values{"csrf": {clerk.csrf}}).want(http.StatusNotFound)
	// A form without its CSRF token is refused.
	officer.post(person+"/letter", url.Values{}).want(http.StatusForbidden)

	// The reference is never in the pod.
	people, err := s.b.Web.Onboard.People(ctx, "hmp-example")
	if err != nil || len(people) != 1 {
		t.Fatalf("people %v %v", people, err)
	}
	podID := people[0].Pod
	for _, c := range []string{"", "identity/"} {
		_, members, err := s.b.Pods.List(ctx, podID, podpkg.Path(c))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range members {
			if m.ContentType == "application/ld+json" || strings.HasSuffix(m.Name, ".png") {
				res, rc, err := s.b.Pods.Get(ctx, podID, podpkg.Path(c+m.Name))
				if err != nil {
					continue
				}
				var sb strings.Builder
				buf := make([]byte, 1<<16)
				for {
					n, err := rc.Read(buf)
					sb.Write(buf[:n])
					if err != nil {
						break
					}
				}
				rc.Close()
				if strings.Contains(sb.String(), "A1234BC") || res.AddedBy != "org:hmp-example" && c != "" {
					t.Errorf("%s%s: reference in pod or not marked as added by the organisation (%q)", c, m.Name, res.AddedBy)
				}
			}
		}
	}
	// Nobody can sign in to it yet.
	s.browser(t).signIn(people[0].Username, "").want(http.StatusUnprocessableEntity)

	// The letter: plain words, a QR code of the claim link, the code.
	code, letter := printLetter(officer, person)
	letter.shows("Dear Jo Bloggs", "HMP Example Resettlement", "Choose a password", "What to bring", "<svg", people[0].Username)

	// A lost letter is replaced: the old code stops working.
	newCode, _ := printLetter(officer, person)
	if newCode == code {
		t.Fatal("the new letter has the old code")
	}
	anon := s.browser(t)
	anon.get("/claim?code=" + url.QueryEscape(newCode)).want(http.StatusOK).shows(newCode)
	same := "That did not work. Check the code and your date of birth."
	anon.send("/claim", claimForm(code, "5", "4", "1990")).want(http.StatusUnprocessableEntity).shows(same)
	// A wrong date of birth gets the same answer.
	anon.send("/claim", claimForm(newCode, "6", "4", "1990")).want(http.StatusUnprocessableEntity).shows(same)

	// Someone signed in as another leaver is refused plainly.
	s.leaver("lee")
	lee := s.signedIn(t, "lee", webPassword, "/my")
	lee.get("/claim").want(http.StatusConflict).shows("Sign out first")
	lee.form("/sign-out")
	lee.post("/claim", url.Values{"csrf": {lee.csrf}, "code": {newCode}}).want(http.StatusConflict)

	// The person claims it and is signed in to their own pod.
	jo := s.browser(t)
	jo.send("/claim", claimForm(strings.ToLower(newCode), "05", "04", "1990")).redirects("/my")
	my := jo.get("/my").want(http.StatusOK).shows("Birth certificate")
	thing := my.find(`href="(/my/things/[^"]+)">Birth certificate<`)
	jo.get(thing).want(http.StatusOK).shows("Added by HMP Example Resettlement")
	ni := my.find(`href="(/my/things/identity/national-insurance[^"]*)"`)
	jo.get(ni).want(http.StatusOK).shows("JK 12 34 56 C", "Added by HMP Example Resettlement")
	// Their log says who added what before they had it.
	jo.get("/my/looked").want(http.StatusOK).shows("HMP Example Resettlement added", "before you had your Satchel")
	// They can sign in again with the password they chose.
	s.signedIn(t, people[0].Username, "my-own-password", "/my")

	// A used code gets the same answer.
	s.browser(t).send("/claim", claimForm(newCode, "5", "4", "1990")).want(http.StatusUnprocessableEntity).shows(same)

	// Staff access ends at the claim: pages and API.
	officer.get(person).want(http.StatusNotFound)
	officer.get(person + "/add").want(http.StatusNotFound)
	officer.get(person + "/letter").want(http.StatusNotFound)
	officer.get(person + "/national-insurance").want(http.StatusNotFound)
	officer.get("/org/onboard").want(http.StatusOK).hides("Jo Bloggs", "A1234BC")
	a, err := s.b.Accounts.Get(ctx, "officer")
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := s.b.Tokens.Issue(a)
	if err != nil {
		t.Fatal(err)
	}
	expect(t, s.do("GET", s.podURL(string(podID)), tok, nil), http.StatusNotFound)
	expect(t, s.do("GET", s.podURL(string(podID))+"identity/", tok, nil), http.StatusNotFound)
}

func TestOnboardingBadInput(t *testing.T) {
	s := newTestServer(t)
	s.orgStaff(t, "hmp-example", "HMP Example Resettlement", "officer", false)
	officer := s.signedIn(t, "officer", webPassword, "/org")
	officer.send("/org/onboard/start", url.Values{"name": {""}, "dob-day": {"31"}, "dob-month": {"2"}, "dob-year": {"1990"}}).
		want(http.StatusUnprocessableEntity).shows("There is a problem", "Enter their name", "Enter their date of birth")
	officer.send("/org/onboard/start", url.Values{"name": {"Jo"}, "dob-day": {"1"}, "dob-month": {"1"}, "dob-year": {"1990"}, "reference": {strings.Repeat("A", 41)}}).
		want(http.StatusUnprocessableEntity).shows("40 characters or fewer")
	officer.get("/org/onboard/nosuch").want(http.StatusNotFound)

	person := startPod(officer, "Sam Smith", "1", "2", "1985", "B7654CD")
	code, _ := printLetter(officer, person)
	same := "That did not work. Check the code and your date of birth."

	// An expired code: the clock moves past its 30 days.
	start := time.Now()
	s.b.Web.Onboard.SetClock(func() time.Time { return start.Add(onboard.DefaultCodeTTL + time.Minute) })
	s.browser(t).send("/claim", claimForm(code, "1", "2", "1985")).want(http.StatusUnprocessableEntity).shows(same)
	s.b.Web.Onboard.SetClock(time.Now)
	// Five wrong dates of birth void the code, even with the right one after.
	code, _ = printLetter(officer, person)
	b := s.browser(t)
	for i := range onboard.Tries {
		p := b.send("/claim", claimForm(code, "2", "2", "1985"))
		if p.status == http.StatusTooManyRequests {
			break
		}
		p.want(http.StatusUnprocessableEntity).shows(same)
		_ = i
	}
	if _, err := s.b.Web.Onboard.Claim(context.Background(), code, "1985-02-01"); err != onboard.ErrNoClaim {
		t.Errorf("a code tried %d times with the wrong date of birth: %v", onboard.Tries, err)
	}
	// Guesses are throttled: sooner or later the answer is to wait.
	waited := false
	for range 20 {
		p := b.send("/claim", claimForm("ABCD-2345-EFGH", "2", "2", "1985"))
		if p.status == http.StatusTooManyRequests {
			p.shows("Too many tries")
			if p.header.Get("Retry-After") == "" {
				t.Error("no Retry-After")
			}
			waited = true
			break
		}
		p.want(http.StatusUnprocessableEntity).shows(same)
	}
	if !waited {
		t.Error("guessing claim codes is not throttled")
	}
	// Missing answers say what to fix.
	s.browser(t).send("/claim", url.Values{}).want(http.StatusUnprocessableEntity).
		shows("Enter the code from your letter", "Enter your date of birth")
}

func TestOnboardingExpiry(t *testing.T) {
	s := newTestServer(t)
	s.orgStaff(t, "hmp-example", "HMP Example Resettlement", "officer", false)
	s.orgStaff(t, "elsewhere", "Elsewhere Probation", "clerk", false)
	ctx := context.Background()
	officer := s.signedIn(t, "officer", webPassword, "/org")
	old := startPod(officer, "Old Person", "1", "1", "1970", "C1111AA")
	code, _ := printLetter(officer, old)
	officer.upload(old+"/add", part{name: "csrf"}, field("title", "ID"), field("where", "identity/"),
		part{name: "file", file: "scan.png", data: idCardPNG(t)}).redirects(old)
	start := time.Now()
	// A second person, started later, is not yet due.
	s.b.Web.Onboard.SetClock(func() time.Time { return start.Add(100 * 24 * time.Hour) })
	startPod(officer, "New Person", "2", "2", "1980", "D2222BB")
	people, _ := s.b.Web.Onboard.People(ctx, "hmp-example")
	var oldP onboard.Person
	for _, p := range people {
		if p.Name == "Old Person" {
			oldP = p
		}
	}

	s.b.Web.Onboard.SetClock(func() time.Time { return start.Add(onboard.DefaultUnclaimedTTL + time.Hour) })
	done, err := s.b.ExpireUnclaimed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(done) != 1 || done[0].Name != "Old Person" {
		t.Fatalf("expired %+v", done)
	}
	// The account is gone and the pod's key destroyed.
	if _, err := s.b.Accounts.Get(ctx, oldP.Username); err != account.ErrNoAccount {
		t.Errorf("account after expiry: %v", err)
	}
	if _, err := s.b.Pods.Stat(ctx, oldP.Pod, "identity/"); err == nil {
		t.Error("the pod can still be read")
	}
	// The organisation's report says what expired; another's does not.
	officer.get("/org/onboard").want(http.StatusOK).shows("Deleted because nobody claimed them", "Old Person", "C1111AA", "New Person")
	officer.get(old).want(http.StatusNotFound)
	s.signedIn(t, "clerk", webPassword, "/org").get("/org/onboard").want(http.StatusOK).hides("Old Person", "C1111AA")
	// Its letter no longer works.
	s.b.Web.Onboard.SetClock(time.Now)
	s.browser(t).send("/claim", claimForm(code, "1", "1", "1970")).want(http.StatusUnprocessableEntity)
	// Running again erases nothing more.
	if done, err := s.b.ExpireUnclaimed(ctx); err != nil || len(done) != 0 {
		t.Fatalf("second run: %v %v", done, err)
	}
}
