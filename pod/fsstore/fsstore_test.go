package fsstore_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/pod/fsstore"
	"github.com/satchel-project/satchel/pod/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Test(t, func(t *testing.T) pod.Store {
		s, err := fsstore.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestRefusesKeysThatEscape(t *testing.T) {
	dir := t.TempDir()
	s, err := fsstore.Open(filepath.Join(dir, "store"))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"../x", "a/../../x", "/etc/passwd", "a//b", "a/.tmp-x", "a/b c", "a\x00b", ""} {
		if _, err := s.Put(context.Background(), k, strings.NewReader("x"), 1, pod.Cond{}); err == nil {
			t.Errorf("Put(%q) succeeded", k)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "x")); err == nil {
		t.Fatal("a write escaped the store directory")
	}
}

func TestFailedWriteLeavesNoTemporaryFile(t *testing.T) {
	dir := t.TempDir()
	s, _ := fsstore.Open(dir)
	_, err := s.Put(context.Background(), "a/b", strings.NewReader("short"), 99, pod.Cond{})
	if err == nil {
		t.Fatal("short write succeeded")
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "a"))
	if len(entries) != 0 {
		t.Fatalf("failed write left %d files behind", len(entries))
	}
}

// TestCrashLeftoversAreInvisible plays a crash in the middle of a write: a
// half-written temporary file sits beside the object. Readers and listings
// must not see it, and a later Open removes it once it is old.
func TestCrashLeftoversAreInvisible(t *testing.T) {
	dir := t.TempDir()
	s, _ := fsstore.Open(dir)
	ctx := context.Background()
	if _, err := s.Put(ctx, "pods/p/o/abc", strings.NewReader("whole"), 5, pod.Cond{}); err != nil {
		t.Fatal(err)
	}
	torn := filepath.Join(dir, "pods", "p", "o", ".tmp-123456")
	if err := os.WriteFile(torn, []byte("who"), 0o600); err != nil {
		t.Fatal(err)
	}
	var keys []string
	s.List(ctx, "pods/p/", func(oi pod.ObjectInfo) error { keys = append(keys, oi.Key); return nil })
	if len(keys) != 1 || keys[0] != "pods/p/o/abc" {
		t.Fatalf("List = %v", keys)
	}
	rc, _, err := s.Get(ctx, "pods/p/o/abc")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if string(b) != "whole" {
		t.Fatalf("Get = %q", b)
	}
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(torn, old, old)
	if _, err := fsstore.Open(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(torn); !os.IsNotExist(err) {
		t.Fatal("Open left an old temporary file behind")
	}
}

// TestETagsNeverRepeat rewrites one key many times with bodies of one size,
// the way a busy counter or shard is rewritten, and checks that no ETag
// comes back and that Put's ETag is Stat's. (On kernels whose file times
// tick every few milliseconds, an ETag made from inode, size and that time
// could repeat once a freed inode number is reused; newer kernels hand out
// fine-grained times, so there the stamp in Put is what this pins down.)
func TestETagsNeverRepeat(t *testing.T) {
	s, err := fsstore.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	seen := map[string]int{}
	var last time.Time
	for i := 0; i < 500; i++ {
		body := fmt.Sprintf("%08d", i)
		oi, err := s.Put(ctx, "pods/p/o/hot", strings.NewReader(body), int64(len(body)), pod.Cond{})
		if err != nil {
			t.Fatal(err)
		}
		if j, ok := seen[oi.ETag]; ok {
			t.Fatalf("write %d has the ETag of write %d (%s)", i, j, oi.ETag)
		}
		seen[oi.ETag] = i
		if !oi.ModTime.After(last) {
			t.Fatalf("write %d is stamped %v, not after the write before (%v)", i, oi.ModTime, last)
		}
		last = oi.ModTime
		if st, err := s.Stat(ctx, "pods/p/o/hot"); err != nil || st.ETag != oi.ETag {
			t.Fatalf("Stat after write %d: %v %v, Put said %s", i, st.ETag, err, oi.ETag)
		}
	}
}
