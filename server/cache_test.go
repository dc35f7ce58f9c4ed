package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestInstancesWithCachesSeeEachOthersChanges: two servers on MinIO, each
// keeping what it reads in memory, as `satchel serve` does. What one
// changes, the other answers at once: a record, a revoked share, a token
// signed out everywhere.
func TestInstancesWithCachesSeeEachOthersChanges(t *testing.T) {
	if os.Getenv("SATCHEL_TEST_S3") == "" {
		t.Skip("needs MinIO: run scripts/minio go test ./server/ (local storage is never cached)")
	}
	a, b := twoInstances(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	for _, s := range []*testServer{a, b} {
		if s.b.Cache == nil {
			t.Fatal("a server on S3 storage has no cache")
		}
		if err := s.b.Cache.Start(ctx, s.url); err != nil {
			t.Fatal(err)
		}
	}
	// The join delay is two thirds of the three-second lease.
	deadline := time.Now().Add(10 * time.Second)
	for !a.b.Cache.Serving() || !b.b.Cache.Serving() {
		if time.Now().After(deadline) {
			t.Fatal("the servers never began to serve from memory")
		}
		select {
		case <-ctx.Done():
		case <-time.After(20 * time.Millisecond):
		}
	}

	podOnA, tok := leaverWithHistory(t, a)
	podOnB := strings.Replace(podOnA, a.url, b.url, 1)
	doc := func(v string) string { return "%PDF-1.4\n% version " + v + "\n" }
	expect(t, a.do("PUT", podOnA+"documents/letter.pdf", tok, strings.NewReader(doc("1")), "Content-Type", "application/pdf"), http.StatusCreated)
	for range 2 {
		if r := b.do("GET", podOnB+"documents/letter.pdf", tok, nil); r.status != http.StatusOK || string(r.body) != doc("1") {
			t.Fatalf("b read %d %q", r.status, r.body)
		}
	}
	expect(t, a.do("PUT", podOnA+"documents/letter.pdf", tok, strings.NewReader(doc("2")), "Content-Type", "application/pdf"), http.StatusNoContent)
	if r := b.do("GET", podOnB+"documents/letter.pdf", tok, nil); r.status != http.StatusOK || string(r.body) != doc("2") {
		t.Fatalf("after a's write, b read %d %q, want version 2", r.status, r.body)
	}
	expect(t, a.do("DELETE", podOnA+"documents/letter.pdf", tok, nil), http.StatusNoContent)
	expect(t, b.do("GET", podOnB+"documents/letter.pdf", tok, nil), http.StatusNotFound)

	// A share opened on b, revoked on a, is refused on b at once.
	g, r := a.share(tok, currentAddressOnly)
	expect(t, r, http.StatusCreated)
	onB := strings.Replace(g.ShareURL, a.url, b.url, 1)
	expect(t, b.do("GET", onB+"/grant", "", nil), http.StatusOK)
	expect(t, b.do("GET", onB+"/grant", "", nil), http.StatusOK)
	expect(t, a.do("POST", a.url+"/api/v1/grants/"+g.ID+"/revoke", tok, nil), http.StatusNoContent)
	expect(t, b.do("GET", onB+"/grant", "", nil), http.StatusGone)

	// A token signed out everywhere on a is refused on b at once.
	expect(t, b.do("GET", podOnB+"identity/", tok, nil), http.StatusOK)
	expect(t, a.do("POST", a.url+"/auth/sign-out-everywhere", tok, nil), http.StatusNoContent)
	expect(t, b.do("GET", podOnB+"identity/", tok, nil), http.StatusUnauthorized)

	// Only another server, with b's member token, may make b forget: not
	// an anonymous caller, not a signed-in leaver.
	_, other := b.leaver("lee")
	for _, caller := range []string{"", other} {
		r := b.do("POST", b.url+"/internal/cache/invalidate", caller, strings.NewReader(`{"keys":["x"]}`), "Content-Type", "application/json")
		expect(t, r, http.StatusForbidden)
	}

	if hits := testutilHits(t, b); hits == 0 {
		t.Fatal("b never answered from memory: the test did not test the cache")
	}
}

// testutilHits reads s's count of reads answered from memory from its
// metrics.
func testutilHits(t *testing.T, s *testServer) int {
	t.Helper()
	rec := httptest.NewRecorder()
	s.b.Metrics.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for _, line := range strings.Split(rec.Body.String(), "\n") {
		if v, ok := strings.CutPrefix(line, `satchel_cache_hits_total{cache="objects"} `); ok {
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatal(err)
			}
			return int(n)
		}
	}
	return 0
}
