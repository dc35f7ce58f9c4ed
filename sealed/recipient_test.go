package sealed

import (
	"bytes"
	"crypto/rand"
	"io"
	"testing"

	"filippo.io/age"
	"golang.org/x/crypto/curve25519"
)

// TestEphemeralShareIsX25519: the fixed-base multiplication gives exactly
// X25519(e, basepoint), for random scalars and for the edges of clamping.
func TestEphemeralShareIsX25519(t *testing.T) {
	scalars := [][]byte{make([]byte, 32), bytes.Repeat([]byte{0xff}, 32)}
	for range 500 {
		e := make([]byte, 32)
		rand.Read(e)
		scalars = append(scalars, e)
	}
	for _, e := range scalars {
		want, err := curve25519.X25519(e, curve25519.Basepoint)
		if err != nil {
			t.Fatal(err)
		}
		if got := ephemeralShare(e); !bytes.Equal(got, want) {
			t.Fatalf("scalar %x: %x, X25519 gives %x", e, got, want)
		}
	}
}

// TestRecipientKey: the key read from a recipient string is the one the
// identity answers to, and strings that are not one are refused.
func TestRecipientKey(t *testing.T) {
	for range 50 {
		id, err := age.GenerateX25519Identity()
		if err != nil {
			t.Fatal(err)
		}
		r := newX25519Recipient(id.Recipient())
		if r == nil {
			t.Fatalf("no key read from %s", id.Recipient())
		}
		if err := checkRecipient(r, id); err != nil {
			t.Fatalf("%s: %v", id.Recipient(), err)
		}
		other, _ := age.GenerateX25519Identity()
		if err := checkRecipient(r, other); err == nil {
			t.Fatal("a recipient opened with another identity")
		}
	}
	good := "age1" + string(bytes.Repeat([]byte("q"), 52)) + "qqqqqq"
	if _, ok := recipientKey(good); !ok {
		t.Fatal("a well-formed recipient string was refused")
	}
	for _, s := range []string{"", "age1", good[:len(good)-1], good + "q", "agx1" + good[4:], good[:10] + "b" + good[11:], good[:55] + "l" + good[56:]} {
		if _, ok := recipientKey(s); ok {
			t.Errorf("%q read as a key", s)
		}
	}
}

// TestRecipientOpensWithAge: what the fast recipient seals, age's own
// X25519 identity opens (the file a Satchel writes stays an age file that
// the age command decrypts), and another identity cannot.
func TestRecipientOpensWithAge(t *testing.T) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	other, _ := age.GenerateX25519Identity()
	r := newX25519Recipient(id.Recipient())
	for _, n := range []int{0, 1, 1000, 64 << 10, 64<<10 + 1} {
		plain := make([]byte, n)
		rand.Read(plain)
		var buf bytes.Buffer
		w, err := age.Encrypt(&buf, r)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(plain)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		sealedFile := buf.Bytes()
		rd, err := age.Decrypt(bytes.NewReader(sealedFile), id)
		if err != nil {
			t.Fatalf("%d bytes: age cannot open it: %v", n, err)
		}
		got, err := io.ReadAll(rd)
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("%d bytes: read back %d bytes, %v", n, len(got), err)
		}
		if _, err := age.Decrypt(bytes.NewReader(sealedFile), other); err == nil {
			t.Fatalf("%d bytes: another identity opened it", n)
		}
	}
}

// TestKeysUseTheFastRecipient: a space's keys seal with the fast recipient.
func TestKeysUseTheFastRecipient(t *testing.T) {
	id, _ := age.GenerateX25519Identity()
	k := NewKeyring(nil, nil, 0)
	pk, err := k.remember("a", id)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := pk.rcpt.(*x25519Recipient); !ok {
		t.Fatalf("the keys seal with %T", pk.rcpt)
	}
}

func BenchmarkWrapAge(b *testing.B) {
	id, _ := age.GenerateX25519Identity()
	r := id.Recipient()
	fk := make([]byte, 16)
	for b.Loop() {
		r.Wrap(fk)
	}
}

func BenchmarkWrapFast(b *testing.B) {
	id, _ := age.GenerateX25519Identity()
	r := newX25519Recipient(id.Recipient())
	fk := make([]byte, 16)
	for b.Loop() {
		r.Wrap(fk)
	}
}
