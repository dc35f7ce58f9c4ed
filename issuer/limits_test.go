package issuer

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/satchel-project/satchel/consent/statuslist"
	"github.com/satchel-project/satchel/state"
)

// An organisation's short name is 3 to 40 characters, both ends included;
// its name 1 to 200.
func TestOrganisationNameLimits(t *testing.T) {
	s := newTestService(t, Options{})
	ctx := context.Background()
	for _, c := range []struct {
		slug, name string
		ok         bool
	}{
		{"abc", "A", true},
		{"ab", "A", false},
		{strings.Repeat("a", 40), "B", true},
		{strings.Repeat("b", 41), "B", false},
		{"named-200", strings.Repeat("n", 200), true},
		{"named-201", strings.Repeat("n", 201), false},
	} {
		if _, err := s.CreateOrg(ctx, c.slug, c.name); (err == nil) != c.ok {
			t.Errorf("CreateOrg(%d-character slug, %d-character name) = %v, want ok %v", len(c.slug), len(c.name), err, c.ok)
		}
	}
}

// A leaver's name for an issuer is 1 to 200 characters.
func TestEnrolmentNameLimit(t *testing.T) {
	s := newTestService(t, Options{})
	s.org(t, "hmp-example", hmp)
	ctx := context.Background()
	for _, c := range []struct {
		n  int
		ok bool
	}{{200, true}, {201, false}} {
		p, _ := s.pods.CreatePod(ctx)
		if _, err := s.Enrol(ctx, p, "hmp-example", strings.Repeat("j", c.n)); (err == nil) != c.ok {
			t.Errorf("a %d-character name: %v, want ok %v", c.n, err, c.ok)
		}
	}
}

// Each field of a qualification is refused past its limit and accepted at
// it, and a control character is refused wherever it is, the first
// character included.
func TestQualificationLimits(t *testing.T) {
	good := Qualification{CourseName: "Functional Skills English", Level: "Level 1", LearningStart: "2025-01-06",
		LearningEnd: "2025-06-27", Outcome: "Achieved", Establishment: "HMP Example"}
	if err := good.Check(); err != nil {
		t.Fatalf("the control qualification: %v", err)
	}
	for name, c := range map[string]struct {
		change func(q *Qualification)
		ok     bool
	}{
		"course name 200":       {func(q *Qualification) { q.CourseName = strings.Repeat("c", 200) }, true},
		"course name 201":       {func(q *Qualification) { q.CourseName = strings.Repeat("c", 201) }, false},
		"level 50":              {func(q *Qualification) { q.Level = strings.Repeat("l", 50) }, true},
		"level 51":              {func(q *Qualification) { q.Level = strings.Repeat("l", 51) }, false},
		"course code 200":       {func(q *Qualification) { q.CourseCode = strings.Repeat("k", 200) }, true},
		"course code 201":       {func(q *Qualification) { q.CourseCode = strings.Repeat("k", 201) }, false},
		"control char first":    {func(q *Qualification) { q.CourseName = "\x07Functional Skills" }, false},
		"control char inside":   {func(q *Qualification) { q.Outcome = "Achie\nved" }, false},
		"ends the day it began": {func(q *Qualification) { q.LearningEnd = q.LearningStart }, true},
		"ends before it began":  {func(q *Qualification) { q.LearningEnd = "2025-01-05" }, false},
	} {
		q := good
		c.change(&q)
		err := q.Check()
		var inv *InvalidError
		if c.ok && err != nil || !c.ok && !errors.As(err, &inv) {
			t.Errorf("%s: %v, want ok %v", name, err, c.ok)
		}
	}
}

