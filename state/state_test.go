package state

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/satchel-project/satchel/blob"
)

type grant struct {
	Pod     string `json:"pod"`
	Purpose string `json:"purpose"`
}

func TestRoundTrip(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		db := b.open(t, "consent")
		const n Name = "grants/g1.json"
		if _, _, err := db.ReadRaw(ctx, n); !errors.Is(err, ErrNotFound) {
			t.Fatalf("reading a record never written: %v, want ErrNotFound", err)
		}
		want := grant{Pod: "p1", Purpose: "housing"}
		if err := db.WriteJSON(ctx, n, want, CreateOnly()); err != nil {
			t.Fatal(err)
		}
		var got grant
		etag, err := db.ReadJSON(ctx, n, &got)
		if err != nil || got != want {
			t.Fatalf("ReadJSON = %+v, %v; want %+v", got, err, want)
		}
		if v, err := db.Version(ctx, n); err != nil || v != etag {
			t.Fatalf("Version = %q, %v; ReadJSON's ETag %q", v, err, etag)
		}
		if err := db.WriteJSON(ctx, n, grant{Pod: "p2"}, CreateOnly()); !errors.Is(err, ErrPrecondition) {
			t.Fatalf("a second create-only write: %v, want ErrPrecondition", err)
		}
		// Another DB over the same store (another instance) reads it.
		other := b.open(t, "consent")
		if _, err := other.ReadJSON(ctx, n, &got); err != nil || got != want {
			t.Fatalf("another instance reads %+v, %v", got, err)
		}
		// A record of one space is not in another.
		if _, _, err := b.open(t, "accounts").ReadRaw(ctx, n); !errors.Is(err, ErrNotFound) {
			t.Fatalf("another space reads the record: %v", err)
		}
		if err := db.Delete(ctx, n); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.ReadRaw(ctx, n); !errors.Is(err, ErrNotFound) {
			t.Fatalf("a deleted record reads: %v", err)
		}
		if err := db.Delete(ctx, n); err != nil {
			t.Fatalf("deleting a missing record: %v", err)
		}
		if err := db.DeleteIf(ctx, n, Cond{}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("DeleteIf of a missing record: %v, want ErrNotFound", err)
		}
		if err := db.WriteRaw(ctx, "secret", []byte{0, 1, 2}, Cond{}); err != nil {
			t.Fatal(err)
		}
		if raw, _, err := db.ReadRaw(ctx, "secret"); err != nil || !bytes.Equal(raw, []byte{0, 1, 2}) {
			t.Fatalf("ReadRaw = %v, %v", raw, err)
		}
	})
}

func TestCompareAndSwap(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		db := b.open(t, "accounts")
		const n Name = "users/jo"
		if err := db.WriteRaw(ctx, n, []byte(`{"v":1}`), IfMatch("nothing")); !errors.Is(err, ErrPrecondition) {
			t.Fatalf("If-Match write of a missing record: %v, want ErrPrecondition", err)
		}
		if err := db.WriteRaw(ctx, n, []byte(`{"v":1}`), CreateOnly()); err != nil {
			t.Fatal(err)
		}
		_, first, err := db.ReadRaw(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.WriteRaw(ctx, n, []byte(`{"v":2}`), IfMatch(first)); err != nil {
			t.Fatalf("If-Match write of the version read: %v", err)
		}
		if err := db.WriteRaw(ctx, n, []byte(`{"v":3}`), IfMatch(first)); !errors.Is(err, ErrPrecondition) {
			t.Fatalf("If-Match write of a version since replaced: %v, want ErrPrecondition", err)
		}
		if err := db.DeleteIf(ctx, n, IfMatch(first)); !errors.Is(err, ErrPrecondition) {
			t.Fatalf("If-Match delete of a version since replaced: %v, want ErrPrecondition", err)
		}
		raw, second, err := db.ReadRaw(ctx, n)
		if err != nil || string(raw) != `{"v":2}` {
			t.Fatalf("after a lost race the record is %s, %v", raw, err)
		}
		// Update stops without writing on ErrNoChange.
		if err := db.Update(ctx, n, func([]byte) ([]byte, error) { return nil, ErrNoChange }); err != nil {
			t.Fatal(err)
		}
		if v, _ := db.Version(ctx, n); v != second {
			t.Fatal("Update wrote although told ErrNoChange")
		}
		if err := db.Update(ctx, "users/nobody", func(b []byte) ([]byte, error) { return b, nil }); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Update of a missing record: %v, want ErrNotFound", err)
		}
		if err := db.DeleteIf(ctx, n, IfMatch(second)); err != nil {
			t.Fatalf("If-Match delete of the version read: %v", err)
		}
	})
}

