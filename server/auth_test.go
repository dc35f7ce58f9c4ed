package server_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

func TestHealth(t *testing.T) {
	s := newTestServer(t)
	expect(t, s.do("GET", s.url+"/healthz", "", nil), http.StatusOK)
}

func login(s *testServer, user, pass string) response {
	body := `{"username":` + quote(user) + `,"password":` + quote(pass) + `}`
	return s.do("POST", s.url+"/auth/token", "", strings.NewReader(body), "Content-Type", "application/json")
}

func quote(s string) string { b, _ := json.Marshal(s); return string(b) }

func TestTokenForRightPassword(t *testing.T) {
	s := newTestServer(t)
	podURL, _ := s.leaver("jo")
	r := login(s, "jo", "correct-horse-battery")
	expect(t, r, http.StatusOK)
	var tr struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
		Pod         string `json:"pod"`
	}
	if err := json.Unmarshal(r.body, &tr); err != nil {
		t.Fatal(err)
	}
	if tr.TokenType != "Bearer" || tr.ExpiresIn <= 0 || tr.ExpiresIn > 3600 || tr.Pod != podURL {
		t.Fatalf("token response %+v", tr)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Fatal("token response may be cached")
	}
	// The token is signed with EdDSA and opens the pod.
	msg, err := jws.Parse([]byte(tr.AccessToken))
	if err != nil || msg.Signatures()[0].ProtectedHeaders().Algorithm() != jwa.EdDSA {
		t.Fatalf("token is not an EdDSA JWS: %v", err)
	}
	expect(t, s.do("GET", podURL, tr.AccessToken, nil), http.StatusOK)
}

func TestWrongPasswordIs401AndUnknownUserLooksTheSame(t *testing.T) {
	s := newTestServer(t)
	s.leaver("jo")
	a := login(s, "jo", "wrong-password-1")
	expect(t, a, http.StatusUnauthorized)
	b := login(s, "nobody", "wrong-password-1")
	expect(t, b, http.StatusUnauthorized)
	if withoutRequestID(a.body) != withoutRequestID(b.body) {
		t.Fatalf("wrong password and unknown user differ:\n%s\n%s", a.body, b.body)
	}
	if strings.Contains(string(a.body), "token") {
		t.Fatalf("401 body mentions a token: %s", a.body)
	}
	a.problem(t)
}

func TestRepeatedFailuresAreSlowedDown(t *testing.T) {
	s := newTestServer(t)
	s.leaver("jo")
	for i := 0; i < 5; i++ {
		expect(t, login(s, "jo", "wrong-password-1"), http.StatusUnauthorized)
	}
	expect(t, login(s, "jo", "wrong-password-1"), http.StatusUnauthorized)
	// Now even the right password must wait.
	r := login(s, "jo", "correct-horse-battery")
	expect(t, r, http.StatusTooManyRequests)
	if r.header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	r.problem(t)
}

func TestLoginBadRequests(t *testing.T) {
	s := newTestServer(t)
	expect(t, s.do("POST", s.url+"/auth/token", "", strings.NewReader(`{"username":"jo"`), "Content-Type", "application/json"), http.StatusBadRequest)
	expect(t, s.do("POST", s.url+"/auth/token", "", strings.NewReader(`username=jo`), "Content-Type", "application/x-www-form-urlencoded"), http.StatusUnsupportedMediaType)
	big := `{"username":"jo","password":"` + strings.Repeat("x", 10000) + `"}`
	expect(t, s.do("POST", s.url+"/auth/token", "", strings.NewReader(big), "Content-Type", "application/json"), http.StatusBadRequest)
	expect(t, s.do("GET", s.url+"/auth/token", "", nil), http.StatusMethodNotAllowed)
}

func TestBadTokensAre401(t *testing.T) {
	s := newTestServer(t)
	podURL, tok := s.leaver("jo")
	parts := strings.Split(tok, ".")

	// Tampered: change the payload, keep the signature.
	claims := `{"sub":"x","pod":"` + podURL[strings.LastIndex(strings.TrimSuffix(podURL, "/"), "/")+1:len(podURL)-1] + `"}`
	tampered := parts[0] + "." + b64(claims) + "." + parts[2]

	// Expired, but properly signed with the server's own key.
	signer, err := s.b.Keys.Signer(context.Background(), "tokens")
	if err != nil {
		t.Fatal(err)
	}
	old, _ := jwt.NewBuilder().Issuer(s.url).Audience([]string{s.url}).Subject("x").
		Expiration(time.Now().Add(-time.Hour)).Claim("pod", claims).Build()
	hdr := jws.NewHeaders()
	hdr.Set(jws.KeyIDKey, signer.KeyID())
	expired, err := jwt.Sign(old, jwt.WithKey(jwa.EdDSA, signer, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string]string{
		"none":     "",
		"garbage":  "not-a-token",
		"tampered": tampered,
		"expired":  string(expired),
		"unsigned": parts[0] + "." + parts[1] + ".",
	} {
		r := s.do("GET", podURL, bad, nil)
		if r.status != http.StatusUnauthorized {
			t.Errorf("%s token: status %d, want 401", name, r.status)
			continue
		}
		if r.header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s token: 401 without WWW-Authenticate", name)
		}
		r.problem(t)
	}
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func TestServeShutsDownCleanly(t *testing.T) {
	s := newTestServer(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.b.Serve(ctx, l) }()
	resp, err := http.Get("http://" + l.Addr().String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz %d", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve returned %v after shutdown", err)
	}
}

func TestReadyz(t *testing.T) {
	s := newTestServer(t)
	r := s.do("GET", s.url+"/readyz", "", nil)
	expect(t, r, http.StatusOK)
	if string(r.body) != "{\"storage\":\"ok\",\"keys\":\"ok\"}\n" {
		t.Fatalf("readyz body %s", r.body)
	}
}

func base64Decode(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }

// requestIDMember is the one member of a problem body that differs on
// every request by design (see internal/requestid).
var requestIDMember = regexp.MustCompile(`"requestId":"[A-Za-z0-9._-]*",?`)

// withoutRequestID is a problem body less its requestId, so that two
// answers that must not tell a caller anything apart can be compared.
func withoutRequestID(body []byte) string {
	return requestIDMember.ReplaceAllString(string(body), "")
}
