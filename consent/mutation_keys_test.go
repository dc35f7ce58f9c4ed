package consent_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/pod/podtest"
	"github.com/satchel-project/satchel/vault"
)

// switchSigner is a custodian's signer whose key an operator rotates while
// the server runs.
type switchSigner struct {
	mu  sync.Mutex
	cur vault.Signer
}

func (s *switchSigner) get() vault.Signer        { s.mu.Lock(); defer s.mu.Unlock(); return s.cur }
func (s *switchSigner) set(v vault.Signer)       { s.mu.Lock(); s.cur = v; s.mu.Unlock() }
func (s *switchSigner) Public() crypto.PublicKey { return s.get().Public() }
func (s *switchSigner) KeyID() string            { return s.get().KeyID() }
func (s *switchSigner) Sign(r io.Reader, d []byte, o crypto.SignerOpts) ([]byte, error) {
	return s.get().Sign(r, d, o)
}

// TestKeyRotatedWhileRunning: a grant signed with a key the custodian
// rotated to while the server ran verifies at once, and so do those
// signed before; a server started later publishes both.
func TestKeyRotatedWhileRunning(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pods, _ := podtest.Open(t, dir, time.Minute)
	ctx := context.Background()
	sw := &switchSigner{cur: mustSigner(t, t.TempDir())}
	svc, err := consent.Open(ctx, pods, sw, base)
	if err != nil {
		t.Fatal(err)
	}
	p, err := pods.CreatePod(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := pods.Put(ctx, p, "documents/letter.pdf", "application/pdf", 1, strings.NewReader("x"), pod.Preconditions{}); err != nil {
		t.Fatal(err)
	}
	before, err := svc.Create(ctx, newGrant(p))
	if err != nil {
		t.Fatal(err)
	}
	sw.set(mustSigner(t, t.TempDir()))
	after, err := svc.Create(ctx, newGrant(p))
	if err != nil {
		t.Fatal(err)
	}
	for name, g := range map[string]string{"before": before.Credential, "after": after.Credential} {
		if _, err := consent.VerifyCredential(g, svc.Keys().JWKS(), svc.DID(), time.Now()); err != nil {
			t.Errorf("the grant signed %s the rotation: %v", name, err)
		}
	}
	msg, _ := jws.Parse([]byte(after.Credential))
	if kid := msg.Signatures()[0].ProtectedHeaders().KeyID(); kid != svc.Keys().KeyURL(sw.KeyID()) {
		t.Errorf("signed with %s, want the new key %s", kid, svc.Keys().KeyURL(sw.KeyID()))
	}
	sl, err := svc.StatusListCredential(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := consent.VerifyStatusList(sl, svc.Keys().JWKS(), svc.DID(), time.Now()); err != nil {
		t.Errorf("the status list after rotation: %v", err)
	}
	// Another instance, started after, publishes both.
	pods2, _ := podtest.Open(t, dir, time.Minute)
	other, err := consent.Open(ctx, pods2, sw, base)
	if err != nil {
		t.Fatal(err)
	}
	if n := other.Keys().JWKS().Len(); n != 2 {
		t.Errorf("an instance started after the rotation publishes %d keys, want 2", n)
	}
}

// lyingSigner names a key other than the one it signs with.
type lyingSigner struct{ vault.Signer }

func (lyingSigner) KeyID() string { return "someone-else" }

type ecdsaSigner struct{ *ecdsa.PrivateKey }

func (ecdsaSigner) KeyID() string { return "p256" }

// TestOpenRefusesBadSigners: a signer that is not Ed25519, or whose key ID
// is not its key's, is refused before anything is signed with it.
func TestOpenRefusesBadSigners(t *testing.T) {
	t.Parallel()
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]vault.Signer{
		"a key ID not its key's": lyingSigner{mustSigner(t, t.TempDir())},
		"an ECDSA key":           ecdsaSigner{ec},
	} {
		pods, _ := podtest.New(t)
		if _, err := consent.Open(context.Background(), pods, s, base); err == nil {
			t.Errorf("%s: Open accepted it", name)
		}
	}
}

// TestCredentialSizeLimit: a credential of exactly MaxCredentialBytes is
// checked; one byte more is refused as too large.
func TestCredentialSizeLimit(t *testing.T) {
	t.Parallel()
	keyDir := t.TempDir()
	f := newFixture(t, keyDir)
	signer := mustSigner(t, keyDir)
	kid := f.svc.Keys().KeyURL(signer.KeyID())
	from := time.Now().Add(-time.Hour)
	mk := func(pad, extra int) string {
		return forge(t, signer, map[string]any{
			"@context": []string{"https://www.w3.org/ns/credentials/v2"}, "type": []string{"VerifiableCredential", "SatchelAccessGrant"},
			"issuer": f.svc.DID(), "validFrom": from.Format(time.RFC3339), "validUntil": from.Add(2 * time.Hour).Format(time.RFC3339),
			"credentialStatus": map[string]any{"statusListCredential": base + consent.StatusListPath, "statusListIndex": "7"},
			"pad":              strings.Repeat("p", pad), "x": strings.Repeat("x", extra),
		}, map[string]string{jws.TypeKey: "vc+jwt", jws.ContentTypeKey: "vc", jws.KeyIDKey: kid})
	}
	sized := map[int]string{}
	base0 := len(mk(0, 0))
	for pad := (consent.MaxCredentialBytes-base0)*3/4 - 8; len(sized) < 2 && pad < consent.MaxCredentialBytes; pad++ {
		for extra := 0; extra < 3; extra++ {
			tok := mk(pad, extra)
			if n := len(tok); n == consent.MaxCredentialBytes || n == consent.MaxCredentialBytes+1 {
				sized[n] = tok
			}
		}
	}
	if len(sized) != 2 {
		t.Fatalf("could not make credentials of the sizes wanted")
	}
	if _, err := consent.VerifyCredential(sized[consent.MaxCredentialBytes], f.svc.Keys().JWKS(), f.svc.DID(), time.Now()); err != nil {
		t.Errorf("a credential of exactly %d bytes: %v", consent.MaxCredentialBytes, err)
	}
	if _, err := consent.VerifyCredential(sized[consent.MaxCredentialBytes+1], f.svc.Keys().JWKS(), f.svc.DID(), time.Now()); checkOf(err) != "format" || !strings.Contains(err.Error(), "too large") {
		t.Errorf("a credential of %d bytes: %v", consent.MaxCredentialBytes+1, err)
	}
}

// TestDeleteSharesLeavesNothing: deleting an account's shares leaves no
// record of them in storage: grant, state, link, code and listing all go.
func TestDeleteSharesLeavesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t, t.TempDir())
	ctx := context.Background()
	putRecord(t, f, "identity/birth.jsonld", `{"type":"BirthCertificate","birthDate":"1990-04-23"}`)
	objects := func() map[string]bool { return storedObjects(t, f.dir) }
	// The status list changes with each share; write it once first.
	g0, err := f.svc.Create(ctx, newGrant(f.pod))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.DeleteShares(ctx, f.pod); err != nil {
		t.Fatal(err)
	}
	was := objects()
	for i := 0; i < 2; i++ {
		if _, err := f.svc.Create(ctx, newGrant(f.pod)); err != nil {
			t.Fatal(err)
		}
	}
	if len(objects()) <= len(was) {
		t.Fatalf("making shares stored nothing")
	}
	if err := f.svc.DeleteShares(ctx, f.pod); err != nil {
		t.Fatal(err)
	}
	now := objects()
	for p := range now {
		if !was[p] {
			t.Errorf("left behind after deleting the shares: %s", p)
		}
	}
	if _, _, err := f.svc.Resolve(ctx, g0.Token); err == nil {
		t.Errorf("a deleted share's link still resolves")
	}
}

