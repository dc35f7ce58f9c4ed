package lang

import (
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// verbs are the formatting verbs a message may hold ("%s", "%[2]d"); a
// per cent sign followed by a space ("400% wide") is not one.
var verbs = regexp.MustCompile(`%(?:\[\d+\])?[sdvqx%]`)

// tag finds HTML in a message: a page escapes every message, so markup in
// one would show as text.
var tag = regexp.MustCompile(`<[a-zA-Z/!][^>]*>|&[a-z]+;|&#`)

// TestCataloguesMatch fails on any key one catalogue has and another
// lacks, on a message whose verbs are not the English one's (same verbs,
// same order: Sprintf puts its arguments in by position), on HTML where
// the English has none, and on an empty message.
func TestCataloguesMatch(t *testing.T) {
	if len(Catalogues) < 2 || !Has("cy") {
		t.Fatalf("catalogues: %v, want en and cy", codes())
	}
	for code, c := range Catalogues {
		if code == "en" {
			continue
		}
		var missing, extra []string
		for k := range English {
			if _, ok := c[k]; !ok {
				missing = append(missing, k)
			}
		}
		for k := range c {
			if _, ok := English[k]; !ok {
				extra = append(extra, k)
			}
		}
		sort.Strings(missing)
		sort.Strings(extra)
		if len(missing) > 0 {
			t.Errorf("%s.json lacks %d keys en.json has: %s", code, len(missing), strings.Join(missing, ", "))
		}
		if len(extra) > 0 {
			t.Errorf("%s.json has %d keys en.json lacks: %s", code, len(extra), strings.Join(extra, ", "))
		}
		for k, en := range English {
			m, ok := c[k]
			if !ok {
				continue
			}
			if want, got := verbs.FindAllString(en, -1), verbs.FindAllString(m, -1); !slices.Equal(want, got) {
				t.Errorf("%s %q has verbs %q, en.json has %q", code, k, got, want)
			}
			if !tag.MatchString(en) && tag.MatchString(m) {
				t.Errorf("%s %q has HTML, en.json none: %q", code, k, m)
			}
			if strings.TrimSpace(m) == "" && strings.TrimSpace(en) != "" {
				t.Errorf("%s %q is empty", code, k)
			}
		}
	}
	for k, en := range English {
		if strings.TrimSpace(en) == "" {
			t.Errorf("en %q is empty", k)
		}
	}
}

func codes() []string {
	var out []string
	for c := range Catalogues {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

func TestWelshDates(t *testing.T) {
	cy := Catalogues["cy"]
	at := time.Date(2024, 12, 3, 14, 15, 0, 0, time.UTC)
	if got, want := cy.DateTime(at), "Dydd Mawrth 3 Rhagfyr 2024 am 2:15yp"; got != want {
		t.Errorf("DateTime = %q, want %q", got, want)
	}
	morning := time.Date(2025, 7, 7, 8, 5, 0, 0, time.UTC) // BST: 9:05am
	if got, want := cy.DateTime(morning), "Dydd Llun 7 Gorffennaf 2025 am 9:05yb"; got != want {
		t.Errorf("DateTime = %q, want %q", got, want)
	}
	if got, want := cy.Day(at), "3 Rhagfyr 2024"; got != want {
		t.Errorf("Day = %q, want %q", got, want)
	}
	if got, want := cy.MonthYear(time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)), "Chwefror 2024"; got != want {
		t.Errorf("MonthYear = %q, want %q", got, want)
	}
	want := []string{"Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffennaf", "Awst", "Medi", "Hydref", "Tachwedd", "Rhagfyr"}
	for i, w := range want {
		if got := cy.MonthYear(time.Date(2024, time.Month(i+1), 1, 0, 0, 0, 0, time.UTC)); got != w+" 2024" {
			t.Errorf("month %d = %q, want %q", i+1, got, w+" 2024")
		}
	}
	days := []string{"Dydd Sul", "Dydd Llun", "Dydd Mawrth", "Dydd Mercher", "Dydd Iau", "Dydd Gwener", "Dydd Sadwrn"}
	for i, d := range days {
		if got := cy.Text("weekday." + string(rune('0'+i))); got != d {
			t.Errorf("weekday %d = %q, want %q", i, got, d)
		}
	}
	if got := English.DateTime(morning); got != "Monday 7 July 2025 at 9:05am" {
		t.Errorf("English DateTime = %q", got)
	}
}
