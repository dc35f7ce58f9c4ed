package auth

import (
	"context"
	"testing"
	"time"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/vault"
)

func newTokens(t *testing.T, issuer string) *Tokens {
	t.Helper()
	l, _, err := vault.OpenLocal(t.TempDir())
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
