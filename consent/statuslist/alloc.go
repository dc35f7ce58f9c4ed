package statuslist

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"sync"
)

var (
	// ErrFull is returned by Allocate when every index has been assigned.
	ErrFull = errors.New("statuslist: every index is assigned")

	// ErrUnassigned is returned by Allocator.Set for an index that Allocate
	// has not handed out.
	ErrUnassigned = errors.New("statuslist: index not assigned")
)

const (
	// allocMagic starts the MarshalBinary form of an Allocator.
	allocMagic = "SLA1"

	// denseNum/denseDen is the share of assigned indexes above which
	// Allocate stops guessing and counts its way to a free index.
	denseNum, denseDen = 9, 10

	// maxGuesses bounds rejection sampling before Allocate counts instead.
	maxGuesses = 64

	// maxDraws bounds the draws for one uniform number; each draw succeeds
	// with probability above one half, so only a broken reader reaches it.
	maxDraws = 128
)

// Allocator hands out indexes of a status list at random, so that an index
// says nothing about who holds it, when it was assigned, or how many grants
// came before. It keeps the published status bits and, beside them, a second
// bitstring of the indexes already assigned. An index is never assigned
// twice, and only an assigned index can have its status bit set.
//
// Allocator is not safe for concurrent use: the caller serialises Allocate,
// Set and persistence (MarshalBinary) under one lock.
type Allocator struct {
	status *List // the published bits; a subset of used
	used   *List // indexes handed out by Allocate
	nUsed  int   // used.Count()
}

// NewAllocator returns an allocator over a fresh list of at least bits bits
// (see New), with no index assigned and no status bit set.
func NewAllocator(bits int) *Allocator {
	s := New(bits)
	return &Allocator{status: s, used: New(s.Len())}
}

// Status returns a copy of the status list, to Encode and publish (for
// example with Credential).
func (a *Allocator) Status() *List {
	if a.status == nil {
		return &List{}
	}
	return &List{b: bytes.Clone(a.status.b)}
}

// Set sets the status bit of index i, which must have been assigned
// (ErrUnassigned otherwise): true revokes the grant that holds it. Clearing
// a revocation bit is allowed here but breaks the specification's promise
// that revocation is final; only a suspension list should do it.
func (a *Allocator) Set(i int, v bool) error {
	if ok, err := a.used.Get(i); err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("%w: %d", ErrUnassigned, i)
	}
	return a.status.Set(i, v)
}

// Get reports whether the status bit of index i is set.
func (a *Allocator) Get(i int) (bool, error) { return a.status.Get(i) }

// Len returns the number of indexes in the list.
func (a *Allocator) Len() int { return a.used.Len() }

// Used returns the number of indexes assigned so far.
func (a *Allocator) Used() int { return a.nUsed }

// Assigned reports whether index i has been handed out by Allocate.
func (a *Allocator) Assigned(i int) (bool, error) { return a.used.Get(i) }

// Allocate assigns a free index, chosen uniformly among all free indexes,
// and marks it assigned. r is the randomness: nil means crypto/rand.Reader;
// tests may pass a seeded reader. While fewer than 90% of indexes are
// assigned it guesses and retries (rejection sampling); beyond that, or
// after 64 misses, it draws k below the number of free indexes and scans to
// the k-th free one, which is just as uniform. It returns ErrFull when no
// index is free.
func (a *Allocator) Allocate(r io.Reader) (int, error) {
	if r == nil {
		r = rand.Reader
	}
	n := a.Len()
	if n == 0 || a.nUsed >= n {
		return 0, ErrFull
	}
	if a.nUsed*denseDen < n*denseNum {
		for range maxGuesses {
			i, err := uniform(r, n)
			if err != nil {
				return 0, err
			}
			if !a.used.get(i) {
				return a.take(i), nil
			}
		}
	}
	k, err := uniform(r, n-a.nUsed)
	if err != nil {
		return 0, err
	}
	return a.take(a.nthFree(k)), nil
}

// take marks index i assigned and returns it.
func (a *Allocator) take(i int) int {
	a.used.b[i/8] |= 0x80 >> (i % 8)
	a.nUsed++
	return i
}

// nthFree returns the k-th (from 0) unassigned index; k must be below
// Len() - Used().
func (a *Allocator) nthFree(k int) int {
	u := a.used.b
	j := 0
	for ; j+8 <= len(u); j += 8 { // skip whole words
		c := 64 - bits.OnesCount64(binary.BigEndian.Uint64(u[j:]))
		if k < c {
			break
		}
		k -= c
	}
	for ; j < len(u); j++ {
		x := u[j]
		c := 8 - bits.OnesCount8(x)
		if k >= c {
			k -= c
			continue
		}
		for bit := range 8 {
			if x&(0x80>>bit) == 0 {
				if k == 0 {
					return j*8 + bit
				}
				k--
			}
		}
	}
	panic("statuslist: nthFree past the last free index")
}

