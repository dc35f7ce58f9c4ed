package issuer_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/satchel-project/satchel/issuer"
	"github.com/satchel-project/satchel/pod/podtest"
	"github.com/satchel-project/satchel/schemas"
)

var custody = issuer.CustodyPeriod{Establishment: "HMP Example", From: "2023-02-01", To: "2025-01-31"}

// A college registered to sign qualifications cannot sign "in custody at
// HMP Example": nothing is signed, nothing delivered, and the refusal is a
// plain sentence; once allowed, it can.
func TestAnOrganisationSignsOnlyTheKindsItMay(t *testing.T) {
	ctx := context.Background()
	pods, cust := podtest.New(t)
	s, err := issuer.Open(ctx, pods, cust, "https://satchel.example.org", issuer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	o, err := s.CreateOrg(ctx, "hmp-example-education", "HMP Example Education", "Qualification")
	if err != nil || !slices.Equal(o.Signs, []string{"Qualification"}) {
		t.Fatalf("registered: %+v %v", o, err)
	}
	if o, _ := s.Org(ctx, "hmp-example-education"); !o.MaySign("Qualification") || o.MaySign("CustodyPeriod") || o.MaySign("AccommodationStay") || o.MaySign("ReleaseDocument") {
		t.Fatalf("may sign: %+v", o.Signs)
	}
	p, _ := pods.CreatePod(ctx)
	e, err := s.Enrol(ctx, p, "hmp-example-education", "Jo Bloggs")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		r    issuer.Record
		want string
	}{
		{custody, "HMP Example Education cannot sign custody periods."},
		{issuer.Stay{Place: "hostel", Address: &issuer.PostalAddress{AddressLocality: "Leeds"}, From: "2025-02-01"}, "HMP Example Education cannot sign stays in a hostel or approved premises."},
		{issuer.ReleaseDocument{ReleaseDate: "2025-01-31", Establishment: "HMP Example"}, "HMP Example Education cannot sign release documents."},
	} {
		_, _, err := s.IssueRecord(ctx, "hmp-example-education", e.ID, c.r)
		var cannot *issuer.CannotSignError
		if !errors.As(err, &cannot) || err.Error() != c.want {
			t.Errorf("%s: %v, want %q", c.r.Kind(), err, c.want)
		}
	}
	// Refused before anything else: an unknown enrolment says the same.
	if _, _, err := s.IssueRecord(ctx, "hmp-example-education", "nonesuch", custody); err == nil || err.Error() != "HMP Example Education cannot sign custody periods." {
		t.Errorf("custody to nobody: %v", err)
	}
	if issued, _ := s.IssuedBy(ctx, "hmp-example-education"); len(issued) != 0 {
		t.Fatalf("issued what it may not sign: %+v", issued)
	}
	if _, inbox, _ := pods.List(ctx, p, "inbox/"); len(inbox) != 0 {
		t.Fatalf("delivered what it may not sign: %v", inbox)
	}
	if _, _, err := s.IssueRecord(ctx, "hmp-example-education", e.ID, q); err != nil {
		t.Fatalf("a qualification: %v", err)
	}
	// Through the VC-API, a credential of a kind it may not sign, by the
	// credential's type or by its subject's.
	vc := map[string]any{
		"@context":          []any{"https://www.w3.org/ns/credentials/v2", schemas.ContextURL},
		"type":              []any{"VerifiableCredential", "CustodyPeriodCredential"},
		"credentialSubject": map[string]any{"type": "CustodyPeriod", "establishment": "HMP Example", "from": "2023-02-01"},
	}
	if _, _, err := s.IssueCredential(ctx, "hmp-example-education", vc); err == nil || err.Error() != "HMP Example Education cannot sign custody periods." {
		t.Errorf("VC-API custody period: %v", err)
	}
	vc["type"] = []any{"VerifiableCredential"}
	if _, _, err := s.IssueCredential(ctx, "hmp-example-education", vc); err == nil || err.Error() != "HMP Example Education cannot sign custody periods." {
		t.Errorf("VC-API custody subject: %v", err)
	}

	// Changed: now it may sign custody periods too.
	o, err = s.SetSigns(ctx, "hmp-example-education", []string{"Qualification", "CustodyPeriod"})
	if err != nil || !o.MaySign("CustodyPeriod") {
		t.Fatalf("changed: %+v %v", o, err)
	}
	if _, rec, err := s.IssueRecord(ctx, "hmp-example-education", e.ID, custody); err != nil || rec.Kind != "CustodyPeriod" {
		t.Fatalf("custody once allowed: %+v %v", rec, err)
	}
	if _, _, err := s.IssueRecord(ctx, "hmp-example-education", e.ID, issuer.ReleaseDocument{ReleaseDate: "2025-01-31", Establishment: "HMP Example"}); err == nil {
		t.Error("signed a release document it still may not sign")
	}
	for name, kinds := range map[string][]string{"nothing": nil, "an unknown kind": {"Qualification", "Passport"}} {
		if _, err := s.SetSigns(ctx, "hmp-example-education", kinds); err == nil {
			t.Errorf("set to %s", name)
		}
	}
	if o, _ := s.Org(ctx, "hmp-example-education"); !slices.Equal(o.Signs, []string{"Qualification", "CustodyPeriod"}) {
		t.Errorf("a refused change changed it: %v", o.Signs)
	}
	if _, err := s.SetSigns(ctx, "nonesuch", []string{"Qualification"}); !errors.Is(err, issuer.ErrNoOrg) {
		t.Errorf("changed an organisation nobody registered: %v", err)
	}
	if _, err := s.CreateOrg(ctx, "bad-kinds", "Bad", "Passport"); err == nil {
		t.Error("registered to sign an unknown kind")
	}
	if _, err := s.Org(ctx, "bad-kinds"); !errors.Is(err, issuer.ErrNoOrg) {
		t.Errorf("a refused registration was kept: %v", err)
	}
}

