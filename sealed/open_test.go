package sealed_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/satchel-project/satchel/blob"
	"github.com/satchel-project/satchel/pod/fsstore"
	"github.com/satchel-project/satchel/sealed"
	"github.com/satchel-project/satchel/vault/local"
)

// testKeys makes a keyring over a real local directory and two spaces.
func testKeys(t *testing.T) (blob.Store, *sealed.Keys, *sealed.Keys) {
	t.Helper()
	st, err := fsstore.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cust, _, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	kr := sealed.NewKeyring(st, cust, 0)
	a, err := kr.Create(context.Background(), "a")
	if err != nil {
		t.Fatal(err)
	}
	b, err := kr.Create(context.Background(), "b")
	if err != nil {
		t.Fatal(err)
	}
	return st, a, b
}

// TestOpenEverySize writes and reads back bodies on both sides of the
// sizes where Open changes how it decrypts: one age chunk read whole, two
// chunks read whole, and an object too big to read whole.
func TestOpenEverySize(t *testing.T) {
	st, k, _ := testKeys(t)
	ctx := context.Background()
	header := []byte(`{"path":"x"}`)
	const chunk = 64 << 10 // an age chunk
	for _, n := range []int{0, 1, 1000, chunk - 4 - len(header), chunk - 3 - len(header), chunk, chunk + 500, chunk + 1024, 3 * chunk} {
		body := make([]byte, n)
		for i := range body {
			body[i] = byte(i * 7)
		}
		key := fmt.Sprintf("pods/a/o/%d", n)
		if _, err := sealed.WriteBytes(ctx, st, k, key, header, body, blob.Cond{}); err != nil {
			t.Fatal(err)
		}
		h, got, _, err := sealed.ReadBytes(ctx, st, k, key, int64(n))
		if err != nil {
			t.Fatalf("%d bytes: %v", n, err)
		}
		if !bytes.Equal(h, header) || !bytes.Equal(got, body) {
			t.Fatalf("%d bytes: read back %d bytes with header %q", n, len(got), h)
		}
	}
}

// TestOpenRefusesTampering flips each of a few bytes of stored objects
// (small and large), cuts them short and opens them with another space's
// key: every one must be refused as damaged, never read as something else.
func TestOpenRefusesTampering(t *testing.T) {
	st, k, other := testKeys(t)
	ctx := context.Background()
	for _, n := range []int{10, 1000, 64<<10 + 500, 3 * 64 << 10} {
		key := fmt.Sprintf("pods/a/o/t%d", n)
		if _, err := sealed.WriteBytes(ctx, st, k, key, []byte("{}"), bytes.Repeat([]byte("x"), n), blob.Cond{}); err != nil {
			t.Fatal(err)
		}
		rc, oi, err := st.Get(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		orig, _ := io.ReadAll(rc)
		rc.Close()
		put := func(b []byte) {
			if _, err := st.Put(ctx, key, bytes.NewReader(b), int64(len(b)), blob.Cond{}); err != nil {
				t.Fatal(err)
			}
		}
		open := func(k *sealed.Keys) error {
			_, _, _, err := sealed.ReadBytes(ctx, st, k, key, int64(n))
			return err
		}
		for _, at := range []int{len(orig) - 1, len(orig) - 20, len(orig) / 2, 60} {
			b := bytes.Clone(orig)
			b[at] ^= 0x40
			put(b)
			if err := open(k); !errors.Is(err, sealed.ErrDamaged) {
				t.Errorf("%d bytes, byte %d of %d flipped: %v", n, at, oi.Size, err)
			}
		}
		put(orig[:len(orig)-1])
		if err := open(k); !errors.Is(err, sealed.ErrDamaged) {
			t.Errorf("%d bytes cut short: %v", n, err)
		}
		put(orig)
		if err := open(other); !errors.Is(err, sealed.ErrDamaged) {
			t.Errorf("%d bytes opened with another space's key: %v", n, err)
		}
		if err := open(k); err != nil {
			t.Errorf("%d bytes put back: %v", n, err)
		}
	}
}

// TestOpenRefusesTamperingAfterARead is TestOpenRefusesTampering for
// objects that were read once first, so that a second read can take the
// shortcut of a remembered payload key: every changed byte, a cut, a splice
// of one object's header onto another's payload, and a copy into another
// space must still be refused, and the object put back must read as before.
func TestOpenRefusesTamperingAfterARead(t *testing.T) {
	st, k, other := testKeys(t)
	ctx := context.Background()
	raw := func(key string) []byte {
		rc, _, err := st.Get(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		b, _ := io.ReadAll(rc)
		return b
	}
	put := func(key string, b []byte) {
		if _, err := st.Put(ctx, key, bytes.NewReader(b), int64(len(b)), blob.Cond{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []int{10, 1000, 60 << 10} {
		key, twin := fmt.Sprintf("pods/a/o/r%d", n), fmt.Sprintf("pods/a/o/s%d", n)
		body := bytes.Repeat([]byte("x"), n)
		if _, err := sealed.WriteBytes(ctx, st, k, key, []byte("{}"), body, blob.Cond{}); err != nil {
			t.Fatal(err)
		}
		if _, err := sealed.WriteBytes(ctx, st, k, twin, []byte("{}"), bytes.Repeat([]byte("y"), n), blob.Cond{}); err != nil {
			t.Fatal(err)
		}
		open := func(k *sealed.Keys, key string) ([]byte, error) {
			_, b, _, err := sealed.ReadBytes(ctx, st, k, key, int64(n))
			return b, err
		}
		orig, twinBytes := raw(key), raw(twin)
		for _, key := range []string{key, twin} { // read once: remembered
			if _, err := open(k, key); err != nil {
				t.Fatal(err)
			}
		}
		hdr := bytes.Index(orig, []byte("\n--- ")) + 1
		hdr += bytes.IndexByte(orig[hdr:], '\n') + 1
		for _, at := range []int{len(orig) - 1, len(orig) - 20, hdr + 17, hdr + 3, hdr - 2, hdr - 30, 60} {
			b := bytes.Clone(orig)
			b[at] ^= 0x40
			put(key, b)
			if _, err := open(k, key); !errors.Is(err, sealed.ErrDamaged) {
				t.Errorf("%d bytes, byte %d of %d flipped after a read (header ends at %d): %v", n, at, len(orig), hdr, err)
			}
		}
		put(key, orig[:len(orig)-1])
		if _, err := open(k, key); !errors.Is(err, sealed.ErrDamaged) {
			t.Errorf("%d bytes cut short after a read: %v", n, err)
		}
		// The header and nonce of one object with the chunk of the other.
		put(key, append(bytes.Clone(orig[:hdr+16]), twinBytes[hdr+16:]...))
		if got, err := open(k, key); !errors.Is(err, sealed.ErrDamaged) {
			t.Errorf("%d bytes, another object's payload under a remembered header: %v (read %.10q)", n, err, got)
		}
		// The object copied into another space, under a name there.
		put("pods/b/o/copy", orig)
		if _, err := open(other, "pods/b/o/copy"); !errors.Is(err, sealed.ErrDamaged) {
			t.Errorf("%d bytes opened with another space's key after a read: %v", n, err)
		}
		put(key, orig)
		if got, err := open(k, key); err != nil || !bytes.Equal(got, body) {
			t.Errorf("%d bytes put back: %v, %d bytes", n, err, len(got))
		}
	}
}
