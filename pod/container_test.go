package pod_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/satchel-project/satchel/blob"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/pod/fsstore"
	"github.com/satchel-project/satchel/pod/s3store"
	"github.com/satchel-project/satchel/sealed"
	"github.com/satchel-project/satchel/vault/local"
)

// counting is a store that counts the writes under each kind of object:
// "o" (resources and containers' own objects) and "c" (container indexes),
// and can run a step of another writer around a delete or a listing.
type counting struct {
	blob.Store
	puts sync.Map // kind → *atomic.Int64

	mu       sync.Mutex
	triggers map[string]*trigger
}

type trigger struct {
	n  int
	fn func()
}

// on runs fn once, when op ("delete" before deleting, "delete-done" after,
// "get" or "list" after getting or listing) is done on key for the nth
// time from now.
func (c *counting) on(op, key string, n int, fn func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.triggers == nil {
		c.triggers = map[string]*trigger{}
	}
	c.triggers[op+" "+key] = &trigger{n, fn}
}

func (c *counting) fire(op, key string) {
	c.mu.Lock()
	t := c.triggers[op+" "+key]
	var fn func()
	if t != nil {
		if t.n--; t.n == 0 {
			fn = t.fn
			delete(c.triggers, op+" "+key)
		}
	}
	c.mu.Unlock()
	if fn != nil {
		fn()
	}
}

func (c *counting) Delete(ctx context.Context, key string, cond blob.Cond) error {
	c.fire("delete", key)
	err := c.Store.Delete(ctx, key, cond)
	c.fire("delete-done", key)
	return err
}

func (c *counting) Get(ctx context.Context, key string) (io.ReadCloser, blob.ObjectInfo, error) {
	rc, oi, err := c.Store.Get(ctx, key)
	c.fire("get", key)
	return rc, oi, err
}

func (c *counting) List(ctx context.Context, prefix string, fn func(blob.ObjectInfo) error) error {
	err := c.Store.List(ctx, prefix, fn)
	c.fire("list", prefix)
	return err
}

func (c *counting) Put(ctx context.Context, key string, r io.Reader, size int64, cond blob.Cond) (blob.ObjectInfo, error) {
	oi, err := c.Store.Put(ctx, key, r, size, cond)
	if err == nil {
		n, _ := c.puts.LoadOrStore(kind(key), new(atomic.Int64))
		n.(*atomic.Int64).Add(1)
	}
	return oi, err
}

func (c *counting) writes(k string) int64 {
	n, ok := c.puts.Load(k)
	if !ok {
		return 0
	}
	return n.(*atomic.Int64).Load()
}

func (c *counting) reset() { c.puts.Clear() }

// kind is "o" or "c" for a key pods/SPACE/KIND/...
func kind(key string) string {
	parts := strings.Split(key, "/")
	if len(parts) < 3 {
		return ""
	}
	return parts[2]
}

type fixture struct {
	s     *pod.Service
	store *counting
	keys  *pod.Keyring
	id    pod.PodID
	pk    *sealed.Keys
}

// storeKinds are the back ends the container tests and benchmarks run on:
// "fs" always, and "minio" when SATCHEL_TEST_S3 names a server (as
// scripts/minio does).
func storeKinds() []string {
	if os.Getenv("SATCHEL_TEST_S3") != "" {
		return []string{"fs", "minio"}
	}
	return []string{"fs"}
}

