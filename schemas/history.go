package schemas

import (
	"sort"
	"time"
)

// Gap is a stretch of the last five years that an address history does not
// cover. Gaps are shown to whoever reads the history, never filled in.
type Gap struct {
	From, To time.Time // To is the day the next address starts
}

// Months reports whether g is whole calendar months (both ends on the first
// of a month), as it is between addresses given by month and year.
func (g Gap) Months() bool { return g.From.Day() == 1 && g.To.Day() == 1 }

// LastMonth is the first day of the last month g covers: for a gap of whole
// months, "July 2024" in a gap from July to September 2024 is the first,
// August the last.
func (g Gap) LastMonth() time.Time {
	t := g.To.AddDate(0, 0, -1)
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// HistoryYears is how far back an address history must reach.
const HistoryYears = 5

// AddressGaps lists the gaps in an AddressHistory record's entries over the
// HistoryYears before asOf. An entry without "to" runs to asOf. Entries
// whose dates do not parse are ignored (validation has refused them).
//
// Dates given by month and year are compared by month. People remember
// moves by the month ("May 2024 to June 2024", then "June 2024 onwards"),
// and the address pages store such a month as its first day, so a "to" on
// the first of a month is taken as the whole of that month: only a month
// that no address covers at all is a gap. A "to" on any other day is that
// day, so between exact dates (10 May, then 20 June) the weeks between are
// still a gap.
func AddressGaps(doc map[string]any, asOf time.Time) []Gap {
	day := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }
	end := day(asOf)
	start := end.AddDate(-HistoryYears, 0, 0)
	type span struct{ from, to time.Time }
	var spans []span
	entries, _ := doc["entries"].([]any)
	for _, e := range entries {
		m, _ := e.(map[string]any)
		from, err := time.Parse(time.DateOnly, str(m["from"]))
		if err != nil {
			continue
		}
		to := end
		if s := str(m["to"]); s != "" {
			if to, err = time.Parse(time.DateOnly, s); err != nil {
				continue
			}
			if to.Day() == 1 {
				to = to.AddDate(0, 1, 0) // the month as a whole
			}
		}
		spans = append(spans, span{from, to})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].from.Before(spans[j].from) })
	var gaps []Gap
	covered := start
	for _, s := range spans {
		if s.from.After(covered) && s.from.After(start) {
			gaps = append(gaps, Gap{covered, minTime(s.from, end)})
		}
		if s.to.After(covered) {
			covered = s.to
		}
		if !covered.Before(end) {
			return gaps
		}
	}
	if covered.Before(end) {
		gaps = append(gaps, Gap{covered, end})
	}
	return gaps
}

func str(v any) string { s, _ := v.(string); return s }

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
