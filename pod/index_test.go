package pod

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestShardBodyRoundTrip(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 30, 45, 123456789, time.UTC)
	want := map[string]Member{
		"letter.pdf":  {Name: "letter.pdf", ContentType: "application/pdf", Size: 81234, Modified: now},
		"records/":    {Name: "records/", Modified: now.Add(-time.Hour)},
		"pending.txt": {Name: "pending.txt", Size: pendingSize, Modified: now},
		"Ünïcode ✓":   {Name: "Ünïcode ✓", ContentType: "text/plain; charset=utf-8", Size: 0},
	}
	body := encodeMembers(want)
	got := map[string]Member{}
	if err := decodeMembers(body, func(m Member) { got[m.Name] = m }); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decoded %v, want %v", got, want)
	}
	// age authenticates the whole body, so a shard is never cut short in
	// storage; still, a body cut inside a member reads as damaged and
	// never panics.
	ends := map[int]bool{}
	for i := 1; i <= len(body); i++ {
		n := 0
		if decodeMembers(body[:i], func(Member) { n++ }) == nil {
			ends[i] = true
		}
	}
	if len(ends) != len(want)+1 || !ends[1] || !ends[len(body)] {
		t.Fatalf("%d of %d cuts decode, want only the %d between members", len(ends), len(body), len(want)+1)
	}
	bad := append([]byte{shardVersion + 1}, body[1:]...)
	if err := decodeMembers(bad, func(Member) {}); !errors.Is(err, errDamaged) {
		t.Fatalf("a body of another version: %v", err)
	}
}
