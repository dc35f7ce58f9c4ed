package cache_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/satchel-project/satchel/blob"
	"github.com/satchel-project/satchel/blob/cache"
	"github.com/satchel-project/satchel/pod/fsstore"
	"github.com/satchel-project/satchel/pod/s3store"
)

// counting counts the reads that reach the real back end.
type counting struct {
	blob.Store
	gets atomic.Int64
}

func (c *counting) Get(ctx context.Context, key string) (io.ReadCloser, blob.ObjectInfo, error) {
	c.gets.Add(1)
	return c.Store.Get(ctx, key)
}

// eachStore runs test on a fresh local directory and, when SATCHEL_TEST_S3
// names a server (as scripts/minio does), on a fresh prefix in MinIO.
func eachStore(t *testing.T, test func(t *testing.T, open func() blob.Store)) {
	kinds := []string{"fs"}
	if os.Getenv("SATCHEL_TEST_S3") != "" {
		kinds = append(kinds, "minio")
	}
	for _, kind := range kinds {
		t.Run(kind, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "objects")
			prefix := fmt.Sprintf("cache-test-%d/", time.Now().UnixNano())
			test(t, func() blob.Store {
				if kind == "fs" {
					st, err := fsstore.Open(dir)
					if err != nil {
						t.Fatal(err)
					}
					return st
				}
				cfg, err := s3store.ParseURL(os.Getenv("SATCHEL_TEST_S3"), os.Getenv)
				if err != nil {
					t.Fatal(err)
				}
				cfg.CreateBucket, cfg.Prefix = true, prefix
				st, err := s3store.Open(context.Background(), cfg)
				if err != nil {
					t.Fatal(err)
				}
				return st
			})
		})
	}
}

// process is one server: a Store over its own connection to the shared
// storage, answering invalidations over real HTTP.
type process struct {
	*cache.Store
	back   *counting
	srv    *httptest.Server
	answer atomic.Pointer[http.Handler]
	cancel context.CancelFunc
	logs   *bytes.Buffer
}

// lease is short, so that fences are quick to wait out, but long enough
// for a member to answer within a third of it under the race detector on
// a busy machine.
const lease = 1500 * time.Millisecond

// start starts a member and waits until it serves from memory.
func start(t *testing.T, open func() blob.Store) *process {
	t.Helper()
	p := newProcess(t, open)
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	t.Cleanup(cancel)
	if err := p.Start(ctx, p.srv.URL); err != nil {
		t.Fatal(err)
	}
	waitServing(t, p)
	return p
}

// newProcess is a process that writes and reads through, not a member (a
// command line tool).
func newProcess(t *testing.T, open func() blob.Store) *process {
	t.Helper()
	p := &process{back: &counting{Store: open()}, logs: &bytes.Buffer{}}
	p.Store = cache.New(p.back, cache.Options{Lease: lease, Log: slog.New(slog.NewTextHandler(testLog{t}, nil))})
	h := p.Handler()
	p.answer.Store(&h)
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		(*p.answer.Load()).ServeHTTP(w, r)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

// waitServing waits until two reads of a probe object in a row reach the
// back end at most once (the first may be the one that is kept).
func waitServing(t *testing.T, p *process) {
	t.Helper()
	ctx := context.Background()
	key := "probe/" + strconv.FormatInt(time.Now().UnixNano(), 10)
	put(t, p.Store, key, "probe")
	deadline := time.Now().Add(20 * lease)
	for time.Now().Before(deadline) {
		before := p.back.gets.Load()
		get(t, p.Store, key)
		get(t, p.Store, key)
		if p.back.gets.Load()-before <= 1 {
			return
		}
		runtimeYield(ctx)
	}
	t.Fatal("the member never served from memory")
}

// testLog sends a process's warnings (fences, renewals that failed) to
// the test's log.
type testLog struct{ t testing.TB }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func runtimeYield(ctx context.Context) {
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Millisecond):
	}
}

func put(t testing.TB, s blob.Store, key, v string) blob.ObjectInfo {
	t.Helper()
	info, err := s.Put(context.Background(), key, strings.NewReader(v), int64(len(v)), blob.Cond{})
	if err != nil {
		t.Fatal(err)
	}
	return info
}

