package lang

import (
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode"
)

// The reading age of the catalogue's English, by the Flesch–Kincaid grade
// level (0.39 × words per sentence + 11.8 × syllables per word − 15.59),
// a US school grade; a reading age is the grade plus 5. Each message is at
// least one sentence (a button or heading is one); verbs count as one
// short word. Syllables are counted by the usual rule of thumb: groups of
// vowels, less a silent final e. Figures, not rules: run
//
//	go test ./web/lang -run TestReadingAge -v
//
// to see them.

// readability is what a set of messages holds.
type readability struct{ sentences, words, syllables int }

func (r readability) grade() float64 {
	if r.words == 0 || r.sentences == 0 {
		return 0
	}
	return 0.39*float64(r.words)/float64(r.sentences) + 11.8*float64(r.syllables)/float64(r.words) - 15.59
}

var (
	sentenceEnd = regexp.MustCompile(`[.!?:;]+(\s|$)`)
	wordRE      = regexp.MustCompile(`[\p{L}\p{N}'’]+`)
	vowelGroups = regexp.MustCompile(`[aeiouy]+`)
)

// measure counts the sentences, words and syllables of messages.
func measure(messages []string) readability {
	var r readability
	for _, m := range messages {
		m = verbs.ReplaceAllString(m, "Jo")
		n := 0
		for _, s := range sentenceEnd.Split(m, -1) {
			if ws := wordRE.FindAllString(s, -1); len(ws) > 0 {
				n++
				for _, w := range ws {
					r.words++
					r.syllables += syllables(w)
				}
			}
		}
		r.sentences += n
	}
	return r
}

// syllables guesses how many syllables an English word has. A number or
// an abbreviation in capitals ("PDF", "2026") is read out: a syllable a
// character, at most 4.
func syllables(w string) int {
	w = strings.Trim(w, "'’")
	if w == "" {
		return 0
	}
	letters := 0
	upper := 0
	for _, c := range w {
		if unicode.IsLetter(c) {
			letters++
			if unicode.IsUpper(c) {
				upper++
			}
		}
	}
	if letters == 0 || (upper == letters && letters > 1) {
		return min(len([]rune(w)), 4)
	}
	w = strings.ToLower(w)
	w = strings.TrimSuffix(strings.TrimSuffix(w, "'s"), "’s")
	n := len(vowelGroups.FindAllString(w, -1))
	if strings.HasSuffix(w, "e") && !strings.HasSuffix(w, "le") && n > 1 {
		n--
	}
	if strings.HasSuffix(w, "ed") && n > 1 && !strings.HasSuffix(w, "ted") && !strings.HasSuffix(w, "ded") {
		n--
	}
	return max(n, 1)
}

func TestSyllables(t *testing.T) {
	for w, want := range map[string]int{
		"cat": 1, "share": 1, "shared": 1, "sentence": 2, "landlord": 2, "document": 3,
		"identity": 4, "accessibility": 6, "PDF": 3, "2026": 4, "it's": 1, "people": 2,
		"organisation": 5, "wanted": 2,
	} {
		if got := syllables(w); got != want {
			t.Errorf("syllables(%q) = %d, want %d", w, got, want)
		}
	}
	r := measure([]string{"The cat sat on the mat.", "Sign in"})
	if r.sentences != 2 || r.words != 8 || r.syllables != 8 {
		t.Errorf("measure = %+v, want 2 sentences, 8 words, 8 syllables", r)
	}
}

// newPages are the catalogue prefixes of the pages issue 15 added: the
// pages every public service has, set-up, password reset and change,
// signed-in devices, and the share code check.
var newPages = []string{"privacy.", "cookies.", "accessibility.", "help.", "lost.", "set-up.", "reset.",
	"password.", "devices.", "signed-out.", "about.", "code-check.", "report."}

func TestReadingAge(t *testing.T) {
	group := func(keep func(k string) bool) ([]string, []string) {
		var keys, ms []string
		for k := range English {
			if keep(k) {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			ms = append(ms, English[k])
		}
		return keys, ms
	}
	report := func(name string, ms []string) float64 {
		r := measure(ms)
		t.Logf("%-28s %4d messages %5d words %4d sentences: Flesch–Kincaid grade %4.1f, reading age %4.1f",
			name, len(ms), r.words, r.sentences, r.grade(), r.grade()+5)
		return r.grade()
	}
	_, all := group(func(string) bool { return true })
	report("en.json, all", all)
	_, fresh := group(func(k string) bool {
		for _, p := range newPages {
			if strings.HasPrefix(k, p) {
				return true
			}
		}
		return false
	})
	report("new pages, together", fresh)
	for _, p := range newPages {
		_, ms := group(func(k string) bool { return strings.HasPrefix(k, p) })
		report("  "+strings.TrimSuffix(p, "."), ms)
	}
	// The hardest messages, to rewrite first.
	type hard struct {
		key   string
		grade float64
	}
	var hs []hard
	for k, m := range English {
		if r := measure([]string{m}); r.words >= 8 {
			hs = append(hs, hard{k, r.grade()})
		}
	}
	sort.Slice(hs, func(i, j int) bool {
		return hs[i].grade > hs[j].grade || hs[i].grade == hs[j].grade && hs[i].key < hs[j].key
	})
	for _, h := range hs[:min(10, len(hs))] {
		t.Logf("hardest: %-40s grade %4.1f", h.key, h.grade)
	}
}
