package statuslist

import (
	"encoding/json"
	"errors"
	"testing"
)

// TestAllocateUniformBetweenPartlyUsedBytes: on a list more than 90% used
// (so Allocate counts its way to a free index), where free indexes sit in
// bytes that are partly used and in both words, every free index is drawn
// about as often as any other and no used one is ever handed out.
func TestAllocateUniformBetweenPartlyUsedBytes(t *testing.T) {
	// Bit 0 is used and 1 to 15 are free: counting must skip byte 0's
	// seven free indexes, not eight or nine, to reach those of byte 1.
	freeAt := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 70, 130, 191}
	isFree := map[int]bool{}
	for _, i := range freeAt {
		isFree[i] = true
	}
	r := seeded(11)
	counts := map[int]int{}
	const per = 400
	for range per * len(freeAt) {
		a := tiny(24)
		for i := range 192 {
			if !isFree[i] {
				a.take(i)
			}
		}
		i, err := a.Allocate(r)
		if err != nil {
			t.Fatal(err)
		}
		if !isFree[i] {
			t.Fatalf("Allocate handed out index %d, which was already assigned", i)
		}
		counts[i]++
	}
	for _, i := range freeAt {
		if c := counts[i]; c < per*3/4 || c > per*5/4 {
			t.Errorf("index %d drawn %d times of %d, want about %d", i, c, per*len(freeAt), per)
		}
	}
}

// The largest list New makes survives storage as an allocator, and its last
// index can be revoked and read back.
func TestLargestListStored(t *testing.T) {
	a := NewAllocator(MaxBits)
	if a.Len() != MaxBits {
		t.Fatalf("NewAllocator(MaxBits) has %d bits, want %d", a.Len(), MaxBits)
	}
	last := MaxBits - 1
	a.take(last)
	if err := a.Set(last, true); err != nil {
		t.Fatal(err)
	}
	blob, err := a.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var b Allocator
	if err := b.UnmarshalBinary(blob); err != nil {
		t.Fatalf("UnmarshalBinary of a %d-bit allocator: %v", MaxBits, err)
	}
	if set, err := b.Get(last); !set || err != nil {
		t.Errorf("after storage, bit %d = %v, %v; want revoked", last, set, err)
	}
}

// UpdateBlob revokes a grant in a stored allocator; a change that fails
// leaves nothing to store, and a damaged blob is refused.
func TestUpdateBlob(t *testing.T) {
	a := NewAllocator(MinBits)
	i, err := a.Allocate(seeded(3))
	if err != nil {
		t.Fatal(err)
	}
	blob, err := a.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	next, err := UpdateBlob(blob, func(a *Allocator) error { return a.Set(i, true) })
	if err != nil {
		t.Fatal(err)
	}
	var b Allocator
	if err := b.UnmarshalBinary(next); err != nil {
		t.Fatal(err)
	}
	if set, _ := b.Get(i); !set {
		t.Errorf("after UpdateBlob revoked %d, its bit is clear", i)
	}
	if set, _ := a.Get(i); set {
		t.Errorf("UpdateBlob changed the allocator the blob came from")
	}
	if _, err := UpdateBlob(blob, func(a *Allocator) error { return a.Set(i+1, true) }); !errors.Is(err, ErrUnassigned) {
		t.Errorf("UpdateBlob revoking an unassigned index = %v, want ErrUnassigned", err)
	}
	if _, err := UpdateBlob(blob[:20], func(*Allocator) error { return nil }); !errors.Is(err, ErrMalformed) {
		t.Errorf("UpdateBlob of a truncated blob = %v, want ErrMalformed", err)
	}
}

