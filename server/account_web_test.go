package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/satchel-project/satchel/account"
)

// A person's own account: set up with a one-time code, a password only
// they know, the phones and computers they are signed in on, and a new
// password from someone who checked who they are.

const (
	androidUA = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"
	windowsUA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
)

// setUp sends the set-up form as a person filling it in does.
func (b *browser) setUp(username, code, password string) page {
	b.t.Helper()
	return b.send("/start", url.Values{"username": {username}, "code": {code}, "password": {password}, "password2": {password}})
}

// signInOn signs in from a browser that says it is userAgent.
func (b *browser) signInOn(username, password, userAgent string) page {
	b.t.Helper()
	b.form("/sign-in")
	v := url.Values{"csrf": {b.csrf}, "username": {username}, "password": {password}}
	return b.post("/sign-in", v, "User-Agent", userAgent)
}

func TestWebSetUpCode(t *testing.T) {
	s := newTestServer(t)
	ctx := context.Background()
	_, code, err := s.b.Accounts.CreateWithSetup(ctx, "sam", account.Leaver, "Sam Smith", "")
	if err != nil {
		t.Fatal(err)
	}
	b := s.browser(t)
	b.get("/").want(http.StatusOK).shows(`href="/start"`, "I have a set-up code")
	b.get("/sign-in").want(http.StatusOK).shows(`href="/start"`)
	// Before a password is chosen nobody can sign in, with any password.
	b.signIn("sam", "").want(http.StatusUnprocessableEntity)
	b.signIn("sam", "any-password-at-all").want(http.StatusUnauthorized).shows("Your username or password is not right")

	b.form("/start").shows("Set up your account", "choose your own password")
	b.send("/start", nil).want(http.StatusUnprocessableEntity).
		shows("Enter your username", "Enter your set-up code", "Your new password must be at least 10 characters")
	b.send("/start", url.Values{"username": {"sam"}, "code": {code.Code}, "password": {"sams-own-password"}, "password2": {"sams-own-passwort"}}).
		want(http.StatusUnprocessableEntity).shows("The two passwords are not the same")

	// A wrong code and a wrong username get the same answer: nothing says
	// which was wrong, or that the account exists.
	wrong := strings.Map(func(r rune) rune {
		if r == 'A' {
			return 'B'
		}
		if r != '-' {
			return 'A'
		}
		return r
	}, code.Code)
	const noHint = "Your username or code is not right"
	badCode := b.setUp("sam", wrong, "sams-own-password").want(http.StatusUnprocessableEntity).shows(noHint)
	badUser := b.setUp("nobody-at-all", code.Code, "sams-own-password").want(http.StatusUnprocessableEntity).shows(noHint)
	for _, p := range []page{badCode, badUser} {
		p.hides("That code has run out", "too many times", "no account")
	}

	// The right code signs Sam in, with the password Sam chose.
	b.setUp(" SAM ", strings.ToLower(code.Code), "sams-own-password").redirects("/my")
	b.get("/my").want(http.StatusOK).shows("Your password is saved. You are signed in.")
	// It works once.
	s.browser(t).setUp("sam", code.Code, "another-password").want(http.StatusUnprocessableEntity).shows(noHint)
	s.signedIn(t, "sam", "sams-own-password", "/my")
}

func TestWebSetUpCodeExpired(t *testing.T) {
	s := newTestServer(t)
	ctx := context.Background()
	_, code, err := s.b.Accounts.CreateWithSetup(ctx, "sam", account.Helper, "Sam Support", "")
	if err != nil {
		t.Fatal(err)
	}
	s.b.Accounts.SetClock(func() time.Time { return time.Now().Add(account.SetupTTL) })
	b := s.browser(t)
	b.setUp("sam", code.Code, "sams-own-password").want(http.StatusUnprocessableEntity).
		shows("That code has run out. Ask the person who made your account for a new one")
	s.b.Accounts.SetClock(time.Now)
	b.signIn("sam", "sams-own-password").want(http.StatusUnauthorized)
}

func TestWebSetUpThrottled(t *testing.T) {
	s := newTestServer(t)
	b := s.browser(t)
	// Guesses are counted as wrong passwords are at sign-in: after the
	// free ones and one more, the next must wait, whatever it is.
	for range 6 {
		b.setUp("nobody", "ABCD-EFGH", "a-long-password").want(http.StatusUnprocessableEntity).shows("Your username or code is not right")
	}
	p := b.setUp("nobody", "ABCD-EFGH", "a-long-password").want(http.StatusTooManyRequests).shows("Too many tries. Wait a few minutes")
	if p.header.Get("Retry-After") == "" {
		t.Fatal("no Retry-After")
	}
}

