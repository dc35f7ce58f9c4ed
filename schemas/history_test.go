package schemas

import (
	"testing"
	"time"
)

func TestAddressGapsByMonth(t *testing.T) {
	asOf := time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC)
	entry := func(from, to string) any {
		e := map[string]any{"from": from}
		if to != "" {
			e["to"] = to
		}
		return e
	}
	// Covers the five years before asOf up to where each case starts.
	early := entry("2019-01-01", "2024-04-01") // to the end of April
	for _, c := range []struct {
		name  string
		later []any
		want  []string // from..to of each gap
	}{
		{"May to June, then June onwards", []any{entry("2024-05-01", "2024-06-01"), entry("2024-06-01", "")}, nil},
		{"May to June, then July onwards", []any{entry("2024-05-01", "2024-06-01"), entry("2024-07-01", "")}, nil},
		{"May to June, then August onwards: July is missing", []any{entry("2024-05-01", "2024-06-01"), entry("2024-08-01", "")}, []string{"2024-07-01..2024-08-01"}},
		{"May to June, then October onwards", []any{entry("2024-05-01", "2024-06-01"), entry("2024-10-01", "")}, []string{"2024-07-01..2024-10-01"}},
		{"exact dates keep their weeks", []any{entry("2024-05-01", "2024-05-10"), entry("2024-06-20", "")}, []string{"2024-05-10..2024-06-20"}},
		{"an exact end, then a move in that month", []any{entry("2024-05-01", "2024-06-15"), entry("2024-06-01", "")}, nil},
		{"nothing since June", []any{entry("2024-05-01", "2024-06-01")}, []string{"2024-07-01..2025-06-15"}},
		{"moved out this month", []any{entry("2024-05-01", "2025-06-01")}, nil},
	} {
		doc := map[string]any{"entries": append([]any{early}, c.later...)}
		var got []string
		for _, g := range AddressGaps(doc, asOf) {
			got = append(got, g.From.Format(time.DateOnly)+".."+g.To.Format(time.DateOnly))
		}
		if len(got) != len(c.want) {
			t.Errorf("%s: gaps %v, want %v", c.name, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: gaps %v, want %v", c.name, got, c.want)
			}
		}
	}
}

func TestGapMonths(t *testing.T) {
	d := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	g := Gap{d("2024-07-01"), d("2024-09-01")}
	if !g.Months() || g.LastMonth() != d("2024-08-01") {
		t.Errorf("%v: Months %v, LastMonth %v", g, g.Months(), g.LastMonth())
	}
	g = Gap{d("2024-05-10"), d("2024-06-20")}
	if g.Months() || g.LastMonth() != d("2024-06-01") {
		t.Errorf("%v: Months %v, LastMonth %v", g, g.Months(), g.LastMonth())
	}
}
