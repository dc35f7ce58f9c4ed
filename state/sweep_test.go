package state

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/satchel-project/satchel/blob"
)

// TestSweepAll: with a cutoff after everything, Sweep deletes every
// document and its index entry but those it is told to keep and the
// space's format record, and what it leaves still opens; a second sweep
// finds nothing more.
func TestSweepAll(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		db := b.open(t, "sweep")
		for _, n := range []Name{"k1", "k2", "salt", "dir/k3"} {
			if err := db.WriteJSON(ctx, n, map[string]int{"n": 1}, Cond{}); err != nil {
				t.Fatal(err)
			}
		}
		n, err := db.Sweep(ctx, time.Now().Add(time.Hour), "salt")
		if err != nil || n != 3 {
			t.Fatalf("Sweep: %d deleted, %v; want 3", n, err)
		}
		for _, gone := range []Name{"k1", "k2", "dir/k3"} {
			if _, _, err := db.ReadRaw(ctx, gone); !errors.Is(err, ErrNotFound) {
				t.Errorf("%s after the sweep: %v", gone, err)
			}
		}
		if _, _, err := db.ReadRaw(ctx, "salt"); err != nil {
			t.Errorf("the kept document: %v", err)
		}
		for _, dir := range []Name{"", "dir/"} {
			names, err := db.List(ctx, dir)
			if err != nil {
				t.Fatal(err)
			}
			if want := map[Name]int{"": 1}[dir]; len(names) != want {
				t.Errorf("List(%q) after the sweep: %v, want %d names (index entries of swept documents are gone)", dir, names, want)
			}
		}
		// The space still opens (its format record is there) and works.
		db2 := b.open(t, "sweep")
		if err := db2.WriteJSON(ctx, "k1", map[string]int{"n": 2}, CreateOnly()); err != nil {
			t.Errorf("writing again after the sweep: %v", err)
		}
		if n, err := db.Sweep(ctx, time.Now().Add(-time.Hour), "salt"); err != nil || n != 0 {
			t.Errorf("a sweep of what is newer than its cutoff: %d deleted, %v", n, err)
		}
	})
}

// TestSweepKeepsNewer: on the local store, whose modification times only
// grow, documents written after the cutoff stay.
func TestSweepKeepsNewer(t *testing.T) {
	b := fsBackend(t)
	ctx := context.Background()
	db := b.open(t, "sweep")
	if err := db.WriteJSON(ctx, "old", 1, Cond{}); err != nil {
		t.Fatal(err)
	}
	pk, err := db.spaceKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	oi, err := b.store.Stat(ctx, pk.Object("old"))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.WriteJSON(ctx, "new", 1, Cond{}); err != nil {
		t.Fatal(err)
	}
	n, err := db.Sweep(ctx, oi.ModTime.Add(time.Nanosecond))
	if err != nil || n != 1 {
		t.Fatalf("Sweep: %d deleted, %v; want 1", n, err)
	}
	if _, _, err := db.ReadRaw(ctx, "new"); err != nil {
		t.Errorf("the newer document: %v", err)
	}
}

// rewritingStore runs hook after each listing, before the sweep acts on it.
type rewritingStore struct {
	blob.Store
	hook func()
}

func (s rewritingStore) List(ctx context.Context, prefix string, fn func(blob.ObjectInfo) error) error {
	err := s.Store.List(ctx, prefix, fn)
	if err == nil && strings.Contains(prefix, "/o/") {
		s.hook()
	}
	return err
}

// TestSweepSparesAWriteMeanwhile: a document written again between the
// sweep's listing and its delete (here or on another instance) stays, with
// what was written.
func TestSweepSparesAWriteMeanwhile(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		other := b.open(t, "sweep")
		if err := other.WriteJSON(ctx, "busy", 1, Cond{}); err != nil {
			t.Fatal(err)
		}
		if err := other.WriteJSON(ctx, "idle", 1, Cond{}); err != nil {
			t.Fatal(err)
		}
		db, err := Open(ctx, rewritingStore{b.store, func() {
			if err := other.WriteJSON(ctx, "busy", 2, Cond{}); err != nil {
				t.Error(err)
			}
		}}, b.keyring(), "sweep")
		if err != nil {
			t.Fatal(err)
		}
		n, err := db.Sweep(ctx, time.Now().Add(time.Hour))
		if err != nil || n != 1 {
			t.Fatalf("Sweep: %d deleted, %v; want 1 (idle)", n, err)
		}
		var got int
		if _, err := other.ReadJSON(ctx, "busy", &got); err != nil || got != 2 {
			t.Errorf("the document written during the sweep: %d, %v; want 2", got, err)
		}
		if _, _, err := other.ReadRaw(ctx, "idle"); !errors.Is(err, ErrNotFound) {
			t.Errorf("the idle document: %v", err)
		}
	})
}
