package server_test

import (
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/satchel-project/satchel/server"
)

// Two instances of the server over one store, as behind a load balancer:
// the limits (sign-in throttle, link rate limit, upload slots) hold for
// both together as they do for one.

// twoInstances starts two servers over one store, each with its own
// caches, as two processes would have. Over MinIO when scripts/minio
// started one (each instance with a connection of its own); otherwise
// over one data directory, sharing its store object, since an fsstore's
// compare-and-swap holds within one Store.
func twoInstances(t *testing.T, tweak ...func(*server.Config)) (a, b *testServer) {
	t.Helper()
	spec := os.Getenv("SATCHEL_TEST_S3")
	if spec != "" {
		spec = prefixed(spec)
		tweak = append(tweak, func(c *server.Config) { c.Storage = spec })
	}
	a = newTestServer(t, tweak...)
	b = newTestServer(t, append(tweak, func(c *server.Config) {
		c.DataDir, c.BaseURL = a.data, a.b.Config.BaseURL // one master key, one public address
		if spec == "" {
			c.Store = a.b.Store
		}
	})...)
	return a, b
}

// TestInstancesThrottleWrongPasswordsAsOne: wrong passwords sent to two
// instances in turn are refused after as many as on one instance.
func TestInstancesThrottleWrongPasswordsAsOne(t *testing.T) {
	guess := func(servers ...*testServer) []int {
		c := clientFrom(t, "127.0.0.1")
		var got []int
		for i := range 9 {
			r, err := loginWith(c, servers[i%len(servers)], "jo", "wrong-password-1")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, r.status)
		}
		return got
	}
	one := newTestServer(t)
	one.leaver("jo")
	alone := guess(one)
	a, b := twoInstances(t)
	a.leaver("jo")
	both := guess(a, b)
	t.Logf("one instance answered %v; two in turn %v", alone, both)
	if !slices.Equal(both, alone) || alone[5] != http.StatusUnauthorized || alone[6] != http.StatusTooManyRequests {
		t.Fatalf("nine wrong passwords: one instance answered %v, two in turn %v; want the same, refused from the seventh", alone, both)
	}
	// jo, elsewhere, still signs in, on either.
	r, err := loginWith(clientFrom(t, "127.0.0.5"), b, "jo", webPassword)
	if err != nil {
		t.Fatal(err)
	}
	expect(t, r, http.StatusOK)
}

// TestInstancesHoldParallelGuessesBeforeTheCheck: guesses sent all at
// once, half to each instance, reach the password check no more often
// than on one instance (5 free and one more).
func TestInstancesHoldParallelGuessesBeforeTheCheck(t *testing.T) {
	a, b := twoInstances(t)
	a.leaver("jo")
	c := clientFrom(t, "127.0.0.1")
	counts := inParallel(t, 100, func(i int) (response, error) {
		s := a
		if i%2 == 1 {
			s = b
		}
		return loginWith(c, s, "jo", "wrong-password-"+string(rune('a'+i%26)))
	})
	checked := 100 - counts[http.StatusTooManyRequests]
	admitted := a.b.Throttle.Admitted() + b.b.Throttle.Admitted()
	t.Logf("%d of 100 parallel guesses over two instances reached the password check (answers %v; admitted %d and %d)", checked, counts, a.b.Throttle.Admitted(), b.b.Throttle.Admitted())
	if checked > 7 || checked == 0 || counts[http.StatusUnauthorized] != checked || admitted != int64(checked) {
		t.Fatalf("%d of 100 parallel guesses over two instances reached the password check (answers %v), want 1 to 7", checked, counts)
	}
}

// TestInstancesShareLinkLimits: a link's rate limit counts requests to
// both instances, and a one-view link opened through one is used up on
// the other.
func TestInstancesShareLinkLimits(t *testing.T) {
	a, b := twoInstances(t, func(c *server.Config) { c.LinkRateLimit = 3 })
	_, tok := leaverWithHistory(t, a)
	g, r := a.share(tok, `{"recipient":{"name":"A","kind":"landlord"},"purpose":"tenancy-application","items":[{"path":"housing/"}]}`)
	expect(t, r, http.StatusCreated)
	onB := strings.Replace(g.ShareURL, a.url, b.url, 1)
	for _, u := range []string{g.ShareURL, onB, g.ShareURL} {
		expect(t, a.do("GET", u+"/grant", "", nil), http.StatusOK)
	}
	r = b.do("GET", onB+"/grant", "", nil)
	expect(t, r, http.StatusTooManyRequests)
	if r.header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}

	a, b = twoInstances(t)
	g, _ = oneViewShare(t, a)
	expect(t, a.do("GET", g.ShareURL, "", nil), http.StatusOK)
	expect(t, b.do("GET", strings.Replace(g.ShareURL, a.url, b.url, 1), "", nil), http.StatusGone)
}

// TestInstancesShareUploadSlots: with two slow uploads under way for one
// account on one instance, a third on the other is refused; once they
// finish, it goes through.
func TestInstancesShareUploadSlots(t *testing.T) {
	a, b := twoInstances(t)
	a.leaver("ann")
	onA := a.signedIn(t, "ann", webPassword, "/my")
	onA.form("/my/documents/add")
	onB := *onA // the same browser (cookies are by host, not port), through b
	onB.s = b
	onB.form("/my/documents/add")
	release := make(chan struct{})
	var releaseOnce sync.Once
	free := func() { releaseOnce.Do(func() { close(release) }) }
	defer free()
	bound := time.After(time.Minute)
	var slow []<-chan uploadResult
	for i := range 2 {
		body, done := onA.startSlowUpload("Slow photo "+string(rune('1'+i)), release)
		select {
		case <-body.started:
			slow = append(slow, done)
		case r := <-done:
			t.Fatalf("slow upload %d on the first instance: %d %v", i+1, r.status, r.err)
		case <-bound:
			t.Fatalf("slow upload %d neither read nor answered", i+1)
		}
	}
	body, done := onB.startSlowUpload("Third photo", release)
	select {
	case r := <-done:
		if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "You are already sending two files") {
			t.Fatalf("a third upload on the other instance: %d %v, want 429 saying to wait; page: %.300s", r.status, r.err, r.body)
		}
	case <-body.started:
		t.Fatal("a third upload for one account was taken by the other instance while two were under way")
	case <-bound:
		t.Fatal("the third upload was not answered")
	}
	free()
	for i, done := range slow {
		if r := <-done; r.status != http.StatusSeeOther {
			t.Fatalf("slow upload %d: %d %v", i+1, r.status, r.err)
		}
	}
	_, done = onB.startSlowUpload("Third photo", release)
	if r := <-done; r.status != http.StatusSeeOther {
		t.Fatalf("the third upload once the others finished: %d %v %.300s", r.status, r.err, r.body)
	}
	onB.get("/my").want(http.StatusOK).shows("Slow photo 1", "Slow photo 2", "Third photo")
}
