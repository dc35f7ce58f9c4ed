package issuer

import (
	"fmt"
	"strings"
	"time"

	"github.com/satchel-project/satchel/schemas"
)

// Record is something an organisation signs about a leaver: a
// qualification, a custody period, a stay, a release document. Each is a
// kind of record in package schemas, whose schema checks its subject.
type Record interface {
	// Check says, in plain words, what is wrong with the record.
	Check() error
	// Kind is its kind of record in schemas.Types ("CustodyPeriod").
	Kind() string
	// Title says what it is, for the issuer's list of what it issued.
	Title() string
	// subject is the credential's subject, without its id and name.
	subject() map[string]any
}

// CustodyPeriod is an entry of the address history that a prison or
// probation organisation vouches for: in custody at Establishment from
// From to To (dates like 2023-02-01). To is left empty while the person is
// still in custody; it is never before From.
type CustodyPeriod struct {
	Establishment string         `json:"establishment"`
	Address       *PostalAddress `json:"address,omitempty"`
	From          string         `json:"from"`
	To            string         `json:"to,omitempty"`
}

// Stay is a stay in a hostel or approved premises that probation or the
// provider vouches for. Place is "hostel" or "approved-premises"; To is
// left empty while the person still lives there.
type Stay struct {
	Place    string         `json:"accommodationKind"`
	Provider string         `json:"provider,omitempty"`
	Address  *PostalAddress `json:"address"`
	From     string         `json:"from"`
	To       string         `json:"to,omitempty"`
}

// ReleaseDocument says that the person was released from Establishment
// on ReleaseDate, on licence until LicenceEnd if there is one.
type ReleaseDocument struct {
	ReleaseDate   string `json:"releaseDate"`
	Establishment string `json:"establishment"`
	LicenceEnd    string `json:"licenceEnd,omitempty"`
}

// PostalAddress is an address as the schemas hold it.
type PostalAddress struct {
	StreetAddress   string `json:"streetAddress,omitempty"`
	AddressLocality string `json:"addressLocality"`
	AddressRegion   string `json:"addressRegion,omitempty"`
	PostalCode      string `json:"postalCode,omitempty"`
	AddressCountry  string `json:"addressCountry,omitempty"`
}

func (a *PostalAddress) value() map[string]any {
	m := map[string]any{"type": "PostalAddress"}
	for k, v := range map[string]string{"streetAddress": a.StreetAddress, "addressLocality": a.AddressLocality, "addressRegion": a.AddressRegion, "postalCode": a.PostalCode, "addressCountry": a.AddressCountry} {
		if v = strings.TrimSpace(v); v != "" {
			m[k] = v
		}
	}
	return m
}

// problems collects what is wrong with a record, in plain words.
type problems []string

func (p *problems) text(v, what string, required bool) {
	switch {
	case strings.TrimSpace(v) == "" && required:
		*p = append(*p, what+" is missing")
	case len(v) > 200:
		*p = append(*p, what+" is longer than 200 characters")
	case !plainText(v):
		*p = append(*p, what+" holds a line break, a control character or bytes that are not text; retype it")
	}
}

// date parses a date like 2023-02-01; an empty optional one is zero.
func (p *problems) date(v, what, example string, required bool) (time.Time, bool) {
	if v == "" && !required {
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		*p = append(*p, what+" must be a date like "+example)
		return time.Time{}, false
	}
	return t, true
}

func (p *problems) address(a *PostalAddress, required bool) {
	if a == nil {
		if required {
			*p = append(*p, "the address is missing")
		}
		return
	}
	p.text(a.AddressLocality, "the town or city of the address", true)
	for _, f := range []struct{ v, what string }{{a.StreetAddress, "the street"}, {a.AddressRegion, "the county"}, {a.PostalCode, "the postcode"}, {a.AddressCountry, "the country"}} {
		p.text(f.v, f.what, false)
	}
}

func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return &InvalidError{strings.Join(p, "; ")}
}

// Check says, in plain words, what is wrong with c.
func (c CustodyPeriod) Check() error {
	var p problems
	p.text(c.Establishment, "the prison", true)
	p.address(c.Address, false)
	from, okFrom := p.date(c.From, "the date custody began", "2023-02-01", true)
	to, okTo := p.date(c.To, "the date custody ended", "2025-01-31", false)
	if okFrom && okTo && to.Before(from) {
		p = append(p, "the custody period cannot end before it starts")
	}
	return p.err()
}

