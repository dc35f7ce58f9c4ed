package server_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/server"
	"github.com/satchel-project/satchel/vault"
	"github.com/satchel-project/satchel/vault/transittest"
)

// withVault points a server at a Transit emulator for key custody.
func withVault(v *transittest.Server) func(*server.Config) {
	return func(c *server.Config) {
		c.Keys = strings.Replace(v.URL, "http://", "vault://", 1) + "/transit?tls=false"
		prev := c.Getenv
		c.Getenv = func(k string) string {
			if k == "VAULT_TOKEN" {
				return v.Token
			}
			if prev != nil {
				return prev(k)
			}
			return os.Getenv(k)
		}
	}
}

func TestTwoInstancesOneBucket(t *testing.T) {
	spec, _ := s3Env(t)
	spec = prefixed(spec)
	v := transittest.New(t)
	shared := func(c *server.Config) {
		c.Storage = spec
		c.BaseURL = "https://satchel.example"
	}
	a := newTestServer(t, shared, withVault(v))
	b := newTestServer(t, shared, withVault(v))

	acct, err := a.b.Accounts.Create(context.Background(), "jo", "leaver", "Jo", "correct-horse-battery")
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := b.b.Tokens.Issue(acct) // signed in Vault: both instances accept it
	if err != nil {
		t.Fatal(err)
	}
	podA, podB := a.podURL(string(acct.Pod)), b.podURL(string(acct.Pod))

	// A write through one is read through the other at once.
	expect(t, a.do("PUT", podA+"identity/card.jsonld", tok, strings.NewReader(record), "Content-Type", "application/ld+json"), http.StatusCreated)
	if g := b.do("GET", podB+"identity/card.jsonld", tok, nil); g.status != 200 || string(g.body) != record {
		t.Fatalf("read through the other instance: %d %s", g.status, g.body)
	}

	// 50 concurrent creates into one container, through both: none lost.
	const n = 50
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			s, p := a, podA
			if i%2 == 1 {
				s, p = b, podB
			}
			r := s.do("POST", p+"documents/", tok, strings.NewReader(fmt.Sprintf("letter %d", i)), "Content-Type", "text/plain", "Slug", "letter")
			if r.status != http.StatusCreated {
				t.Errorf("create %d: %d %s", i, r.status, r.body)
			}
		}(i)
	}
	wg.Wait()
	for _, s := range []*testServer{a, b} {
		if got := len(members(t, s.do("GET", s.podURL(string(acct.Pod))+"documents/", tok, nil))); got != n {
			t.Fatalf("documents/ lists %d members through %s, want %d", got, s.url, n)
		}
	}
}

func TestMinIOStoppedAndBack(t *testing.T) {
	m := ownMinIO(t)
	s := newTestServer(t, func(c *server.Config) { c.Storage = m.spec(); c.Getenv = m.getenv })
	pod, tok := s.leaver("jo")
	url := pod + "identity/card.jsonld"
	expect(t, s.do("PUT", url, tok, strings.NewReader(record), "Content-Type", "application/ld+json"), http.StatusCreated)

	m.stop()
	for _, r := range []response{
		s.do("GET", url, tok, nil),
		s.do("PUT", url, tok, strings.NewReader(record2), "Content-Type", "application/ld+json"),
		s.do("GET", s.url+"/readyz", "", nil),
	} {
		if r.status != http.StatusServiceUnavailable {
			t.Fatalf("with MinIO stopped: %d %s, want 503", r.status, r.body)
		}
	}
	down := s.do("GET", url, tok, nil)
	if d := down.problem(t)["detail"].(string); !strings.Contains(d, "try again") {
		t.Fatalf("503 detail %q", d)
	}

	m.start()
	g := s.do("GET", url, tok, nil)
	if g.status != http.StatusOK || string(g.body) != record {
		t.Fatalf("after MinIO returned: %d %s (the failed write must leave the old version)", g.status, g.body)
	}
	expect(t, s.do("PUT", url, tok, strings.NewReader(record2), "Content-Type", "application/ld+json"), http.StatusNoContent)
	expect(t, s.do("GET", s.url+"/readyz", "", nil), http.StatusOK)
}

func TestSealedVaultFailsClosed(t *testing.T) {
	v := transittest.New(t)
	s := newTestServer(t, withVault(v))
	pod, tok := s.leaver("jo")
	url := pod + "identity/card.jsonld"
	expect(t, s.do("PUT", url, tok, strings.NewReader(record), "Content-Type", "application/ld+json"), http.StatusCreated)
	expect(t, s.do("GET", url, tok, nil), http.StatusOK) // the pod key is now cached

	v.Seal()
	if rd := s.b.CheckReady(context.Background()); rd.Keys == "ok" {
		t.Fatal("readiness did not notice the sealed Vault")
	}
	r := s.do("GET", url, tok, nil)
	expect(t, r, http.StatusServiceUnavailable)
	r.problem(t)
	expect(t, s.do("GET", s.url+"/readyz", "", nil), http.StatusServiceUnavailable)

	v.Unseal()
	s.b.CheckReady(context.Background())
	if g := s.do("GET", url, tok, nil); g.status != http.StatusOK || string(g.body) != record {
		t.Fatalf("after unsealing: %d %s", g.status, g.body)
	}
}