func get(t testing.TB, s blob.Store, key string) string {
	t.Helper()
	rc, _, err := s.Get(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestReadsAreKeptAndWritesSeen(t *testing.T) {
	eachStore(t, func(t *testing.T, open func() blob.Store) {
		p := start(t, open)
		put(t, p.Store, "a", "one")
		before := p.back.gets.Load()
		for range 5 {
			if got := get(t, p.Store, "a"); got != "one" {
				t.Fatalf("read %q, want one", got)
			}
		}
		if n := p.back.gets.Load() - before; n != 1 {
			t.Fatalf("5 reads reached storage %d times, want 1", n)
		}
		put(t, p.Store, "a", "two")
		if got := get(t, p.Store, "a"); got != "two" {
			t.Fatalf("after a write here, read %q, want two", got)
		}
		if err := p.Delete(context.Background(), "a", blob.Cond{}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := p.Get(context.Background(), "a"); !errors.Is(err, blob.ErrNotExist) {
			t.Fatalf("after a delete here, read gave %v, want ErrNotExist", err)
		}
		// A refused write changes nothing, here or in memory.
		put(t, p.Store, "b", "kept")
		get(t, p.Store, "b")
		if _, err := p.Put(context.Background(), "b", strings.NewReader("new"), 3, blob.Cond{IfNoneMatch: true}); !errors.Is(err, blob.ErrPrecondition) {
			t.Fatalf("create-only over an object gave %v", err)
		}
		if got := get(t, p.Store, "b"); got != "kept" {
			t.Fatalf("read %q after a refused write, want kept", got)
		}
	})
}

// TestLargeObjectsAreNotKept: objects over MaxObject are read from
// storage every time.
func TestLargeObjectsAreNotKept(t *testing.T) {
	eachStore(t, func(t *testing.T, open func() blob.Store) {
		p := start(t, open)
		big := strings.Repeat("x", cache.DefaultMaxObject+1)
		put(t, p.Store, "big", big)
		before := p.back.gets.Load()
		for range 3 {
			if got := get(t, p.Store, "big"); got != big {
				t.Fatal("big object read back wrong")
			}
		}
		if n := p.back.gets.Load() - before; n != 3 {
			t.Fatalf("3 reads of an object over the limit reached storage %d times, want 3", n)
		}
		// One at the limit is kept.
		put(t, p.Store, "big", big[1:])
		before = p.back.gets.Load()
		for range 3 {
			get(t, p.Store, "big")
		}
		if n := p.back.gets.Load() - before; n != 1 {
			t.Fatalf("3 reads of an object at the limit reached storage %d times, want 1", n)
		}
	})
}

// TestNoReadIsOlderThanAnAcknowledgedWrite: one process writes versions
// of one object while another, a member that keeps what it reads, reads it
// all the time. No read may return a version older than one whose write
// had returned before the read began. A command line writer (not a member)
// writes too.
func TestNoReadIsOlderThanAnAcknowledgedWrite(t *testing.T) {
	eachStore(t, func(t *testing.T, open func() blob.Store) {
		a, b := start(t, open), start(t, open)
		tool := newProcess(t, open)
		const key = "doc"
		put(t, a.Store, key, "0")
		var acked atomic.Int64
		writes := 150
		if testing.Short() {
			writes = 50
		}
		done := make(chan struct{})
		var wg sync.WaitGroup
		var stale atomic.Int64
		var reads atomic.Int64
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-done:
						return
					default:
					}
					floor := acked.Load()
					v, err := strconv.Atoi(get(t, b.Store, key))
					if err != nil {
						t.Error(err)
						return
					}
					reads.Add(1)
					if int64(v) < floor {
						stale.Add(1)
						t.Errorf("read version %d after version %d was acknowledged", v, floor)
					}
				}
			}()
		}
		for i := 1; i <= writes; i++ {
			w := a.Store
			if i%10 == 0 {
				w = tool.Store
			}
			put(t, w, key, strconv.Itoa(i))
			acked.Store(int64(i))
		}
		close(done)
		wg.Wait()
		if got := get(t, b.Store, key); got != strconv.Itoa(writes) {
			t.Fatalf("last read %q, want %d", got, writes)
		}
		if reads.Load() < int64(writes) {
			t.Logf("only %d reads during %d writes", reads.Load(), writes)
		}
	})
}

