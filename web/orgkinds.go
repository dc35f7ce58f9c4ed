package web

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/satchel-project/satchel/issuer"
)

// The kinds of record the issue form sends besides a qualification: a
// custody period, a stay in a hostel or approved premises, a release
// document. Each has its questions (kindFields), a reading of the answers
// into the record or a fieldError for each wrong answer (recordOf), and
// the rows of "check your answers" (checkRows).

// kindFields are each kind's fields (by the Word of issuer.SignedKinds),
// in the order they are asked.
var kindFields = map[string][]string{
	"qualification": orgIssueFields,
	"custody-period": {"to", "establishment", "start-day", "start-month", "start-year", "end-day", "end-month", "end-year",
		"street", "town", "postcode"},
	"stay": {"to", "place", "provider", "street", "town", "postcode",
		"start-day", "start-month", "start-year", "end-day", "end-month", "end-year"},
	"release": {"to", "release-day", "release-month", "release-year", "establishment", "licence-day", "licence-month", "licence-year"},
}

// signedKindOf is the kind of record whose Word is word.
func signedKindOf(word string) (issuer.SignedKind, bool) {
	for _, k := range issuer.SignedKinds {
		if k.Word == word {
			return k, true
		}
	}
	return issuer.SignedKind{}, false
}

// kindWords are the catalogue keys that name a kind of record on the
// pages.
type kindWords struct {
	Label   string // its answer to "What are you sending?"
	Text    string // the title of its questions
	Heading string // the heading of the page that refuses it
}

// kindText is kindWords by the Word of each of issuer.SignedKinds.
var kindText = map[string]kindWords{
	"qualification":  {Label: "org.kind.qualification", Text: "org.issue.title", Heading: "org.issue.cannot"},
	"custody-period": {Label: "org.kind.custody-period", Text: "org.issue.title.custody-period", Heading: "org.issue.cannot.custody-period"},
	"stay":           {Label: "org.kind.stay", Text: "org.issue.title.stay", Heading: "org.issue.cannot.stay"},
	"release":        {Label: "org.kind.release", Text: "org.issue.title.release", Heading: "org.issue.cannot.release"},
}

// kindTitle is the catalogue key of the title of the questions for a kind.
func kindTitle(word string) string { return kindText[word].Text }

// kindCannot is the catalogue key of the heading that refuses a kind.
func kindCannot(word string) string { return kindText[word].Heading }

// answers reads a form's answers for a kind, trimmed.
type answers struct {
	f    map[string]string
	errs []fieldError
}

func (a *answers) get(k string) string { return strings.TrimSpace(a.f[k]) }

func (a *answers) fail(e fieldError) { a.errs = append(a.errs, e) }

// text is the answer to field q.Field, of at most 200 letters; q.Key is
// the error when it is blank ("" when it may be blank).
func (a *answers) text(q fieldError) string {
	v := a.get(q.Field)
	switch {
	case v == "" && q.Key != "":
		a.fail(q)
	case utf8.RuneCountInString(v) > 200:
		a.fail(fieldError{Field: q.Field, Key: "org.issue.error.long"})
	}
	return v
}

// date is a date typed as day, month and year into the fields named
// after q.Field; q.Key is the error when it is not a date.
func (a *answers) date(q fieldError) (time.Time, bool) {
	t, ok := parseDay(a.f, q.Field)
	if !ok {
		a.fail(q)
	}
	return t, ok
}

// maybeDate is a date that may be left blank: ok is false when it is
// blank or wrong (then with the error q).
func (a *answers) maybeDate(q fieldError) (time.Time, bool) {
	if a.get(q.Field+"-day") == "" && a.get(q.Field+"-month") == "" && a.get(q.Field+"-year") == "" {
		return time.Time{}, false
	}
	return a.date(q)
}

// address is the street, town and postcode; nil when all are blank and
// the address is optional. The town is needed in any other case.
func (a *answers) address(required bool) *issuer.PostalAddress {
	street, postcode := a.text(fieldError{Field: "street"}), a.text(fieldError{Field: "postcode"})
	if !required && street == "" && postcode == "" && a.get("town") == "" {
		return nil
	}
	town := a.text(fieldError{Field: "town", Key: "org.issue.error.town"})
	return &issuer.PostalAddress{StreetAddress: street, AddressLocality: town, PostalCode: postcode}
}

func dateOnly(t time.Time, ok bool) string {
	if !ok {
		return ""
	}
	return t.Format(time.DateOnly)
}

