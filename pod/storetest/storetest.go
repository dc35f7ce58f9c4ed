// Package storetest is the conformance suite every pod.Store back end runs:
// the contracts written on pod.Store's methods, checked against the real
// thing.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"
	"testing"

	"github.com/satchel-project/satchel/pod"
)

// Test runs the suite against the store that newStore returns. Each subtest
// gets a fresh key prefix, so one store may serve all of them.
func Test(t *testing.T, newStore func(t *testing.T) pod.Store) {
	s := newStore(t)
	ctx := context.Background()
	n := 0
	prefix := func() string { n++; return fmt.Sprintf("storetest/%d/", n) }

	t.Run("PutGetStat", func(t *testing.T) {
		k := prefix() + "obj"
		data := []byte("ciphertext bytes")
		oi, err := s.Put(ctx, k, bytes.NewReader(data), int64(len(data)), pod.Cond{})
		if err != nil {
			t.Fatal(err)
		}
		if oi.ETag == "" || oi.Size != int64(len(data)) {
			t.Fatalf("Put returned %+v", oi)
		}
		got, gi := mustGet(t, s, k)
		if !bytes.Equal(got, data) {
			t.Fatalf("Get = %q, want %q", got, data)
		}
		if gi.ETag != oi.ETag {
			t.Fatalf("Get ETag %q, Put ETag %q", gi.ETag, oi.ETag)
		}
		st, err := s.Stat(ctx, k)
		if err != nil || st.ETag != oi.ETag || st.Size != int64(len(data)) {
			t.Fatalf("Stat = %+v, %v", st, err)
		}
	})

	t.Run("Missing", func(t *testing.T) {
		k := prefix() + "nothing"
		if _, _, err := s.Get(ctx, k); !errors.Is(err, pod.ErrNotExist) {
			t.Fatalf("Get missing: %v, want ErrNotExist", err)
		}
		if _, err := s.Stat(ctx, k); !errors.Is(err, pod.ErrNotExist) {
			t.Fatalf("Stat missing: %v, want ErrNotExist", err)
		}
		if err := s.Delete(ctx, k, pod.Cond{}); !errors.Is(err, pod.ErrNotExist) {
			t.Fatalf("Delete missing: %v, want ErrNotExist", err)
		}
	})

	t.Run("OverwriteChangesETag", func(t *testing.T) {
		k := prefix() + "obj"
		a := put(t, s, k, "one", pod.Cond{})
		b := put(t, s, k, "two", pod.Cond{})
		if a.ETag == b.ETag {
			t.Fatalf("ETag did not change on overwrite: %q", a.ETag)
		}
		if got, _ := mustGet(t, s, k); string(got) != "two" {
			t.Fatalf("Get = %q after overwrite", got)
		}
	})

	t.Run("CreateOnly", func(t *testing.T) {
		k := prefix() + "obj"
		put(t, s, k, "first", pod.Cond{IfNoneMatch: true})
		_, err := s.Put(ctx, k, bytes.NewReader([]byte("second")), 6, pod.Cond{IfNoneMatch: true})
		if !errors.Is(err, pod.ErrPrecondition) {
			t.Fatalf("second create-only Put: %v, want ErrPrecondition", err)
		}
		if got, _ := mustGet(t, s, k); string(got) != "first" {
			t.Fatalf("create-only overwrote: %q", got)
		}
	})

	t.Run("IfMatch", func(t *testing.T) {
		k := prefix() + "obj"
		a := put(t, s, k, "v1", pod.Cond{})
		b := put(t, s, k, "v2", pod.Cond{IfMatch: a.ETag})
		_, err := s.Put(ctx, k, bytes.NewReader([]byte("v3")), 2, pod.Cond{IfMatch: a.ETag})
		if !errors.Is(err, pod.ErrPrecondition) {
			t.Fatalf("Put with stale ETag: %v, want ErrPrecondition", err)
		}
		if err := s.Delete(ctx, k, pod.Cond{IfMatch: a.ETag}); !errors.Is(err, pod.ErrPrecondition) {
			t.Fatalf("Delete with stale ETag: %v, want ErrPrecondition", err)
		}
		if got, _ := mustGet(t, s, k); string(got) != "v2" {
			t.Fatalf("Get = %q, want v2", got)
		}
		if err := s.Delete(ctx, k, pod.Cond{IfMatch: b.ETag}); err != nil {
			t.Fatalf("Delete with current ETag: %v", err)
		}
		_, err = s.Put(ctx, k, bytes.NewReader([]byte("v4")), 2, pod.Cond{IfMatch: b.ETag})
		if !errors.Is(err, pod.ErrPrecondition) {
			t.Fatalf("If-Match Put on deleted object: %v, want ErrPrecondition", err)
		}
	})

	t.Run("FailedWriteKeepsOld", func(t *testing.T) {
		k := prefix() + "obj"
		put(t, s, k, "old version", pod.Cond{})
		broken := io.MultiReader(bytes.NewReader([]byte("new ver")), errReader{})
		if _, err := s.Put(ctx, k, broken, 100, pod.Cond{}); err == nil {
			t.Fatal("Put from a failing reader succeeded")
		}
		short := bytes.NewReader([]byte("short"))
		if _, err := s.Put(ctx, k, short, 100, pod.Cond{}); err == nil {
			t.Fatal("Put of fewer bytes than the stated size succeeded")
		}
		if got, _ := mustGet(t, s, k); string(got) != "old version" {
			t.Fatalf("after failed writes Get = %q", got)
		}
	})

	t.Run("List", func(t *testing.T) {
		p := prefix()
		want := []string{p + "a", p + "b/c", p + "b/d"}
		for _, k := range want {
			put(t, s, k, k, pod.Cond{})
		}
		put(t, s, prefix()+"other", "x", pod.Cond{})
		var got []string
		if err := s.List(ctx, p, func(oi pod.ObjectInfo) error {
			got = append(got, oi.Key)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		sort.Strings(got)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("List(%q) = %v, want %v", p, got, want)
		}
	})

	t.Run("ListPrefixIsExact", func(t *testing.T) {
		// A container's index lives under ".../c/HASH/": listing one
		// hash must not return the objects of a hash it is a prefix of.
		p := prefix()
		for _, k := range []string{"c/ab/00", "c/ab/3f", "c/abc/00", "c/a/00", "c/ab-x/00", "d/ab/00"} {
			put(t, s, p+k, k, pod.Cond{})
		}
		for _, c := range []struct {
			prefix string
			want   []string
		}{
			{"c/ab/", []string{"c/ab/00", "c/ab/3f"}},
			{"c/abc/", []string{"c/abc/00"}},
			{"c/a/", []string{"c/a/00"}},
			{"c/ab", []string{"c/ab-x/00", "c/ab/00", "c/ab/3f", "c/abc/00"}},
			{"c/nothing/", nil},
		} {
			got := listKeys(t, s, p+c.prefix)
			for i := range got {
				got[i] = got[i][len(p):]
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("List(%q) = %v, want %v", c.prefix, got, c.want)
			}
		}
	})

	t.Run("ListGivesStatETags", func(t *testing.T) {
		// Callers combine the ETags a listing gives with those of Get, so
		// they must be the same values.
		p := prefix()
		for i := range 3 {
			put(t, s, fmt.Sprintf("%s%d", p, i), fmt.Sprint("body ", i), pod.Cond{})
		}
		n := 0
		err := s.List(ctx, p, func(oi pod.ObjectInfo) error {
			n++
			st, err := s.Stat(ctx, oi.Key)
			if err != nil {
				return err
			}
			if oi.ETag != st.ETag || oi.Size != st.Size {
				t.Errorf("List gives %s ETag %q size %d; Stat gives %q, %d", oi.Key, oi.ETag, oi.Size, st.ETag, st.Size)
			}
			return nil
		})
		if err != nil || n != 3 {
			t.Fatalf("List: %d objects, %v", n, err)
		}
	})

	t.Run("ListMoreThanAPage", func(t *testing.T) {
		// S3 lists 1,000 keys a page: a container index of a few thousand
		// objects must come back whole, each key once.
		p := prefix()
		const n = 1100
		var want []string
		for i := range n {
			want = append(want, fmt.Sprintf("%s%04d", p, i))
		}
		putAll(t, s, want, 8)
		got := listKeys(t, s, p)
		if len(got) != n {
			t.Fatalf("List returned %d keys, want %d", len(got), n)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("List key %d = %q, want %q", i, got[i], want[i])
			}
		}
	})

	t.Run("ListDuringConcurrentPuts", func(t *testing.T) {
		// While writers replace existing objects and add new ones, every
		// listing holds each object that existed before it began exactly
		// once, and nothing outside the prefix.
		p := prefix()
		inside := p + "x/"
		put(t, s, p+"x-outside", "x", pod.Cond{}) // starts like the prefix, is not under it
		var old []string
		for i := range 40 {
			old = append(old, fmt.Sprintf("%sold-%02d", inside, i))
		}
		putAll(t, s, old, 8)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					k := old[(i*4+w)%len(old)]
					if i%2 == 1 {
						k = fmt.Sprintf("%snew-%d-%03d", inside, w, i)
					}
					v := fmt.Sprint("v", i)
					if _, err := s.Put(ctx, k, bytes.NewReader([]byte(v)), int64(len(v)), pod.Cond{}); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		for range 10 {
			seen := map[string]int{}
			if err := s.List(ctx, inside, func(oi pod.ObjectInfo) error {
				seen[oi.Key]++
				return nil
			}); err != nil {
				t.Error(err)
				break
			}
			for k, c := range seen {
				if c != 1 || len(k) < len(inside) || k[:len(inside)] != inside {
					t.Errorf("listing during writes gave %q %d times", k, c)
				}
			}
			for _, k := range old {
				if seen[k] != 1 {
					t.Errorf("listing during writes missed %q", k)
				}
			}
		}
		close(stop)
		wg.Wait()
	})

	t.Run("ConcurrentCreateOnlyOneWins", func(t *testing.T) {
		k := prefix() + "obj"
		const n = 16
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				v := fmt.Sprint(i)
				_, err := s.Put(ctx, k, bytes.NewReader([]byte(v)), int64(len(v)), pod.Cond{IfNoneMatch: true})
				if err == nil {
					mu.Lock()
					wins++
					mu.Unlock()
				} else if !errors.Is(err, pod.ErrPrecondition) {
					t.Error(err)
				}
			}(i)
		}
		wg.Wait()
		if wins != 1 {
			t.Fatalf("%d create-only writers succeeded, want 1", wins)
		}
	})

	t.Run("ConcurrentIfMatchLosesNoUpdate", func(t *testing.T) {
		k := prefix() + "counter"
		put(t, s, k, "0", pod.Cond{})
		const n = 8
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					b, oi, err := get(s, k)
					if err != nil {
						t.Error(err)
						return
					}
					var c int
					fmt.Sscan(string(b), &c)
					v := fmt.Sprint(c + 1)
					_, err = s.Put(ctx, k, bytes.NewReader([]byte(v)), int64(len(v)), pod.Cond{IfMatch: oi.ETag})
					if err == nil {
						return
					}
					if !errors.Is(err, pod.ErrPrecondition) {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		if got, _ := mustGet(t, s, k); string(got) != fmt.Sprint(n) {
			t.Fatalf("counter = %s after %d conditional increments", got, n)
		}
	})
}

