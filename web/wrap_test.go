package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/satchel-project/satchel/access"
	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/blob"
	"github.com/satchel-project/satchel/limits"
	"github.com/satchel-project/satchel/onboard"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/pod/fsstore"
	"github.com/satchel-project/satchel/pod/podtest"
	"github.com/satchel-project/satchel/state"
	"github.com/satchel-project/satchel/vault/local"
)

// brittle is storage that a test can take down for reading.
type brittle struct {
	blob.Store
	down atomic.Bool
}

func (b *brittle) Get(ctx context.Context, key string) (io.ReadCloser, blob.ObjectInfo, error) {
	if b.down.Load() {
		return nil, blob.ObjectInfo{}, pod.ErrUnavailable
	}
	return b.Store.Get(ctx, key)
}

// site is Pages over fresh storage, with accounts, a clock the test moves,
// and pages of each kind that say who they were shown to.
type site struct {
	t       *testing.T
	p       *Pages
	now     *time.Time
	storage *brittle
	mux     *http.ServeMux
	reached int
}

func newSite(t *testing.T, baseURL string) *site {
	t.Helper()
	dir := t.TempDir()
	fs, err := fsstore.Open(dir + "/objects")
	if err != nil {
		t.Fatal(err)
	}
	st := &brittle{Store: fs}
	cust, _, err := local.Open(dir + "/keys")
	if err != nil {
		t.Fatal(err)
	}
	pods := pod.NewService(st, pod.NewKeyring(st, cust, time.Minute))
	accounts, err := account.Open(context.Background(), pods, account.Params{Memory: 1024, Time: 1, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	accounts.SetSessionCache(0, nil)
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	s := &site{t: t, now: &now, storage: st, mux: http.NewServeMux()}
	accounts.SetClock(func() time.Time { return *s.now })
	s.p = &Pages{Pods: pods, Accounts: accounts, BaseURL: baseURL,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), now: func() time.Time { return *s.now }}
	if err := s.p.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	page := func(w http.ResponseWriter, r *http.Request, sess *Session) {
		s.reached++
		who := "nobody"
		if sess != nil {
			who = sess.Username
		}
		if access.From(r.Context()).SignedIn() != (sess != nil) {
			who += " (principal differs)"
		}
		if r.Method == http.MethodPost && r.Body != nil {
			b, _ := io.ReadAll(r.Body)
			who += fmt.Sprintf(" sent %d more bytes", len(b))
		}
		fmt.Fprintf(w, "page for %s", who)
	}
	s.mux.Handle("/public", s.p.public(page))
	s.mux.Handle("/signed-in", s.p.signedIn(page))
	s.mux.Handle("/leaver", s.p.leaver(page))
	s.mux.Handle("/helper", s.p.helperPage(page))
	s.mux.Handle("/upload", s.p.upload(page, isLeaver))
	return s
}

// browser is one browser's cookies.
type browser map[string]string

func (b browser) take(w *httptest.ResponseRecorder) {
	for _, c := range w.Result().Cookies() {
		if c.MaxAge < 0 {
			delete(b, c.Name)
		} else {
			b[c.Name] = c.Value
		}
	}
}

func (s *site) do(b browser, method, path string, form url.Values, hdr ...string) *httptest.ResponseRecorder {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	r := httptest.NewRequest(method, path, body)
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	for k, v := range b {
		r.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	w := httptest.NewRecorder()
	s.mux.ServeHTTP(w, r)
	b.take(w)
	return w
}

// signIn makes an account of kind and starts a session for it in a new
// browser.
func (s *site) signIn(username string, kind account.Kind) (browser, *Session) {
	s.t.Helper()
	org := ""
	if kind == account.Issuer {
		org = "hmp"
	}
	a, err := s.p.Accounts.CreateWith(context.Background(), username, kind, "Someone", "correct-horse-battery", org)
	if err != nil {
		s.t.Fatal(err)
	}
	a, err = s.p.Accounts.Authenticate(context.Background(), username, "correct-horse-battery")
	if err != nil {
		s.t.Fatal(err)
	}
	return s.startFor(browser{}, a)
}

func (s *site) startFor(b browser, a account.Account) (browser, *Session) {
	s.t.Helper()
	w := httptest.NewRecorder()
	r := httptest.NewRequest("POST", "/sign-in", nil)
	for k, v := range b {
		r.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	sess, err := s.p.sessions.start(context.Background(), w, r, a)
	if err != nil {
		s.t.Fatal(err)
	}
	b.take(w)
	return b, sess
}

// Every page is sent with headers that keep it out of caches, frames and
// other sites' reach.
func TestPageHeaders(t *testing.T) {
	s := newSite(t, "http://localhost")
	w := s.do(browser{}, "GET", "/public", nil)
	for h, want := range map[string]string{
		"Content-Security-Policy": csp,
		"Cache-Control":           "no-store",
		"X-Frame-Options":         "DENY",
		"Referrer-Policy":         "no-referrer",
		"Permissions-Policy":      "camera=(self), geolocation=(), microphone=()",
	} {
		if got := w.Header().Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
	if w.Code != 200 || w.Body.String() != "page for nobody" {
		t.Errorf("public page signed out: %d %q", w.Code, w.Body)
	}
}

// Who may see which page: a signed-out visitor is sent to sign in, a
// signed-in one who may not see a page is told it is not there.
func TestPagesForWhom(t *testing.T) {
	s := newSite(t, "http://localhost")
	jo, _ := s.signIn("jo", account.Leaver)
	sam, _ := s.signIn("sam", account.Helper)
	clerk, _ := s.signIn("clerk", account.Issuer)
	for _, c := range []struct {
		who  browser
		path string
		want string // the page's words, or "sign-in", or "not found"
	}{
		{browser{}, "/public", "page for nobody"},
		{browser{}, "/signed-in", "sign-in"},
		{browser{}, "/leaver", "sign-in"},
		{browser{}, "/helper", "sign-in"},
		{jo, "/public", "page for jo"},
		{jo, "/signed-in", "page for jo"},
		{jo, "/leaver", "page for jo"},
		{jo, "/helper", "not found"},
		{sam, "/signed-in", "page for sam"},
		{sam, "/leaver", "not found"},
		{sam, "/helper", "page for sam"},
		{clerk, "/leaver", "not found"},
		{clerk, "/helper", "not found"},
		{clerk, "/signed-in", "page for clerk"},
	} {
		w := s.do(c.who, "GET", c.path, nil)
		switch c.want {
		case "sign-in":
			if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/sign-in" {
				t.Errorf("%v %s: %d to %q, want 303 to /sign-in", c.who, c.path, w.Code, w.Header().Get("Location"))
			}
		case "not found":
			if w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "Page not found") {
				t.Errorf("%v %s: %d, want 404 Page not found", c.who, c.path, w.Code)
			}
		default:
			if w.Code != 200 || w.Body.String() != c.want {
				t.Errorf("%v %s: %d %q, want %q", c.who, c.path, w.Code, w.Body, c.want)
			}
		}
	}
	// A leaver's session without a pod is no leaver's.
	b, _ := s.startFor(browser{}, account.Account{ID: "nopod", Username: "nopod", Kind: account.Leaver})
	if w := s.do(b, "GET", "/leaver", nil); w.Code != http.StatusNotFound {
		t.Errorf("a leaver without a pod: %d, want 404", w.Code)
	}
}

// A form is accepted only with its session's CSRF token, or for a
// signed-out visitor the token made for that browser, and never from
// another site; a form too big is refused before it is read.
func TestFormChecks(t *testing.T) {
	s := newSite(t, "http://localhost")
	jo, sess := s.signIn("jo", account.Leaver)
	_, other := s.signIn("kim", account.Leaver)
	forbidden := func(w *httptest.ResponseRecorder) bool {
		return w.Code == http.StatusForbidden && strings.Contains(w.Body.String(), "Please try again")
	}
	for _, c := range []struct {
		what string
		csrf string
		hdr  []string
		ok   bool
	}{
		{"the session's token", sess.CSRF, nil, true},
		{"same origin", sess.CSRF, []string{"Sec-Fetch-Site", "same-origin"}, true},
		{"typed in", sess.CSRF, []string{"Sec-Fetch-Site", "none"}, true},
		{"no token", "", nil, false},
		{"another session's token", other.CSRF, nil, false},
		{"a token one character short", sess.CSRF[:len(sess.CSRF)-1], nil, false},
		{"from another site", sess.CSRF, []string{"Sec-Fetch-Site", "cross-site"}, false},
		{"from a sibling site", sess.CSRF, []string{"Sec-Fetch-Site", "same-site"}, false},
	} {
		before := s.reached
		w := s.do(jo, "POST", "/leaver", url.Values{"csrf": {c.csrf}}, c.hdr...)
		if c.ok && (w.Code != 200 || s.reached != before+1) {
			t.Errorf("%s: %d %q, want the page", c.what, w.Code, w.Body)
		}
		if !c.ok && (!forbidden(w) || s.reached != before) {
			t.Errorf("%s: %d, reached %v; want 403 Please try again", c.what, w.Code, s.reached != before)
		}
	}

	// 64 KiB of form is read; a byte more is refused.
	pad := func(n int) url.Values {
		v := url.Values{"csrf": {sess.CSRF}, "x": {""}}
		v.Set("x", strings.Repeat("a", n-len(v.Encode())))
		return v
	}
	if w := s.do(jo, "POST", "/leaver", pad(64<<10)); w.Code != 200 {
		t.Errorf("a form of 64 KiB: %d, want the page", w.Code)
	}
	if w := s.do(jo, "POST", "/leaver", pad(64<<10+1)); w.Code != http.StatusRequestEntityTooLarge || !strings.Contains(w.Body.String(), "That is too much to send") {
		t.Errorf("a form of 64 KiB and a byte: %d, want 413", w.Code)
	}
	// An upload page reads its own body, whatever its size.
	big := url.Values{"csrf": {sess.CSRF}, "x": {strings.Repeat("a", 100<<10)}}
	if w := s.do(jo, "POST", "/upload", big); w.Code != 200 || w.Body.String() != fmt.Sprintf("page for jo sent %d more bytes", len(big.Encode())) {
		t.Errorf("an upload: %d %q", w.Code, w.Body)
	}
	if w := s.do(jo, "POST", "/upload", big, "Sec-Fetch-Site", "cross-site"); !forbidden(w) {
		t.Errorf("an upload from another site: %d, want 403", w.Code)
	}
}

// A signed-out visitor's form token is bound to a cookie of their browser:
// it works with that cookie, on every instance, and not in another browser.
func TestSignedOutFormToken(t *testing.T) {
	s := newSite(t, "http://localhost")
	token := func(b browser) string {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("GET", "/sign-in", nil)
		for k, v := range b {
			r.AddCookie(&http.Cookie{Name: k, Value: v})
		}
		tok := s.p.preToken(w, r)
		b.take(w)
		return tok
	}
	mine, theirs := browser{}, browser{}
	tok := token(mine)
	if len(mine["satchel-pre"]) != 43 {
		t.Fatalf("the visitor's cookie: %v", mine)
	}
	if again := token(mine); again != tok {
		t.Errorf("the same browser got a new token %q, then %q", tok, again)
	}
	theirTok := token(theirs)
	post := func(b browser, tok string) int {
		return s.do(b, "POST", "/public", url.Values{"csrf": {tok}}).Code
	}
	if code := post(mine, tok); code != 200 {
		t.Errorf("the visitor's own token: %d", code)
	}
	if code := post(theirs, tok); code != http.StatusForbidden {
		t.Errorf("a token made for another browser: %d, want 403", code)
	}
	if code := post(browser{}, tok); code != http.StatusForbidden {
		t.Errorf("a token without its cookie: %d, want 403", code)
	}
	if code := post(browser{"satchel-pre": mine["satchel-pre"][:42]}, tok); code != http.StatusForbidden {
		t.Errorf("a token with a cut cookie: %d, want 403", code)
	}
	if code := post(theirs, theirTok); code != 200 {
		t.Errorf("the other visitor's own token: %d", code)
	}
	// A cookie of the wrong length gets a new one.
	short := browser{"satchel-pre": "short"}
	if tok := token(short); short["satchel-pre"] == "short" || post(short, tok) != 200 {
		t.Errorf("a visitor with a bad cookie: cookie %q", short["satchel-pre"])
	}

	// Another instance over the same storage shares the secret.
	s2 := &Pages{Pods: s.p.Pods, Log: s.p.Log, now: s.p.now}
	if err := s2.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.p, s2 = s2, s.p
	if code := post(mine, tok); code != 200 {
		t.Errorf("the token on another instance: %d", code)
	}
	s.p = s2
}

// The session cookie: HttpOnly, SameSite=Lax, for the whole site, for
// twelve hours; over TLS Secure with the __Host- prefix. Signing in clears
// the signed-out visitor's cookie and ends the browser's earlier session.
func TestSessionCookie(t *testing.T) {
	for _, c := range []struct {
		base, name, pre string
		secure          bool
	}{
		{"http://localhost", "satchel", "satchel-pre", false},
		{"https://satchel.example", "__Host-satchel", "__Host-satchel-pre", true},
	} {
		s := newSite(t, c.base)
		a := account.Account{ID: "abc", Username: "jo", Kind: account.Leaver, Pod: "p1"}
		w := httptest.NewRecorder()
		r := httptest.NewRequest("POST", "/sign-in", nil)
		if tok := s.p.preToken(w, r); tok == "" {
			t.Fatal("no token")
		}
		pre := w.Result().Cookies()[0]
		if pre.Name != c.pre || pre.MaxAge != 3600 || !pre.HttpOnly || pre.Secure != c.secure || pre.SameSite != http.SameSiteLaxMode || pre.Path != "/" {
			t.Errorf("%s: the visitor's cookie %+v", c.base, pre)
		}
		w = httptest.NewRecorder()
		r.AddCookie(pre)
		first, err := s.p.sessions.start(context.Background(), w, r, a)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]*http.Cookie{}
		for _, k := range w.Result().Cookies() {
			got[k.Name] = k
		}
		k := got[c.name]
		if k == nil || k.Value != first.id || k.MaxAge != 12*60*60 || !k.HttpOnly || k.Secure != c.secure || k.SameSite != http.SameSiteLaxMode || k.Path != "/" || k.Domain != "" {
			t.Errorf("%s: the session cookie %+v", c.base, k)
		}
		if p := got[c.pre]; p == nil || p.MaxAge >= 0 {
			t.Errorf("%s: the visitor's cookie is not cleared: %+v", c.base, p)
		}
		// Signing in again in the same browser ends the first session.
		b := browser{c.name: first.id}
		b, second := s.startFor(b, a)
		if b[c.name] != second.id {
			t.Fatalf("%s: the browser holds %v", c.base, b)
		}
		if w := s.do(browser{c.name: first.id}, "GET", "/signed-in", nil); w.Code != http.StatusSeeOther {
			t.Errorf("%s: the first session still works after signing in again: %d", c.base, w.Code)
		}
		if w := s.do(b, "GET", "/signed-in", nil); w.Code != 200 {
			t.Errorf("%s: the second session: %d", c.base, w.Code)
		}
		// A cookie of another length is no session.
		if w := s.do(browser{c.name: second.id + "A"}, "GET", "/signed-in", nil); w.Code != http.StatusSeeOther {
			t.Errorf("%s: a cookie a character long: %d", c.base, w.Code)
		}
		// Signing out ends it, and clears the cookie.
		w = httptest.NewRecorder()
		r = httptest.NewRequest("POST", "/sign-out", nil)
		r.AddCookie(&http.Cookie{Name: c.name, Value: second.id})
		s.p.sessions.end(context.Background(), w, r)
		if k := w.Result().Cookies(); len(k) != 1 || k[0].Name != c.name || k[0].MaxAge >= 0 {
			t.Errorf("%s: signing out sets %v", c.base, k)
		}
		if w := s.do(browser{c.name: second.id}, "GET", "/signed-in", nil); w.Code != http.StatusSeeOther {
			t.Errorf("%s: the session still works after signing out: %d", c.base, w.Code)
		}
	}
}

// A session ends after exactly 30 minutes without a request (a request
// less than a minute after the last does not count as one), and after 12
// hours however busy.
func TestSessionTimesExactly(t *testing.T) {
	s := newSite(t, "http://localhost")
	a := account.Account{ID: "abc", Username: "jo", Kind: account.Leaver, Pod: "p1"}
	at := func(b browser, d time.Duration, start time.Time) int {
		*s.now = start.Add(d)
		return s.do(b, "GET", "/signed-in", nil).Code
	}
	t0 := *s.now
	idle, _ := s.startFor(browser{}, a)
	if code := at(idle, IdleTimeout, t0); code != 200 {
		t.Errorf("after exactly 30 idle minutes: %d, want the page", code)
	}
	idle, _ = s.startFor(browser{}, a)
	t0 = *s.now
	if code := at(idle, IdleTimeout+time.Nanosecond, t0); code != http.StatusSeeOther {
		t.Errorf("after 30 idle minutes and an instant: %d, want 303", code)
	}
	// A request a minute after the last is noted; one sooner is not.
	for _, c := range []struct {
		first time.Duration
		code  int
	}{
		{seenEvery, http.StatusSeeOther},
		{seenEvery + time.Nanosecond, 200},
	} {
		b, _ := s.startFor(browser{}, a)
		t0 = *s.now
		if code := at(b, c.first, t0); code != 200 {
			t.Fatalf("after %v: %d", c.first, code)
		}
		if code := at(b, IdleTimeout+time.Nanosecond, t0); code != c.code {
			t.Errorf("requests %v and 30 minutes and an instant after signing in: %d, want %d", c.first, code, c.code)
		}
	}
	// Busy all along: alive at 12 hours, ended an instant later.
	for _, c := range []struct {
		end  time.Duration
		code int
	}{
		{MaxAge, 200},
		{MaxAge + time.Nanosecond, http.StatusSeeOther},
	} {
		b, _ := s.startFor(browser{}, a)
		t0 = *s.now
		for d := 20 * time.Minute; d < MaxAge; d += 20 * time.Minute {
			if code := at(b, d, t0); code != 200 {
				t.Fatalf("a busy session ended after %v", d)
			}
		}
		if code := at(b, c.end, t0); code != c.code {
			t.Errorf("a busy session after %v: %d, want %d", c.end, code, c.code)
		}
	}
}

// Signing out everywhere (or changing the password) ends the sessions
// begun before it, not one begun after; and when the sessions cannot be
// read the visitor is told something went wrong, not signed out.
func TestSessionEndedElsewhere(t *testing.T) {
	s := newSite(t, "http://localhost")
	jo, sess := s.signIn("jo", account.Leaver)
	*s.now = s.now.Add(time.Minute)
	if w := s.do(jo, "GET", "/signed-in", nil); w.Code != 200 {
		t.Fatalf("before: %d", w.Code)
	}
	if err := s.p.Accounts.EndSessions(context.Background(), sess.Account); err != nil {
		t.Fatal(err)
	}
	if w := s.do(jo, "GET", "/signed-in", nil); w.Code != http.StatusSeeOther {
		t.Errorf("after signing out everywhere: %d, want 303", w.Code)
	}
	*s.now = s.now.Add(time.Minute)
	a, err := s.p.Accounts.Authenticate(context.Background(), "jo", "correct-horse-battery")
	if err != nil {
		t.Fatal(err)
	}
	fresh, _ := s.startFor(browser{}, a)
	if w := s.do(fresh, "GET", "/signed-in", nil); w.Code != 200 || w.Body.String() != "page for jo" {
		t.Errorf("signing in again after: %d %q", w.Code, w.Body)
	}

	s.storage.down.Store(true)
	w := s.do(fresh, "GET", "/signed-in", nil)
	s.storage.down.Store(false)
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), "Sorry, something went wrong") {
		t.Errorf("storage down: %d, want 503 Sorry, something went wrong", w.Code)
	}
}

