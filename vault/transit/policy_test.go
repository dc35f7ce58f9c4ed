package transit

import (
	"context"
	"crypto"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/satchel-project/satchel/vault"
	"github.com/satchel-project/satchel/vault/custodiantest"
	"github.com/satchel-project/satchel/vault/transittest"
)

// leastPrivilege returns a custodian whose token holds only policy hcl
// (and Vault's default policy).
func leastPrivilege(t *testing.T, srv *transittest.Server, hcl string) *Custodian {
	t.Helper()
	if err := srv.SetPolicy("satchel", hcl); err != nil {
		t.Fatal(err)
	}
	tok := srv.NewToken(transittest.TokenOptions{Policies: []string{"satchel"}, TTL: time.Hour, Renewable: true})
	c, err := New(Config{Address: srv.URL, Token: tok, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The shipped policy is enough for everything Satchel does, on an active
// node and on a standby that lags a write behind.
func TestShippedPolicyIsSufficient(t *testing.T) {
	for _, standby := range []bool{false, true} {
		t.Run(map[bool]string{false: "active", true: "standby"}[standby], func(t *testing.T) {
			custodiantest.Test(t, func(t *testing.T) (vault.Custodian, vault.Custodian) {
				srv := transittest.New(t)
				srv.SetStandby(standby)
				a, b := leastPrivilege(t, srv, Policy("", "")), leastPrivilege(t, srv, Policy("", ""))
				for _, c := range []*Custodian{a, b} {
					if err := c.Health(context.Background()); err != nil {
						t.Fatalf("Health with the shipped policy: %v", err)
					}
				}
				return a, b
			})
		})
	}
}

// The policy the README used to give: a separate rule for pod keys that
// grants delete alone replaces the broader rule for them, so that update
// (needed to create a key) is lost. The error names path and capability.
func TestPolicyMissingUpdateOnPodKeys(t *testing.T) {
	const old = `
path "transit/keys/satchel-*" { capabilities = ["create", "read", "update"] }
path "transit/encrypt/satchel-*" { capabilities = ["create", "update"] }
path "transit/decrypt/satchel-*" { capabilities = ["update"] }
path "transit/rewrap/satchel-*" { capabilities = ["update"] }
path "transit/sign/satchel-*" { capabilities = ["update"] }
path "transit/keys/satchel-pod-*" { capabilities = ["delete"] }
`
	srv := transittest.New(t)
	c := leastPrivilege(t, srv, old)
	ctx := context.Background()
	if _, err := c.Signer(ctx, "tokens"); err != nil {
		t.Fatalf("signing keys are covered by the broad rule: %v", err)
	}
	_, err := c.Wrap(ctx, "pod-a", []byte("x"))
	if !errors.Is(err, vault.ErrTokenRefused) || !errors.Is(err, vault.ErrUnavailable) {
		t.Fatalf("Wrap = %v, want a refused token", err)
	}
	for _, want := range []string{`"update"`, "transit/keys/satchel-pod-a", "satchel keys policy"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error %q does not say %s", err, want)
		}
	}
	if srv.HasKey("transit", "satchel-pod-a") {
		t.Fatal("a refused request made a key")
	}
}

// A least-privilege token asking of a mount that does not exist is refused
// (403) before routing, as Vault does; the error says what to check.
func TestPolicyWrongMount(t *testing.T) {
	srv := transittest.New(t)
	if err := srv.SetPolicy("satchel", Policy("", "")); err != nil {
		t.Fatal(err)
	}
	tok := srv.NewToken(transittest.TokenOptions{Policies: []string{"satchel"}})
	c, err := New(Config{Address: srv.URL, Token: tok, Mount: "kms"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Wrap(context.Background(), "pod-a", []byte("x"))
	if !errors.Is(err, vault.ErrTokenRefused) || !strings.Contains(err.Error(), "kms/keys/satchel-pod-a") {
		t.Fatalf("Wrap on an unmounted path: %v", err)
	}
	// The policy for that mount and a prefix.
	p := Policy("kms/transit", "s1-")
	if !strings.Contains(p, `path "kms/transit/keys/s1-pod-*"`) || strings.Contains(p, `path "transit/`) || strings.Contains(p, "satchel-pod") {
		t.Fatalf("Policy(kms/transit, s1-) =\n%s", p)
	}
}

func TestTokenRenewedByHealth(t *testing.T) {
	srv := transittest.New(t)
	if err := srv.SetPolicy("satchel", Policy("", "")); err != nil {
		t.Fatal(err)
	}
	tok := srv.NewToken(transittest.TokenOptions{Policies: []string{"satchel"}, TTL: time.Hour, MaxTTL: 3 * time.Hour, Renewable: true})
	c, _ := New(Config{Address: srv.URL, Token: tok})
	ctx := context.Background()
	if err := c.Health(ctx); err != nil || srv.Renewals(tok) != 0 {
		t.Fatalf("Health of a fresh token: %v, %d renewals", err, srv.Renewals(tok))
	}
	// Past half its TTL, the check renews it; it then outlives its first
	// hour.
	for range 3 {
		srv.Advance(40 * time.Minute)
		if err := c.Health(ctx); err != nil {
			t.Fatalf("Health at %d renewals: %v", srv.Renewals(tok), err)
		}
	}
	if n := srv.Renewals(tok); n != 3 {
		t.Fatalf("renewals = %d, want 3", n)
	}
	if _, err := c.Wrap(ctx, "pod-a", []byte("x")); err != nil {
		t.Fatalf("Wrap after 2 hours: %v", err)
	}
	// Its max TTL ends it, whatever the renewals; then custody is down and
	// says why.
	srv.Advance(time.Hour)
	err := c.Health(ctx)
	if !errors.Is(err, vault.ErrTokenRefused) || !errors.Is(err, vault.ErrUnavailable) || !strings.Contains(err.Error(), "expired or been revoked") {
		t.Fatalf("Health after the max TTL: %v", err)
	}
}

func TestTokenRevoked(t *testing.T) {
	srv := transittest.New(t)
	tok := srv.NewToken(transittest.TokenOptions{Policies: []string{"root"}})
	c, _ := New(Config{Address: srv.URL, Token: tok})
	ctx := context.Background()
	w, err := c.Wrap(ctx, "pod-a", []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	srv.RevokeToken(tok)
	for _, err := range []error{c.Health(ctx), func() error { _, err := c.Unwrap(ctx, "pod-a", w); return err }()} {
		if !errors.Is(err, vault.ErrTokenRefused) || !errors.Is(err, vault.ErrUnavailable) || !strings.Contains(err.Error(), "expired or been revoked") {
			t.Fatalf("after revocation: %v", err)
		}
		if strings.Contains(err.Error(), tok) {
			t.Fatal("the error holds the token")
		}
	}
}

// An operator rotates a signing key and raises min_decryption_version: the
// signer moves to the new version at the next health check (or at once,
// if Vault refuses the old one first), and lists only what still verifies.
func TestSigningKeyRotatedByOperator(t *testing.T) {
	srv := transittest.New(t)
	c := leastPrivilege(t, srv, Policy("", ""))
	ctx := context.Background()
	s, err := c.Signer(ctx, "tokens")
	if err != nil {
		t.Fatal(err)
	}
	v := s.(vault.Versioned)
	v1 := s.KeyID()

	// Rotation alone: both versions verify; the new one signs.
	operator(t, srv, "POST", "transit/keys/satchel-signing-tokens/rotate", nil)
	if err := c.Health(ctx); err != nil {
		t.Fatal(err)
	}
	v2 := s.KeyID()
	if ks := v.Keys(); v2 == v1 || len(ks) != 2 || ks[0].KeyID != v2 || ks[1].KeyID != v1 || ks[0].Version != 2 {
		t.Fatalf("after rotation: KeyID %s (was %s), Keys %v", v2, v1, ks)
	}
	signs(t, s)

	// Rotate again and retire the older versions; Vault now refuses to
	// sign with version 2, hidden from the key's description.
	operator(t, srv, "POST", "transit/keys/satchel-signing-tokens/rotate", nil)
	operator(t, srv, "POST", "transit/keys/satchel-signing-tokens/config", map[string]any{"min_decryption_version": 3})
	_, err = s.Sign(nil, []byte("msg"), crypto.Hash(0))
	if !errors.Is(err, vault.ErrUnavailable) || !strings.Contains(err.Error(), "now using version 3") {
		t.Fatalf("Sign with a retired version: %v", err)
	}
	if ks := v.Keys(); len(ks) != 1 || ks[0].Version != 3 || s.KeyID() != ks[0].KeyID {
		t.Fatalf("after retirement: Keys %v", ks)
	}
	signs(t, s)
}

func signs(t *testing.T, s vault.Signer) {
	t.Helper()
	if _, err := s.Sign(nil, []byte("msg"), crypto.Hash(0)); err != nil {
		t.Fatalf("Sign: %v", err)
	}
}

func operator(t *testing.T, srv *transittest.Server, method, path string, body map[string]any) map[string]any {
	t.Helper()
	code, out, err := srv.Operator(method, path, body)
	if err != nil || code >= 300 {
		t.Fatalf("%s %s = %d %v %v", method, path, code, out, err)
	}
	return out
}

// A standby answers sys/health with 429 and standby: true by default; the
// client reads that as healthy. A key read straight after it was made is
// not there yet on the standby, and is read again.
func TestStandby(t *testing.T) {
	srv := transittest.New(t)
	srv.SetStandby(true)
	code, h, _ := srv.Operator("GET", "sys/health", nil)
	if code != 429 || h["standby"] != true || h["sealed"] != false {
		t.Fatalf("standby health = %d %v", code, h)
	}
	c := newTestTransit(t, srv)
	ctx := context.Background()
	if err := c.Health(ctx); err != nil {
		t.Fatalf("Health of a standby: %v", err)
	}
	operator(t, srv, "POST", "transit/keys/satchel-signing-x", map[string]any{"type": "ed25519"})
	n := srv.Requests("transit/keys/satchel-signing-x")
	sec, err := c.readKey(ctx, "satchel-signing-x")
	if err != nil || dataString(sec, "type") != "ed25519" {
		t.Fatalf("readKey on a lagging standby: %v", err)
	}
	if got := srv.Requests("transit/keys/satchel-signing-x") - n; got != 2 {
		t.Fatalf("reads = %d, want 2 (one that missed, one retry)", got)
	}
}
