package pod_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/pod/podtest"
	"github.com/satchel-project/satchel/vault/local"
)

func newService(t *testing.T) (*pod.Service, string, *local.Custodian) {
	t.Helper()
	dir := t.TempDir()
	s, cust := podtest.Open(t, dir, 0)
	return s, dir, cust
}

func put(t *testing.T, s *pod.Service, id pod.PodID, p pod.Path, body string) {
	t.Helper()
	if _, _, err := s.Put(context.Background(), id, p, "text/plain", int64(len(body)), bytes.NewReader([]byte(body)), pod.Preconditions{}); err != nil {
		t.Fatal(err)
	}
}

func read(s *pod.Service, id pod.PodID, p pod.Path) (string, error) {
	_, rc, err := s.Get(context.Background(), id, p)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	return string(b), err
}

func TestErasePod(t *testing.T) {
	ctx := context.Background()
	s, dir, _ := newService(t)
	gone, _ := s.CreatePod(ctx)
	kept, _ := s.CreatePod(ctx)
	put(t, s, gone, "documents/a.txt", "erase me")
	put(t, s, kept, "documents/a.txt", "keep me")
	if err := s.ErasePod(ctx, gone); err != nil {
		t.Fatal(err)
	}
	if _, err := read(s, gone, "documents/a.txt"); !errors.Is(err, pod.ErrNoPod) {
		t.Fatalf("read after erase: %v", err)
	}
	if got, err := read(s, kept, "documents/a.txt"); got != "keep me" || err != nil {
		t.Fatalf("other pod after erase: %q %v", got, err)
	}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && filepath.Base(p) == string(gone) {
			t.Errorf("%s is left after erasing the pod", p)
		}
		return nil
	})
	var ids []pod.PodID
	s.Pods(ctx, func(id pod.PodID) error { ids = append(ids, id); return nil })
	if len(ids) != 1 || ids[0] != kept {
		t.Fatalf("Pods = %v, want [%s]", ids, kept)
	}
	// Erasing again finishes quietly.
	if err := s.ErasePod(ctx, gone); err != nil {
		t.Fatal(err)
	}
}

func TestRotateKeysKeepsEverythingReadable(t *testing.T) {
	ctx := context.Background()
	s, dir, cust := newService(t)
	a, _ := s.CreatePod(ctx)
	b, _ := s.CreatePod(ctx)
	s.EnsureInternalPod(ctx, "internal")
	put(t, s, a, "documents/x.txt", "aaa")
	put(t, s, b, "documents/x.txt", "bbb")
	n, err := s.RotateKeys(ctx, cust.Rotate, cust.Rewrap)
	if err != nil || n != 3 {
		t.Fatalf("RotateKeys = %d, %v; want 3 pods", n, err)
	}
	// A fresh service (no cached keys) reads everything, and the wrapped
	// keys are all under master key version 2.
	s2, _ := podtest.Open(t, dir, 0)
	for id, want := range map[pod.PodID]string{a: "aaa", b: "bbb"} {
		if got, err := read(s2, id, "documents/x.txt"); got != want || err != nil {
			t.Fatalf("after rotation %s = %q, %v", id, got, err)
		}
		w, _ := os.ReadFile(filepath.Join(dir, "objects", "pods", string(id), "key"))
		if !bytes.HasPrefix(w, []byte("satchel-local:v2:")) {
			t.Fatalf("pod %s key not rewrapped: %.20q", id, w)
		}
	}
}
