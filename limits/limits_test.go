package limits

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/satchel-project/satchel/blob"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/pod/fsstore"
	"github.com/satchel-project/satchel/vault/local"
)

var ctx = context.Background()

// twoInstances returns the limits of two servers over one store: each with
// its own pod service, keyring and Store, as two processes would have.
func twoInstances(t *testing.T) (a, b *Store, pods *pod.Service) {
	t.Helper()
	dir := t.TempDir()
	// One storage object (an fsstore's compare-and-swap holds within one
	// Store) and one custodian; a pod service and keyring each.
	st, err := fsstore.Open(filepath.Join(dir, "objects"))
	if err != nil {
		t.Fatal(err)
	}
	cust, _, err := local.Open(filepath.Join(dir, "keys"))
	if err != nil {
		t.Fatal(err)
	}
	pods = pod.NewService(st, pod.NewKeyring(st, cust, time.Minute))
	if a, err = Open(ctx, pods); err != nil {
		t.Fatal(err)
	}
	if b, err = Open(ctx, pod.NewService(st, pod.NewKeyring(st, cust, time.Minute))); err != nil {
		t.Fatal(err)
	}
	return a, b, pods
}

type count struct {
	N int `json:"n,omitempty"`
}

func TestStoreCountsTogetherAndLosesNothing(t *testing.T) {
	a, b, _ := twoInstances(t)
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			s := a
			if i%2 == 1 {
				s = b
			}
			if err := Change(ctx, s, "u:jo", func(c *count) error { c.N++; return nil }); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for _, s := range []*Store{a, b} {
		if c, err := Read[count](ctx, s, "u:jo"); err != nil || c.N != 40 {
			t.Fatalf("count %d (%v), want 40 increments from two instances", c.N, err)
		}
	}
	if c, err := Read[count](ctx, a, "u:sam"); err != nil || c.N != 0 {
		t.Fatalf("a key never counted reads %d (%v)", c.N, err)
	}
}

func TestStoreNamesShowNoKey(t *testing.T) {
	a, _, pods := twoInstances(t)
	key := "u:jo.bloggs@example.org\x00ip:203.0.113.9"
	if err := Change(ctx, a, key, func(c *count) error { c.N = 1; return nil }); err != nil {
		t.Fatal(err)
	}
	var names []string
	docs, err := a.db.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range docs {
		names = append(names, string(n))
	}
	if len(names) != 2 {
		t.Fatalf("documents %q, want the salt and one count", names)
	}
	err = pods.Store().List(ctx, "", func(oi blob.ObjectInfo) error {
		names = append(names, oi.Key)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		for _, part := range []string{"jo", "bloggs", "203.0", "example", "u:", "ip:"} {
			if strings.Contains(n, part) {
				t.Errorf("the name %s shows %q", n, part)
			}
		}
	}
}

func TestMemoryForgetsEmptyDocuments(t *testing.T) {
	m := NewMemory()
	Change(ctx, m, "k", func(c *count) error { c.N = 2; return nil })
	if len(m.docs) != 1 {
		t.Fatalf("%d documents", len(m.docs))
	}
	Change(ctx, m, "k", func(c *count) error { c.N = 0; return nil })
	if len(m.docs) != 0 {
		t.Fatalf("an empty document is kept: %d", len(m.docs))
	}
}

func TestRateHoldsAcrossInstances(t *testing.T) {
	for _, per := range []int{5, 320} {
		a, b, _ := twoInstances(t)
		now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
		ra, rb := NewRate(a, per), NewRate(b, per)
		ra.now = func() time.Time { return now }
		rb.now = ra.now
		allowed := 0
		for i := range 2 * per {
			r := ra
			if i%2 == 1 {
				r = rb
			}
			ok, wait, err := r.Allow(ctx, "ip:1.2.3.4", "t:abc")
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				allowed++
			} else if wait != time.Minute {
				t.Fatalf("wait %v, want the rest of the minute", wait)
			}
		}
		// Each may hold up to a thirty-second it did not use.
		if chunk := max(1, per/32); allowed > per || allowed < per-2*chunk {
			t.Fatalf("%d of %d requests allowed by two instances with %d a minute", allowed, 2*per, per)
		}
		now = now.Add(time.Minute)
		if ok, _, _ := rb.Allow(ctx, "ip:1.2.3.4"); !ok {
			t.Fatal("refused in the next minute")
		}
	}
}

