package verifier

import (
	"testing"
	"time"

	"github.com/satchel-project/satchel/web/lang"
)

// The line above a shared address history tells the landlord how long each
// gap in the last five years was and when, in the unit a person would use.
func TestAddressHistoryGapWords(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	day := func(s string, n int) string {
		d, _ := time.Parse(time.DateOnly, s)
		return d.AddDate(0, 0, n).Format(time.DateOnly)
	}
	entry := func(from, to string) any {
		m := map[string]any{"from": from, "address": map[string]any{"streetAddress": "1 Example Street"}}
		if to != "" {
			m["to"] = to
		}
		return m
	}
	// A gap of n days that starts on from.
	withGap := func(from string, n int) map[string]any {
		return map[string]any{"entries": []any{entry("2015-01-05", from), entry(day(from, n), "")}}
	}
	for _, c := range []struct {
		doc  map[string]any
		want string
	}{
		{map[string]any{"entries": []any{entry("2015-01-05", "")}}, "Covers the last 5 years"},
		{withGap("2023-03-10", 1), "Has a gap of 1 day in 2023"},
		{withGap("2023-03-10", 13), "Has a gap of 13 days in 2023"},
		{withGap("2023-03-10", 14), "Has a gap of 2 weeks in 2023"},
		{withGap("2023-03-10", 62), "Has a gap of 9 weeks in 2023"},
		{withGap("2023-03-10", 63), "Has a gap of 2 months in 2023"},
		{withGap("2022-03-10", 729), "Has a gap of 24 months from 2022 to 2024"},
		{withGap("2022-03-10", 730), "Has a gap of 2 years from 2022 to 2024"},
		// The gap's last day is 31 December: it is in one year.
		{withGap("2023-12-20", 12), "Has a gap of 12 days in 2023"},
		{withGap("2023-12-20", 13), "Has a gap of 13 days from 2023 to 2024"},
		{map[string]any{"entries": []any{
			entry("2015-01-05", "2022-05-10"), entry("2022-05-17", "2024-02-10"), entry("2024-02-13", ""),
		}}, "Has 2 gaps: 7 days in 2022 and 3 days in 2024"},
	} {
		h := history(lang.English, c.doc, now)
		if h.Cover != c.want || h.Gaps != (c.want != "Covers the last 5 years") {
			t.Errorf("%v: %q (gaps %v), want %q", c.doc["entries"], h.Cover, h.Gaps, c.want)
		}
	}
}

// Each address says when it was lived at, oldest first; an entry without
// dates says so, and then nothing is said about cover.
func TestAddressHistoryRows(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	doc := map[string]any{"entries": []any{
		map[string]any{"from": "2025-03-01", "address": map[string]any{"streetAddress": "Flat 2", "postalCode": "LS1 9ZZ"},
			"reference": map[string]any{"name": "Sam", "relationship": "key worker", "telephone": "0113 496 0999", "email": "sam@example.org"}},
		map[string]any{"from": "2019-05-01", "to": "2021-08-14", "address": map[string]any{"streetAddress": "14 Example Road"}},
		map[string]any{"to": "2019-05-01"},
	}}
	h := history(lang.English, doc, now)
	if len(h.Rows) != 3 || h.Cover != "" || h.Gaps {
		t.Fatalf("rows %+v, cover %q", h.Rows, h.Cover)
	}
	want := []HistoryRow{
		{When: "Until 1 May 2019", Address: "Address not shared"},
		{When: "1 May 2019 to 14 August 2021", Address: "14 Example Road"},
		{When: "Since 1 March 2025", Address: "Flat 2, LS1 9ZZ", Details: []string{"Reference: Sam (key worker), 0113 496 0999, sam@example.org"}},
	}
	for i, w := range want {
		g := h.Rows[i]
		if g.When != w.When || g.Address != w.Address || len(g.Details) != len(w.Details) || len(w.Details) > 0 && g.Details[0] != w.Details[0] {
			t.Errorf("row %d: %+v, want %+v", i, g, w)
		}
	}
}

// A history with no entries says nothing about cover: no dates were
// shared, so no gap can be claimed.
func TestAddressHistoryEmpty(t *testing.T) {
	t.Parallel()
	h := history(lang.English, map[string]any{"entries": []any{}}, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if h.Cover != "" || h.Gaps || len(h.Rows) != 0 {
		t.Errorf("an empty history: %+v", h)
	}
}