// TestUnreachableMemberIsFenced: a member that cannot be told is fenced.
// When the write returns, that member reads the new version, and it joins
// again with a new record.
func TestUnreachableMemberIsFenced(t *testing.T) {
	eachStore(t, func(t *testing.T, open func() blob.Store) {
		a, b := start(t, open), start(t, open)
		put(t, a.Store, "doc", "old")
		if got := get(t, b.Store, "doc"); got != "old" {
			t.Fatalf("read %q", got)
		}
		b.srv.Close() // b still reaches storage, but no one reaches b
		began := time.Now()
		put(t, a.Store, "doc", "new")
		took := time.Since(began)
		if took < lease {
			t.Fatalf("the write returned after %v, before the fenced member's lease (%v) ran out", took, lease)
		}
		if got := get(t, b.Store, "doc"); got != "new" {
			t.Fatalf("the fenced member read %q after the write returned, want new", got)
		}
		// b still reaches storage and joins again, so every later write
		// fences it again, and b still never reads an old version.
		put(t, a.Store, "doc", "newer")
		if got := get(t, b.Store, "doc"); got != "newer" {
			t.Fatalf("read %q, want newer", got)
		}
	})
}

// TestDeadMemberIsFencedOnce: a process killed without leaving (kill -9)
// leaves its record behind. The first write after waits out its lease; the
// record is deleted, and later writes do not wait.
func TestDeadMemberIsFencedOnce(t *testing.T) {
	eachStore(t, func(t *testing.T, open func() blob.Store) {
		a := start(t, open)
		gone := httptest.NewServer(http.NotFoundHandler())
		gone.Close()
		rec := `{"v":1,"id":"0123456789abcdef0123456789abcdef","url":"` + gone.URL + `","token":"t"}`
		put(t, a.back.Store, cache.MembersPrefix+"0123456789abcdef0123456789abcdef", rec)
		began := time.Now()
		put(t, a.Store, "doc", "one")
		if took := time.Since(began); took < lease {
			t.Fatalf("the write returned after %v, before the dead member's lease (%v) ran out", took, lease)
		}
		if _, err := a.back.Stat(context.Background(), cache.MembersPrefix+"0123456789abcdef0123456789abcdef"); !errors.Is(err, blob.ErrNotExist) {
			t.Fatalf("the dead member's record: %v, want it deleted", err)
		}
		began = time.Now()
		put(t, a.Store, "doc", "two")
		if took := time.Since(began); took >= lease {
			t.Fatalf("a second write waited %v for a member already fenced", took)
		}
	})
}

// TestRestartedMemberAtTheSameAddress: a process that died and another
// started at its address with a new token refuses the old token, so the
// dead one's record is fenced.
func TestRestartedMemberAtTheSameAddress(t *testing.T) {
	eachStore(t, func(t *testing.T, open func() blob.Store) {
		a, b := start(t, open), start(t, open)
		put(t, a.Store, "doc", "old")
		get(t, b.Store, "doc")
		// A new process answers at b's URL, with its own token; b still
		// runs but can no longer be told.
		fresh := newProcess(t, open)
		ctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(cancel)
		if err := fresh.Start(ctx, b.srv.URL); err != nil {
			t.Fatal(err)
		}
		h := fresh.Handler()
		b.answer.Store(&h)
		waitServing(t, fresh)
		put(t, a.Store, "doc", "new")
		for _, p := range []*process{b, fresh} {
			if got := get(t, p.Store, "doc"); got != "new" {
				t.Fatalf("read %q, want new", got)
			}
		}
	})
}

