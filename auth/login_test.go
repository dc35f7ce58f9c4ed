package auth

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/blob"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/pod/fsstore"
	"github.com/satchel-project/satchel/vault/local"
)

// switchable is a storage back end that a test can take down.
type switchable struct {
	blob.Store
	down atomic.Bool
}

func (s *switchable) Get(ctx context.Context, key string) (io.ReadCloser, blob.ObjectInfo, error) {
	if s.down.Load() {
		return nil, blob.ObjectInfo{}, pod.ErrUnavailable
	}
	return s.Store.Get(ctx, key)
}

func (s *switchable) Stat(ctx context.Context, key string) (blob.ObjectInfo, error) {
	if s.down.Load() {
		return blob.ObjectInfo{}, pod.ErrUnavailable
	}
	return s.Store.Stat(ctx, key)
}

// signIn is a POST /auth/token handler over real accounts, with the
// throttle's clock in the test's hands.
type signIn struct {
	login    *Login
	accounts *account.Store
	storage  *switchable
	now      *time.Time
}

func newSignIn(t *testing.T) *signIn {
	t.Helper()
	fs, err := fsstore.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	st := &switchable{Store: fs}
	cust, _, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	svc := pod.NewService(st, pod.NewKeyring(st, cust, 0))
	accounts, err := account.Open(context.Background(), svc, account.Params{Memory: 1024, Time: 1, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	th, now := fakeClock()
	return &signIn{
		login: &Login{Accounts: accounts, Tokens: newTokens(t, "https://satchel.example"), Throttle: th,
			PodURL: func(p pod.PodID) string { return "https://satchel.example/pods/" + string(p) + "/" },
			Log:    slog.New(slog.NewTextHandler(io.Discard, nil))},
		accounts: accounts, storage: st, now: now,
	}
}

// post sends body as JSON from addr (host:port).
func (s *signIn) post(addr, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("POST", "/auth/token", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.RemoteAddr = addr
	w := httptest.NewRecorder()
	s.login.ServeHTTP(w, r)
	return w
}

func creds(user, password string) string {
	b, _ := json.Marshal(map[string]string{"username": user, "password": password})
	return string(b)
}

// code is the problem code of a refusal ("" if the body is not one).
func code(w *httptest.ResponseRecorder) string {
	var p struct{ Code string }
	json.Unmarshal(w.Body.Bytes(), &p)
	return p.Code
}

const josPassword = "correct-horse-battery"

func (s *signIn) create(t *testing.T, user string, kind account.Kind) account.Account {
	t.Helper()
	org := ""
	if kind == account.Issuer {
		org = "nacro"
	}
	a, err := s.accounts.CreateWith(context.Background(), user, kind, "Someone", josPassword, org)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// The right password gets a bearer token that the API accepts, naming the
// account and, for a leaver, the pod; nothing in the answer may be cached.
func TestLoginIssuesToken(t *testing.T) {
	s := newSignIn(t)
	jo := s.create(t, "jo", account.Leaver)
	helen := s.create(t, "helen", account.Helper)
	for _, c := range []struct {
		user string
		acct account.Account
		pod  string
	}{
		{" JO ", jo, "https://satchel.example/pods/" + string(jo.Pod) + "/"},
		{"helen", helen, ""},
	} {
		w := s.post("10.0.0.1:4000", creds(c.user, josPassword))
		if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "application/json" || w.Header().Get("Cache-Control") != "no-store" {
			t.Fatalf("%q: status %d, Content-Type %q, Cache-Control %q; body %s", c.user, w.Code, w.Header().Get("Content-Type"), w.Header().Get("Cache-Control"), w.Body)
		}
		var resp TokenResponse
		var raw map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
			t.Fatal(err)
		}
		json.Unmarshal(w.Body.Bytes(), &raw)
		if resp.TokenType != "Bearer" || resp.ExpiresIn != 900 || resp.Pod != c.pod {
			t.Errorf("%q: answer %s, want a Bearer token for 900 s with pod %q", c.user, w.Body, c.pod)
		}
		if _, has := raw["pod"]; has != (c.pod != "") {
			t.Errorf("%q: answer %s names a pod: %v", c.user, w.Body, has)
		}
		claims, err := s.login.Tokens.Check(context.Background(), resp.AccessToken)
		if err != nil || claims.Subject != c.acct.ID || claims.Pod != c.acct.Pod {
			t.Errorf("%q: the token is %+v, %v; want account %s", c.user, claims, err, c.acct.ID)
		}
	}
}

// What is not a sign-in request is refused before any password is checked,
// each with its own problem.
func TestLoginRefusesMalformedRequests(t *testing.T) {
	s := newSignIn(t)
	s.create(t, "jo", account.Leaver)

	r := httptest.NewRequest("GET", "/auth/token", nil)
	w := httptest.NewRecorder()
	s.login.ServeHTTP(w, r)
	if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != "POST" || code(w) != "method-not-allowed" {
		t.Errorf("GET: status %d, Allow %q, code %q", w.Code, w.Header().Get("Allow"), code(w))
	}

	for _, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded"} {
		r := httptest.NewRequest("POST", "/auth/token", strings.NewReader(creds("jo", josPassword)))
		if ct != "" {
			r.Header.Set("Content-Type", ct)
		}
		w := httptest.NewRecorder()
		s.login.ServeHTTP(w, r)
		if w.Code != http.StatusUnsupportedMediaType || code(w) != "unsupported-type" {
			t.Errorf("Content-Type %q: status %d, code %q; want 415", ct, w.Code, code(w))
		}
	}
	// JSON with parameters is JSON.
	r = httptest.NewRequest("POST", "/auth/token", strings.NewReader(creds("jo", josPassword)))
	r.Header.Set("Content-Type", "application/json; charset=utf-8")
	w = httptest.NewRecorder()
	s.login.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		t.Errorf("application/json; charset=utf-8: status %d, %s", w.Code, w.Body)
	}

	for _, body := range []string{
		`{"username": "jo"`,
		creds("", josPassword),
		creds("jo", ""),
		`{"username": "jo", "password": "` + strings.Repeat("x", 4096) + `"}`,
	} {
		if w := s.post("10.0.0.1:4000", body); w.Code != http.StatusBadRequest || code(w) != "bad-request" {
			t.Errorf("body %.40q: status %d, code %q; want 400", body, w.Code, code(w))
		}
	}
	// None of these counted as a wrong password.
	if th := s.login.Throttle; th.Admitted() != 1 {
		t.Errorf("%d passwords checked, want 1", th.Admitted())
	}
}

// Five wrong passwords are each answered 401; the sixth is still checked,
// and after it the next try, even with the right password, is told to wait
// a second (429 with Retry-After). A second later the right password works.
func TestLoginSlowsDownWrongPasswords(t *testing.T) {
	s := newSignIn(t)
	s.create(t, "jo", account.Leaver)
	for i := range s.login.Throttle.Free + 1 {
		w := s.post("10.0.0.66:4000", creds("jo", "wrong-password"))
		if w.Code != http.StatusUnauthorized || code(w) != "bad-credentials" || w.Header().Get("WWW-Authenticate") != `Bearer realm="satchel"` {
			t.Fatalf("wrong password %d: status %d, code %q, WWW-Authenticate %q; want 401", i+1, w.Code, code(w), w.Header().Get("WWW-Authenticate"))
		}
	}
	w := s.post("10.0.0.66:4000", creds("jo", josPassword))
	if w.Code != http.StatusTooManyRequests || code(w) != "slow-down" || w.Header().Get("Retry-After") != "1" {
		t.Fatalf("after 6 wrong passwords: status %d, code %q, Retry-After %q; want 429, 1", w.Code, code(w), w.Header().Get("Retry-After"))
	}
	*s.now = s.now.Add(time.Second)
	if w := s.post("10.0.0.66:4000", creds("jo", josPassword)); w.Code != http.StatusOK {
		t.Fatalf("a second later, the right password: status %d, %s", w.Code, w.Body)
	}
}

// The delay doubles with each wrong password and stops at 15 minutes.
func TestLoginDelayCap(t *testing.T) {
	s := newSignIn(t)
	s.create(t, "jo", account.Leaver)
	for range 30 {
		w := s.post("10.0.0.66:4000", creds("jo", "wrong-password"))
		if w.Code == http.StatusTooManyRequests {
			d, _ := time.ParseDuration(w.Header().Get("Retry-After") + "s")
			*s.now = s.now.Add(d)
			w = s.post("10.0.0.66:4000", creds("jo", "wrong-password"))
		}
		if w.Code != http.StatusUnauthorized {
			t.Fatalf("status %d, %s", w.Code, w.Body)
		}
	}
	if w := s.post("10.0.0.66:4000", creds("jo", josPassword)); w.Header().Get("Retry-After") != "900" {
		t.Fatalf("after 30 wrong passwords: status %d, Retry-After %q; want 900 (15 minutes)", w.Code, w.Header().Get("Retry-After"))
	}
}

// The address counts whatever the port, so that a guesser cannot get a
// fresh allowance from each connection; clients known only by an address
// without a port are told apart by that address.
func TestLoginCountsByAddress(t *testing.T) {
	s := newSignIn(t)
	for i := range s.login.Throttle.Free + 1 {
		user := "user" + string(rune('a'+i))
		if w := s.post("10.0.0.66:"+string(rune('1'+i))+"000", creds(user, "wrong-password")); w.Code != http.StatusUnauthorized {
			t.Fatalf("guess %d: status %d", i+1, w.Code)
		}
	}
	if w := s.post("10.0.0.66:9999", creds("someone", "wrong-password")); w.Code != http.StatusTooManyRequests {
		t.Errorf("a seventh username from the same address, another port: status %d, want 429", w.Code)
	}

	s = newSignIn(t)
	for i := range s.login.Throttle.Free + 1 {
		if w := s.post("10.0.0.66", creds("user"+string(rune('a'+i)), "wrong-password")); w.Code != http.StatusUnauthorized {
			t.Fatalf("guess %d: status %d", i+1, w.Code)
		}
	}
	if w := s.post("10.0.0.66", creds("someone", "wrong-password")); w.Code != http.StatusTooManyRequests {
		t.Errorf("the guesser without a port: status %d, want 429", w.Code)
	}
	if w := s.post("10.0.0.1", creds("someone", "wrong-password")); w.Code != http.StatusUnauthorized {
		t.Errorf("another address without a port: status %d, want 401", w.Code)
	}
}

// failingCounters cannot be reached.
type failingCounters struct{}

func (failingCounters) Update(context.Context, string, func([]byte) ([]byte, error)) error {
	return pod.ErrUnavailable
}

// When the throttle's counts or the accounts cannot be read, sign-in says
// it is not working (503) instead of letting a password be checked
// uncounted or calling a right password wrong.
func TestLoginStorageDown(t *testing.T) {
	s := newSignIn(t)
	s.create(t, "jo", account.Leaver)
	s.login.Throttle.Counters = failingCounters{}
	if w := s.post("10.0.0.1:4000", creds("jo", josPassword)); w.Code != http.StatusServiceUnavailable || code(w) != "unavailable" {
		t.Errorf("throttle down: status %d, code %q; want 503", w.Code, code(w))
	}
	if s.login.Throttle.Admitted() != 0 {
		t.Errorf("a password was checked with the throttle down")
	}

	s = newSignIn(t)
	s.create(t, "jo", account.Leaver)
	s.storage.down.Store(true)
	if w := s.post("10.0.0.1:4000", creds("jo", josPassword)); w.Code != http.StatusServiceUnavailable || code(w) != "unavailable" {
		t.Errorf("accounts down: status %d, code %q, %s; want 503", w.Code, code(w), w.Body)
	}
	s.storage.down.Store(false)
	// Not counted as a wrong password: five more wrong ones are still let through.
	for i := range s.login.Throttle.Free {
		if w := s.post("10.0.0.1:4000", creds("jo", "wrong-password")); w.Code != http.StatusUnauthorized {
			t.Fatalf("wrong password %d after the outage: status %d", i+1, w.Code)
		}
	}
	if w := s.post("10.0.0.1:4000", creds("jo", "wrong-password")); w.Code != http.StatusUnauthorized {
		t.Fatalf("sixth wrong password after the outage: status %d", w.Code)
	}
}
