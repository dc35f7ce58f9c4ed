package sealed

import (
	"bytes"
	"context"
	"github.com/satchel-project/satchel/blob"
	"github.com/satchel-project/satchel/vault/local"
	"testing"

	"filippo.io/age"
)

// TestCipherSizeIsExact checks the size formula that lets back ends stream
// uploads, at the chunk boundaries where an off-by-one would hide.
func TestCipherSizeIsExact(t *testing.T) {
	id, _ := age.GenerateX25519Identity()
	for _, n := range []int64{0, 1, 100, 65535, 65536, 65537, 2 * 65536, 2*65536 + 1, 1 << 20} {
		var b bytes.Buffer
		w, err := age.Encrypt(&b, id.Recipient())
		if err != nil {
			t.Fatal(err)
		}
		w.Write(make([]byte, n))
		w.Close()
		if got := cipherSize(n); got != int64(b.Len()) {
			t.Errorf("cipherSize(%d) = %d, age wrote %d", n, got, b.Len())
		}
	}
}

// BenchmarkOpenSmall is reading a 1 KiB record: what every GET of a record,
// state document and shard costs in decryption and garbage.
func BenchmarkOpenSmall(b *testing.B) {
	st := newMemStore()
	cust, _, err := local.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	k, err := NewKeyring(st, cust, 0).Create(context.Background(), "a")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := WriteBytes(ctx, st, k, "pods/a/o/r", []byte(`{"path":"r"}`), bytes.Repeat([]byte("x"), 1024), blob.Cond{}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, _, err := ReadBytes(ctx, st, k, "pods/a/o/r", 2048); err != nil {
			b.Fatal(err)
		}
	}
}
