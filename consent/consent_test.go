package consent_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/consent/statuslist"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/pod/podtest"
	"github.com/satchel-project/satchel/vault"
	"github.com/satchel-project/satchel/vault/local"
)

const base = "https://satchel.example.org"

type fixture struct {
	pods *pod.Service
	svc  *consent.Service
	pod  pod.PodID
	dir  string
}

func newFixture(tb testing.TB, keyDir string) *fixture {
	tb.Helper()
	dir := tb.TempDir()
	pods, _ := podtest.Open(tb, dir, time.Minute)
	signer := mustSigner(tb, keyDir)
	svc, err := consent.Open(context.Background(), pods, signer, base)
	if err != nil {
		tb.Fatal(err)
	}
	id, err := pods.CreatePod(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	doc := []byte("%PDF-1.4\n")
	if _, _, err := pods.Put(context.Background(), id, "documents/letter.pdf", "application/pdf", int64(len(doc)), bytes.NewReader(doc), pod.Preconditions{}); err != nil {
		tb.Fatal(err)
	}
	return &fixture{pods: pods, svc: svc, pod: id, dir: dir}
}

func mustSigner(tb testing.TB, dir string) vault.Signer {
	l, _, err := local.Open(dir)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := l.Signer(context.Background(), "grants")
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func newGrant(p pod.PodID) consent.NewGrant {
	return consent.NewGrant{
		Pod: p, GrantedBy: "acct", SharedBy: "Jo",
		Recipient: consent.Recipient{Name: "Acme Lettings", Kind: consent.Landlord},
		Purpose:   "tenancy-application", Items: []consent.Item{{Path: "documents/letter.pdf"}},
	}
}

// TestOldKeysStayPublished: after the signing key changes, grants signed
// with the old key still verify against the published keys.
func TestOldKeysStayPublished(t *testing.T) {
	f := newFixture(t, t.TempDir())
	old, err := f.svc.Create(context.Background(), newGrant(f.pod))
	if err != nil {
		t.Fatal(err)
	}
	// The same store, opened with a new signing key.
	pods, _ := podtest.Open(t, f.dir, time.Minute)
	rotated, err := consent.Open(context.Background(), pods, mustSigner(t, t.TempDir()), base)
	if err != nil {
		t.Fatal(err)
	}
	if n := rotated.Keys().JWKS().Len(); n != 2 {
		t.Fatalf("%d published keys after rotation, want 2", n)
	}
	if _, err := consent.VerifyCredential(old.Credential, rotated.Keys().JWKS(), rotated.DID(), time.Now()); err != nil {
		t.Fatalf("a grant signed with the old key: %v", err)
	}
	fresh, err := rotated.Create(context.Background(), newGrant(f.pod))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := consent.VerifyCredential(fresh.Credential, rotated.Keys().JWKS(), rotated.DID(), time.Now()); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkCreateGrant is issuing one grant: checks, status index, signing
// and four create-only writes on the fs back end.
func BenchmarkCreateGrant(b *testing.B) {
	f := newFixture(b, b.TempDir())
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := f.svc.Create(ctx, newGrant(f.pod)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyGrant is what an offline verifier does per grant: check
// the JWS against the published keys, then look the index up in a status
// list it already holds. No storage, no Vault.
func BenchmarkVerifyGrant(b *testing.B) {
	f := newFixture(b, b.TempDir())
	ctx := context.Background()
	g, err := f.svc.Create(ctx, newGrant(f.pod))
	if err != nil {
		b.Fatal(err)
	}
	sl, err := f.svc.StatusListCredential(ctx)
	if err != nil {
		b.Fatal(err)
	}
	keys, did := f.svc.Keys().JWKS(), f.svc.DID()
	subj, err := consent.VerifyStatusList(sl, keys, did, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	list, err := statuslist.Decode(subj["encodedList"].(string))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			v, err := consent.VerifyCredential(g.Credential, keys, did, time.Now())
			if err != nil {
				b.Fatal(err)
			}
			if revoked, _ := list.Get(v.StatusIndex); revoked {
				b.Fatal("revoked")
			}
		}
	})
}
