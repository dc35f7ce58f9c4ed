package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"time"
)

// The message catalogue: every word the pages show, one JSON file per
// language (lang/en.json), keyed by message name. A Welsh translation is
// lang/cy.json with the same keys; TestCatalogue checks that every key a
// page or handler uses is there and that none is unused.
//
//go:embed lang/*.json
var langFiles embed.FS

// catalogue is one language's messages.
type catalogue map[string]string

var catalogues = mustCatalogues()

func mustCatalogues() map[string]catalogue {
	names, _ := fs.Glob(langFiles, "lang/*.json")
	out := map[string]catalogue{}
	for _, n := range names {
		b, err := langFiles.ReadFile(n)
		if err != nil {
			panic(err)
		}
		var c catalogue
		if err := json.Unmarshal(b, &c); err != nil {
			panic(fmt.Sprintf("web: %s: %v", n, err))
		}
		out[strings.TrimSuffix(path.Base(n), ".json")] = c
	}
	return out
}

// text returns message key, with args put into its %s and %d verbs. A
// missing key shows as itself in brackets, so it is seen (and the tests
// fail) rather than hidden.
func (c catalogue) text(key string, args ...any) string {
	m, ok := c[key]
	if !ok {
		return "[" + key + "]"
	}
	if len(args) == 0 {
		return m
	}
	return fmt.Sprintf(m, args...)
}

// dateTime says when t was, in London: "Tuesday 3 December 2024 at 2:15pm".
func (c catalogue) dateTime(t time.Time) string {
	t = t.In(london)
	return c.text("format.date-time", c.text(fmt.Sprintf("weekday.%d", t.Weekday())), t.Day(),
		c.text(fmt.Sprintf("month.%d", t.Month())), t.Year(), t.Format("3:04pm"))
}

// day says which day t was, in London: "3 December 2024".
func (c catalogue) day(t time.Time) string {
	t = t.In(london)
	return c.text("format.day", t.Day(), c.text(fmt.Sprintf("month.%d", t.Month())), t.Year())
}

// monthYear says which month t was: "March 2024".
func (c catalogue) monthYear(t time.Time) string {
	return c.text("format.month-year", c.text(fmt.Sprintf("month.%d", t.Month())), t.Year())
}

// english is the catalogue handlers use for words they build themselves.
var english = catalogues["en"]
