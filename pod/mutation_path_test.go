package pod_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/satchel-project/satchel/pod"
)

// The path limits hold at their edges: MaxDepth segments, MaxSegmentBytes
// in a name, MaxPathBytes decoded, 3 × MaxPathBytes escaped (beyond which
// an address is refused as too long unread; at it, it is read and judged
// on its names).
func TestParsePathLimits(t *testing.T) {
	seg := strings.Repeat("n", pod.MaxSegmentBytes)
	// Four longest names and their slashes: exactly MaxPathBytes.
	longest := strings.Repeat(seg+"/", 4)
	if len(longest) != pod.MaxPathBytes {
		t.Fatalf("built %d bytes", len(longest))
	}
	ok := []string{
		strings.Repeat("d/", pod.MaxDepth),
		strings.Repeat("d/", pod.MaxDepth-1) + "f.pdf",
		"documents/" + seg,
		longest,
		strings.Repeat(strings.Repeat("%41", pod.MaxSegmentBytes)+"/", 4),
	}
	for _, in := range ok {
		if p, err := pod.ParsePath(in); err != nil || p.Escaped() == "" {
			t.Errorf("ParsePath(%.40q… %d bytes) = %v", in, len(in), err)
		}
	}
	tooLong := []string{
		strings.Repeat("d/", pod.MaxDepth+1),
		strings.Repeat("d/", pod.MaxDepth) + "f.pdf",
		"documents/" + seg + "n",
		longest + "x",
		strings.Repeat(seg+"/", 4) + "x/",
		strings.Repeat("%41", pod.MaxSegmentBytes+1),
		strings.Repeat("a", 3*pod.MaxPathBytes+1),
		"//" + strings.Repeat("a", 3*pod.MaxPathBytes-1),
	}
	for _, in := range tooLong {
		if p, err := pod.ParsePath(in); !errors.Is(err, pod.ErrPathTooLong) || p != "" {
			t.Errorf("ParsePath(%.40q… %d bytes) = %q, %v; want ErrPathTooLong", in, len(in), p, err)
		}
	}
	// At exactly 3 × MaxPathBytes the address is read: an empty name is
	// a bad path, not a long one.
	edge := "//" + strings.Repeat("a", 3*pod.MaxPathBytes-2)
	if _, err := pod.ParsePath(edge); !errors.Is(err, pod.ErrBadPath) {
		t.Errorf("ParsePath of %d bytes starting //: %v, want ErrBadPath", len(edge), err)
	}
}
