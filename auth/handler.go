package auth

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"strings"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/internal/problem"
	"github.com/satchel-project/satchel/pod"
)

// TokenResponse is the body of a successful POST /auth/token.
type TokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	// Pod is the URL of the account's pod, for accounts that have one.
	Pod string `json:"pod,omitempty"`
}

// Login serves POST /auth/token: a JSON {"username","password"} in, a bearer
// token out.
type Login struct {
	Accounts *account.Store
	Tokens   *Tokens
	Throttle *Throttle
	// PodURL makes the URL of a pod for the response.
	PodURL func(pod.PodID) string
	Log    *slog.Logger
}

func (l *Login) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		problem.Write(w, http.StatusMethodNotAllowed, "method-not-allowed", "Send your username and password with POST.")
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		problem.Write(w, http.StatusUnsupportedMediaType, "unsupported-type", `Send JSON: {"username": "...", "password": "..."} with Content-Type application/json.`)
		return
	}
	var req struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096))
	if err := dec.Decode(&req); err != nil || req.Username == "" || req.Password == "" {
		problem.Write(w, http.StatusBadRequest, "bad-request", `Send JSON: {"username": "...", "password": "..."}.`)
		return
	}
	attempt, wait, err := l.Throttle.Begin(r.Context(), UserKey(req.Username), IPKey(r))
	if err != nil {
		l.Log.ErrorContext(r.Context(), "sign-in throttle failed", "err", err)
		problem.Write(w, http.StatusServiceUnavailable, "unavailable", "Signing in is not working at the moment. Try again in a minute.")
		return
	}
	if attempt == nil {
		problem.RetryAfter(w, wait)
		problem.Write(w, http.StatusTooManyRequests, "slow-down", "Too many wrong passwords. Wait a little, then try again.")
		return
	}
	defer attempt.Done()
	a, err := l.Accounts.Authenticate(r.Context(), req.Username, req.Password)
	if errors.Is(err, account.ErrBadPassword) {
		attempt.Fail()
		w.Header().Set("WWW-Authenticate", `Bearer realm="satchel"`)
		problem.Write(w, http.StatusUnauthorized, "bad-credentials", "That username and password do not match. Check them and try again.")
		return
	}
	if err != nil {
		l.Log.ErrorContext(r.Context(), "sign-in failed", "err", err)
		problem.Write(w, http.StatusServiceUnavailable, "unavailable", "Signing in is not working at the moment. Try again in a minute.")
		return
	}
	attempt.Succeed()
	tok, ttl, err := l.Tokens.Issue(a)
	if err != nil {
		l.Log.ErrorContext(r.Context(), "token signing failed", "err", err)
		problem.Write(w, http.StatusServiceUnavailable, "unavailable", "Signing in is not working at the moment. Try again in a minute.")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	resp := TokenResponse{AccessToken: tok, TokenType: "Bearer", ExpiresIn: int(ttl.Seconds())}
	if a.Pod != "" {
		resp.Pod = l.PodURL(a.Pod)
	}
	json.NewEncoder(w).Encode(resp)
}

// Caller returns the claims of the bearer of r's token, if its sign-in
// still counts (see Check).
func (t *Tokens) Caller(r *http.Request) (Claims, error) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return Claims{}, ErrBadToken
	}
	return t.Check(r.Context(), strings.TrimSpace(tok))
}

// UserKey and IPKey are the Throttle keys for a sign-in attempt (see
// Throttle.Begin), shared by every way of signing in so that they count
// failures together.
func UserKey(username string) string { return "u:" + strings.ToLower(strings.TrimSpace(username)) }

// IPKey: see UserKey.
func IPKey(r *http.Request) string { return "ip:" + clientIP(r) }

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func newJTI() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