func TestInvalidationNeedsTheToken(t *testing.T) {
	dir := t.TempDir()
	st, err := fsstore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := cache.New(st, cache.Options{Lease: lease})
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	post := func(method, token, body string) (int, string) {
		req, _ := http.NewRequest(method, srv.URL+cache.InvalidatePath, strings.NewReader(body))
		if token != "" {
			req.Header.Set("Satchel-Member-Token", token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type") + " " + string(b)
	}
	if code, _ := post("POST", "x", `{"keys":["a"]}`); code != http.StatusNotFound {
		t.Fatalf("before joining: %d, want 404", code)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := s.Start(ctx, srv.URL); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		method, token, body string
		want                int
	}{
		{"POST", "", `{"keys":["a"]}`, http.StatusForbidden},
		{"POST", "wrong", `{"keys":["a"]}`, http.StatusForbidden},
		{"GET", "", ``, http.StatusMethodNotAllowed},
	} {
		code, body := post(tc.method, tc.token, tc.body)
		if code != tc.want || !strings.HasPrefix(body, "application/problem+json") {
			t.Errorf("%s with token %q: %d %s, want %d problem+json", tc.method, tc.token, code, body, tc.want)
		}
	}
	// The real token is in the member record; a good body with it works,
	// a bad one is refused.
	var token string
	st.List(ctx, cache.MembersPrefix, func(oi blob.ObjectInfo) error {
		rc, _, err := st.Get(ctx, oi.Key)
		if err != nil {
			return err
		}
		defer rc.Close()
		b, _ := io.ReadAll(rc)
		token = between(string(b), `"token":"`, `"`)
		return nil
	})
	if token == "" {
		t.Fatal("no member record with a token")
	}
	if code, body := post("POST", token, `not json`); code != http.StatusBadRequest {
		t.Errorf("bad body: %d %s", code, body)
	}
	if code, body := post("POST", token, `{"keys":[]}`); code != http.StatusBadRequest {
		t.Errorf("no keys: %d %s", code, body)
	}
	if code, body := post("POST", token, `{"keys":["`+strings.Repeat("k", 70<<10)+`"]}`); code != http.StatusBadRequest {
		t.Errorf("a body over the limit: %d %s", code, body)
	}
	if code, body := post("POST", token, `{"member":"x","keys":["a"]}`); code != http.StatusNoContent {
		t.Errorf("good: %d %s", code, body)
	}
	// Leaving deletes the record.
	cancel()
	deadline := time.Now().Add(10 * lease)
	for {
		n := 0
		st.List(context.Background(), cache.MembersPrefix, func(blob.ObjectInfo) error { n++; return nil })
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the member record stayed after the member stopped")
		}
		runtimeYield(context.Background())
	}
}

func between(s, a, b string) string {
	_, rest, ok := strings.Cut(s, a)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, b)
	return v
}

// TestMissingIsKeptAndCreationSeen: that an object is missing is kept too
// (the sessions record of an account never signed out is read on every
// request), and its creation by another process is seen at once.
func TestMissingIsKeptAndCreationSeen(t *testing.T) {
	eachStore(t, func(t *testing.T, open func() blob.Store) {
		a, b := start(t, open), start(t, open)
		ctx := context.Background()
		before := b.back.gets.Load()
		for range 3 {
			if _, _, err := b.Get(ctx, "sessions/x"); !errors.Is(err, blob.ErrNotExist) {
				t.Fatalf("read of a missing object: %v", err)
			}
			if _, err := b.Stat(ctx, "sessions/x"); !errors.Is(err, blob.ErrNotExist) {
				t.Fatalf("stat of a missing object: %v", err)
			}
		}
		if n := b.back.gets.Load() - before; n != 1 {
			t.Fatalf("3 reads of a missing object reached storage %d times, want 1", n)
		}
		put(t, a.Store, "sessions/x", "signed out")
		if got := get(t, b.Store, "sessions/x"); got != "signed out" {
			t.Fatalf("read %q after another process made it", got)
		}
		if _, err := b.Stat(ctx, "sessions/x"); err != nil {
			t.Fatalf("stat after another process made it: %v", err)
		}
	})
}

// failingDeletes refuses to delete member records while fail is set, as
// storage out of reach would.
type failingDeletes struct {
	blob.Store
	fail atomic.Bool
}

func (f *failingDeletes) Delete(ctx context.Context, key string, cond blob.Cond) error {
	if f.fail.Load() && strings.HasPrefix(key, cache.MembersPrefix) {
		return blob.ErrUnavailable
	}
	return f.Store.Delete(ctx, key, cond)
}

// TestWriteNotToldWhenFenceFails: a member that can be neither told nor
// fenced makes the write fail (it is not acknowledged), and the fence is
// retried until the member's record is gone.
func TestWriteNotToldWhenFenceFails(t *testing.T) {
	eachStore(t, func(t *testing.T, open func() blob.Store) {
		faulty := &failingDeletes{Store: open()}
		a := start(t, func() blob.Store { return faulty })
		b := start(t, open)
		key := memberKeys(t, faulty, a)
		b.srv.Close()
		faulty.fail.Store(true)
		_, err := a.Put(context.Background(), "doc", strings.NewReader("v"), 1, blob.Cond{})
		if !errors.Is(err, cache.ErrNotTold) || !errors.Is(err, blob.ErrUnavailable) {
			t.Fatalf("a write whose member could not be fenced: %v, want ErrNotTold and ErrUnavailable", err)
		}
		faulty.fail.Store(false)
		deadline := time.Now().Add(20 * lease)
		for {
			if _, err := faulty.Stat(context.Background(), key); errors.Is(err, blob.ErrNotExist) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the fence was not retried: the unreachable member's record is still there")
			}
			runtimeYield(context.Background())
		}
	})
}

