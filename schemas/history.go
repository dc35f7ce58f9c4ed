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

// HistoryYears is how far back an address history must reach.
const HistoryYears = 5

// AddressGaps lists the gaps in an AddressHistory record's entries over the
// HistoryYears before asOf. An entry without "to" runs to asOf. Entries
// whose dates do not parse are ignored (validation has refused them).
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