// Decoded answers from the list it last decoded while the version is the
// same, and reads again when the version changes: a revocation is seen as
// soon as the stored list's version moves.
func TestDecodedFollowsVersion(t *testing.T) {
	a := NewAllocator(MinBits)
	i, _ := a.Allocate(seeded(4))
	clear, _ := a.MarshalBinary()
	_ = a.Set(i, true)
	revoked, _ := a.MarshalBinary()

	var d Decoded
	reads := 0
	store := func(blob []byte, version string) func() ([]byte, string, error) {
		return func() ([]byte, string, error) { reads++; return blob, version, nil }
	}
	for n := range 3 {
		if set, err := d.Bit("v1", i, store(clear, "v1")); set || err != nil {
			t.Fatalf("v1, read %d: Bit = %v, %v; want not revoked", n, set, err)
		}
	}
	if reads != 1 {
		t.Errorf("three checks of one version read the list %d times, want 1", reads)
	}
	if set, err := d.Bit("v2", i, store(revoked, "v2")); !set || err != nil {
		t.Errorf("v2: Bit = %v, %v; want revoked", set, err)
	}
	if set, err := d.Bit("v2", i, store(clear, "v2")); !set || err != nil || reads != 2 {
		t.Errorf("v2 again: Bit = %v, %v after %d reads; want revoked from the list already read", set, err, reads)
	}
	failed := errors.New("store down")
	if _, err := d.Bit("v3", i, func() ([]byte, string, error) { return nil, "", failed }); !errors.Is(err, failed) {
		t.Errorf("v3 unreadable: Bit = %v, want the read's error", err)
	}
	if _, err := d.Bit("v4", i, store([]byte("junk"), "v4")); !errors.Is(err, ErrMalformed) {
		t.Errorf("v4 damaged: Bit = %v, want ErrMalformed", err)
	}
}

// statusListIndex: the digits 0 and 9 are digits, the last index of the
// largest list is in range and the next is a RANGE_ERROR, as is a ten-digit
// index, which is too large rather than malformed.
func TestParseEntryIndexLimits(t *testing.T) {
	for _, c := range []struct {
		idx  string
		want int
		err  error
	}{
		{"0", 0, nil},
		{"9", 9, nil},
		{"90", 90, nil},
		{"134217727", MaxBits - 1, nil},
		{"134217728", 0, ErrRange},
		{"9999999999", 0, ErrRange},
		{"12345678901", 0, ErrMalformed},
	} {
		e := roundTrip(t, Entry(listURL, 5, PurposeRevocation))
		e["statusListIndex"] = c.idx
		_, i, _, err := ParseEntry(e)
		if c.err == nil && (err != nil || i != c.want) {
			t.Errorf("statusListIndex %q: ParseEntry = %d, %v; want %d", c.idx, i, err, c.want)
		}
		if c.err != nil && !errors.Is(err, c.err) {
			t.Errorf("statusListIndex %q: ParseEntry = %d, %v; want %v", c.idx, i, err, c.err)
		}
	}
}

// statusSize 1 is accepted however the caller's JSON decoder gave it (a
// float64, an int or a json.Number); any other size is refused. A purpose
// given as []string is read like a JSON array.
func TestStatusSizeAndPurposeForms(t *testing.T) {
	for _, c := range []struct {
		size any
		ok   bool
	}{
		{1.0, true}, {1, true}, {json.Number("1"), true},
		{2, false}, {json.Number("2"), false}, {"1", false},
	} {
		e := roundTrip(t, Entry(listURL, 5, PurposeRevocation))
		e["statusSize"] = c.size
		_, _, _, err := ParseEntry(e)
		if c.ok && err != nil || !c.ok && !errors.Is(err, ErrMalformed) {
			t.Errorf("statusSize %#v: ParseEntry = %v", c.size, err)
		}
	}
	l := New(MinBits)
	_ = l.Set(7, true)
	enc, _ := l.Encode()
	sub := map[string]any{"type": []string{"BitstringStatusList"}, "statusPurpose": []string{"suspension", "revocation"}, "encodedList": enc}
	if set, err := Check(sub, 7); !set || err != nil {
		t.Errorf("Check with []string purposes = %v, %v; want revoked", set, err)
	}
	sub["statusPurpose"] = []string{"suspension"}
	if _, err := Check(sub, 7); !errors.Is(err, ErrPurpose) {
		t.Errorf("Check of a suspension-only list = %v, want ErrPurpose", err)
	}
}
