package auth

import (
	"context"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/vault/local"
)

func newTokens(t *testing.T, issuer string) *Tokens {
	t.Helper()
	l, _, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s, err := l.Signer(context.Background(), "tokens")
	if err != nil {
		t.Fatal(err)
	}
	tk, err := NewTokens(s, issuer)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func TestTokenLifecycle(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	tk := newTokens(t, "https://satchel.example")
	tk.now = func() time.Time { return now }
	a := account.Account{ID: "acct1", Kind: account.Leaver, Pod: "abcdefghijklmnopqrstuvwxyz"}
	tok, ttl, err := tk.Issue(a)
	if err != nil || ttl != TokenTTL {
		t.Fatal(err)
	}
	c, err := tk.Verify(tok)
	if err != nil || c.Subject != "acct1" || c.Pod != a.Pod || c.Kind != account.Leaver {
		t.Fatalf("Verify = %+v, %v", c, err)
	}
	// Verified twice (the second from the cache), then expired for both.
	if _, err := tk.Verify(tok); err != nil {
		t.Fatal(err)
	}
	now = now.Add(TokenTTL + time.Minute)
	if _, err := tk.Verify(tok); err == nil {
		t.Fatal("expired token verified")
	}
	if _, err := tk.Verify(tok); err == nil {
		t.Fatal("expired token verified on the second try")
	}
}

func TestTokenFromAnotherServerOrKeyFails(t *testing.T) {
	a := account.Account{ID: "acct1", Kind: account.Leaver, Pod: "abcdefghijklmnopqrstuvwxyz"}
	mine := newTokens(t, "https://satchel.example")
	otherKey := newTokens(t, "https://satchel.example")
	otherIssuer := newTokens(t, "https://elsewhere.example")
	otherIssuer.signer = mine.signer
	otherIssuer.keys = mine.keys
	for name, src := range map[string]*Tokens{"other key": otherKey, "other issuer": otherIssuer} {
		tok, _, err := src.Issue(a)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := mine.Verify(tok); err == nil {
			t.Errorf("token from %s verified", name)
		}
	}
}

// signed makes a token as Issue does, signed with tk's own key, with one
// thing changed: the issuer, the audience, or no kid in its header.
func signed(t *testing.T, tk *Tokens, iss, aud string, kid bool) string {
	t.Helper()
	now := tk.now()
	tok, err := jwt.NewBuilder().Issuer(iss).Audience([]string{aud}).Subject("acct1").
		IssuedAt(now).NotBefore(now).Expiration(now.Add(TokenTTL)).
		Claim("kind", "leaver").Claim("pod", "abcdefghijklmnopqrstuvwxyz").Build()
	if err != nil {
		t.Fatal(err)
	}
	hdr := jws.NewHeaders()
	if kid {
		hdr.Set(jws.KeyIDKey, tk.signer.KeyID())
	}
	b, err := jwt.Sign(tok, jwt.WithKey(jwa.EdDSA, tk.signer, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Each check stands alone: a token right in every way but one is refused.
func TestTokenWithOneThingWrongFails(t *testing.T) {
	const me = "https://satchel.example"
	tk := newTokens(t, me)
	if _, err := tk.Verify(signed(t, tk, me, me, true)); err != nil {
		t.Fatalf("the control token was refused: %v", err)
	}
	for name, tok := range map[string]string{
		"another issuer":   signed(t, tk, "https://elsewhere.example", me, true),
		"another audience": signed(t, tk, me, "https://elsewhere.example", true),
		"no kid":           signed(t, tk, me, me, false),
	} {
		if c, err := tk.Verify(tok); err == nil {
			t.Errorf("token with %s verified: %+v", name, c)
		}
	}
}

// fakeSignIns ends every sign-in of an account before a time.
type fakeSignIns map[string]time.Time

func (f fakeSignIns) CheckSignIn(_ context.Context, id string, at time.Time) error {
	if at.Before(f[id]) {
		return account.ErrSignedOut
	}
	return nil
}

func TestCheckRefusesTokensOfEndedSignIns(t *testing.T) {
	now := time.Unix(1_800_000_000, 123_456_000)
	tk := newTokens(t, "https://satchel.example")
	tk.now = func() time.Time { return now }
	ended := fakeSignIns{}
	tk.SignIns = ended
	ctx := context.Background()

	// auth_time is when the password was checked, to the microsecond.
	checked := now.Add(-1500 * time.Microsecond)
	a := account.Account{ID: "acct1", Kind: account.Leaver, SignedIn: checked}
	old, _, err := tk.Issue(a)
	if err != nil {
		t.Fatal(err)
	}
	c, err := tk.Check(ctx, old)
	if err != nil {
		t.Fatal(err)
	}
	if !c.AuthTime.Equal(checked) || !c.IssuedAt.Equal(now.Truncate(time.Second)) {
		t.Fatalf("auth_time %v, iat %v; want %v and %v", c.AuthTime, c.IssuedAt, checked, now.Truncate(time.Second))
	}

	// The sign-in is ended a microsecond after the password was checked:
	// the token is refused, though its signature (Verify) is still good.
	ended["acct1"] = checked.Add(time.Microsecond)
	if _, err := tk.Check(ctx, old); err != ErrBadToken {
		t.Fatalf("Check of an ended sign-in's token = %v, want ErrBadToken", err)
	}
	if _, err := tk.Verify(old); err != nil {
		t.Fatalf("Verify = %v", err)
	}
	// A sign-in after the ending works, even within the same second.
	now = now.Add(10 * time.Microsecond)
	fresh, _, err := tk.Issue(account.Account{ID: "acct1", Kind: account.Leaver})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tk.Check(ctx, fresh); err != nil {
		t.Fatalf("a fresh token was refused: %v", err)
	}
}
