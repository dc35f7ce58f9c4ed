package auth

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/satchel-project/satchel/access"
	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/vault"
)

// A token is accepted up to the size limit and refused one byte past it.
func TestTokenSizeLimit(t *testing.T) {
	tk := newTokens(t, "https://satchel.example")
	tok, _, err := tk.Issue(account.Account{ID: "acct1", Kind: account.Leaver})
	if err != nil {
		t.Fatal(err)
	}
	tk.maxBytes = len(tok)
	if _, err := tk.Verify(tok); err != nil {
		t.Errorf("a token of exactly the size limit was refused: %v", err)
	}
	small := newTokens(t, "https://satchel.example")
	small.signer, small.keys = tk.signer, tk.keys
	small.maxBytes = len(tok) - 1
	if _, err := small.Verify(tok); err != ErrBadToken {
		t.Errorf("a token one byte over the size limit: Verify = %v, want ErrBadToken", err)
	}
}

// serve runs Authenticate over a handler that reports who it was given.
func serve(tk *Tokens, authorization string) (*httptest.ResponseRecorder, access.Principal, bool) {
	var got access.Principal
	reached := false
	h := tk.Authenticate(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached = true
		got = access.From(r.Context())
	}))
	r := httptest.NewRequest("GET", "/pods/x/", nil)
	if authorization != "" {
		r.Header.Set("Authorization", authorization)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w, got, reached
}

// The API sees the token's bearer as its principal, with every claim that
// access decisions use; a request with a bad token or none is nobody's.
func TestAuthenticateCarriesTheBearer(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	tk := newTokens(t, "https://satchel.example")
	tk.now = func() time.Time { return now }
	signedIn := now.Add(-time.Minute)
	a := account.Account{ID: "acct1", Kind: account.Helper, DisplayName: "Helen", Org: "nacro", Pod: "abcdefghijklmnopqrstuvwxyz", SignedIn: signedIn}
	tok, _, err := tk.Issue(a)
	if err != nil {
		t.Fatal(err)
	}
	_, p, reached := serve(tk, "Bearer "+tok)
	want := access.Principal{Account: "acct1", Name: "Helen", Kind: access.Helper, Pod: "abcdefghijklmnopqrstuvwxyz", Org: "nacro", AuthTime: signedIn}
	if !reached || p.Account != want.Account || p.Name != want.Name || p.Kind != want.Kind || p.Pod != want.Pod || p.Org != want.Org || !p.AuthTime.Equal(want.AuthTime) {
		t.Errorf("with a good token the API saw %+v (reached %v), want %+v", p, reached, want)
	}
	for _, h := range []string{"", "Bearer " + tok[:len(tok)-2], "Basic " + tok} {
		if _, p, reached := serve(tk, h); !reached || p.SignedIn() {
			t.Errorf("Authorization %.20q: the API saw %+v (reached %v), want nobody", h, p, reached)
		}
	}
}

// down is a SignIns whose storage cannot answer.
type down struct{}

func (down) CheckSignIn(context.Context, string, time.Time) error { return pod.ErrUnavailable }

// When a sign-in cannot be checked because storage is down, the caller is
// told to try again (503, Retry-After) instead of being treated as signed
// out, and the request goes no further.
func TestAuthenticateStorageDown(t *testing.T) {
	tk := newTokens(t, "https://satchel.example")
	tok, _, err := tk.Issue(account.Account{ID: "acct1", Kind: account.Leaver})
	if err != nil {
		t.Fatal(err)
	}
	tk.SignIns = down{}
	w, _, reached := serve(tk, "Bearer "+tok)
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" || reached {
		t.Errorf("storage down: status %d, Retry-After %q, handler reached %v; want 503, a Retry-After, not reached", w.Code, w.Header().Get("Retry-After"), reached)
	}
	if _, err := tk.Check(context.Background(), tok); err != pod.ErrUnavailable {
		t.Errorf("Check with storage down = %v, want pod.ErrUnavailable", err)
	}
}

// rotating is a vault.Versioned signer whose versions a test rotates and
// retires, as an operator does with Vault Transit.
type rotating struct {
	versions []vault.PublicKey // newest first
	priv     map[string]ed25519.PrivateKey
}

func (r *rotating) rotate(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := vault.KeyID(pub)
	if r.priv == nil {
		r.priv = map[string]ed25519.PrivateKey{}
	}
	r.priv[id] = priv
	r.versions = append([]vault.PublicKey{{KeyID: id, Version: len(r.priv), Key: pub}}, r.versions...)
}

func (r *rotating) retireOldest()                 { r.versions = r.versions[:len(r.versions)-1] }
func (r *rotating) Public() crypto.PublicKey      { return r.versions[0].Key }
func (r *rotating) KeyID() string                 { return r.versions[0].KeyID }
func (r *rotating) Keys() []vault.PublicKey       { return r.versions }
func (r *rotating) Refresh(context.Context) error { return nil }
func (r *rotating) Sign(_ io.Reader, msg []byte, _ crypto.SignerOpts) ([]byte, error) {
	return ed25519.Sign(r.priv[r.KeyID()], msg), nil
}

// After an operator rotates the signing key, tokens of the old and the new
// version verify; once the old version is retired its tokens are refused,
// even one verified (and remembered) before.
func TestRotatedKeys(t *testing.T) {
	r := &rotating{}
	r.rotate(t)
	tk, err := NewTokens(r, "https://satchel.example")
	if err != nil {
		t.Fatal(err)
	}
	a := account.Account{ID: "acct1", Kind: account.Leaver}
	old, _, err := tk.Issue(a)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tk.Verify(old); err != nil {
		t.Fatalf("token of the first version: %v", err)
	}
	r.rotate(t)
	fresh, _, err := tk.Issue(a)
	if err != nil {
		t.Fatal(err)
	}
	for name, tok := range map[string]string{"old": old, "new": fresh} {
		if _, err := tk.Verify(tok); err != nil {
			t.Errorf("after rotation, the %s version's token was refused: %v", name, err)
		}
	}
	r.retireOldest()
	if _, err := tk.Verify(old); err != ErrBadToken {
		t.Errorf("token of a retired version: Verify = %v, want ErrBadToken", err)
	}
	if _, err := tk.Verify(fresh); err != nil {
		t.Errorf("token of the current version after retiring the old: %v", err)
	}
}

// Tokens made by another instance whose clock is up to 30 seconds ahead
// are accepted; a minute ahead, they are not yet valid.
func TestTokenClockSkew(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	issuer := newTokens(t, "https://satchel.example")
	verifier := newTokens(t, "https://satchel.example")
	verifier.signer, verifier.keys = issuer.signer, issuer.keys
	verifier.now = func() time.Time { return now }
	for _, c := range []struct {
		ahead time.Duration
		ok    bool
	}{{20 * time.Second, true}, {time.Minute, false}} {
		issuer.now = func() time.Time { return now.Add(c.ahead) }
		tok, _, err := issuer.Issue(account.Account{ID: "acct1", Kind: account.Leaver})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := verifier.Verify(tok); (err == nil) != c.ok {
			t.Errorf("a token from a clock %v ahead: Verify = %v, want ok %v", c.ahead, err, c.ok)
		}
	}
}
