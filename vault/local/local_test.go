package local

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"

	"github.com/satchel-project/satchel/vault"
	"github.com/satchel-project/satchel/vault/custodiantest"
)

func TestLocalWrapUnwrap(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l, created, err := Open(dir)
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
	l2, created, err := Open(dir)
	if err != nil || created {
		t.Fatalf("reopen: %v created=%v", err, created)
	}
	got, err := l2.Unwrap(ctx, "pod-a", w)
	if err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("Unwrap after reopen = %q, %v", got, err)
	}
	// Another master key cannot open it.
	other, _, _ := Open(t.TempDir())
	if _, err := other.Unwrap(ctx, "pod-a", w); err == nil {
		t.Fatal("another master key unwrapped it")
	}
}

func TestLocalRefusesReadableMasterKey(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := Open(dir); err != nil {
		t.Fatal(err)
	}
	os.Chmod(filepath.Join(dir, "master.key"), 0o644)
	if _, _, err := Open(dir); err == nil {
		t.Fatal("opened a master key that others can read")
	}
}

func TestLocalSignerIsStable(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l, _, _ := Open(dir)
	s, err := l.Signer(ctx, "tokens")
	if err != nil {
		t.Fatal(err)
	}
	sig, err := s.Sign(nil, []byte("msg"), crypto.Hash(0))
	if err != nil {
		t.Fatal(err)
	}
	l2, _, _ := Open(dir)
	s2, _ := l2.Signer(ctx, "tokens")
	if s2.KeyID() != s.KeyID() || !ed25519.Verify(s2.Public().(ed25519.PublicKey), []byte("msg"), sig) {
		t.Fatal("signing key changed between opens")
	}
	data, _ := os.ReadFile(filepath.Join(dir, "signing-tokens.key"))
	if bytes.Contains(data, s.(*localSigner).key.Seed()) {
		t.Fatal("signing key stored in the clear")
	}
}

func TestLocalRotate(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l, _, _ := Open(dir)
	s1, _ := l.Signer(ctx, "tokens")
	old, _ := l.Wrap(ctx, "pod-a", []byte("secret"))
	if !bytes.HasPrefix(old, []byte("satchel-local:v1:")) {
		t.Fatalf("wrapped %q", old[:20])
	}
	if err := l.Rotate(ctx, "pod-a"); err != nil {
		t.Fatal(err)
	}
	if err := l.Rotate(ctx, "pod-b"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "master-3.key")); err == nil {
		t.Fatal("one rotation run made two master keys")
	}
	fi, err := os.Stat(filepath.Join(dir, "master-2.key"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("master-2.key: %v", err)
	}
	nw, err := l.Rewrap(ctx, "pod-a", old)
	if err != nil || !bytes.HasPrefix(nw, []byte("satchel-local:v2:")) {
		t.Fatalf("Rewrap = %q, %v", nw, err)
	}
	// A fresh open sees both versions and the same signing key.
	l2, _, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range [][]byte{old, nw} {
		if got, err := l2.Unwrap(ctx, "pod-a", w); err != nil || string(got) != "secret" {
			t.Fatalf("Unwrap after rotation = %q, %v", got, err)
		}
	}
	s2, err := l2.Signer(ctx, "tokens")
	if err != nil || s2.KeyID() != s1.KeyID() {
		t.Fatalf("signing key after rotation: %v", err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "signing-tokens.key"))
	if dec, _ := base64.StdEncoding.DecodeString(string(trimNL(data))); !bytes.HasPrefix(dec, []byte("satchel-local:v2:")) {
		t.Fatal("signing key was not rewrapped under the new master key")
	}
	// A missing first version is an operator's mistake, not a first start.
	os.Remove(filepath.Join(dir, "master.key"))
	if _, _, err := Open(dir); err == nil {
		t.Fatal("OpenLocal made a new master.key beside master-2.key")
	}
}

func TestConformance(t *testing.T) {
	custodiantest.Test(t, func(t *testing.T) (vault.Custodian, vault.Custodian) {
		dir := t.TempDir()
		a, _, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		b, _, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		return a, b
	})
}
