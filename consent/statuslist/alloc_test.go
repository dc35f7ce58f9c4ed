package statuslist

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
)

// seeded returns a deterministic reader of random bytes.
func seeded(n uint64) io.Reader {
	var seed [32]byte
	binary.LittleEndian.PutUint64(seed[:], n)
	return rand.NewChaCha8(seed)
}

// tiny returns an allocator over a list of nbytes bytes, smaller than any
// list New would make, to reach the dense and full cases quickly.
func tiny(nbytes int) *Allocator {
	return &Allocator{status: &List{b: make([]byte, nbytes)}, used: &List{b: make([]byte, nbytes)}}
}

// fill allocates until ErrFull and checks that no index repeats.
func fill(t *testing.T, a *Allocator, r io.Reader) []int {
	t.Helper()
	seen := make([]bool, a.Len())
	var got []int
	for {
		i, err := a.Allocate(r)
		if errors.Is(err, ErrFull) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if i < 0 || i >= a.Len() || seen[i] {
			t.Fatalf("allocation %d: index %d out of range or repeated", len(got), i)
		}
		seen[i] = true
		got = append(got, i)
		if len(got) > a.Len() {
			t.Fatal("more allocations than indexes")
		}
	}
	return got
}

func TestAllocateFillsTinyList(t *testing.T) {
	for _, nbytes := range []int{1, 3, 8, 9} { // 9 exercises the word and tail paths
		a := tiny(nbytes)
		got := fill(t, a, seeded(uint64(nbytes)))
		if len(got) != a.Len() || a.Used() != a.Len() {
			t.Errorf("%d bits: %d allocated, Used() = %d", a.Len(), len(got), a.Used())
		}
		if _, err := a.Allocate(seeded(0)); !errors.Is(err, ErrFull) {
			t.Errorf("%d bits: Allocate on a full list = %v, want ErrFull", a.Len(), err)
		}
	}
}

func TestAllocateFillsFullList(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates 131,072 indexes")
	}
	a := NewAllocator(MinBits)
	if got := fill(t, a, seeded(7)); len(got) != MinBits {
		t.Errorf("allocated %d of %d", len(got), MinBits)
	}
}

func TestAllocateNotSequential(t *testing.T) {
	a := NewAllocator(MinBits)
	prev, adjacent, rising := -10, 0, 0
	for range 1000 {
		i, err := a.Allocate(nil) // crypto/rand
		if err != nil {
			t.Fatal(err)
		}
		if i == prev+1 || i == prev-1 {
			adjacent++
		}
		if i > prev {
			rising++
		}
		prev = i
	}
	if adjacent >= 50 || rising > 600 || rising < 400 {
		t.Errorf("of 1000 allocations %d were adjacent to the previous and %d above it", adjacent, rising)
	}
}

// TestAllocateUniform checks both strategies: guessing on an empty list,
// and counting on a list more than 90% used whose free indexes are bunched
// (scanning forward from a random start would favour index 3 after a long
// used run over indexes 1 and 2, which follow a free index).
func TestAllocateUniform(t *testing.T) {
	r := seeded(42)
	counts := make([]int, 64)
	for range 64 * 200 {
		i, err := tiny(8).Allocate(r)
		if err != nil {
			t.Fatal(err)
		}
		counts[i]++
	}
	for i, c := range counts {
		if c < 140 || c > 260 {
			t.Errorf("empty list: index %d drawn %d times of %d, want about 200", i, c, 64*200)
		}
	}
	free := map[int]int{0: 0, 1: 0, 2: 0, 40: 0}
	for range 4000 {
		a := tiny(8)
		for i := range 64 {
			if _, ok := free[i]; !ok {
				a.take(i)
			}
		}
		i, err := a.Allocate(r)
		if err != nil {
			t.Fatal(err)
		}
		free[i]++
	}
	for i, c := range free {
		if c < 850 || c > 1150 {
			t.Errorf("dense list: index %d drawn %d times of 4000, want about 1000", i, c)
		}
	}
}