// TestConcurrentUpdates: many writers on one record, in one DB and in two
// DBs over one store (two instances), lose no update.
func TestConcurrentUpdates(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		dbs := []*DB{b.open(t, "consent"), b.open(t, "consent")}
		const n Name = "state/g1.json"
		type counter struct{ Views int }
		if err := dbs[0].WriteJSON(ctx, n, counter{}, CreateOnly()); err != nil {
			t.Fatal(err)
		}
		const writers, each = 16, 5
		var wg sync.WaitGroup
		errs := make(chan error, writers*each)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				db := dbs[w%len(dbs)]
				for range each {
					var c counter
					errs <- db.UpdateJSON(ctx, n, &c, func() error { c.Views++; return nil })
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		var c counter
		if _, err := dbs[1].ReadJSON(ctx, n, &c); err != nil || c.Views != writers*each {
			t.Fatalf("after %d updates the count is %d (%v): updates were lost", writers*each, c.Views, err)
		}
	})
}

func TestList(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		db := b.open(t, "consent")
		for _, n := range []Name{"a/b/x", "a/b/y", "a/bc/z", "a/b/c/d", "a/top", "top"} {
			if err := db.WriteRaw(ctx, n, []byte("{}"), CreateOnly()); err != nil {
				t.Fatal(err)
			}
		}
		// Overwriting and updating do not list a record twice.
		if err := db.WriteRaw(ctx, "a/b/x", []byte(`{"x":1}`), Cond{}); err != nil {
			t.Fatal(err)
		}
		list := func(dir Name) string {
			t.Helper()
			names, err := db.List(ctx, dir)
			if err != nil {
				t.Fatal(err)
			}
			return fmt.Sprint(names)
		}
		for dir, want := range map[Name]string{
			"a/b/":   "[a/b/x a/b/y]",
			"a/bc/":  "[a/bc/z]",
			"a/":     "[a/top]",
			"a/b/c/": "[a/b/c/d]",
			"":       "[top]",
			"none/":  "[]",
		} {
			if got := list(dir); got != want {
				t.Errorf("List(%q) = %s, want %s", dir, got, want)
			}
		}
		if _, err := db.List(ctx, "a/b"); err == nil {
			t.Error("List of a name that is not a directory succeeded")
		}
		// Another instance lists the same.
		if got, _ := b.open(t, "consent").List(ctx, "a/b/"); fmt.Sprint(got) != "[a/b/x a/b/y]" {
			t.Errorf("another instance lists %v", got)
		}
		if err := db.Delete(ctx, "a/b/x"); err != nil {
			t.Fatal(err)
		}
		if got := list("a/b/"); got != "[a/b/y]" {
			t.Errorf("after a delete, List = %s", got)
		}
		// A write that stopped after its index entry (a crash) leaves an
		// entry that List skips.
		pk, err := db.spaceKeys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.enter(ctx, pk, "a/b/half"); err != nil {
			t.Fatal(err)
		}
		if got := list("a/b/"); got != "[a/b/y]" {
			t.Errorf("with a half-made record, List = %s", got)
		}
		// ...and making it later lists it.
		if err := db.WriteRaw(ctx, "a/b/half", []byte("{}"), CreateOnly()); err != nil {
			t.Fatal(err)
		}
		if got := list("a/b/"); got != "[a/b/half a/b/y]" {
			t.Errorf("after the half-made record is made, List = %s", got)
		}
	})
}

