package verifier

import (
	"math"
	"sort"
	"strings"
	"time"

	"github.com/satchel-project/satchel/schemas"
	"github.com/satchel-project/satchel/web/lang"
)

// History is a shared address history as the page shows it: one line
// saying whether it covers the last five years, then a table of its
// addresses, oldest first.
type History struct {
	// Cover is "Covers the last 5 years", or names the gaps; "" if the
	// addresses' dates were not shared, so nothing can be said.
	Cover string
	Gaps  bool
	Rows  []HistoryRow
}

// HistoryRow is one address: when, where, and the rest in words.
type HistoryRow struct {
	When    string
	Address string
	Details []string
}

// history makes the table of an AddressHistory record (only the shared
// fields), as of now.
func history(words lang.Catalogue, doc map[string]any, now time.Time) *History {
	entries, _ := doc["entries"].([]any)
	type entry struct {
		from time.Time
		row  HistoryRow
	}
	var list []entry
	dated := len(entries) > 0
	for _, e := range entries {
		m, _ := e.(map[string]any)
		if m == nil {
			continue
		}
		from, err := time.Parse(time.DateOnly, str(m["from"]))
		if err != nil {
			dated = false
		}
		row := HistoryRow{When: when(words, m), Address: postal(words, m["address"])}
		if k := str(m["accommodationKind"]); k != "" {
			row.Details = append(row.Details, display(words, []string{"accommodationKind"}, k))
		}
		if p := str(m["provider"]); p != "" {
			row.Details = append(row.Details, words.Text("verifier.history.provider", p))
		}
		if ref, ok := m["reference"].(map[string]any); ok {
			row.Details = append(row.Details, words.Text("verifier.history.reference", contact(ref)))
		}
		list = append(list, entry{from, row})
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].from.Before(list[j].from) })
	h := &History{}
	for _, e := range list {
		h.Rows = append(h.Rows, e.row)
	}
	if dated {
		gaps := schemas.AddressGaps(doc, now)
		h.Cover, h.Gaps = coverWords(words, gaps), len(gaps) > 0
	}
	return h
}

// when says when someone lived at an address: "1 May 2019 to 14 August
// 2021", "Since 1 March 2025".
func when(words lang.Catalogue, m map[string]any) string {
	day := func(s string) string {
		if t, err := time.Parse(time.DateOnly, s); err == nil {
			return words.Day(t)
		}
		return s
	}
	from, to := str(m["from"]), str(m["to"])
	switch {
	case from != "" && to != "":
		return words.Text("verifier.history.from-to", day(from), day(to))
	case from != "":
		return words.Text("verifier.history.since", day(from))
	case to != "":
		return words.Text("verifier.history.until", day(to))
	}
	return words.Text("verifier.history.no-dates")
}

// postal writes a postal address on one line.
func postal(words lang.Catalogue, v any) string {
	m, _ := v.(map[string]any)
	var parts []string
	for _, k := range []string{"streetAddress", "addressLocality", "addressRegion", "postalCode", "addressCountry"} {
		if s := strings.TrimSpace(str(m[k])); s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return words.Text("verifier.history.no-address")
	}
	return strings.Join(parts, ", ")
}

// contact writes a reference on one line: name (relationship), telephone,
// email.
func contact(m map[string]any) string {
	s := str(m["name"])
	if r := str(m["relationship"]); r != "" {
		s += " (" + r + ")"
	}
	for _, k := range []string{"telephone", "email"} {
		if v := str(m[k]); v != "" {
			s += ", " + v
		}
	}
	return s
}

// coverWords is the line on top of an address history: "Covers the last 5
// years", or its gaps: "Has a gap of 5 weeks in 2024".
func coverWords(words lang.Catalogue, gaps []schemas.Gap) string {
	if len(gaps) == 0 {
		return words.Text("verifier.history.covers", schemas.HistoryYears)
	}
	var each []string
	for _, g := range gaps {
		each = append(each, gapWords(words, g))
	}
	if len(each) == 1 {
		return words.Text("verifier.history.gap", each[0])
	}
	last := len(each) - 1
	return words.Text("verifier.history.gaps", len(each), strings.Join(each[:last], ", ")+" "+words.Text("verifier.history.and")+" "+each[last])
}

// gapWords says how long a gap was and when: "5 weeks in 2024", "3 months
// from 2022 to 2023".
func gapWords(words lang.Catalogue, g schemas.Gap) string {
	days := int(math.Round(g.To.Sub(g.From).Hours() / 24))
	var long string
	switch {
	case days < 14:
		long = plural(words, days, "verifier.history.day", "verifier.history.days")
	case days < 9*7:
		long = plural(words, int(math.Round(float64(days)/7)), "verifier.history.week", "verifier.history.weeks")
	case days < 2*365:
		long = plural(words, int(math.Round(float64(days)/30.44)), "verifier.history.month", "verifier.history.months")
	default:
		long = plural(words, int(math.Round(float64(days)/365.25)), "verifier.history.year", "verifier.history.years")
	}
	last := g.To.AddDate(0, 0, -1) // the last day not covered
	if g.From.Year() == last.Year() {
		return words.Text("verifier.history.gap-in", long, g.From.Year())
	}
	return words.Text("verifier.history.gap-from-to", long, g.From.Year(), last.Year())
}

// plural is n of a unit in words: one (a catalogue key) for 1, many
// (a key with %d) for more.
func plural(words lang.Catalogue, n int, one, many string) string {
	if n == 1 {
		return words.Text(one)
	}
	return words.Text(many, n)
}
