package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/server"
)

// tokenFor signs in through POST /auth/token and returns the token.
func tokenFor(t *testing.T, s *testServer, user, pass string) string {
	t.Helper()
	r := login(s, user, pass)
	expect(t, r, http.StatusOK)
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(r.body, &tr); err != nil || tr.AccessToken == "" {
		t.Fatalf("token response %s", r.body)
	}
	return tr.AccessToken
}

// signedInEverywhere is jo, with a record to share and a helper to
// choose, signed in through the API and in a browser.
type signedInEverywhere struct {
	pod, token string
	browser    *browser
}

func signInEverywhere(t *testing.T, s *testServer) signedInEverywhere {
	t.Helper()
	pod, _ := leaverWithHistory(t, s)
	s.helper("sam.support", "Sam Support")
	tok := tokenFor(t, s, "jo", webPassword)
	b := s.signedIn(t, "jo", webPassword, "/my")
	expect(t, s.do("GET", pod, tok, nil), http.StatusOK)
	b.get("/my").want(http.StatusOK)
	return signedInEverywhere{pod, tok, b}
}

// wantSignedOut checks that what jo signed in with no longer works: the
// token reads, shares and chooses helpers no more, and the browser is
// signed out; then that signing in afresh with password works.
func (e signedInEverywhere) wantSignedOut(t *testing.T, s *testServer, password string) {
	t.Helper()
	expect(t, s.do("GET", e.pod, e.token, nil), http.StatusUnauthorized)
	_, r := s.share(e.token, currentAddressOnly)
	expect(t, r, http.StatusUnauthorized)
	expect(t, s.do("POST", s.url+"/api/v1/helpers", e.token, strings.NewReader(`{"username":"sam.support","rights":["view"]}`), "Content-Type", "application/json"), http.StatusUnauthorized)
	e.browser.get("/my").redirects("/sign-in")

	fresh := tokenFor(t, s, "jo", password)
	expect(t, s.do("GET", e.pod, fresh, nil), http.StatusOK)
	_, r = s.share(fresh, currentAddressOnly)
	expect(t, r, http.StatusCreated)
	s.signedIn(t, "jo", password, "/my").get("/my").want(http.StatusOK)
}

func TestPasswordChangeEndsEveryToken(t *testing.T) {
	s := newTestServer(t)
	jo := signInEverywhere(t, s)
	if err := s.b.Accounts.SetPassword(context.Background(), "jo", "a-new-password-1"); err != nil {
		t.Fatal(err)
	}
	jo.wantSignedOut(t, s, "a-new-password-1")
}

func TestPasswordResetEndsEveryToken(t *testing.T) {
	s := newTestServer(t)
	jo := signInEverywhere(t, s)
	ctx := context.Background()
	sam, err := s.b.Accounts.Get(ctx, "sam.support")
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.b.Accounts.StartReset(ctx, "jo", sam.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.b.Accounts.CompleteReset(ctx, "jo", r.Code, "a-new-password-2"); err != nil {
		t.Fatal(err)
	}
	jo.wantSignedOut(t, s, "a-new-password-2")
}

func TestSignOutEverywhere(t *testing.T) {
	s := newTestServer(t)
	jo := signInEverywhere(t, s)
	// Only with a token that works.
	expect(t, s.do("POST", s.url+"/auth/sign-out-everywhere", "", nil), http.StatusUnauthorized)
	expect(t, s.do("POST", s.url+"/auth/sign-out-everywhere", jo.token, nil), http.StatusNoContent)
	jo.wantSignedOut(t, s, webPassword)
	expect(t, s.do("POST", s.url+"/auth/sign-out-everywhere", jo.token, nil), http.StatusUnauthorized)
}

// A second instance over the same storage refuses an ended token once its
// copy of the account's record is account.SessionCacheTTL old.
func TestSignOutReachesAnotherInstance(t *testing.T) {
	one := newTestServer(t)
	two := newTestServer(t, func(c *server.Config) { c.DataDir = one.data; c.BaseURL = one.b.Config.BaseURL })
	var mu sync.Mutex
	now := time.Now()
	two.b.Accounts.SetSessionCache(account.SessionCacheTTL, func() time.Time { mu.Lock(); defer mu.Unlock(); return now })

	podURL, _ := one.leaver("jo")
	pod := two.url + podURL[len(one.url):]
	tok := tokenFor(t, one, "jo", webPassword)
	expect(t, two.do("GET", pod, tok, nil), http.StatusOK)

	if err := one.b.Accounts.SetPassword(context.Background(), "jo", "a-new-password-1"); err != nil {
		t.Fatal(err)
	}
	expect(t, one.do("GET", podURL, tok, nil), http.StatusUnauthorized)
	mu.Lock()
	now = now.Add(account.SessionCacheTTL)
	mu.Unlock()
	expect(t, two.do("GET", pod, tok, nil), http.StatusUnauthorized)
	expect(t, two.do("GET", pod, tokenFor(t, two, "jo", "a-new-password-1"), nil), http.StatusOK)
}