// Kind is "CustodyPeriod".
func (CustodyPeriod) Kind() string { return "CustodyPeriod" }

// Title is "In custody at HMP Example".
func (c CustodyPeriod) Title() string { return "In custody at " + strings.TrimSpace(c.Establishment) }

func (c CustodyPeriod) subject() map[string]any {
	m := map[string]any{"establishment": strings.TrimSpace(c.Establishment), "from": c.From}
	if c.Address != nil {
		m["address"] = c.Address.value()
	}
	if c.To != "" {
		m["to"] = c.To
	}
	return m
}

// Check says, in plain words, what is wrong with s.
func (s Stay) Check() error {
	var p problems
	if s.Place != "hostel" && s.Place != "approved-premises" {
		p = append(p, fmt.Sprintf("the kind of place must be hostel or approved-premises, not %q", s.Place))
	}
	p.text(s.Provider, "the provider", false)
	p.address(s.Address, true)
	from, okFrom := p.date(s.From, "the date they moved in", "2025-02-01", true)
	to, okTo := p.date(s.To, "the date they moved out", "2025-08-01", false)
	if okFrom && okTo && to.Before(from) {
		p = append(p, "the stay cannot end before it starts")
	}
	return p.err()
}

// Kind is "AccommodationStay".
func (Stay) Kind() string { return "AccommodationStay" }

// Title is "Stay at Example House" (the provider, or the town).
func (s Stay) Title() string {
	where := strings.TrimSpace(s.Provider)
	if where == "" && s.Address != nil {
		where = strings.TrimSpace(s.Address.AddressLocality)
	}
	return "Stay at " + where
}

func (s Stay) subject() map[string]any {
	m := map[string]any{"accommodationKind": s.Place, "address": s.Address.value(), "from": s.From}
	if v := strings.TrimSpace(s.Provider); v != "" {
		m["provider"] = v
	}
	if s.To != "" {
		m["to"] = s.To
	}
	return m
}

// Check says, in plain words, what is wrong with r.
func (r ReleaseDocument) Check() error {
	var p problems
	p.text(r.Establishment, "the establishment released from", true)
	rel, okRel := p.date(r.ReleaseDate, "the date of release", "2025-01-31", true)
	end, okEnd := p.date(r.LicenceEnd, "the date the licence ends", "2025-07-31", false)
	if okRel && okEnd && end.Before(rel) {
		p = append(p, "the licence cannot end before the release")
	}
	return p.err()
}

// Kind is "ReleaseDocument".
func (ReleaseDocument) Kind() string { return "ReleaseDocument" }

// Title is "Released from HMP Example".
func (r ReleaseDocument) Title() string { return "Released from " + strings.TrimSpace(r.Establishment) }

func (r ReleaseDocument) subject() map[string]any {
	m := map[string]any{"releaseDate": r.ReleaseDate, "establishment": strings.TrimSpace(r.Establishment)}
	if r.LicenceEnd != "" {
		m["licenceEnd"] = r.LicenceEnd
	}
	return m
}

// Kind is "Qualification".
func (Qualification) Kind() string { return "Qualification" }

// Title is the course's name.
func (q Qualification) Title() string { return q.CourseName }

func (q Qualification) subject() map[string]any {
	m := map[string]any{
		"title":         q.CourseName,
		"accredited":    q.Accredited,
		"level":         q.Level,
		"learningStart": q.LearningStart,
		"learningEnd":   q.LearningEnd,
		"outcome":       q.Outcome,
		"studiedAt":     q.Establishment,
	}
	for k, v := range map[string]string{"courseCode": q.CourseCode, "awardingBody": q.AwardingBody, "grade": q.Grade} {
		if v != "" {
			m[k] = v
		}
	}
	return m
}

// checkSubject checks what r's credential will say against the schema of
// its kind, for the kinds only organisations sign (a qualification's
// subject has fields of its own that its schema, written for what a
// person enters, does not know).
func checkSubject(r Record, subj map[string]any) error {
	if !schemas.Types[r.Kind()].SignedOnly {
		return nil
	}
	if err := schemas.ValidateSubject(r.Kind(), subj); err != nil {
		return &InvalidError{strings.TrimSuffix(err.Error(), ".")}
	}
	return nil
}