// TestWindowClockSkew: an item read on an instance whose clock is behind
// the opening's is within the window up to a minute behind, not a minute.
func TestWindowClockSkew(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	g := consent.Grant{NotBefore: t0, Expires: t0.Add(consent.DefaultTTL), MaxViews: 1, Items: []consent.Item{{Path: "documents/"}}}
	opened := t0.Add(time.Hour)
	st := consent.State{Views: 1, OpenedAt: opened}
	item := consent.Request{Path: "documents/licence.pdf"}
	if d := consent.Decide(g, st, item, opened.Add(-time.Minute+time.Nanosecond)); !d.Allowed || d.View {
		t.Errorf("just under a minute behind: %+v", d)
	}
	if d := consent.Decide(g, st, item, opened.Add(-time.Minute)); d.Reason != consent.UsedUp {
		t.Errorf("a minute behind: %+v", d)
	}
	// Reopening after the window is a new view, refused when none is left.
	page := consent.Request{Path: "documents/", Opening: true, Reopens: opened}
	if d := consent.Decide(g, st, page, opened.Add(consent.OpeningWindow-time.Nanosecond)); !d.Allowed || d.View {
		t.Errorf("reopening within the window: %+v", d)
	}
	if d := consent.Decide(g, st, page, opened.Add(consent.OpeningWindow)); d.Reason != consent.UsedUp {
		t.Errorf("reopening after the window: %+v", d)
	}
	// A cookie naming another opening is not a reopening.
	page.Reopens = opened.Add(-time.Second)
	if d := consent.Decide(g, st, page, opened.Add(time.Second)); d.Reason != consent.UsedUp {
		t.Errorf("reopening an older opening: %+v", d)
	}
}

// storedObjects lists the objects in a fixture's storage.
func storedObjects(t *testing.T, dir string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	err := filepath.WalkDir(filepath.Join(dir, "objects"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out[p] = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRemovedHelperLeavesNothing: once a helper is removed, storage holds
// nothing of the choice: neither the delegation nor the helper's index
// entry naming the pod.
func TestRemovedHelperLeavesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t, t.TempDir())
	ctx := context.Background()
	d := consent.Delegation{Pod: f.pod, LeaverName: "Jo", Helper: "helperacct", HelperUser: "sam", Rights: []consent.Right{consent.RightView}}
	was := storedObjects(t, f.dir)
	if err := f.svc.SetHelper(ctx, d); err != nil {
		t.Fatal(err)
	}
	if len(storedObjects(t, f.dir)) <= len(was) {
		t.Fatalf("choosing a helper stored nothing")
	}
	if err := f.svc.RemoveHelper(ctx, f.pod, d.Helper); err != nil {
		t.Fatal(err)
	}
	for p := range storedObjects(t, f.dir) {
		if !was[p] {
			t.Errorf("left behind after removing the helper: %s", p)
		}
	}
}
