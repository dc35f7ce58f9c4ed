package issuer_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/satchel-project/satchel/issuer"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/pod/podtest"
)

// kindsSetup is an issuing service with one organisation ("hmpps") that
// may sign every kind, a leaver's pod enrolled with it, and the enrolment.
func kindsSetup(t *testing.T) (*issuer.Service, *pod.Service, pod.PodID, string) {
	t.Helper()
	ctx := context.Background()
	pods, cust := podtest.New(t)
	s, err := issuer.Open(ctx, pods, cust, "https://satchel.example.org", issuer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateOrg(ctx, "hmpps", "HM Prison and Probation Service"); err != nil {
		t.Fatal(err)
	}
	id, _ := pods.CreatePod(ctx)
	e, err := s.Enrol(ctx, id, "hmpps", "Jo Bloggs")
	if err != nil {
		t.Fatal(err)
	}
	return s, pods, id, e.ID
}

// subjectOf is a signed credential's subject without the fields every
// subject has (id, type, name), as JSON.
func subjectOf(vc map[string]any) string {
	subj, _ := vc["credentialSubject"].(map[string]any)
	out := map[string]any{}
	for k, v := range subj {
		if k != "id" && k != "type" && k != "name" {
			out[k] = v
		}
	}
	b, _ := json.Marshal(out)
	return string(b)
}

// Custody periods, stays and release documents are signed with what they
// say, tidied (spaces trimmed, empty fields left out), and listed by a
// title in words; each that is wrong is refused with every problem in
// plain words, and nothing is signed or delivered.
func TestSignedKindsSayWhatTheyAre(t *testing.T) {
	t.Parallel()
	s, pods, id, enrol := kindsSetup(t)
	ctx := context.Background()
	long := strings.Repeat("x", 200)
	addr := &issuer.PostalAddress{StreetAddress: " 1 Example Lane ", AddressLocality: " Leeds ", PostalCode: "", AddressRegion: " ", AddressCountry: "UK"}
	for name, c := range map[string]struct {
		r       issuer.Record
		title   string
		kind    string
		subject string
	}{
		"custody, ended, with address": {issuer.CustodyPeriod{Establishment: " HMP Example ", Address: addr, From: "2021-08-14", To: "2024-02-02"},
			"In custody at HMP Example", "CustodyPeriod",
			`{"address":{"addressCountry":"UK","addressLocality":"Leeds","streetAddress":"1 Example Lane","type":"PostalAddress"},"establishment":"HMP Example","from":"2021-08-14","to":"2024-02-02"}`},
		"custody, one day, still in": {issuer.CustodyPeriod{Establishment: long, From: "2021-08-14", To: "2021-08-14"},
			"In custody at " + long, "CustodyPeriod", `{"establishment":"` + long + `","from":"2021-08-14","to":"2021-08-14"}`},
		"custody, open": {issuer.CustodyPeriod{Establishment: "HMP Example", From: "2021-08-14"},
			"In custody at HMP Example", "CustodyPeriod", `{"establishment":"HMP Example","from":"2021-08-14"}`},
		"approved premises": {issuer.Stay{Place: "approved-premises", Provider: " Example House ", Address: addr, From: "2024-02-02", To: "2024-02-02"},
			"Stay at Example House", "AccommodationStay",
			`{"accommodationKind":"approved-premises","address":{"addressCountry":"UK","addressLocality":"Leeds","streetAddress":"1 Example Lane","type":"PostalAddress"},"from":"2024-02-02","provider":"Example House","to":"2024-02-02"}`},
		"hostel, open, no provider": {issuer.Stay{Place: "hostel", Provider: "  ", Address: &issuer.PostalAddress{AddressLocality: " Wakefield "}, From: "2024-05-10"},
			"Stay at Wakefield", "AccommodationStay", `{"accommodationKind":"hostel","address":{"addressLocality":"Wakefield","type":"PostalAddress"},"from":"2024-05-10"}`},
		"release on licence": {issuer.ReleaseDocument{Establishment: " HMP Example ", ReleaseDate: "2024-02-02", LicenceEnd: "2024-02-02"},
			"Released from HMP Example", "ReleaseDocument", `{"establishment":"HMP Example","licenceEnd":"2024-02-02","releaseDate":"2024-02-02"}`},
		"release": {issuer.ReleaseDocument{Establishment: "HMP Example", ReleaseDate: "2024-02-02"},
			"Released from HMP Example", "ReleaseDocument", `{"establishment":"HMP Example","releaseDate":"2024-02-02"}`},
	} {
		if err := c.r.Check(); err != nil {
			t.Errorf("%s: Check: %v", name, err)
			continue
		}
		if c.r.Title() != c.title || c.r.Kind() != c.kind {
			t.Errorf("%s: title %q, kind %q; want %q, %q", name, c.r.Title(), c.r.Kind(), c.title, c.kind)
		}
		vc, rec, err := s.IssueRecord(ctx, "hmpps", enrol, c.r)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got := subjectOf(vc); got != c.subject {
			t.Errorf("%s: subject\n%s\nwant\n%s", name, got, c.subject)
		}
		if rec.CourseName != c.title || rec.Kind != c.kind {
			t.Errorf("%s: listed as %q (%s)", name, rec.CourseName, rec.Kind)
		}
		if v := s.Verify(ctx, vc); !v.Valid {
			t.Errorf("%s: does not verify: %+v", name, v.Checks)
		}
	}
	_, members, _ := pods.List(ctx, id, "inbox/")
	if len(members) != 7 {
		t.Errorf("the inbox holds %d records, want 7", len(members))
	}
}

// notText ends the problem of a field holding what is not plain text.
const notText = " holds a line break, a control character or bytes that are not text; retype it"

func TestSignedKindsRefusedSayWhy(t *testing.T) {
	t.Parallel()
	s, pods, id, enrol := kindsSetup(t)
	ctx := context.Background()
	long := strings.Repeat("x", 201)
	town := &issuer.PostalAddress{AddressLocality: "Leeds"}
	for name, c := range map[string]struct {
		r    issuer.Record
		want []string // every problem, in order
	}{
		"custody, no prison":      {issuer.CustodyPeriod{Establishment: "  ", From: "2021-08-14"}, []string{"the prison is missing"}},
		"custody, long prison":    {issuer.CustodyPeriod{Establishment: long, From: "2021-08-14"}, []string{"the prison is longer than 200 characters"}},
		"custody, line break":     {issuer.CustodyPeriod{Establishment: "HMP\nExample", From: "2021-08-14"}, []string{"the prison" + notText}},
		"custody, no start":       {issuer.CustodyPeriod{Establishment: "HMP Example"}, []string{"the date custody began must be a date like 2023-02-01"}},
		"custody, bad end":        {issuer.CustodyPeriod{Establishment: "HMP Example", From: "2021-08-14", To: "14/08/2024"}, []string{"the date custody ended must be a date like 2025-01-31"}},
		"custody, ends before":    {issuer.CustodyPeriod{Establishment: "HMP Example", From: "2021-08-14", To: "2021-08-13"}, []string{"the custody period cannot end before it starts"}},
		"custody, bad address":    {issuer.CustodyPeriod{Establishment: "HMP Example", Address: &issuer.PostalAddress{StreetAddress: long}, From: "2021-08-14"}, []string{"the town or city of the address is missing", "the street is longer than 200 characters"}},
		"custody, address parts":  {issuer.CustodyPeriod{Establishment: "HMP Example", Address: &issuer.PostalAddress{AddressLocality: "Leeds", AddressRegion: long, PostalCode: "LS1\t9ZZ", AddressCountry: long}, From: "2021-08-14"}, []string{"the county is longer than 200 characters", "the postcode" + notText, "the country is longer than 200 characters"}},
		"stay, not a place":       {issuer.Stay{Place: "flat", Address: town, From: "2024-01-05"}, []string{`the kind of place must be hostel or approved-premises, not "flat"`}},
		"stay, no address":        {issuer.Stay{Place: "hostel", From: "2024-01-05"}, []string{"the address is missing"}},
		"stay, long provider":     {issuer.Stay{Place: "hostel", Provider: long, Address: town, From: "2024-01-05"}, []string{"the provider is longer than 200 characters"}},
		"stay, no move-in":        {issuer.Stay{Place: "hostel", Address: town, From: "5 January 2024"}, []string{"the date they moved in must be a date like 2025-02-01"}},
		"stay, bad move-out":      {issuer.Stay{Place: "hostel", Address: town, From: "2024-01-05", To: "soon"}, []string{"the date they moved out must be a date like 2025-08-01"}},
		"stay, ends before":       {issuer.Stay{Place: "approved-premises", Address: town, From: "2024-01-05", To: "2024-01-04"}, []string{"the stay cannot end before it starts"}},
		"stay, everything wrong":  {issuer.Stay{Place: "", Provider: "a\x00b"}, []string{`the kind of place must be hostel or approved-premises, not ""`, "the provider" + notText, "the address is missing", "the date they moved in must be a date like 2025-02-01"}},
		"release, no prison":      {issuer.ReleaseDocument{ReleaseDate: "2024-02-02"}, []string{"the establishment released from is missing"}},
		"release, no date":        {issuer.ReleaseDocument{Establishment: "HMP Example"}, []string{"the date of release must be a date like 2025-01-31"}},
		"release, bad licence":    {issuer.ReleaseDocument{Establishment: "HMP Example", ReleaseDate: "2024-02-02", LicenceEnd: "2024-02-30"}, []string{"the date the licence ends must be a date like 2025-07-31"}},
		"release, licence before": {issuer.ReleaseDocument{Establishment: "HMP Example", ReleaseDate: "2024-02-02", LicenceEnd: "2024-02-01"}, []string{"the licence cannot end before the release"}},
	} {
		_, _, err := s.IssueRecord(ctx, "hmpps", enrol, c.r)
		var inv *issuer.InvalidError
		if !errors.As(err, &inv) {
			t.Errorf("%s: %v, want it refused as invalid", name, err)
			continue
		}
		if want := strings.Join(c.want, "; "); inv.Reason != want {
			t.Errorf("%s: %q\nwant %q", name, inv.Reason, want)
		}
		if c.r.Check() == nil {
			t.Errorf("%s: Check passes what IssueRecord refuses", name)
		}
	}
	if _, members, _ := pods.List(ctx, id, "inbox/"); len(members) != 0 {
		t.Errorf("refused records were delivered: %v", members)
	}
	if list, _ := s.IssuedBy(ctx, "hmpps"); len(list) != 0 {
		t.Errorf("refused records were listed as issued: %+v", list)
	}
}

// A stay is titled by its provider, or else by its town: never by a
// provider of spaces.
func TestStayTitle(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		s    issuer.Stay
		want string
	}{
		{issuer.Stay{Provider: " Example House ", Address: &issuer.PostalAddress{AddressLocality: "Leeds"}}, "Stay at Example House"},
		{issuer.Stay{Provider: "  ", Address: &issuer.PostalAddress{AddressLocality: " Leeds "}}, "Stay at Leeds"},
		{issuer.Stay{Provider: "Example House"}, "Stay at Example House"},
		{issuer.Stay{}, "Stay at "},
	} {
		if got := c.s.Title(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.s, got, c.want)
		}
	}
}