func TestWebChangePassword(t *testing.T) {
	s := newTestServer(t)
	s.leaver("jo")
	phone := s.browser(t)
	phone.signInOn("jo", webPassword, androidUA).redirects("/my")
	computer := s.signedIn(t, "jo", webPassword, "/my")
	tok := tokenFor(t, s, "jo", webPassword)

	phone.get("/my/data").want(http.StatusOK).shows(`href="/my/password"`, `href="/my/devices"`)
	phone.form("/my/password").shows("Change your password", "Your password now")
	phone.send("/my/password", nil).want(http.StatusUnprocessableEntity).
		shows("Enter your password now", "Your new password must be at least 10 characters")
	phone.send("/my/password", url.Values{"current": {"not-my-password"}, "password": {"a-new-password"}, "password2": {"a-new-password"}}).
		want(http.StatusUnprocessableEntity).shows("Your password now is not right")
	phone.send("/my/password", url.Values{"current": {webPassword}, "password": {"a-new-password"}, "password2": {"a-new-passwort"}}).
		want(http.StatusUnprocessableEntity).shows("The two passwords are not the same")
	// Nothing changed yet.
	computer.get("/my").want(http.StatusOK)

	phone.send("/my/password", url.Values{"current": {webPassword}, "password": {"a-new-password"}, "password2": {"a-new-password"}}).redirects("/my")
	// The phone that changed it stays signed in; everything else is out.
	phone.get("/my").want(http.StatusOK).shows("Your password is changed. You are signed out on every other phone and computer.")
	computer.get("/my").redirects("/sign-in")
	expect(t, s.do("GET", s.url+"/api/v1/grants", tok, nil), http.StatusUnauthorized)
	s.browser(t).signIn("jo", webPassword).want(http.StatusUnauthorized)
	s.signedIn(t, "jo", "a-new-password", "/my")

	// A helper's account is theirs too.
	s.helperAccount("helen", "Helen Helper")
	helen := s.signedIn(t, "helen", webPassword, "/helping")
	helen.get("/helping").want(http.StatusOK).shows(`href="/my/password"`)
	helen.send("/my/password", url.Values{"current": {webPassword}, "password": {"helens-new-one"}, "password2": {"helens-new-one"}}).redirects("/helping")
}

func TestWebChangePasswordThrottled(t *testing.T) {
	s := newTestServer(t)
	s.leaver("jo")
	b := s.signedIn(t, "jo", webPassword, "/my")
	// Someone who finds a phone signed in cannot guess the password there
	// faster than at sign-in.
	for range 6 {
		b.send("/my/password", url.Values{"current": {"guess"}, "password": {"a-new-password"}, "password2": {"a-new-password"}}).
			want(http.StatusUnprocessableEntity)
	}
	b.send("/my/password", url.Values{"current": {webPassword}, "password": {"a-new-password"}, "password2": {"a-new-password"}}).
		want(http.StatusTooManyRequests).shows("Too many tries")
}

func TestWebDevicesAndSignOutEverywhere(t *testing.T) {
	s := newTestServer(t)
	s.leaver("jo")
	phone := s.browser(t)
	phone.signInOn("jo", webPassword, androidUA).redirects("/my")
	computer := s.browser(t)
	computer.signInOn("jo", webPassword, windowsUA).redirects("/my")
	tok := tokenFor(t, s, "jo", webPassword)
	// Someone else's sessions are not listed.
	s.leaver("lee")
	s.signedIn(t, "lee", webPassword, "/my")

	p := computer.get("/my/devices").want(http.StatusOK).shows("Where you are signed in", "An Android phone or tablet", "A Windows computer", "Sign out everywhere", `href="/help/lost-phone"`)
	if n := strings.Count(p.body, "This one"); n != 1 {
		t.Fatalf("%d devices are marked as this one", n)
	}
	if n := strings.Count(p.body, "Signed in on "); n != 2 {
		t.Fatalf("%d devices listed, want 2: %s", n, p.text())
	}
	// This device comes first.
	if strings.Index(p.body, "A Windows computer") > strings.Index(p.body, "An Android phone") {
		t.Fatalf("this computer is not first: %s", p.text())
	}

	// Signing out on the phone takes it off the list.
	phone.form("/sign-out")
	phone.post("/sign-out", url.Values{"csrf": {phone.csrf}}).redirects("/")
	computer.get("/my/devices").want(http.StatusOK).shows("A Windows computer").hides("An Android phone")

	// Back on the phone; then the phone is lost, and the computer signs
	// out everywhere.
	phone.signInOn("jo", webPassword, androidUA).redirects("/my")
	computer.get("/my/devices").want(http.StatusOK).shows("An Android phone")
	computer.form("/my/devices")
	computer.post("/my/devices/sign-out-everywhere", url.Values{"csrf": {computer.csrf}}).want(http.StatusOK).
		shows("You are signed out everywhere", `href="/sign-in"`)
	phone.get("/my").redirects("/sign-in")
	computer.get("/my").redirects("/sign-in")
	expect(t, s.do("GET", s.url+"/api/v1/grants", tok, nil), http.StatusUnauthorized)
	// Signing in again works, and the old sessions are gone from the list.
	again := s.browser(t)
	again.signInOn("jo", webPassword, windowsUA).redirects("/my")
	p = again.get("/my/devices").want(http.StatusOK)
	if n := strings.Count(p.body, "Signed in on "); n != 1 {
		t.Fatalf("%d devices listed after signing out everywhere, want 1: %s", n, p.text())
	}
	// The form needs its csrf token.
	again.post("/my/devices/sign-out-everywhere", url.Values{}).want(http.StatusForbidden)
	again.get("/my").want(http.StatusOK)
}