// TestMovedObject: an object copied under another record's name is
// refused, not read as that record.
func TestMovedObject(t *testing.T) {
	b := fsBackend(t)
	ctx := context.Background()
	db := b.open(t, "web")
	if err := db.WriteJSON(ctx, "sessions/a", map[string]string{"account": "mallory"}, CreateOnly()); err != nil {
		t.Fatal(err)
	}
	if err := db.WriteJSON(ctx, "sessions/b", map[string]string{"account": "jo"}, CreateOnly()); err != nil {
		t.Fatal(err)
	}
	pk, _ := db.spaceKeys(ctx)
	from := filepath.Join(b.dir, filepath.FromSlash(pk.Object("sessions/a")))
	to := filepath.Join(b.dir, filepath.FromSlash(pk.Object("sessions/b")))
	if err := os.Rename(from, to); err != nil {
		t.Fatal(err)
	}
	var v map[string]string
	if _, err := db.ReadJSON(ctx, "sessions/b", &v); !errors.Is(err, ErrDamaged) {
		t.Fatalf("a moved object reads as %v, %v; want ErrDamaged", v, err)
	}
}

// TestNothingPlain: no name, directory or content of a record appears in
// the bytes on disk.
func TestNothingPlain(t *testing.T) {
	b := fsBackend(t)
	ctx := context.Background()
	db := b.open(t, "accounts")
	secrets := []string{"users/jo-bloggs", "jo-bloggs", "Jo Bloggs", "users/", "resets", "07700900123"}
	if err := db.WriteJSON(ctx, "users/jo-bloggs", map[string]string{"name": "Jo Bloggs", "phone": "07700900123"}, CreateOnly()); err != nil {
		t.Fatal(err)
	}
	if err := db.WriteJSON(ctx, "resets/jo-bloggs", map[string]string{"by": "Jo Bloggs"}, CreateOnly()); err != nil {
		t.Fatal(err)
	}
	if names, err := db.List(ctx, "users/"); err != nil || len(names) != 1 {
		t.Fatalf("List = %v, %v", names, err)
	}
	files := 0
	err := filepath.WalkDir(filepath.Dir(b.dir), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, s := range secrets {
			if bytes.Contains(data, []byte(s)) || bytes.Contains([]byte(p), []byte(s)) {
				t.Errorf("%s holds %q", p, s)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 5 { // the key, two records, two index entries, the format
		t.Fatalf("only %d files on disk", files)
	}
}

// TestIndexOwnDirOnly: a directory's index is its own storage prefix,
// whatever names its records have.
func TestIndexOwnDirOnly(t *testing.T) {
	b := fsBackend(t)
	ctx := context.Background()
	db := b.open(t, "consent")
	for i := range 20 {
		dir := Name("pods/p" + strconv.Itoa(i%4) + "/")
		if err := db.WriteRaw(ctx, dir.Child("g"+strconv.Itoa(i)), []byte("{}"), CreateOnly()); err != nil {
			t.Fatal(err)
		}
	}
	pk, _ := db.spaceKeys(ctx)
	seen := 0
	if err := b.store.List(ctx, indexPrefix(pk, "pods/p1/"), func(blob.ObjectInfo) error { seen++; return nil }); err != nil {
		t.Fatal(err)
	}
	if seen != 5 {
		t.Fatalf("pods/p1/'s index prefix holds %d objects, want its 5 records", seen)
	}
	var raw json.RawMessage
	if _, err := db.ReadJSON(ctx, "pods/p1/g1", &raw); err != nil {
		t.Fatal(err)
	}
}