func TestAllocatorSet(t *testing.T) {
	a := tiny(2)
	if err := a.Set(3, true); !errors.Is(err, ErrUnassigned) {
		t.Errorf("Set(unassigned) = %v, want ErrUnassigned", err)
	}
	if err := a.Set(16, true); !errors.Is(err, ErrRange) {
		t.Errorf("Set(16) = %v, want ErrRange", err)
	}
	i, err := a.Allocate(seeded(3))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Set(i, true); err != nil {
		t.Fatal(err)
	}
	if ok, err := a.Get(i); !ok || err != nil {
		t.Errorf("Get(%d) = %v, %v after Set", i, ok, err)
	}
	s := a.Status()
	_ = s.Set(i, false)
	if ok, _ := a.Get(i); !ok {
		t.Error("changing the list from Status() changed the allocator")
	}
	if ok, _ := a.Status().Get(i); !ok || a.Status().Count() != 1 {
		t.Error("Status() lost the set bit")
	}
}

type constReader byte

func (c constReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(c)
	}
	return len(p), nil
}

func TestAllocateBadRandomness(t *testing.T) {
	if _, err := tiny(3).Allocate(bytes.NewReader([]byte{1, 2})); err == nil {
		t.Error("Allocate with a reader that runs dry succeeded")
	}
	// 24 indexes: every 32-bit draw masked to 5 bits is 31, never below 24.
	if _, err := tiny(3).Allocate(constReader(0xff)); err == nil {
		t.Error("Allocate with a stuck reader succeeded")
	}
	if _, err := new(Allocator).Allocate(nil); !errors.Is(err, ErrFull) {
		t.Errorf("zero Allocator: %v, want ErrFull", err)
	}
}

func TestAllocatorBinary(t *testing.T) {
	a := NewAllocator(MinBits)
	r := seeded(9)
	var held []int
	for range 100 {
		i, err := a.Allocate(r)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, i)
	}
	for _, i := range held[:10] {
		if err := a.Set(i, true); err != nil {
			t.Fatal(err)
		}
	}
	blob, err := a.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var b Allocator
	if err := b.UnmarshalBinary(blob); err != nil {
		t.Fatal(err)
	}
	if b.Used() != 100 || b.Status().Count() != 10 || b.Len() != MinBits {
		t.Errorf("after round trip: Used %d, revoked %d, Len %d", b.Used(), b.Status().Count(), b.Len())
	}
	for _, i := range held {
		if ok, _ := b.Assigned(i); !ok {
			t.Errorf("index %d lost its assignment", i)
		}
	}
	for range 1000 {
		i, err := b.Allocate(r)
		if err != nil {
			t.Fatal(err)
		}
		if ok, _ := a.Assigned(i); ok {
			t.Fatalf("restored allocator reassigned %d", i)
		}
	}

	short := NewAllocator(MinBits)
	short.status.b = short.status.b[:10]
	if _, err := short.MarshalBinary(); err == nil {
		t.Error("MarshalBinary of mismatched lists succeeded")
	}
	stray := bytes.Clone(blob)
	for j := 8; j < 8+MinBits/8; j++ { // a status byte with no assigned index
		if blob[j+MinBits/8] == 0 {
			stray[j] = 1
			break
		}
	}
	big := binary.BigEndian.AppendUint32([]byte(allocMagic), MaxBytes+8)
	for name, bad := range map[string][]byte{
		"empty":     nil,
		"bad magic": append([]byte("XXXX"), blob[4:]...),
		"truncated": blob[:len(blob)-1],
		"too long":  append(bytes.Clone(blob), 0),
		"too small": append(binary.BigEndian.AppendUint32([]byte(allocMagic), 8), make([]byte, 16)...),
		"too large": big,
		"stray bit": stray,
	} {
		if err := new(Allocator).UnmarshalBinary(bad); err == nil {
			t.Errorf("UnmarshalBinary(%s) succeeded", name)
		}
	}
}
