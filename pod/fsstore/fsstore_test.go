package fsstore_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