// memberKeys returns the key of the one member record in st that is not
// self's.
func memberKeys(t *testing.T, st blob.Store, self *process) string {
	t.Helper()
	var keys []string
	st.List(context.Background(), cache.MembersPrefix, func(oi blob.ObjectInfo) error {
		keys = append(keys, oi.Key)
		return nil
	})
	if len(keys) != 2 {
		t.Fatalf("%d member records, want 2", len(keys))
	}
	own := cache.RecordKey(self.Store)
	for _, k := range keys {
		if k != own {
			return k
		}
	}
	t.Fatal("no other member's record")
	return ""
}

// failingLists cannot list the member records while fail is set.
type failingLists struct {
	blob.Store
	fail atomic.Bool
}

func (f *failingLists) List(ctx context.Context, prefix string, fn func(blob.ObjectInfo) error) error {
	if f.fail.Load() && strings.HasPrefix(prefix, cache.MembersPrefix) {
		return blob.ErrUnavailable
	}
	return f.Store.List(ctx, prefix, fn)
}

// TestChangeAnnouncedOnceMembersCanBeListed: a write made while the
// members cannot be listed fails (not acknowledged), and the members are
// told as soon as they can be: none keeps the old version for good.
func TestChangeAnnouncedOnceMembersCanBeListed(t *testing.T) {
	eachStore(t, func(t *testing.T, open func() blob.Store) {
		faulty := &failingLists{Store: open()}
		a := start(t, func() blob.Store { return faulty })
		b := start(t, open)
		put(t, a.Store, "doc", "old")
		if got := get(t, b.Store, "doc"); got != "old" {
			t.Fatalf("read %q", got)
		}
		faulty.fail.Store(true)
		// Writes succeed while a's list of members is fresh enough to use;
		// once it is too old, they fail.
		deadline := time.Now().Add(20 * lease)
		var last string
		for i := 0; ; i++ {
			last = "new " + strconv.Itoa(i)
			_, err := a.Put(context.Background(), "doc", strings.NewReader(last), int64(len(last)), blob.Cond{})
			if errors.Is(err, cache.ErrNotTold) {
				break
			}
			if err != nil || time.Now().After(deadline) {
				t.Fatalf("a write whose members could not be listed: %v, want ErrNotTold", err)
			}
			// b keeps each version that was announced.
			if got := get(t, b.Store, "doc"); got != last {
				t.Fatalf("b read %q, want %q", got, last)
			}
			runtimeYield(context.Background())
		}
		faulty.fail.Store(false)
		deadline = time.Now().Add(20 * lease)
		for get(t, b.Store, "doc") != last {
			if time.Now().After(deadline) {
				t.Fatal("b kept the old version after the members could be listed again")
			}
			runtimeYield(context.Background())
		}
	})
}

// TestMemoryIsBounded: the cache holds at most MaxBytes, counting each
// entry as its bytes, its key and 128 bytes of bookkeeping, and lets the
// least recently used go first.
func TestMemoryIsBounded(t *testing.T) {
	dir := t.TempDir()
	st, err := fsstore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	back := &counting{Store: st}
	const entry = 1000 + 2 + 128 // a 1,000-byte object under a 2-byte key
	p := &process{back: back, logs: &bytes.Buffer{}}
	p.Store = cache.New(back, cache.Options{Lease: lease, MaxBytes: 4*entry - 1})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := p.Start(ctx, "http://127.0.0.1:1"); err != nil {
		t.Fatal(err)
	}
	waitServing(t, p)
	keys := []string{"k0", "k1", "k2", "k3"}
	for _, k := range keys {
		put(t, p.Store, k, strings.Repeat("x", 1000))
	}
	for _, k := range keys {
		get(t, p.Store, k)
	}
	// Four entries are one byte too many: k0, read first, went.
	before := back.gets.Load()
	for _, k := range keys[1:] {
		get(t, p.Store, k)
	}
	if n := back.gets.Load() - before; n != 0 {
		t.Fatalf("reading the three most recent objects again reached storage %d times, want 0", n)
	}
	get(t, p.Store, "k0")
	if n := back.gets.Load() - before; n != 1 {
		t.Fatalf("reading the least recent object again reached storage %d times, want 1", n)
	}
}