// A qualification issued without its optional fields has none of them in
// the credential, not empty ones.
func TestIssuedCredentialLeavesOutEmptyFields(t *testing.T) {
	s := newTestService(t, Options{})
	s.org(t, "hmp-example", hmp)
	ctx := context.Background()
	p, _ := s.pods.CreatePod(ctx)
	e, err := s.Enrol(ctx, p, "hmp-example", "Jo")
	if err != nil {
		t.Fatal(err)
	}
	q := Qualification{CourseName: "Functional Skills English", Level: "Level 1", LearningStart: "2025-01-06",
		LearningEnd: "2025-06-27", Outcome: "Achieved", Establishment: "HMP Example", Grade: "Pass"}
	vc, _, err := s.Issue(ctx, "hmp-example", e.ID, q)
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := vc["credentialSubject"].(map[string]any)
	for _, k := range []string{"courseCode", "awardingBody"} {
		if v, has := subject[k]; has {
			t.Errorf("the credential has %s = %q, which was not given", k, v)
		}
	}
	if subject["grade"] != "Pass" {
		t.Errorf("the credential's grade is %v, want Pass", subject["grade"])
	}
}

// An organisation's identifier is did:web on this server's host, with the
// port escaped and a base path as segments, as the did:web method says.
func TestOrganisationDID(t *testing.T) {
	for base, want := range map[string]string{
		"https://satchel.example.org":      "did:web:satchel.example.org:issuers:hmp",
		"https://satchel.example.org/":     "did:web:satchel.example.org:issuers:hmp",
		"https://satchel.example.org:8443": "did:web:satchel.example.org%3A8443:issuers:hmp",
		"https://example.org/satchel/eu":   "did:web:example.org:satchel:eu:issuers:hmp",
	} {
		s := &Service{baseURL: base}
		if got := s.DID("hmp"); got != want {
			t.Errorf("base %s: DID = %s, want %s", base, got, want)
		}
		if slug, ok := s.SlugFromDID(want); !ok || slug != "hmp" {
			t.Errorf("base %s: SlugFromDID(%s) = %q, %v", base, want, slug, ok)
		}
	}
}

// A bulk file may hold MaxCSVRows rows after its header, and no more.
func TestBulkRowLimit(t *testing.T) {
	s := newTestService(t, Options{})
	s.org(t, "hmp-example", hmp)
	row := "nobody,Course,,no,,Level 1,2025-01-06,2025-06-27,Achieved,,HMP Example\n"
	file := func(rows int) string {
		return strings.Join(CSVColumns, ",") + "\n" + strings.Repeat(row, rows)
	}
	res, err := s.IssueCSV(context.Background(), "hmp-example", strings.NewReader(file(MaxCSVRows)))
	if err != nil || len(res) != MaxCSVRows {
		t.Errorf("%d rows: %d results, %v; want one per row", MaxCSVRows, len(res), err)
	}
	var inv *InvalidError
	if _, err := s.IssueCSV(context.Background(), "hmp-example", strings.NewReader(file(MaxCSVRows+1))); !errors.As(err, &inv) {
		t.Errorf("%d rows: %v, want the file refused", MaxCSVRows+1, err)
	}
}

// An organisation whose registration stopped after its status list was
// written (the server stopped half-way) can be registered again.
func TestCreateOrgAfterAHalfDoneRegistration(t *testing.T) {
	s := newTestService(t, Options{})
	ctx := context.Background()
	blob, _ := statuslist.NewAllocator(statuslist.MinBits).MarshalBinary()
	if err := s.db.WriteRaw(ctx, statusPath("half-done"), blob, state.CreateOnly()); err != nil {
		t.Fatal(err)
	}
	if o, err := s.CreateOrg(ctx, "half-done", "Half Done"); err != nil || o.Slug != "half-done" || o.Name != "Half Done" {
		t.Fatalf("registering again: %+v, %v", o, err)
	}
	if o, err := s.CreateOrg(ctx, "whole", "Whole"); err != nil || o.Slug != "whole" || o.Name != "Whole" {
		t.Errorf("a first registration returns %+v, %v; want the organisation", o, err)
	}
	if _, err := s.Org(ctx, "half-done"); err != nil {
		t.Errorf("the organisation after registering again: %v", err)
	}
}
