// Package statuslist owns the W3C Bitstring Status List v1.0 that publishes
// the revocation of consent grants to offline verifiers: the bitstring itself
// and its GZIP/base64url/multibase encoding, the random assignment of list
// indexes to grants, and the unsigned status list credential, the
// credentialStatus entry and the verifier's check of one bit.
//
// Signing, publishing and fetching the credential belong to the caller.
package statuslist

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"strings"
)

const (
	// MinBits is the smallest bitstring the specification allows: 131,072
	// bits (16 KiB), so that one set bit hides in a crowd of that size.
	MinBits = 131072

	// MaxBytes caps the size of a decoded bitstring (16 MiB, 134,217,728
	// bits). Decode refuses anything larger, which also defuses gzip bombs.
	MaxBytes = 16 << 20

	// MaxBits is MaxBytes in bits, the largest list New will make.
	MaxBits = MaxBytes * 8

	// multibaseBase64URL is the multibase prefix for base64url without padding.
	multibaseBase64URL = 'u'
)

// maxEncodedLen bounds the encodedList Decode will look at: the base64url of
// a gzip stream holding MaxBytes of incompressible data, with room to spare.
var maxEncodedLen = 1 + base64.RawURLEncoding.EncodedLen(MaxBytes+MaxBytes/64+1024)

// Errors returned by this package, to be tested with errors.Is. The
// specification's error names are given where one applies.
var (
	// ErrMalformed is a value that breaks the specification's rules: a bad
	// prefix, base64url or gzip stream, or a credential subject of the wrong
	// shape (MALFORMED_VALUE_ERROR).
	ErrMalformed = errors.New("statuslist: malformed value")

	// ErrLength is a bitstring shorter than MinBits (STATUS_LIST_LENGTH_ERROR).
	ErrLength = errors.New("statuslist: bitstring shorter than the minimum")

	// ErrTooLarge is a bitstring that decompresses to more than MaxBytes.
	ErrTooLarge = errors.New("statuslist: bitstring larger than the maximum")

	// ErrRange is an index outside the bitstring (RANGE_ERROR).
	ErrRange = errors.New("statuslist: index out of range")

	// ErrPurpose is a status list whose statusPurpose does not include the
	// one asked for (STATUS_VERIFICATION_ERROR).
	ErrPurpose = errors.New("statuslist: status purpose does not match")
)

// List is a bitstring of status bits. Index 0 is the left-most (most
// significant) bit of the first byte, as the specification requires. The zero
// List is empty and useless; make one with New, Decode or UnmarshalBinary.
// A List is not safe for concurrent use.
type List struct {
	b []byte
}

// New returns a list of at least bits bits, all unset. The size is rounded up
// to MinBits and to a multiple of 8. New panics if bits exceeds MaxBits.
func New(bits int) *List {
	if bits > MaxBits {
		panic(fmt.Sprintf("statuslist: New(%d) exceeds MaxBits", bits))
	}
	bits = max(bits, MinBits)
	return &List{b: make([]byte, (bits+7)/8)}
}

// Len returns the number of bits in the list.
func (l *List) Len() int {
	if l == nil {
		return 0
	}
	return len(l.b) * 8
}

// check returns an ErrRange error unless i indexes a bit of l.
func (l *List) check(i int) error {
	if i < 0 || i >= l.Len() {
		return fmt.Errorf("%w: %d not in [0, %d)", ErrRange, i, l.Len())
	}
	return nil
}

// Set sets bit i to v.
func (l *List) Set(i int, v bool) error {
	if err := l.check(i); err != nil {
		return err
	}
	mask := byte(0x80) >> (i % 8)
	if v {
		l.b[i/8] |= mask
	} else {
		l.b[i/8] &^= mask
	}
	return nil
}

// Get reports whether bit i is set.
func (l *List) Get(i int) (bool, error) {
	if err := l.check(i); err != nil {
		return false, err
	}
	return l.get(i), nil
}

// get reads bit i, which the caller has checked.
func (l *List) get(i int) bool {
	return l.b[i/8]&(0x80>>(i%8)) != 0
}

// Count returns the number of set bits.
func (l *List) Count() int {
	if l == nil {
		return 0
	}
	n := 0
	for _, c := range l.b {
		n += bits.OnesCount8(c)
	}
	return n
}

