// Package custodiantest is the conformance suite for key custodians: every
// back end of vault.Custodian (vault/local, vault/transit) passes Test, as
// every storage back end passes pod/storetest.
package custodiantest

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"errors"
	"sync"
	"testing"

	"github.com/satchel-project/satchel/vault"
)

// Test runs the suite against custodians made by open, one for each
// subtest. Two custodians made by open for the same test must share their
// keys, as two processes sharing a data directory or a Vault do: open is
// called twice where the suite checks that.
func Test(t *testing.T, open func(t *testing.T) (first, second vault.Custodian)) {
	t.Run("WrapUnwrap", func(t *testing.T) { testWrap(t, open) })
	t.Run("Destroy", func(t *testing.T) { testDestroy(t, open) })
	t.Run("Signer", func(t *testing.T) { testSigner(t, open) })
	t.Run("Rotate", func(t *testing.T) { testRotate(t, open) })
	t.Run("Concurrent", func(t *testing.T) { testConcurrent(t, open) })
}

func testWrap(t *testing.T, open func(*testing.T) (vault.Custodian, vault.Custodian)) {
	ctx := context.Background()
	c, other := open(t)
	secret := []byte("AGE-SECRET-KEY-1EXAMPLE")
	w, err := c.Wrap(ctx, "pod-a", secret)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(w, secret) {
		t.Fatal("the wrapped form contains the secret")
	}
	for _, cc := range []vault.Custodian{c, other} {
		got, err := cc.Unwrap(ctx, "pod-a", w)
		if err != nil || !bytes.Equal(got, secret) {
			t.Fatalf("Unwrap = %q, %v", got, err)
		}
	}
	if w0, err := c.Wrap(ctx, "pod-a", nil); err != nil {
		t.Fatal(err)
	} else if got, err := c.Unwrap(ctx, "pod-a", w0); err != nil || len(got) != 0 {
		t.Fatalf("an empty secret: %q, %v", got, err)
	}
	// Bound to its name.
	if _, err := c.Wrap(ctx, "pod-b", []byte("other")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Unwrap(ctx, "pod-b", w); err == nil {
		t.Fatal("unwrapped under another name")
	}
	// Altered data does not unwrap.
	tampered := bytes.Clone(w)
	i := len(tampered) - 3
	tampered[i] ^= 0x01
	if tampered[i] == '=' || tampered[i] == ':' {
		tampered[i] = 'A'
	}
	if got, err := c.Unwrap(ctx, "pod-a", tampered); err == nil {
		t.Fatalf("unwrapped altered data: %q", got)
	}
	if _, err := c.Unwrap(ctx, "pod-a", []byte("not wrapped at all")); err == nil {
		t.Fatal("unwrapped data in no custodian's format")
	}
}

func testDestroy(t *testing.T, open func(*testing.T) (vault.Custodian, vault.Custodian)) {
	ctx := context.Background()
	c, _ := open(t)
	w, err := c.Wrap(ctx, "pod-a", []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Destroy(ctx, "pod-a"); err != nil {
		t.Fatal(err)
	}
	// A custodian with a key per name can no longer unwrap; one with a
	// single master key leaves shredding to the caller (see vault.Custodian).
	if _, err := c.Unwrap(ctx, "pod-a", w); err != nil && !errors.Is(err, vault.ErrNoKey) {
		t.Fatalf("Unwrap after Destroy: %v, want success or ErrNoKey", err)
	}
	for _, name := range []string{"pod-a", "pod-never"} {
		if err := c.Destroy(ctx, name); err != nil {
			t.Fatalf("Destroy(%s) again or of nothing: %v", name, err)
		}
	}
	if _, err := c.Wrap(ctx, "pod-a", []byte("new")); err != nil {
		t.Fatalf("Wrap after Destroy: %v", err)
	}
}

func testSigner(t *testing.T, open func(*testing.T) (vault.Custodian, vault.Custodian)) {
	ctx := context.Background()
	c, other := open(t)
	s, err := c.Signer(ctx, "tokens")
	if err != nil {
		t.Fatal(err)
	}
	pub, ok := s.Public().(ed25519.PublicKey)
	if !ok || len(pub) != ed25519.PublicKeySize {
		t.Fatalf("Public() = %T, want an ed25519.PublicKey", s.Public())
	}
	if s.KeyID() != vault.KeyID(pub) {
		t.Fatal("KeyID is not vault.KeyID(Public())")
	}
	msg := []byte("header.payload")
	sig, err := s.Sign(nil, msg, crypto.Hash(0))
	if err != nil {
		t.Fatal(err)
	}
	if !ed25519.Verify(pub, msg, sig) {
		t.Fatal("the signature does not verify")
	}
	s2, err := other.Signer(ctx, "tokens")
	if err != nil || s2.KeyID() != s.KeyID() {
		t.Fatalf("another custodian over the same keys has another signing key: %v", err)
	}
	if g, err := c.Signer(ctx, "grants"); err != nil || g.KeyID() == s.KeyID() {
		t.Fatalf("two signing names share a key: %v", err)
	}
	if v, ok := s.(vault.Versioned); ok {
		if ks := v.Keys(); len(ks) == 0 || ks[0].KeyID != s.KeyID() || !ks[0].Key.Equal(pub) {
			t.Fatalf("Keys()[0] is not the key that signs: %v", ks)
		}
	}
}

func testRotate(t *testing.T, open func(*testing.T) (vault.Custodian, vault.Custodian)) {
	ctx := context.Background()
	c, _ := open(t)
	r, ok := c.(vault.Rotator)
	if !ok {
		t.Skip("the custodian does not rotate")
	}
	secret := []byte("AGE-SECRET-KEY-1ROTATE")
	w1, err := c.Wrap(ctx, "pod-a", secret)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := c.Signer(ctx, "tokens")
	if err := r.Rotate(ctx, "pod-a"); err != nil {
		t.Fatal(err)
	}
	w2, err := r.Rewrap(ctx, "pod-a", w1)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(w1, w2) {
		t.Fatal("Rewrap changed nothing")
	}
	for _, w := range [][]byte{w1, w2} {
		if got, err := c.Unwrap(ctx, "pod-a", w); err != nil || !bytes.Equal(got, secret) {
			t.Fatalf("Unwrap after rotation = %q, %v", got, err)
		}
	}
	if s2, err := c.Signer(ctx, "tokens"); err != nil || s2.KeyID() != s.KeyID() {
		t.Fatalf("rotating pod keys changed the signing key: %v", err)
	}
}

func testConcurrent(t *testing.T, open func(*testing.T) (vault.Custodian, vault.Custodian)) {
	ctx := context.Background()
	c, _ := open(t)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := []string{"pod-a", "pod-b"}[i%2]
			w, err := c.Wrap(ctx, name, []byte{byte(i)})
			if err == nil {
				var got []byte
				got, err = c.Unwrap(ctx, name, w)
				if err == nil && !bytes.Equal(got, []byte{byte(i)}) {
					err = errors.New("a round trip changed the secret")
				}
			}
			if err == nil {
				_, err = c.Signer(ctx, "tokens")
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}
