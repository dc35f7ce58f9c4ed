package sealed

import (
	"bytes"
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