// Encode returns the list as an encodedList value: "u" followed by the
// base64url, without padding, of the GZIP-compressed bitstring.
func (l *List) Encode() (string, error) {
	if l.Len() < MinBits {
		return "", fmt.Errorf("%w: %d bits", ErrLength, l.Len())
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return "", err
	}
	if _, err := zw.Write(l.b); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return string(multibaseBase64URL) + base64.RawURLEncoding.EncodeToString(buf.Bytes()), nil
}

// Decode parses an encodedList value made by Encode or by any conforming
// issuer. It refuses a missing "u" prefix, bad base64url (including padding
// and line breaks), a bad or truncated gzip stream or trailing bytes after
// it, and a bitstring shorter than MinBits or longer than MaxBytes; it never
// decompresses more than MaxBytes+1 bytes.
func Decode(s string) (*List, error) {
	if s == "" || s[0] != multibaseBase64URL {
		return nil, fmt.Errorf("%w: encodedList lacks the multibase prefix %q", ErrMalformed, multibaseBase64URL)
	}
	if len(s) > maxEncodedLen {
		return nil, fmt.Errorf("%w: encodedList is %d characters long", ErrTooLarge, len(s))
	}
	// The base64 decoder skips CR and LF; the specification allows neither.
	if strings.ContainsAny(s, "\r\n") {
		return nil, fmt.Errorf("%w: encodedList contains a line break", ErrMalformed)
	}
	z, err := base64.RawURLEncoding.Strict().DecodeString(s[1:])
	if err != nil {
		return nil, fmt.Errorf("%w: encodedList is not base64url without padding: %v", ErrMalformed, err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		return nil, fmt.Errorf("%w: encodedList is not gzip: %v", ErrMalformed, err)
	}
	b, err := readAll(io.LimitReader(zr, MaxBytes+1), sizeHint(z))
	if len(b) > MaxBytes {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, MaxBytes)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: encodedList is not gzip: %v", ErrMalformed, err)
	}
	if len(b)*8 < MinBits {
		return nil, fmt.Errorf("%w: %d bits", ErrLength, len(b)*8)
	}
	return &List{b: b}, nil
}

// sizeHint returns the buffer to allocate for decompressing the gzip stream
// z: the ISIZE its trailer claims, clamped to [MinBits/8, MaxBytes]. It is
// only a hint; a lie costs at most one buffer of MaxBytes.
func sizeHint(z []byte) int {
	if len(z) < 4 {
		return MinBits / 8
	}
	return min(max(int(binary.LittleEndian.Uint32(z[len(z)-4:])), MinBits/8), MaxBytes)
}

// readAll is io.ReadAll starting from a buffer of hint+1 bytes, so that a
// stream of exactly hint bytes fits with room to see EOF, and that probes
// with a single byte before growing a full buffer, so that a reader that is
// exhausted (such as an io.LimitReader at its limit) never makes it grow.
func readAll(r io.Reader, hint int) ([]byte, error) {
	b := make([]byte, 0, hint+1)
	var probe [1]byte
	for {
		var n int
		var err error
		if len(b) < cap(b) {
			n, err = r.Read(b[len(b):cap(b)])
			b = b[:len(b)+n]
		} else {
			n, err = r.Read(probe[:])
			b = append(b, probe[:n]...)
		}
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// MarshalBinary returns a copy of the raw bitstring, one bit per status,
// uncompressed, for storage.
func (l *List) MarshalBinary() ([]byte, error) {
	if l.Len() < MinBits {
		return nil, fmt.Errorf("%w: %d bits", ErrLength, l.Len())
	}
	return bytes.Clone(l.b), nil
}

// UnmarshalBinary replaces l with a copy of a raw bitstring made by
// MarshalBinary. It refuses data shorter than MinBits or longer than MaxBytes.
func (l *List) UnmarshalBinary(data []byte) error {
	switch {
	case len(data)*8 < MinBits:
		return fmt.Errorf("%w: %d bits", ErrLength, len(data)*8)
	case len(data) > MaxBytes:
		return fmt.Errorf("%w: %d bytes", ErrTooLarge, len(data))
	}
	l.b = bytes.Clone(data)
	return nil
}