func TestWebResetCodeFromSomeoneWhoChecked(t *testing.T) {
	s := newTestServer(t)
	s.leaver("jo")
	ctx := context.Background()
	if _, _, err := s.b.Web.IssueResetCode(ctx, "jo", " "); err == nil {
		t.Fatal("a code without saying who checked")
	}
	_, code, err := s.b.Web.IssueResetCode(ctx, "jo", "Pat Jones, Leeds Hub")
	if err != nil {
		t.Fatal(err)
	}
	b := s.browser(t)
	b.get("/sign-in").want(http.StatusOK).shows("I have a code to make a new password")
	b.send("/reset", url.Values{"username": {"jo"}, "code": {code.Code}, "password": {"a-new-password"}, "password2": {"a-new-password"}}).
		want(http.StatusOK).shows("Your password is changed")
	// Once only.
	b.send("/reset", url.Values{"username": {"jo"}, "code": {code.Code}, "password": {"another-password"}, "password2": {"another-password"}}).
		want(http.StatusUnprocessableEntity).shows("That code is not right")
	jo := s.signedIn(t, "jo", "a-new-password", "/my")
	jo.get("/my/looked").want(http.StatusOK).
		shows("Pat Jones, Leeds Hub checked who you are and gave you a code to make a new password")
}

func TestWebResetRightSaysWhatItGives(t *testing.T) {
	s := newTestServer(t)
	s.leaver("jo")
	jo := s.signedIn(t, "jo", webPassword, "/my")
	jo.get("/my/helpers/add").want(http.StatusOK).
		shows("Reset my password, which lets them into my account", "This lets them into your account", `aria-describedby="rights-reset-hint"`)
}

func TestWebPagesEveryServiceHas(t *testing.T) {
	s := newTestServer(t)
	_, tok := leaverWithHistory(t, s)
	g, r := s.share(tok, currentAddressOnly)
	expect(t, r, http.StatusCreated)
	footer := []string{`href="/help"`, `href="/privacy"`, `href="/cookies"`, `href="/accessibility"`}

	b := s.browser(t)
	for path, words := range map[string][]string{
		"/privacy":         {"Privacy notice", "criminal offence data (UK GDPR Article 10)", "Who is in charge of your information", "How long we keep it", "Your rights", "Information Commissioner"},
		"/cookies":         {"Cookies", "<code>satchel</code>", "<code>satchel-pre</code>", "only uses cookies it needs"},
		"/accessibility":   {"Accessibility statement", "WCAG", "2.2", "level AA", "What does not work well yet"},
		"/help":            {"Help", `href="/help/lost-phone"`, `href="/start"`, `href="/reset"`},
		"/help/lost-phone": {"If you lose your phone", `href="/my/devices"`, "Sign out everywhere"},
	} {
		b.get(path).want(http.StatusOK).shows(words...).shows(footer...)
	}
	// Every page's footer, signed in or not, and the recipient's page.
	b.get("/").want(http.StatusOK).shows(footer...)
	s.signedIn(t, "jo", webPassword, "/my").get("/my").want(http.StatusOK).shows(footer...)
	got := s.do("GET", g.ShareURL, "", nil)
	expect(t, got, http.StatusOK)
	for _, f := range footer {
		if !strings.Contains(string(got.body), f) {
			t.Errorf("the recipient's page has no link %s", f)
		}
	}
}

func TestWebHelperPagesSpeakToTheHelper(t *testing.T) {
	s := newTestServer(t)
	s.leaver("jo")
	s.helperAccount("helen", "Helen Helper")
	jo := s.signedIn(t, "jo", webPassword, "/my")
	jo.send("/my/helpers/add", url.Values{"username": {"helen"}, "rights": {"view", "reset"}}).redirects("/my/helpers")
	jo.get("/my/helpers").want(http.StatusOK).shows("See my things", "Reset my password, which lets them into my account")

	helen := s.signedIn(t, "helen", webPassword, "/helping")
	p := helen.get("/helping").want(http.StatusOK).
		shows("See their things", "Reset their password, which lets you into their account").hides("See my things", "Reset my password")
	pod := p.find(`href="/helping/([^"/]+)"`)
	helen.get("/helping/"+pod).want(http.StatusOK).
		shows("Who they are", "Where they have lived", "Sent to them").hides("Who I am", "Sent to you")
}
