package transit

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/satchel-project/satchel/vault"
	"github.com/satchel-project/satchel/vault/custodiantest"
	"github.com/satchel-project/satchel/vault/transittest"
)

func newTestTransit(t *testing.T, srv *transittest.Server) *Custodian {
	t.Helper()
	tr, err := New(Config{Address: srv.URL, Token: srv.Token, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestTransitWrapUnwrap(t *testing.T) {
	ctx := context.Background()
	srv := transittest.New(t)
	tr := newTestTransit(t, srv)
	secret := []byte("AGE-SECRET-KEY-1EXAMPLE")

	w, err := tr.Wrap(ctx, "pod-a", secret)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(w, []byte("vault:v1:")) || bytes.Contains(w, secret) {
		t.Fatalf("wrapped = %q", w)
	}
	if !srv.HasKey("transit", "satchel-pod-a") {
		t.Fatal("no per-name Transit key was made")
	}
	got, err := tr.Unwrap(ctx, "pod-a", w)
	if err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("Unwrap = %q, %v", got, err)
	}
	// An empty secret round-trips too.
	if w0, err := tr.Wrap(ctx, "pod-a", nil); err != nil {
		t.Fatal(err)
	} else if got, err := tr.Unwrap(ctx, "pod-a", w0); err != nil || len(got) != 0 {
		t.Fatalf("empty secret: %q, %v", got, err)
	}
	// The key is created once per process, not once per Wrap.
	if n := srv.Requests("transit/keys/satchel-pod-a"); n != 1 {
		t.Fatalf("key creation requests = %d, want 1", n)
	}

	// Another name has another key: the ciphertext does not open under it.
	if _, err := tr.Wrap(ctx, "pod-b", []byte("other")); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Unwrap(ctx, "pod-b", w); err == nil || errors.Is(err, vault.ErrNoKey) || errors.Is(err, vault.ErrUnavailable) {
		t.Fatalf("Unwrap under another name: %v", err)
	}
	// A name with no key at all: vault.ErrNoKey.
	if _, err := tr.Unwrap(ctx, "pod-c", w); !errors.Is(err, vault.ErrNoKey) {
		t.Fatalf("Unwrap under a name with no key: %v", err)
	}

	// Tampering with the ciphertext is detected.
	tampered := bytes.Clone(w)
	i := len(tampered) - 3
	if tampered[i] == 'A' {
		tampered[i] = 'B'
	} else {
		tampered[i] = 'A'
	}
	if _, err := tr.Unwrap(ctx, "pod-a", tampered); err == nil || errors.Is(err, vault.ErrNoKey) || errors.Is(err, vault.ErrUnavailable) {
		t.Fatalf("Unwrap of tampered data: %v", err)
	}
	if _, err := tr.Unwrap(ctx, "pod-a", []byte("satchel-local-v1:xxxx")); err == nil {
		t.Fatal("unwrapped data in another custodian's format")
	}
}

func TestTransitNames(t *testing.T) {
	tr := newTestTransit(t, transittest.New(t))
	ctx := context.Background()
	for _, name := range []string{"", "../sys/seal", "a/b", "pod-", "signing-tokens", "a b"} {
		if _, err := tr.Wrap(ctx, name, []byte("x")); err == nil {
			t.Errorf("Wrap accepted name %q", name)
		}
	}
}

func TestTransitDestroy(t *testing.T) {
	ctx := context.Background()
	srv := transittest.New(t)
	tr := newTestTransit(t, srv)
	w, err := tr.Wrap(ctx, "pod-a", []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Destroy(ctx, "pod-a"); err != nil {
		t.Fatal(err)
	}
	if srv.HasKey("transit", "satchel-pod-a") {
		t.Fatal("the Transit key survived Destroy")
	}
	if _, err := tr.Unwrap(ctx, "pod-a", w); !errors.Is(err, vault.ErrNoKey) {
		t.Fatalf("Unwrap after Destroy: %v", err)
	}
	// Destroying again, or a name that never had a key, is fine.
	if err := tr.Destroy(ctx, "pod-a"); err != nil {
		t.Fatalf("second Destroy: %v", err)
	}
	if err := tr.Destroy(ctx, "pod-never"); err != nil {
		t.Fatalf("Destroy of a missing key: %v", err)
	}
	// A new Wrap under the name makes a new key, which cannot open the old data.
	if _, err := tr.Wrap(ctx, "pod-a", []byte("new")); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Unwrap(ctx, "pod-a", w); err == nil {
		t.Fatal("a re-created key opened data wrapped under the destroyed one")
	}
}

func TestTransitRotateRewrap(t *testing.T) {
	ctx := context.Background()
	tr := newTestTransit(t, transittest.New(t))
	secret := []byte("AGE-SECRET-KEY-1ROTATE")
	w1, err := tr.Wrap(ctx, "pod-a", secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Rotate(ctx, "pod-a"); err != nil {
		t.Fatal(err)
	}
	w2, err := tr.Rewrap(ctx, "pod-a", w1)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(w2, []byte("vault:v2:")) {
		t.Fatalf("rewrapped = %q, want vault:v2:", w2)
	}
	for _, w := range [][]byte{w1, w2} {
		if got, err := tr.Unwrap(ctx, "pod-a", w); err != nil || !bytes.Equal(got, secret) {
			t.Fatalf("Unwrap(%.9s) = %q, %v", w, got, err)
		}
	}
	if w3, _ := tr.Wrap(ctx, "pod-a", secret); !bytes.HasPrefix(w3, []byte("vault:v2:")) {
		t.Fatalf("Wrap after Rotate = %q", w3)
	}
	if err := tr.Rotate(ctx, "pod-none"); !errors.Is(err, vault.ErrNoKey) {
		t.Fatalf("Rotate of a missing key: %v", err)
	}
	if _, err := tr.Rewrap(ctx, "pod-none", w1); !errors.Is(err, vault.ErrNoKey) {
		t.Fatalf("Rewrap under a missing key: %v", err)
	}
}

func TestConformance(t *testing.T) {
	custodiantest.Test(t, func(t *testing.T) (vault.Custodian, vault.Custodian) {
		srv := transittest.New(t)
		return newTestTransit(t, srv), newTestTransit(t, srv)
	})
}
