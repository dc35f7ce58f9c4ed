// Package lang is Satchel's message catalogue: every word the leaver's,
// helper's and recipient's pages show, one JSON file per language (en.json,
// and cy.json in Welsh with exactly the same keys), keyed by message name.
// Choose picks a visitor's language from the language link's cookie or
// their browser's Accept-Language.
// Times are shown in London, as a person in England or Wales reads them.
package lang

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
	"time"
	_ "time/tzdata" // London time on any machine
)

//go:embed *.json
var files embed.FS

// Catalogue is one language's messages.
type Catalogue map[string]string

// Catalogues are the languages there are, by code ("en").
var Catalogues = mustLoad()

// English is the catalogue every page falls back to.
var English = Catalogues["en"]

// London is where times are shown.
var London = mustLocation("Europe/London")

func mustLocation(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

func mustLoad() map[string]Catalogue {
	names, _ := fs.Glob(files, "*.json")
	out := map[string]Catalogue{}
	for _, n := range names {
		b, err := files.ReadFile(n)
		if err != nil {
			panic(err)
		}
		var c Catalogue
		if err := json.Unmarshal(b, &c); err != nil {
			panic(fmt.Sprintf("lang: %s: %v", n, err))
		}
		out[strings.TrimSuffix(n, ".json")] = c
	}
	return out
}

// Text returns message key, with args put into its %s and %d verbs. A
// missing key shows as itself in brackets, so that it is seen (and the
// tests fail) rather than hidden.
func (c Catalogue) Text(key string, args ...any) string {
	m, ok := c[key]
	if !ok {
		return "[" + key + "]"
	}
	if len(args) == 0 {
		return m
	}
	return fmt.Sprintf(m, args...)
}

// DateTime says when t was, in London: "Tuesday 3 December 2024 at 2:15pm"
// ("Dydd Mawrth 3 Rhagfyr 2024 am 2:15yp" in Welsh).
func (c Catalogue) DateTime(t time.Time) string {
	t = t.In(London)
	half := c.Text("format.am")
	if t.Hour() >= 12 {
		half = c.Text("format.pm")
	}
	return c.Text("format.date-time", c.Text(fmt.Sprintf("weekday.%d", t.Weekday())), t.Day(),
		c.Text(fmt.Sprintf("month.%d", t.Month())), t.Year(), t.Format("3:04")+half)
}

// Day says which day t was, in London: "3 December 2024".
func (c Catalogue) Day(t time.Time) string {
	t = t.In(London)
	return c.Text("format.day", t.Day(), c.Text(fmt.Sprintf("month.%d", t.Month())), t.Year())
}

// MonthYear says which month t was: "March 2024".
func (c Catalogue) MonthYear(t time.Time) string {
	return c.Text("format.month-year", c.Text(fmt.Sprintf("month.%d", t.Month())), t.Year())
}