// recordOf checks the answers to the questions for kind word and makes the
// record, or says what is wrong with each answer.
func recordOf(word string, f map[string]string) (issuer.Record, []fieldError) {
	if word == "qualification" {
		q, errs := qualificationOf(f)
		return q, errs
	}
	a := &answers{f: f}
	if a.get("to") == "" {
		a.fail(fieldError{Field: "to", Key: "org.issue.error.to"})
	}
	var rec issuer.Record
	var first string // the field to point at for what Check alone finds
	switch word {
	case "custody-period":
		c := issuer.CustodyPeriod{Establishment: a.text(fieldError{Field: "establishment", Key: "org.issue.error.prison"})}
		from, okFrom := a.date(fieldError{Field: "start", Key: "org.custody.error.start"})
		to, okTo := a.maybeDate(fieldError{Field: "end", Key: "org.custody.error.end"})
		if okFrom && okTo && to.Before(from) {
			a.fail(fieldError{Field: "end", Key: "org.custody.error.end-before"})
		}
		c.Address = a.address(false)
		c.From, c.To = dateOnly(from, okFrom), dateOnly(to, okTo)
		rec, first = c, "establishment"
	case "stay":
		st := issuer.Stay{Place: a.get("place")}
		if st.Place != "hostel" && st.Place != "approved-premises" {
			a.fail(fieldError{Field: "place", Key: "org.stay.error.place"})
		}
		st.Provider = a.text(fieldError{Field: "provider"})
		st.Address = a.address(true)
		from, okFrom := a.date(fieldError{Field: "start", Key: "org.stay.error.start"})
		to, okTo := a.maybeDate(fieldError{Field: "end", Key: "org.stay.error.end"})
		if okFrom && okTo && to.Before(from) {
			a.fail(fieldError{Field: "end", Key: "org.stay.error.end-before"})
		}
		st.From, st.To = dateOnly(from, okFrom), dateOnly(to, okTo)
		rec, first = st, "place"
	case "release":
		rel, okRel := a.date(fieldError{Field: "release", Key: "org.release.error.date"})
		r := issuer.ReleaseDocument{Establishment: a.text(fieldError{Field: "establishment", Key: "org.issue.error.prison"})}
		end, okEnd := a.maybeDate(fieldError{Field: "licence", Key: "org.release.error.licence"})
		if okRel && okEnd && end.Before(rel) {
			a.fail(fieldError{Field: "licence", Key: "org.release.error.licence-before"})
		}
		r.ReleaseDate, r.LicenceEnd = dateOnly(rel, okRel), dateOnly(end, okEnd)
		rec, first = r, "release"
	default:
		return nil, []fieldError{{Field: "kind", Key: "org.issue.error.kind"}}
	}
	if a.errs == nil && rec.Check() != nil {
		// What the form cannot say field by field (a control character).
		a.fail(fieldError{Field: first, Key: "org.issue.error.text"})
	}
	return rec, a.errs
}

// checkRow is one answer on "check your answers": its question (Key), the
// field its Change link goes back to, and the answer: Words (a catalogue
// key), else Day (a date), else Value as typed.
type checkRow struct {
	Key, Field, Value, Words string
	Day                      time.Time
}

func dayOf(s string) time.Time {
	t, _ := time.Parse(time.DateOnly, s)
	return t
}

func addressLine(a *issuer.PostalAddress) string {
	if a == nil {
		return ""
	}
	var parts []string
	for _, p := range []string{a.StreetAddress, a.AddressLocality, a.PostalCode} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

// checkRows are the answers for rec to check, after who it is for.
func checkRows(rec issuer.Record) []checkRow {
	switch r := rec.(type) {
	case issuer.Qualification:
		acc := checkRow{Key: "org.issue.accredited", Field: "accredited", Words: "org.issue.no"}
		if r.Accredited {
			acc.Words = "org.issue.yes"
		}
		return []checkRow{
			{Key: "org.issue.course", Field: "course", Value: r.CourseName},
			{Key: "org.issue.code", Field: "code", Value: r.CourseCode},
			acc,
			{Key: "org.issue.body", Field: "body", Value: r.AwardingBody},
			{Key: "org.issue.level", Field: "level", Value: r.Level},
			{Key: "org.issue.start", Field: "start", Day: dayOf(r.LearningStart)},
			{Key: "org.issue.end", Field: "end", Day: dayOf(r.LearningEnd)},
			{Key: "org.issue.outcome", Field: "outcome", Value: r.Outcome},
			{Key: "org.issue.grade", Field: "grade", Value: r.Grade},
			{Key: "org.issue.establishment", Field: "establishment", Value: r.Establishment},
		}
	case issuer.CustodyPeriod:
		end := checkRow{Key: "org.custody.end", Field: "end", Day: dayOf(r.To)}
		if r.To == "" {
			end = checkRow{Key: "org.custody.end", Field: "end", Words: "org.custody.still"}
		}
		return []checkRow{
			{Key: "org.custody.establishment", Field: "establishment", Value: r.Establishment},
			{Key: "org.custody.start", Field: "start", Day: dayOf(r.From)},
			end,
			{Key: "org.custody.address", Field: "street", Value: addressLine(r.Address)},
		}
	case issuer.Stay:
		end := checkRow{Key: "org.stay.end", Field: "end", Day: dayOf(r.To)}
		if r.To == "" {
			end = checkRow{Key: "org.stay.end", Field: "end", Words: "org.stay.still"}
		}
		place := checkRow{Key: "org.stay.place", Field: "place", Words: "org.stay.hostel"}
		if r.Place == "approved-premises" {
			place.Words = "org.stay.approved-premises"
		}
		return []checkRow{
			place,
			{Key: "org.stay.provider", Field: "provider", Value: r.Provider},
			{Key: "org.stay.address", Field: "street", Value: addressLine(r.Address)},
			{Key: "org.stay.start", Field: "start", Day: dayOf(r.From)},
			end,
		}
	case issuer.ReleaseDocument:
		end := checkRow{Key: "org.release.licence", Field: "licence", Day: dayOf(r.LicenceEnd)}
		if r.LicenceEnd == "" {
			end = checkRow{Key: "org.release.licence", Field: "licence", Words: "org.release.no-licence"}
		}
		return []checkRow{
			{Key: "org.release.date", Field: "release", Day: dayOf(r.ReleaseDate)},
			{Key: "org.release.establishment", Field: "establishment", Value: r.Establishment},
			end,
		}
	}
	return nil
}