// uniform returns a number drawn uniformly from [0, n), 0 < n <= 1<<32,
// by masking 32 random bits to the next power of two and retrying.
func uniform(r io.Reader, n int) (int, error) {
	mask := uint64(1)<<bits.Len(uint(n-1)) - 1
	var buf [4]byte
	for range maxDraws {
		if _, err := io.ReadFull(r, buf[:]); err != nil {
			return 0, fmt.Errorf("statuslist: reading randomness: %w", err)
		}
		if v := uint64(binary.BigEndian.Uint32(buf[:])) & mask; v < uint64(n) {
			return int(v), nil
		}
	}
	return 0, errors.New("statuslist: randomness source keeps returning out-of-range values")
}

// MarshalBinary returns the allocator as one blob for storage: "SLA1", the
// byte length L of each bitstring as a big-endian uint32, then the status
// bitstring and the assigned bitstring, L bytes each, uncompressed.
func (a *Allocator) MarshalBinary() ([]byte, error) {
	if a.status.Len() < MinBits || a.used.Len() != a.status.Len() {
		return nil, fmt.Errorf("%w: allocator of %d bits", ErrLength, a.status.Len())
	}
	l := len(a.status.b)
	out := make([]byte, 0, len(allocMagic)+4+2*l)
	out = append(out, allocMagic...)
	out = binary.BigEndian.AppendUint32(out, uint32(l))
	out = append(out, a.status.b...)
	return append(out, a.used.b...), nil
}

// UnmarshalBinary replaces a with an allocator made by MarshalBinary,
// refusing a blob of the wrong form, a list outside [MinBits, MaxBytes], or
// a status bit set at an unassigned index.
func (a *Allocator) UnmarshalBinary(data []byte) error {
	h := len(allocMagic) + 4
	if len(data) < h || !bytes.Equal(data[:len(allocMagic)], []byte(allocMagic)) {
		return fmt.Errorf("%w: not an allocator blob", ErrMalformed)
	}
	l := int(binary.BigEndian.Uint32(data[len(allocMagic):h]))
	if l > MaxBytes {
		return fmt.Errorf("%w: allocator of %d bytes", ErrTooLarge, l)
	}
	if len(data) != h+2*l {
		return fmt.Errorf("%w: allocator blob is %d bytes, want %d", ErrMalformed, len(data), h+2*l)
	}
	var s, u List
	if err := s.UnmarshalBinary(data[h : h+l]); err != nil {
		return err
	}
	if err := u.UnmarshalBinary(data[h+l:]); err != nil {
		return err
	}
	for j := range s.b {
		if s.b[j]&^u.b[j] != 0 {
			return fmt.Errorf("%w: status bit set at an unassigned index near %d", ErrMalformed, j*8)
		}
	}
	*a = Allocator{status: &s, used: &u, nUsed: u.Count()}
	return nil
}

// UpdateBlob applies change to the allocator stored as blob (see
// MarshalBinary) and returns the new blob, for read-modify-write loops.
func UpdateBlob(blob []byte, change func(*Allocator) error) ([]byte, error) {
	a := &Allocator{}
	if err := a.UnmarshalBinary(blob); err != nil {
		return nil, err
	}
	if err := change(a); err != nil {
		return nil, err
	}
	return a.MarshalBinary()
}

// Decoded keeps the allocator last decoded from a stored blob and the
// version (such as an ETag) it came from, so that readers of a status bit
// decode the list only when it has changed. It is safe for concurrent use.
type Decoded struct {
	mu      sync.Mutex
	version string
	a       *Allocator
}

// Bit returns status bit i of the list whose current version is version,
// calling read (the blob and its version) only if that is not the version
// already decoded.
func (d *Decoded) Bit(version string, i int, read func() ([]byte, string, error)) (bool, error) {
	d.mu.Lock()
	a := d.a
	if d.version != version {
		a = nil
	}
	d.mu.Unlock()
	if a == nil {
		blob, v, err := read()
		if err != nil {
			return false, err
		}
		a = &Allocator{}
		if err := a.UnmarshalBinary(blob); err != nil {
			return false, err
		}
		d.mu.Lock()
		d.a, d.version = a, v
		d.mu.Unlock()
	}
	return a.Get(i)
}