func TestEraseShredsEvenBackups(t *testing.T) {
	v := transittest.New(t)
	s := newTestServer(t, withVault(v))
	podURL, tok := s.leaver("jo")
	expect(t, s.do("PUT", podURL+"identity/card.jsonld", tok, strings.NewReader(record), "Content-Type", "application/ld+json"), http.StatusCreated)
	id := pod.PodID(strings.Split(strings.TrimPrefix(podURL, s.url+"/pods/"), "/")[0])

	// Someone keeps a copy of the storage before the erase.
	backup := t.TempDir()
	copyTree(t, filepath.Join(s.data, "objects"), backup)

	if err := s.b.Pods.ErasePod(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	if v.HasKey("transit", "satchel-"+pod.CustodianName(id)) {
		t.Fatal("the pod's Transit key survived the erase")
	}
	// With the backup restored and Vault still there, nothing decrypts.
	copyTree(t, backup, filepath.Join(s.data, "objects"))
	wrapped, err := os.ReadFile(filepath.Join(s.data, "objects", "pods", string(id), "key"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.b.Keys.Unwrap(context.Background(), pod.CustodianName(id), wrapped); err == nil {
		t.Fatal("the backed-up pod key still unwraps")
	}
	fresh := newTestServer(t, withVault(v), func(c *server.Config) { c.DataDir = s.data; c.BaseURL = s.b.Config.BaseURL })
	expect(t, fresh.do("GET", fresh.podURL(string(id))+"identity/card.jsonld", tok, nil), http.StatusNotFound)
}

func TestKeysRotateWithTransit(t *testing.T) {
	v := transittest.New(t)
	s := newTestServer(t, withVault(v))
	podURL, tok := s.leaver("jo")
	expect(t, s.do("PUT", podURL+"identity/card.jsonld", tok, strings.NewReader(record), "Content-Type", "application/ld+json"), http.StatusCreated)
	r := s.b.Keys.(vault.Rotator)
	n, err := s.b.Pods.RotateKeys(context.Background(), r.Rotate, r.Rewrap)
	if err != nil || n != 8 {
		t.Fatalf("RotateKeys = %d, %v; want 8 (the pod and the accounts, grants, issuers, web, limits, evaluation and onboarding spaces)", n, err)
	}
	id := strings.Split(strings.TrimPrefix(podURL, s.url+"/pods/"), "/")[0]
	wrapped, _ := os.ReadFile(filepath.Join(s.data, "objects", "pods", id, "key"))
	if !strings.HasPrefix(string(wrapped), "vault:v2:") {
		t.Fatalf("pod key after rotation: %.12q", wrapped)
	}
	fresh := newTestServer(t, withVault(v), func(c *server.Config) { c.DataDir = s.data; c.BaseURL = s.b.Config.BaseURL; c.KeyCacheTTL = -1 })
	if g := fresh.do("GET", fresh.podURL(id)+"identity/card.jsonld", tok, nil); g.status != 200 || string(g.body) != record {
		t.Fatalf("read after rotation: %d %s", g.status, g.body)
	}
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.Walk(from, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if fi.IsDir() {
			return os.MkdirAll(dst, 0o700)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestMigrateToS3AndBack moves a pod from the data directory to MinIO and
// back, serving it from each in turn with the same keys.
func TestMigrateToS3AndBack(t *testing.T) {
	spec, getenv := s3Env(t)
	spec = prefixed(spec)
	s := newTestServer(t)
	podURL, tok := s.leaver("jo")
	expect(t, s.do("PUT", podURL+"identity/card.jsonld", tok, strings.NewReader(record), "Content-Type", "application/ld+json"), http.StatusCreated)
	id := strings.Split(strings.TrimPrefix(podURL, s.url+"/pods/"), "/")[0]
	ctx := context.Background()

	s3, err := server.OpenStore(ctx, spec, s.data, getenv)
	if err != nil {
		t.Fatal(err)
	}
	n, err := pod.Copy(ctx, s.b.Store, s3)
	if err != nil || n < 10 {
		t.Fatalf("Copy to S3 = %d, %v", n, err)
	}
	onS3 := newTestServer(t, func(c *server.Config) {
		c.Storage, c.Getenv = spec, getenv
		c.Keys = "local:" + filepath.Join(s.data, "keys")
		c.BaseURL = s.b.Config.BaseURL
	})
	if g := onS3.do("GET", onS3.podURL(id)+"identity/card.jsonld", tok, nil); g.status != 200 || string(g.body) != record {
		t.Fatalf("read from S3 after migration: %d %s", g.status, g.body)
	}
	back := t.TempDir()
	local, err := server.OpenStore(ctx, "fs:"+back, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if m, err := pod.Copy(ctx, s3, local); err != nil || m != n {
		t.Fatalf("Copy back = %d, %v; want %d", m, err, n)
	}
	onFS := newTestServer(t, func(c *server.Config) {
		c.Storage = "fs:" + back
		c.Keys = "local:" + filepath.Join(s.data, "keys")
		c.BaseURL = s.b.Config.BaseURL
	})
	if g := onFS.do("GET", onFS.podURL(id)+"identity/card.jsonld", tok, nil); g.status != 200 || string(g.body) != record {
		t.Fatalf("read from fs after migrating back: %d %s", g.status, g.body)
	}
}
