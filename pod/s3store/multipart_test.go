package s3store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"hash"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/satchel-project/satchel/pod"
)

const mib = 1 << 20

// gen returns a reader of n pseudo-random bytes that are made as they are
// read (it hides any ReaderAt, as a network stream would) and the hash that
// they go through.
func gen(seed uint64, n int64) (io.Reader, hash.Hash) {
	h := sha256.New()
	var s [32]byte
	s[0] = byte(seed)
	return io.TeeReader(io.LimitReader(rand.NewChaCha8(s), n), h), h
}

func sum(t *testing.T, s *Store, key string) ([]byte, pod.ObjectInfo) {
	t.Helper()
	rc, oi, err := s.Get(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil {
		t.Fatal(err)
	}
	return h.Sum(nil), oi
}

// noUploads fails if a multipart upload for key was left behind.
func noUploads(t *testing.T, s *Store, key string) {
	t.Helper()
	res, err := s.core.ListMultipartUploads(context.Background(), s.bucket, s.prefix+key, "", "", "", 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Uploads) != 0 {
		t.Errorf("%d multipart uploads of %s left behind", len(res.Uploads), key)
	}
}

func TestMultipartUpload(t *testing.T) {
	s := testStore(t)
	ctx := context.Background()
	for _, c := range []struct {
		name  string
		size  int64 // given to Put
		n     int64 // bytes the reader yields
		parts string
		cond  pod.Cond
	}{
		{"known size", 40 * mib, 40 * mib, "-3", pod.Cond{}},
		{"unknown size", -1, 20*mib + 1, "-2", pod.Cond{}},
		{"create-only", 20 * mib, 20 * mib, "-2", pod.Cond{IfNoneMatch: true}},
		{"create-only, unknown size", -1, 17 * mib, "-2", pod.Cond{IfNoneMatch: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			key := strings.ReplaceAll(c.name, " ", "_")
			key = strings.ReplaceAll(key, ",", "")
			r, h := gen(1, c.n)
			oi, err := s.Put(ctx, key, r, c.size, c.cond)
			if err != nil {
				t.Fatal(err)
			}
			if oi.Size != c.n || !strings.HasSuffix(oi.ETag, c.parts) {
				t.Fatalf("Put = %+v, want size %d and a multipart ETag ending in %s", oi, c.n, c.parts)
			}
			got, gi := sum(t, s, key)
			if !bytes.Equal(got, h.Sum(nil)) || gi.ETag != oi.ETag || gi.Size != c.n {
				t.Fatalf("read back %d bytes with ETag %s and a different hash or ETag than the %d bytes put (ETag %s)", gi.Size, gi.ETag, c.n, oi.ETag)
			}
		})
	}
}

// failAfter yields n bytes of r and then fails.
func failAfter(r io.Reader, n int64) io.Reader {
	return io.MultiReader(io.LimitReader(r, n), errReader{})
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset by client") }

// TestFailedUploadKeepsOld: multipart uploads and single PUTs that fail or get
// the wrong number of bytes leave the old object and no upload behind.
func TestFailedUploadKeepsOld(t *testing.T) {
	s := testStore(t)
	ctx := context.Background()
	r, h := gen(2, 20*mib)
	old, err := s.Put(ctx, "obj", r, 20*mib, pod.Cond{})
	if err != nil {
		t.Fatal(err)
	}
	want := h.Sum(nil)
	for _, c := range []struct {
		name string
		r    io.Reader
		size int64
		cond pod.Cond
	}{
		{"reader fails in the second part", failAfter(rand.NewChaCha8([32]byte{3}), 20*mib), 40 * mib, pod.Cond{}},
		{"reader fails in the last part", failAfter(rand.NewChaCha8([32]byte{3}), 40*mib-1), 40 * mib, pod.Cond{}},
		{"one byte short", io.LimitReader(rand.NewChaCha8([32]byte{3}), 40*mib-1), 40 * mib, pod.Cond{}},
		{"one byte too many", io.LimitReader(rand.NewChaCha8([32]byte{3}), 40*mib+1), 40 * mib, pod.Cond{}},
		{"unknown size, reader fails", failAfter(rand.NewChaCha8([32]byte{3}), 20*mib), -1, pod.Cond{}},
		{"conditional, reader fails", failAfter(rand.NewChaCha8([32]byte{3}), 20*mib), 40 * mib, pod.Cond{IfMatch: old.ETag}},
		{"conditional, one byte too many", io.LimitReader(rand.NewChaCha8([32]byte{3}), 40*mib+1), 40 * mib, pod.Cond{IfMatch: old.ETag}},
		{"single PUT, one byte too many", io.LimitReader(rand.NewChaCha8([32]byte{3}), mib+1), mib, pod.Cond{}},
		{"single PUT, one byte short", io.LimitReader(rand.NewChaCha8([32]byte{3}), mib-1), mib, pod.Cond{}},
		{"single PUT, reader fails at the end", failAfter(rand.NewChaCha8([32]byte{3}), mib), mib, pod.Cond{}},
		{"single PUT, conditional, one byte too many", io.LimitReader(rand.NewChaCha8([32]byte{3}), mib+1), mib, pod.Cond{IfMatch: old.ETag}},
	} {
		if _, err := s.Put(ctx, "obj", c.r, c.size, c.cond); err == nil {
			t.Errorf("%s: Put succeeded", c.name)
		}
		if got, gi := sum(t, s, "obj"); !bytes.Equal(got, want) || gi.ETag != old.ETag {
			t.Fatalf("%s: the old object did not survive", c.name)
		}
	}
	noUploads(t, s, "obj")
}

// TestConditionalMultipartChecksAtCompletion shows that a conditional
// multipart upload fails if another client writes the object while it is
// being uploaded: the condition is checked when the upload completes, not
// only when it starts.
func TestConditionalMultipartChecksAtCompletion(t *testing.T) {
	cfg := testConfig(t)
	s, other := open(t, cfg), open(t, cfg) // no shared locks
	ctx := context.Background()
	v1, err := s.Put(ctx, "obj", strings.NewReader("v1"), 2, pod.Cond{})
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		key  string
		cond pod.Cond
	}{
		"If-Match":         {"obj", pod.Cond{IfMatch: v1.ETag}},
		"If-None-Match: *": {"new", pod.Cond{IfNoneMatch: true}},
	} {
		reached, release := make(chan struct{}), make(chan struct{})
		r := io.MultiReader(
			io.LimitReader(rand.NewChaCha8([32]byte{4}), 17*mib), // the first part and a bit
			gate{reached, release},
			io.LimitReader(rand.NewChaCha8([32]byte{5}), 3*mib))
		errc := make(chan error, 1)
		go func() {
			_, err := s.Put(ctx, c.key, r, 20*mib, c.cond)
			errc <- err
		}()
		<-reached
		if _, err := other.Put(ctx, c.key, strings.NewReader("intruder"), 8, pod.Cond{}); err != nil {
			t.Fatal(err)
		}
		close(release)
		if err := <-errc; !errors.Is(err, pod.ErrPrecondition) {
			t.Errorf("%s: upload overlapping another write: %v, want ErrPrecondition", name, err)
		}
		if got := read(t, s, c.key); string(got) != "intruder" {
			t.Errorf("%s: the other write was lost", name)
		}
		noUploads(t, s, c.key)
	}
}

// gate is an empty reader that, when first read, says so on reached and
// waits for release.
type gate struct{ reached, release chan struct{} }

func (g gate) Read([]byte) (int, error) {
	select {
	case <-g.reached:
	default:
		close(g.reached)
		<-g.release
	}
	return 0, io.EOF
}
