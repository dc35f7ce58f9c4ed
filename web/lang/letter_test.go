package lang

import (
	"sort"
	"strings"
	"testing"
)

// TestClaimLetterReadingAge measures the claim letter an organisation
// prints for someone leaving custody (letter.*) and the page where they
// claim their Satchel (claim.*): about half of leavers read at the level
// of an 11-year-old, so each must be at or below a reading age of 11
// (grade 6). go test ./web/lang -run TestClaimLetterReadingAge -v logs
// the figures.
func TestClaimLetterReadingAge(t *testing.T) {
	for _, prefix := range []string{"letter.", "claim."} {
		var keys []string
		for k := range English {
			if strings.HasPrefix(k, prefix) {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		var ms []string
		for _, k := range keys {
			ms = append(ms, English[k])
		}
		r := measure(ms)
		t.Logf("%-8s %2d messages %4d words %3d sentences: Flesch–Kincaid grade %4.1f, reading age %4.1f",
			prefix, len(ms), r.words, r.sentences, r.grade(), r.grade()+5)
		if len(ms) == 0 || r.grade() > 6 {
			t.Errorf("%s: grade %.1f, want 6 or less", prefix, r.grade())
		}
	}
}
