package statuslist

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
)

// specExample is the encodedList of the example BitstringStatusListCredential
// in Bitstring Status List v1.0: 131,072 bits, none set.
const specExample = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"

// suiteList is the encodedList of the W3C test suite's fixture
// status-credentials/single-purpose-ok.jsonld (which carries it without the
// multibase prefix): 200,000 bits with 201, 57444 and 94023 set. The suite's
// should-be-revoked.jsonld expects index 201 to read as revoked.
const suiteList = "H4sIACbOo2YC_-3QMREAMAgEsGerLPyrQgFjB-4SCUkWHQAAAAAAAOCwpwAAAADgrFIAAAAAAAAAAAAAAAAA3wxvOeOvqGEAAA"

// suiteShort is the suite's short-encoded-list-fail.jsonld list: 25 bytes.
const suiteShort = "H4sIAN7Lo2YC_2NgwAEAjw7P6RkAAAA"

func raw(t *testing.T, l *List) []byte {
	t.Helper()
	b, err := l.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBitOrder(t *testing.T) {
	for _, c := range []struct{ i, byteAt int }{{0, 0}, {7, 0}, {8, 1}, {MinBits - 1, MinBits/8 - 1}} {
		want := map[int]byte{0: 0x80, 7: 0x01, 8: 0x80, MinBits - 1: 0x01}[c.i]
		l := New(MinBits)
		if err := l.Set(c.i, true); err != nil {
			t.Fatal(err)
		}
		b := raw(t, l)
		if b[c.byteAt] != want {
			t.Errorf("Set(%d): byte %d = %#02x, want %#02x", c.i, c.byteAt, b[c.byteAt], want)
		}
		if l.Count() != 1 {
			t.Errorf("Set(%d): %d bits set, want 1", c.i, l.Count())
		}
		if ok, _ := l.Get(c.i); !ok {
			t.Errorf("Get(%d) = false after Set", c.i)
		}
		if err := l.Set(c.i, false); err != nil || l.Count() != 0 {
			t.Errorf("Set(%d, false): err %v, %d bits left", c.i, err, l.Count())
		}
	}
}

func TestRange(t *testing.T) {
	l := New(0)
	for _, i := range []int{-1, l.Len(), l.Len() + 8} {
		if err := l.Set(i, true); !errors.Is(err, ErrRange) {
			t.Errorf("Set(%d) = %v, want ErrRange", i, err)
		}
		if _, err := l.Get(i); !errors.Is(err, ErrRange) {
			t.Errorf("Get(%d) = %v, want ErrRange", i, err)
		}
	}
	var zero *List
	if _, err := zero.Get(0); !errors.Is(err, ErrRange) {
		t.Errorf("nil Get = %v, want ErrRange", err)
	}
}

func TestNewSizes(t *testing.T) {
	for in, want := range map[int]int{-5: MinBits, 0: MinBits, MinBits: MinBits, MinBits + 1: MinBits + 8, 1 << 20: 1 << 20} {
		if got := New(in).Len(); got != want {
			t.Errorf("New(%d).Len() = %d, want %d", in, got, want)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("New(MaxBits+1) did not panic")
		}
	}()
	New(MaxBits + 1)
}

func TestRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, size := range []int{MinBits, MinBits + 8, 1 << 19} {
		l := New(size)
		for range 500 {
			_ = l.Set(r.IntN(l.Len()), true)
		}
		enc, err := l.Encode()
		if err != nil {
			t.Fatal(err)
		}
		d, err := Decode(enc)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(raw(t, d), raw(t, l)) {
			t.Errorf("%d bits: Decode(Encode) differs", size)
		}
		var u List
		b := raw(t, l)
		if err := u.UnmarshalBinary(b); err != nil {
			t.Fatal(err)
		}
		b[0] ^= 0xff // the list must own its bytes
		if !bytes.Equal(raw(t, &u), raw(t, l)) {
			t.Errorf("%d bits: UnmarshalBinary(MarshalBinary) differs or aliases", size)
		}
	}
	var u List
	if err := u.UnmarshalBinary(make([]byte, MinBits/8-1)); !errors.Is(err, ErrLength) {
		t.Errorf("UnmarshalBinary(short) = %v, want ErrLength", err)
	}
	if _, err := new(List).Encode(); !errors.Is(err, ErrLength) {
		t.Errorf("empty List Encode = %v, want ErrLength", err)
	}
}