// openStore opens a store of the given kind: a directory under dir, or a
// fresh key prefix in the MinIO bucket.
func openStore(tb testing.TB, kind, dir string) blob.Store {
	tb.Helper()
	if kind == "fs" {
		st, err := fsstore.Open(filepath.Join(dir, "objects"))
		if err != nil {
			tb.Fatal(err)
		}
		return st
	}
	cfg, err := s3store.ParseURL(os.Getenv("SATCHEL_TEST_S3"), os.Getenv)
	if err != nil {
		tb.Fatal(err)
	}
	cfg.CreateBucket = true
	cfg.Prefix = fmt.Sprintf("pod-test-%d/", time.Now().UnixNano())
	st, err := s3store.Open(context.Background(), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

// eachStore runs test with a fresh pod on each of storeKinds.
func eachStore(t *testing.T, test func(t *testing.T, f *fixture)) {
	for _, kind := range storeKinds() {
		t.Run(kind, func(t *testing.T) { test(t, newFixture(t, kind)) })
	}
}

func newFixture(t *testing.T, kind string) *fixture {
	t.Helper()
	dir := t.TempDir()
	st := openStore(t, kind, dir)
	cust, _, err := local.Open(filepath.Join(dir, "keys"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: &counting{Store: st}}
	f.keys = pod.NewKeyring(f.store, cust, time.Minute)
	f.s = pod.NewService(f.store, f.keys)
	ctx := context.Background()
	if f.id, err = f.s.CreatePod(ctx); err != nil {
		t.Fatal(err)
	}
	if f.pk, err = f.keys.Keys(ctx, string(f.id)); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) put(t *testing.T, p pod.Path, contentType, body string) pod.Resource {
	t.Helper()
	res, _, err := f.s.Put(context.Background(), f.id, p, contentType, int64(len(body)), strings.NewReader(body), pod.Preconditions{})
	if err != nil {
		t.Fatalf("Put %s: %v", p, err)
	}
	return res
}

// list returns container c's ETag and its members as "name type" strings,
// sorted.
func (f *fixture) list(t *testing.T, c pod.Path) (string, []string) {
	t.Helper()
	res, members, err := f.s.List(context.Background(), f.id, c)
	if err != nil {
		t.Fatalf("List %s: %v", c, err)
	}
	var out []string
	for _, m := range members {
		out = append(out, strings.TrimSpace(m.Name+" "+m.ContentType))
	}
	sort.Strings(out)
	return res.ETag, out
}

func TestAddingWritesOneShardAndReplacingWritesNoListing(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		for i := range 20 {
			f.put(t, pod.Path(fmt.Sprintf("documents/%02d.txt", i)), "text/plain", "x")
		}
		etag, before := f.list(t, "documents/")
		f.store.reset()
		f.put(t, "documents/new.txt", "text/plain", "new")
		if o, c := f.store.writes("o"), f.store.writes("c"); o != 1 || c != 1 {
			t.Fatalf("adding a member wrote %d objects and %d shards, want 1 and 1", o, c)
		}
		etag2, after := f.list(t, "documents/")
		if etag2 == etag || len(after) != len(before)+1 {
			t.Fatalf("after adding: ETag %q (was %q), %d members (was %d)", etag2, etag, len(after), len(before))
		}

		f.store.reset()
		f.put(t, "documents/new.txt", "text/plain", "replaced, longer")
		if o, c := f.store.writes("o"), f.store.writes("c"); o != 1 || c != 0 {
			t.Fatalf("replacing a resource wrote %d objects and %d shards, want 1 and 0", o, c)
		}
		if etag3, _ := f.list(t, "documents/"); etag3 != etag2 {
			t.Fatalf("replacing a resource changed its container's ETag")
		}

		// A replacement of another type changes that one entry.
		f.store.reset()
		f.put(t, "documents/new.txt", "application/pdf", "%PDF-1.4")
		if c := f.store.writes("c"); c != 1 {
			t.Fatalf("changing a resource's type wrote %d shards, want 1", c)
		}
		etag4, got := f.list(t, "documents/")
		if etag4 == etag2 || !contains(got, "new.txt application/pdf") {
			t.Fatalf("after a change of type: ETag same %t, members %v", etag4 == etag2, got)
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestContainerETagFollowsMembership(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		e0, _ := f.list(t, "documents/")
		f.put(t, "documents/a/b.txt", "text/plain", "b")
		e1, got := f.list(t, "documents/")
		if e1 == e0 || fmt.Sprint(got) != "[a/]" {
			t.Fatalf("after a PUT below: ETag changed %t, members %v", e1 != e0, got)
		}
		if err := f.s.Delete(ctx, f.id, "documents/a/", pod.Preconditions{}); !errors.Is(err, pod.ErrNotEmpty) {
			t.Fatalf("deleting a folder with a member: %v, want ErrNotEmpty", err)
		}
		if err := f.s.Delete(ctx, f.id, "documents/a/b.txt", pod.Preconditions{}); err != nil {
			t.Fatal(err)
		}
		ea, _ := f.list(t, "documents/a/")
		f.put(t, "documents/a/c.txt", "text/plain", "c")
		if err := f.s.Delete(ctx, f.id, "documents/a/c.txt", pod.Preconditions{}); err != nil {
			t.Fatal(err)
		}
		// Empty again, but not the same listing as before: a delete that
		// names the old ETag must fail.
		eb, got := f.list(t, "documents/a/")
		if eb == ea || len(got) != 0 {
			t.Fatalf("add and remove left the ETag unchanged (%t) or members %v", eb == ea, got)
		}
		if err := f.s.Delete(ctx, f.id, "documents/a/", pod.Preconditions{IfMatch: []string{ea}}); !errors.Is(err, pod.ErrPrecondition) {
			t.Fatalf("delete with a stale ETag: %v, want ErrPrecondition", err)
		}
		if err := f.s.Delete(ctx, f.id, "documents/a/", pod.Preconditions{IfMatch: []string{eb}}); err != nil {
			t.Fatalf("delete with the current ETag: %v", err)
		}
		if _, got := f.list(t, "documents/"); len(got) != 0 {
			t.Fatalf("documents/ after deleting a/: %v", got)
		}
		if st, err := f.s.Stat(ctx, f.id, "documents/"); err != nil || st.ETag != func() string { e, _ := f.list(t, "documents/"); return e }() {
			t.Fatalf("Stat of a container gives another ETag than its listing: %v", err)
		}
	})
}

// legacy writes what a release before the container index wrote: a
// container's own object with every member inline, or a resource.
func (f *fixture) legacy(t *testing.T, p pod.Path, contentType string, body []byte) {
	t.Helper()
	now := time.Now().UTC()
	header, _ := json.Marshal(pod.Meta{Path: p, ContentType: contentType, Size: int64(len(body)), Modified: now})
	if _, err := sealed.WriteBytes(context.Background(), f.store, f.pk, f.pk.Object(string(p)), header, body, blob.Cond{}); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) legacyContainer(t *testing.T, c pod.Path, members ...string) {
	t.Helper()
	m := map[string]any{}
	for _, name := range members {
		typ := "text/plain"
		if strings.HasSuffix(name, "/") {
			typ = ""
		}
		m[name] = map[string]any{"type": typ, "size": 3, "modified": time.Now().UTC()}
	}
	body, _ := json.Marshal(map[string]any{"members": m})
	f.legacy(t, c, pod.ContainerType, body)
}

func TestContainersWrittenBeforeTheIndex(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		// documents/ as an older release left it: two members inline.
		f.legacyContainer(t, "documents/", "old.txt", "olddir/")
		f.legacy(t, "documents/old.txt", "text/plain", []byte("old"))
		f.legacyContainer(t, "documents/olddir/", "x.txt")
		f.legacy(t, "documents/olddir/x.txt", "text/plain", []byte("xxx"))
		own := func() string {
			oi, err := f.store.Stat(ctx, f.pk.Object("documents/"))
			if err != nil {
				t.Fatal(err)
			}
			return oi.ETag
		}
		before := own()

		if _, got := f.list(t, "documents/"); fmt.Sprint(got) != "[old.txt text/plain olddir/]" {
			t.Fatalf("old listing reads as %v", got)
		}
		f.put(t, "documents/new.txt", "text/plain", "new")
		if _, got := f.list(t, "documents/"); fmt.Sprint(got) != "[new.txt text/plain old.txt text/plain olddir/]" {
			t.Fatalf("after adding: %v", got)
		}
		// Names inline still count: no folder "old.txt/", no file "olddir".
		if _, err := f.s.CreateContainer(ctx, f.id, "documents/old.txt/"); !errors.Is(err, pod.ErrConflict) {
			t.Fatalf("folder beside an inline file: %v, want ErrConflict", err)
		}
		if _, _, err := f.s.Put(ctx, f.id, "documents/olddir", "text/plain", 1, strings.NewReader("x"), pod.Preconditions{}); !errors.Is(err, pod.ErrConflict) {
			t.Fatalf("file beside an inline folder: %v, want ErrConflict", err)
		}
		// Replacing an inline member of the same type writes no listing.
		f.put(t, "documents/old.txt", "text/plain", "still old")
		if own() != before {
			t.Fatal("adding a member or replacing an inline one rewrote the container's own object")
		}
		f.store.reset()
		f.put(t, "documents/old.txt", "text/markdown", "# now markdown")
		if _, got := f.list(t, "documents/"); fmt.Sprint(got) != "[new.txt text/plain old.txt text/markdown olddir/]" {
			t.Fatalf("after changing an inline member's type: %v", got)
		}
		// An old folder with a member inline is not empty.
		if err := f.s.Delete(ctx, f.id, "documents/olddir/", pod.Preconditions{}); !errors.Is(err, pod.ErrNotEmpty) {
			t.Fatalf("deleting an old folder with an inline member: %v, want ErrNotEmpty", err)
		}
		if err := f.s.Delete(ctx, f.id, "documents/olddir/x.txt", pod.Preconditions{}); err != nil {
			t.Fatal(err)
		}
		if err := f.s.Delete(ctx, f.id, "documents/olddir/", pod.Preconditions{}); err != nil {
			t.Fatalf("deleting the emptied old folder: %v", err)
		}
		if err := f.s.Delete(ctx, f.id, "documents/old.txt", pod.Preconditions{}); err != nil {
			t.Fatal(err)
		}
		if _, got := f.list(t, "documents/"); fmt.Sprint(got) != "[new.txt text/plain]" {
			t.Fatalf("after removing the inline members: %v", got)
		}
		// They are gone from the container's own object, not only hidden.
		_, body, _, err := sealed.ReadBytes(ctx, f.store, f.pk, f.pk.Object("documents/"), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		if string(body) != `{"members":{}}` {
			t.Fatalf("the container's own object still holds %s", body)
		}
	})
}

func TestMovedShardReadsAsDamaged(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		f.put(t, "documents/a.txt", "text/plain", "a")
		from := f.pk.Prefix() + "c/" + f.pk.Hash("documents/") + "/"
		to := f.pk.Prefix() + "c/" + f.pk.Hash("finance/") + "/"
		var keys []string
		f.store.List(ctx, from, func(oi blob.ObjectInfo) error { keys = append(keys, oi.Key); return nil })
		if len(keys) != 1 {
			t.Fatalf("one member made %d shards", len(keys))
		}
		rc, _, err := f.store.Get(ctx, keys[0])
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if _, err := f.store.Put(ctx, to+strings.TrimPrefix(keys[0], from), bytes.NewReader(b), int64(len(b)), blob.Cond{}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.s.List(ctx, f.id, "finance/"); !errors.Is(err, sealed.ErrDamaged) {
			t.Fatalf("listing a folder with another's shard: %v, want ErrDamaged", err)
		}
	})
}

// TestDeleteRacingAddEachWay puts a file into a folder at each point of
// the folder's DELETE where a writer on another instance could (before the
// folder's object goes, just after, after the DELETE has read the index
// again), and runs the whole DELETE between the PUT's look at the folder
// and its write. Each time the file stays listed, in a folder that exists
// and is listed in its own folder.
func TestDeleteRacingAddEachWay(t *testing.T) {
	// A DELETE lists the folder's index once to check it is empty, deletes
	// the folder's object, then lists the index again; the PUT lists
	// nothing. The PUT reads the folder's object twice: to check for a
	// folder of the same name, and as it links the file, just before
	// writing the index.
	for _, c := range []struct {
		name      string
		op        string
		n         int
		putInside bool // the DELETE runs first, the PUT in its hook
		wantErr   error
	}{
		{"before the object goes", "delete", 1, true, pod.ErrNotEmpty},
		{"after the object goes", "delete-done", 1, true, pod.ErrNotEmpty},
		{"after the index is read again", "list", 2, true, nil},
		{"between the adder's look and its write", "get", 2, false, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			eachStore(t, func(t *testing.T, f *fixture) {
				ctx := context.Background()
				dir := pod.Path("documents/race/")
				if _, err := f.s.CreateContainer(ctx, f.id, dir); err != nil {
					t.Fatal(err)
				}
				key := f.pk.Object(string(dir))
				if c.op == "list" {
					key = f.pk.Prefix() + "c/" + f.pk.Hash(string(dir)) + "/"
				}
				fired := false
				var err error
				if c.putInside {
					f.store.on(c.op, key, c.n, func() {
						fired = true
						f.put(t, dir+"x.txt", "text/plain", "x")
					})
					err = f.s.Delete(ctx, f.id, dir, pod.Preconditions{})
				} else {
					f.store.on(c.op, key, c.n, func() {
						fired = true
						err = f.s.Delete(ctx, f.id, dir, pod.Preconditions{})
					})
					f.put(t, dir+"x.txt", "text/plain", "x")
				}
				if !fired {
					t.Fatal("the other writer never ran")
				}
				if err != c.wantErr && !errors.Is(err, c.wantErr) {
					t.Fatalf("Delete: %v, want %v", err, c.wantErr)
				}
				if _, got := f.list(t, dir); fmt.Sprint(got) != "[x.txt text/plain]" {
					t.Fatalf("%s lists %v", dir, got)
				}
				if _, got := f.list(t, "documents/"); fmt.Sprint(got) != "[race/]" {
					t.Fatalf("documents/ lists %v", got)
				}
			})
		})
	}
}

