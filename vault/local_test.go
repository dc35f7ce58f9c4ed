package vault

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"os"
	"path/filepath"
	"testing"
)

func TestLocalWrapUnwrap(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l, created, err := OpenLocal(dir)
	if err != nil || !created {
		t.Fatalf("OpenLocal: %v created=%v", err, created)
	}
	secret := []byte("AGE-SECRET-KEY-1EXAMPLE")
	w, err := l.Wrap(ctx, "pod-a", secret)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(w, secret) {
		t.Fatal("wrapped form contains the secret")
	}
	if _, err := l.Unwrap(ctx, "pod-b", w); err == nil {
		t.Fatal("unwrapped under another name")
	}
	w2 := bytes.Clone(w)
	w2[len(w2)-1] ^= 1
	if _, err := l.Unwrap(ctx, "pod-a", w2); err == nil {
		t.Fatal("unwrapped altered data")
	}
	// A second open reads the same master key.
	l2, created, err := OpenLocal(dir)
	if err != nil || created {
		t.Fatalf("reopen: %v created=%v", err, created)
	}
	got, err := l2.Unwrap(ctx, "pod-a", w)
	if err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("Unwrap after reopen = %q, %v", got, err)
	}
	// Another master key cannot open it.
	other, _, _ := OpenLocal(t.TempDir())
	if _, err := other.Unwrap(ctx, "pod-a", w); err == nil {
		t.Fatal("another master key unwrapped it")
	}
}

func TestLocalRefusesReadableMasterKey(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := OpenLocal(dir); err != nil {
		t.Fatal(err)
	}
	os.Chmod(filepath.Join(dir, "master.key"), 0o644)
	if _, _, err := OpenLocal(dir); err == nil {
		t.Fatal("opened a master key that others can read")
	}
}

func TestLocalSignerIsStable(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l, _, _ := OpenLocal(dir)
	s, err := l.Signer(ctx, "tokens")
	if err != nil {
		t.Fatal(err)
	}
	sig, err := s.Sign(nil, []byte("msg"), crypto.Hash(0))
	if err != nil {
		t.Fatal(err)
	}
	l2, _, _ := OpenLocal(dir)
	s2, _ := l2.Signer(ctx, "tokens")
	if s2.KeyID() != s.KeyID() || !ed25519.Verify(s2.Public().(ed25519.PublicKey), []byte("msg"), sig) {
		t.Fatal("signing key changed between opens")
	}
	data, _ := os.ReadFile(filepath.Join(dir, "signing-tokens.key"))
	if bytes.Contains(data, s.(*localSigner).key.Seed()) {
		t.Fatal("signing key stored in the clear")
	}
}