// An organisation registered before there was a list of kinds (a record
// with no "signs") keeps signing every kind it could.
func TestOrganisationsFromBeforeSignEveryKind(t *testing.T) {
	var o issuer.Org
	if err := json.Unmarshal([]byte(`{"slug":"hmp-example-education","name":"HMP Example - Education Department","created":"2025-06-01T10:00:00Z"}`), &o); err != nil {
		t.Fatal(err)
	}
	for _, k := range issuer.SignedKinds {
		if !o.MaySign(k.Kind) {
			t.Errorf("an old organisation may not sign %s", k.Plural)
		}
	}
	if len(o.Kinds()) != len(issuer.SignedKinds) {
		t.Errorf("kinds: %v", o.Kinds())
	}
	ctx := context.Background()
	pods, cust := podtest.New(t)
	s, _ := issuer.Open(ctx, pods, cust, "https://satchel.example.org", issuer.Options{})
	if o, err := s.CreateOrg(ctx, "any-kind", "Any Kind"); err != nil || o.Signs != nil || !o.MaySign("ReleaseDocument") {
		t.Fatalf("registered with no list: %+v %v", o, err)
	}
}

func TestParseKinds(t *testing.T) {
	for in, want := range map[string][]string{
		"qualification": {"Qualification"},
		"qualification,custody-period,stay,release": {"Qualification", "CustodyPeriod", "AccommodationStay", "ReleaseDocument"},
		" Custody-Period , stay,custody-period ":    {"CustodyPeriod", "AccommodationStay"},
		"all":                                       {"Qualification", "CustodyPeriod", "AccommodationStay", "ReleaseDocument"},
	} {
		if got, err := issuer.ParseKinds(in); err != nil || !slices.Equal(got, want) {
			t.Errorf("ParseKinds(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for in, want := range map[string]string{"": "name at least one", ",": "name at least one", "qualification,prison": `"prison" is not a kind of record`} {
		if _, err := issuer.ParseKinds(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseKinds(%q): %v, want %q", in, err, want)
		}
	}
}

// The issuing API refuses a kind the organisation may not sign with 403
// and a plain sentence, as problem+json.
func TestIssuingAKindNotAllowedIs403(t *testing.T) {
	a := newAPI(t)
	ctx := context.Background()
	if _, err := a.s.SetSigns(ctx, "hmp-example", []string{"Qualification"}); err != nil {
		t.Fatal(err)
	}
	_, e := a.do("jo", "POST", "/api/v1/issuers/hmp-example/enrolment", "application/json", `{"name": "Jo Bloggs"}`)
	enrolment, _ := e["id"].(string)
	b, _ := json.Marshal(map[string]any{"enrolment": enrolment, "custodyPeriod": custody})
	req, _ := http.NewRequest("POST", a.ts.URL+"/api/v1/issuers/hmp-example/issue", strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Test-As", "hmp")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var p struct{ Type, Title, Detail string }
	data, _ := io.ReadAll(resp.Body)
	json.Unmarshal(data, &p)
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Content-Type") != "application/problem+json" ||
		p.Detail != "HMP Example Education cannot sign custody periods. Nothing was signed." {
		t.Fatalf("custody period from a college: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), data)
	}
	if code, _ := a.do("hmp", "POST", "/api/v1/issuers/hmp-example/issue", "application/json", a.issueBody(enrolment)); code != http.StatusCreated {
		t.Fatalf("a qualification: %d", code)
	}
	// Another organisation registered with no list still signs custody.
	b, _ = json.Marshal(map[string]any{"enrolment": "nonesuch", "custodyPeriod": custody})
	if code, m := a.do("acme", "POST", "/api/v1/issuers/acme-training/issue", "application/json", string(b)); code != http.StatusForbidden || !strings.Contains(toJSON(m), "not-enrolled") {
		t.Errorf("acme, custody to nobody: %d %v, want not enrolled", code, m)
	}
	// The VC-API says the same.
	vc := unsigned(nil)
	vc["type"] = []any{"VerifiableCredential", "ReleaseDocumentCredential"}
	vc["credentialSubject"] = map[string]any{"type": "ReleaseDocument", "releaseDate": "2025-01-31", "establishment": "HMP Example"}
	if code, m := a.do("hmp", "POST", "/credentials/issue", "application/json", body("credential", vc)); code != http.StatusForbidden || m["detail"] != "HMP Example Education cannot sign release documents. Nothing was signed." {
		t.Errorf("VC-API release document from a college: %d %v", code, m)
	}
}