// listKeys lists prefix and returns the keys in order.
func listKeys(t *testing.T, s pod.Store, prefix string) []string {
	t.Helper()
	var got []string
	if err := s.List(context.Background(), prefix, func(oi pod.ObjectInfo) error {
		got = append(got, oi.Key)
		return nil
	}); err != nil {
		t.Fatalf("List(%q): %v", prefix, err)
	}
	sort.Strings(got)
	return got
}

// putAll stores each key (its own name as the body) with n writers.
func putAll(t *testing.T, s pod.Store, keys []string, n int) {
	t.Helper()
	ch := make(chan string)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range ch {
				if _, err := s.Put(context.Background(), k, bytes.NewReader([]byte(k)), int64(len(k)), pod.Cond{}); err != nil {
					t.Errorf("Put %s: %v", k, err)
				}
			}
		}()
	}
	for _, k := range keys {
		ch <- k
	}
	close(ch)
	wg.Wait()
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func put(t *testing.T, s pod.Store, k, v string, c pod.Cond) pod.ObjectInfo {
	t.Helper()
	oi, err := s.Put(context.Background(), k, bytes.NewReader([]byte(v)), int64(len(v)), c)
	if err != nil {
		t.Fatalf("Put %s: %v", k, err)
	}
	return oi
}

func get(s pod.Store, k string) ([]byte, pod.ObjectInfo, error) {
	rc, oi, err := s.Get(context.Background(), k)
	if err != nil {
		return nil, oi, err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	return b, oi, err
}

func mustGet(t *testing.T, s pod.Store, k string) ([]byte, pod.ObjectInfo) {
	t.Helper()
	b, oi, err := get(s, k)
	if err != nil {
		t.Fatalf("Get %s: %v", k, err)
	}
	return b, oi
}