func TestEncodeEmpty(t *testing.T) {
	enc, err := New(MinBits).Encode()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("empty %d-bit list encodes to %d characters: %s", MinBits, len(enc), enc)
	if !strings.HasPrefix(enc, "u") || len(enc) > 100 {
		t.Errorf("Encode() = %q: want a short string starting with u", enc)
	}
}

func TestVectors(t *testing.T) {
	l, err := Decode(specExample)
	if err != nil {
		t.Fatal(err)
	}
	if l.Len() != MinBits || l.Count() != 0 {
		t.Errorf("spec example: %d bits, %d set; want %d, 0", l.Len(), l.Count(), MinBits)
	}
	l, err = Decode("u" + suiteList)
	if err != nil {
		t.Fatal(err)
	}
	if l.Len() != 200000 || l.Count() != 3 {
		t.Errorf("suite list: %d bits, %d set; want 200000, 3", l.Len(), l.Count())
	}
	for i, want := range map[int]bool{200: false, 201: true, 202: false, 57444: true, 94023: true, 199999: false} {
		if got, err := l.Get(i); err != nil || got != want {
			t.Errorf("suite list bit %d = %v, %v; want %v", i, got, err, want)
		}
	}
}

// gz compresses n zero bytes, quickly rather than small.
func gz(t *testing.T, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	chunk := make([]byte, 1<<20)
	for n > 0 {
		k := min(n, len(chunk))
		if _, err := zw.Write(chunk[:k]); err != nil {
			t.Fatal(err)
		}
		n -= k
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func u64(b []byte) string { return "u" + base64.RawURLEncoding.EncodeToString(b) }

func TestDecodeRefuses(t *testing.T) {
	good := gz(t, MinBits/8)
	badCRC := bytes.Clone(good)
	badCRC[len(badCRC)-8] ^= 1
	goodEnc := u64(good)
	padded := base64.URLEncoding.EncodeToString(good)
	if !strings.HasSuffix(padded, "=") {
		t.Fatalf("test setup: %d gzip bytes need no padding", len(good))
	}
	cases := []struct {
		name, in string
		want     error
	}{
		{"empty", "", ErrMalformed},
		{"no prefix", goodEnc[1:], ErrMalformed},
		{"suite list without prefix", suiteList, ErrMalformed},
		{"base58btc prefix", "z" + goodEnc[1:], ErrMalformed},
		{"bad base64url", "u!!!!", ErrMalformed},
		{"standard base64", "u" + base64.StdEncoding.EncodeToString(good), ErrMalformed},
		{"padding", "u" + padded, ErrMalformed},
		{"line break", goodEnc[:20] + "\n" + goodEnc[20:], ErrMalformed},
		{"not gzip", u64([]byte("this is not a gzip stream at all")), ErrMalformed},
		{"truncated gzip", u64(good[:len(good)-4]), ErrMalformed},
		{"bad crc", u64(badCRC), ErrMalformed},
		{"trailing bytes", u64(append(bytes.Clone(good), "junk"...)), ErrMalformed},
		{"suite short list", "u" + suiteShort, ErrLength},
		{"one byte short", u64(gz(t, MinBits/8-1)), ErrLength},
		{"one byte over the cap", u64(gz(t, MaxBytes+1)), ErrTooLarge},
		{"too long to look at", "u" + strings.Repeat("A", maxEncodedLen), ErrTooLarge},
	}
	for _, c := range cases {
		if _, err := Decode(c.in); !errors.Is(err, c.want) {
			t.Errorf("%s: Decode = %v, want %v", c.name, err, c.want)
		}
	}
	if l, err := Decode(u64(gz(t, MaxBytes))); err != nil || l.Len() != MaxBits {
		t.Errorf("Decode(MaxBytes) = %v; want a %d-bit list", err, MaxBits)
	}
	// RFC 1952 allows several gzip members in a row; they concatenate.
	if l, err := Decode(u64(append(bytes.Clone(good), good...))); err != nil || l.Len() != 2*MinBits {
		t.Errorf("Decode(two members) = %v; want a %d-bit list", err, 2*MinBits)
	}
}

func TestDecodeBomb(t *testing.T) {
	bomb := u64(gz(t, 100<<20))
	t.Logf("100 MiB of zeros: %d characters encoded", len(bomb))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Decode(bomb)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Decode(bomb) = %v, want ErrTooLarge", err)
	}
	got := after.TotalAlloc - before.TotalAlloc
	t.Logf("Decode(bomb) allocated %.1f MiB", float64(got)/(1<<20))
	if got > 24<<20 {
		t.Errorf("Decode(bomb) allocated %d MiB, want about MaxBytes", got>>20)
	}
}