// lockedBuffer collects log lines from several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// SweepEvery sweeps until its context ends, and tells the operator how many
// ended sessions it deleted, not that it failed.
func TestSweepEvery(t *testing.T) {
	s := newSite(t, "http://localhost")
	var log lockedBuffer
	s.p.Log = slog.New(slog.NewTextHandler(&log, nil))
	a := account.Account{ID: "abc", Username: "jo", Kind: account.Leaver, Pod: "p1"}
	b, _ := s.startFor(browser{}, a)
	if _, err := s.p.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	*s.now = s.now.Add(IdleTimeout + time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		s.p.SweepEvery(ctx, time.Millisecond)
		close(done)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for l := ""; !strings.Contains(l, "swept ended sessions") && !strings.Contains(l, "failed") && time.Now().Before(deadline); l = log.String() {
		runtime.Gosched()
	}
	cancel()
	<-done
	if got := log.String(); !strings.Contains(got, `msg="swept ended sessions" count=1`) || strings.Contains(got, "failed") {
		t.Errorf("the log: %s", got)
	}
	*s.now = s.now.Add(-time.Hour) // even back in time, the session is gone
	if w := s.do(b, "GET", "/signed-in", nil); w.Code != http.StatusSeeOther {
		t.Errorf("the swept session: %d", w.Code)
	}
}

// A message for the next page is kept with the session for its next
// request, quietly.
func TestFlash(t *testing.T) {
	s := newSite(t, "http://localhost")
	var log lockedBuffer
	s.p.Log = slog.New(slog.NewTextHandler(&log, nil))
	b, sess := s.signIn("jo", account.Leaver)
	s.p.flash(context.Background(), sess, "flash.saved")
	r := httptest.NewRequest("GET", "/my", nil)
	for k, v := range b {
		r.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	got, err := s.p.sessions.load(context.Background(), r)
	if err != nil || got.Flash != "flash.saved" {
		t.Fatalf("the next request's session: %+v, %v", got, err)
	}
	if l := log.String(); l != "" {
		t.Errorf("the log: %s", l)
	}
}

// Instances that start at once over new storage agree on one secret: a
// signed-out visitor's form token made by any of them works on all.
func TestInstancesStartingAtOnceShareTheSecret(t *testing.T) {
	pods, _ := podtest.New(t)
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	pages := make([]*Pages, 8)
	errs := make([]error, len(pages))
	var wg sync.WaitGroup
	for i := range pages {
		pages[i] = &Pages{Pods: pods, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), now: func() time.Time { return now }}
		wg.Go(func() { errs[i] = pages[i].Open(context.Background()) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
	}
	w := httptest.NewRecorder()
	tok := pages[0].preToken(w, httptest.NewRequest("GET", "/sign-in", nil))
	cookie := w.Result().Cookies()[0]
	for i, p := range pages {
		r := httptest.NewRequest("POST", "/sign-in", strings.NewReader(url.Values{"csrf": {tok}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.AddCookie(cookie)
		if !p.checkPreToken(r) {
			t.Errorf("instance %d refuses instance 0's token", i)
		}
	}
}

// A session listed under its hour but never stored (its instance stopped
// between the two writes) is forgotten once the hour and a minute more are
// over, and not before; once nothing in an hour is left, Sweep starts after
// it next time.
func TestSweepForgetsSessionsNeverStored(t *testing.T) {
	ctx := context.Background()
	s := newSite(t, "http://localhost")
	p := s.p
	start := *s.now // 09:00
	if _, err := p.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	b, _ := s.startFor(browser{}, account.Account{ID: "abc", Username: "jo", Kind: account.Leaver, Pod: "p1"})
	half := sessionKey(randomToken())
	if err := p.sessions.db.WriteJSON(ctx, startedPath(start, half), struct{}{}, state.CreateOnly()); err != nil {
		t.Fatal(err)
	}
	listed := func() int {
		names, err := p.sessions.db.List(ctx, startedDir(start))
		if err != nil {
			t.Fatal(err)
		}
		return len(names)
	}
	cursor := func() time.Time {
		var c sweepCursor
		if _, err := p.sessions.db.ReadJSON(ctx, sweepPath, &c); err != nil {
			t.Fatal(err)
		}
		return c.Next
	}
	keepAlive := func() {
		if w := s.do(b, "GET", "/signed-in", nil); w.Code != 200 {
			t.Fatalf("the live session at %v: %d", *s.now, w.Code)
		}
	}
	for m := 20; m <= 60; m += 20 {
		*s.now = start.Add(time.Duration(m) * time.Minute)
		keepAlive()
	}
	*s.now = start.Add(time.Hour + time.Minute)
	if n, err := p.Sweep(ctx); err != nil || n != 0 || listed() != 2 {
		t.Errorf("at 10:01: Sweep = %d, %v; the hour lists %d, want 2", n, err, listed())
	}
	*s.now = s.now.Add(time.Nanosecond)
	if n, err := p.Sweep(ctx); err != nil || n != 0 || listed() != 1 {
		t.Errorf("just after 10:01: Sweep = %d, %v; the hour lists %d, want 1 (the live session)", n, err, listed())
	}
	if c := cursor(); !c.Equal(start) {
		t.Errorf("with a live session at 09:00, the sweep goes on from %v", c)
	}
	// The live session ends; its hour is then empty and left behind.
	*s.now = s.now.Add(IdleTimeout + time.Second)
	if n, err := p.Sweep(ctx); err != nil || n != 1 || listed() != 0 {
		t.Errorf("after the session ended: Sweep = %d, %v; the hour lists %d", n, err, listed())
	}
	if c, want := cursor(), s.now.Truncate(time.Hour); !c.Equal(want) {
		t.Errorf("the sweep goes on from %v, want %v", c, want)
	}
}

// Open fills in what was left out (the clock, the upload counts, the
// onboarding service) and keeps what was given: instances given the same
// Limits count one account's uploads together, two at a time.
func TestOpenDefaultsAndSharedLimits(t *testing.T) {
	ctx := context.Background()
	pods, _ := podtest.New(t)
	shared := limits.NewMemory()
	onb, err := onboard.Open(ctx, pods)
	if err != nil {
		t.Fatal(err)
	}
	a := &Pages{Pods: pods, Limits: shared, Onboard: onb, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	b := &Pages{Pods: pods, Limits: shared, Log: a.Log}
	alone := &Pages{Pods: pods, Log: a.Log}
	for _, p := range []*Pages{a, b, alone} {
		if err := p.Open(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if a.Onboard != onb || b.Onboard == nil || alone.Limits == nil || a.Limits != limits.Counters(shared) {
		t.Errorf("after Open: Onboard %p (given %p) and %v; Limits %v, %v", a.Onboard, onb, b.Onboard, a.Limits, alone.Limits)
	}
	if d := time.Since(a.now()); d < 0 || d > time.Minute {
		t.Errorf("the default clock is %v off", d)
	}
	take := func(p *Pages) bool {
		release, ok, err := p.uploads.take(ctx, "abc")
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			t.Cleanup(release)
		}
		return ok
	}
	if !take(a) || !take(b) {
		t.Fatal("the first two uploads were refused")
	}
	if take(a) || take(b) {
		t.Error("a third upload at once was let through by an instance sharing the counts")
	}
	if !take(alone) {
		t.Error("an instance counting alone refused the account's first upload")
	}
}

// The first sweep after an upgrade finds ended sessions made by a release
// that did not list them by hour, in the one place that holds them all.
func TestFirstSweepFindsUnlistedSessions(t *testing.T) {
	ctx := context.Background()
	s := newSite(t, "http://localhost")
	old := &Session{Account: "abc", Username: "jo", Kind: account.Leaver, Pod: "p1", CSRF: randomToken(),
		Created: *s.now, Seen: *s.now, id: randomToken()}
	if err := s.p.sessions.save(ctx, old); err != nil {
		t.Fatal(err)
	}
	live := &Session{Account: "def", Username: "kim", Kind: account.Leaver, Pod: "p2", CSRF: randomToken(),
		Created: s.now.Add(IdleTimeout), Seen: s.now.Add(IdleTimeout), id: randomToken()}
	if err := s.p.sessions.save(ctx, live); err != nil {
		t.Fatal(err)
	}
	*s.now = s.now.Add(IdleTimeout + time.Second)
	if n, err := s.p.Sweep(ctx); err != nil || n != 1 {
		t.Fatalf("the first sweep: %d, %v; want 1", n, err)
	}
	for _, c := range []struct {
		sess *Session
		code int
	}{{old, http.StatusSeeOther}, {live, 200}} {
		if w := s.do(browser{"satchel": c.sess.id}, "GET", "/signed-in", nil); w.Code != c.code {
			t.Errorf("%s's session after the first sweep: %d, want %d", c.sess.Username, w.Code, c.code)
		}
	}
}

// faulty is storage that fails writes while failPuts is set, and every
// request about keys under failPrefix.
type faulty struct {
	blob.Store
	failPuts   atomic.Bool
	failPrefix string
}

func (f *faulty) Get(ctx context.Context, key string) (io.ReadCloser, blob.ObjectInfo, error) {
	if f.failPrefix != "" && strings.HasPrefix(key, f.failPrefix) {
		return nil, blob.ObjectInfo{}, pod.ErrUnavailable
	}
	return f.Store.Get(ctx, key)
}

func (f *faulty) Put(ctx context.Context, key string, r io.Reader, size int64, cond blob.Cond) (blob.ObjectInfo, error) {
	if f.failPuts.Load() || f.failPrefix != "" && strings.HasPrefix(key, f.failPrefix) {
		return blob.ObjectInfo{}, pod.ErrUnavailable
	}
	return f.Store.Put(ctx, key, r, size, cond)
}

func faultyPages(t *testing.T, failPrefix string) (*Pages, *faulty, error) {
	t.Helper()
	dir := t.TempDir()
	fs, err := fsstore.Open(dir + "/objects")
	if err != nil {
		t.Fatal(err)
	}
	cust, _, err := local.Open(dir + "/keys")
	if err != nil {
		t.Fatal(err)
	}
	st := &faulty{Store: fs, failPrefix: failPrefix}
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	p := &Pages{Pods: pod.NewService(st, pod.NewKeyring(st, cust, time.Minute)), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		now: func() time.Time { return now }}
	return p, st, p.Open(context.Background())
}

// Open fails, rather than serve pages without onboarding, when the
// onboarding service's storage cannot be reached; and Sweep reports a
// failure to note where it got to.
func TestOpenAndSweepReportStorageFailures(t *testing.T) {
	if _, _, err := faultyPages(t, "pods/onboarding/"); err == nil {
		t.Error("Open succeeded with the onboarding service's storage down")
	}
	p, st, err := faultyPages(t, "")
	if err != nil {
		t.Fatal(err)
	}
	st.failPuts.Store(true)
	if _, err := p.Sweep(context.Background()); err == nil {
		t.Error("Sweep succeeded without writing where it got to")
	}
}