func TestSlotsHoldAcrossInstancesAndLapse(t *testing.T) {
	a, b, _ := twoInstances(t)
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	sa, sb := NewSlots(a, 2), NewSlots(b, 2)
	sa.now, sb.now = clock, clock
	sa.Lease, sb.Lease = time.Hour, time.Hour // no renewal within the test
	var releases []func()
	for i := range 2 {
		rel, ok, err := sa.Take(ctx, "acct")
		if err != nil || !ok {
			t.Fatalf("slot %d on the first instance: %v %v", i+1, ok, err)
		}
		releases = append(releases, rel)
	}
	if _, ok, err := sb.Take(ctx, "acct"); err != nil || ok {
		t.Fatalf("a third slot on the second instance: %v %v", ok, err)
	}
	if rel, ok, _ := sb.Take(ctx, "other"); !ok {
		t.Fatal("another account is refused")
	} else {
		rel()
	}
	releases[0]()
	releases[0]() // a second release does nothing
	rel, ok, err := sb.Take(ctx, "acct")
	if err != nil || !ok {
		t.Fatalf("after one is released: %v %v", ok, err)
	}
	rel()
	// An instance that stops never releases its slots: they lapse.
	if _, ok, _ := sb.Take(ctx, "acct"); !ok {
		t.Fatal("no slot")
	}
	if _, ok, _ := sb.Take(ctx, "acct"); ok {
		t.Fatal("a third slot")
	}
	mu.Lock()
	now = now.Add(time.Hour)
	mu.Unlock()
	if rel, ok, _ := sa.Take(ctx, "acct"); !ok {
		t.Fatal("slots held by a stopped instance did not lapse")
	} else {
		rel()
	}
	releases[1]()
}

// TestStoreSweepForgetsOldCounts: a day after their last change, counts are
// deleted from storage by either instance's sweep; the salt stays, so a
// count made after the sweep is named as before and both instances still
// count together.
func TestStoreSweepForgetsOldCounts(t *testing.T) {
	a, b, _ := twoInstances(t)
	for _, key := range []string{"u:jo", "u:sam", "u:guess-1"} {
		if err := Change(ctx, a, key, func(c *count) error { c.N = 3; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := b.Sweep(ctx, time.Now()); err != nil || n != 0 {
		t.Fatalf("a sweep now: %d deleted, %v; want none (nothing is a day old)", n, err)
	}
	if n, err := b.Sweep(ctx, time.Now().Add(Forgotten+time.Minute)); err != nil || n != 3 {
		t.Fatalf("a sweep a day later: %d deleted, %v; want 3", n, err)
	}
	docs, err := a.db.List(ctx, "")
	if err != nil || len(docs) != 1 || docs[0] != saltName {
		t.Fatalf("after the sweep: %v (%v), want the salt alone", docs, err)
	}
	if c, err := Read[count](ctx, a, "u:jo"); err != nil || c.N != 0 {
		t.Fatalf("a swept count reads %d (%v), want 0", c.N, err)
	}
	if err := Change(ctx, b, "u:jo", func(c *count) error { c.N++; return nil }); err != nil {
		t.Fatal(err)
	}
	if c, err := Read[count](ctx, a, "u:jo"); err != nil || c.N != 1 {
		t.Fatalf("a count made after the sweep reads %d on the other instance (%v), want 1", c.N, err)
	}
}
