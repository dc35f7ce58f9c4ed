package transit

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/satchel-project/satchel/vault"
	"github.com/satchel-project/satchel/vault/transittest"
)

func TestTransitSigner(t *testing.T) {
	ctx := context.Background()
	srv := transittest.New(t)
	tr := newTestTransit(t, srv)
	s, err := tr.Signer(ctx, "tokens")
	if err != nil {
		t.Fatal(err)
	}
	pub, ok := s.Public().(ed25519.PublicKey)
	if !ok || len(pub) != ed25519.PublicKeySize {
		t.Fatalf("Public() = %T", s.Public())
	}
	msg := []byte("header.payload")
	sig, err := s.Sign(nil, msg, crypto.Hash(0))
	if err != nil {
		t.Fatal(err)
	}
	if !ed25519.Verify(pub, msg, sig) {
		t.Fatal("signature does not verify")
	}
	if _, err := s.Sign(nil, msg, crypto.SHA512); err == nil {
		t.Fatal("signed a pre-hashed message")
	}
	if s.KeyID() != vault.KeyID(pub) {
		t.Fatal("vault.KeyID is not vault.KeyID(Public())")
	}
	// A second Transit (another process) finds the same key.
	s2, err := newTestTransit(t, srv).Signer(ctx, "tokens")
	if err != nil {
		t.Fatal(err)
	}
	if s2.KeyID() != s.KeyID() {
		t.Fatalf("vault.KeyID changed: %s then %s", s.KeyID(), s2.KeyID())
	}
	if again, _ := tr.Signer(ctx, "tokens"); again != s {
		t.Fatal("Signer is not cached")
	}
	if !srv.HasKey("transit", "satchel-signing-tokens") {
		t.Fatal("signing key has an unexpected name")
	}
	// A signing name is not a wrapping key: Wrap refuses it.
	if _, err := tr.Wrap(ctx, "signing-tokens", []byte("x")); err == nil {
		t.Fatal("Wrap used a signing key's name")
	}
}

func TestTransitSignerJWT(t *testing.T) {
	s, err := newTestTransit(t, transittest.New(t)).Signer(context.Background(), "tokens")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.NewBuilder().Issuer("https://satchel.example").Subject("acct-1").
		Expiration(time.Now().Add(time.Minute)).Build()
	if err != nil {
		t.Fatal(err)
	}
	hdr := jws.NewHeaders()
	hdr.Set(jws.KeyIDKey, s.KeyID())
	// This is how auth/token.go signs: the vault.Signer itself is the key.
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.EdDSA, s, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		t.Fatalf("jwx refused the Transit signer: %v", err)
	}
	got, err := jwt.Parse(signed, jwt.WithKey(jwa.EdDSA, s.Public()), jwt.WithValidate(true))
	if err != nil {
		t.Fatalf("token does not verify with the public key: %v", err)
	}
	if got.Subject() != "acct-1" {
		t.Fatalf("subject = %q", got.Subject())
	}
	// And a token signed by some other key does not verify.
	_, other, _ := ed25519.GenerateKey(nil)
	forged, _ := jwt.Sign(tok, jwt.WithKey(jwa.EdDSA, other))
	if _, err := jwt.Parse(forged, jwt.WithKey(jwa.EdDSA, s.Public())); err == nil {
		t.Fatal("a forged token verified")
	}
}