// TestDeleteRacingAdd runs a DELETE of a folder against a PUT into it, many
// times: whatever the order, a PUT that succeeded leaves its file listed in
// a folder that exists and is listed in its own folder.
func TestDeleteRacingAdd(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		for i := range 20 {
			c := pod.Path(fmt.Sprintf("documents/race%d/", i))
			if _, err := f.s.CreateContainer(ctx, f.id, c); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			var putErr, delErr error
			wg.Add(2)
			go func() {
				defer wg.Done()
				_, _, putErr = f.s.Put(ctx, f.id, c+"x.txt", "text/plain", 1, strings.NewReader("x"), pod.Preconditions{})
			}()
			go func() {
				defer wg.Done()
				delErr = f.s.Delete(ctx, f.id, c, pod.Preconditions{})
			}()
			wg.Wait()
			if putErr != nil {
				t.Fatalf("round %d: Put: %v", i, putErr)
			}
			if delErr != nil && !errors.Is(delErr, pod.ErrNotEmpty) {
				t.Fatalf("round %d: Delete: %v", i, delErr)
			}
			if _, got := f.list(t, c); fmt.Sprint(got) != "[x.txt text/plain]" {
				t.Fatalf("round %d (delete: %v): %s lists %v", i, delErr, c, got)
			}
			if _, got := f.list(t, "documents/"); !contains(got, c.Name()) {
				t.Fatalf("round %d (delete: %v): documents/ lists %v, not %s", i, delErr, got, c.Name())
			}
		}
	})
}

func TestConcurrentAddsLoseNoMember(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		var wg sync.WaitGroup
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 10 {
					p := pod.Path(fmt.Sprintf("documents/many/%d-%d.txt", w, i))
					if _, _, err := f.s.Put(ctx, f.id, p, "text/plain", 1, strings.NewReader("x"), pod.Preconditions{}); err != nil {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
		if _, got := f.list(t, "documents/many/"); len(got) != 80 {
			t.Fatalf("80 concurrent adds left %d members", len(got))
		}
		if _, got := f.list(t, "documents/"); fmt.Sprint(got) != "[many/]" {
			t.Fatalf("documents/ = %v", got)
		}
	})
}
