package issuer_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/satchel-project/satchel/issuer"
)

// The issue API signs whichever one kind of record it is sent (a
// qualification when it names none, which then fails its checks), and
// refuses a request naming two.
func TestIssueAPIEachKind(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	_, e := a.do("jo", "POST", "/api/v1/issuers/hmp-example/enrolment", "application/json", `{"name": "Jo Bloggs"}`)
	enrolment, _ := e["id"].(string)
	const issue = "/api/v1/issuers/hmp-example/issue"
	for name, c := range map[string]struct {
		body string
		code int
		typ  string
	}{
		"custody": {`{"enrolment": "` + enrolment + `", "custodyPeriod": {"establishment": "HMP Example", "from": "2021-08-14"}}`, 201, "CustodyPeriod"},
		"stay":    {`{"enrolment": "` + enrolment + `", "stay": {"accommodationKind": "hostel", "address": {"addressLocality": "Leeds"}, "from": "2024-01-05"}}`, 201, "AccommodationStay"},
		"release": {`{"enrolment": "` + enrolment + `", "releaseDocument": {"establishment": "HMP Example", "releaseDate": "2024-02-02"}}`, 201, "ReleaseDocument"},
		"none":    {`{"enrolment": "` + enrolment + `"}`, 422, ""},
		"two":     {`{"enrolment": "` + enrolment + `", "stay": {"accommodationKind": "hostel"}, "releaseDocument": {"establishment": "HMP Example"}}`, 400, ""},
	} {
		code, m := a.do("hmp", "POST", issue, "application/json", c.body)
		if code != c.code {
			t.Errorf("%s: %d %v, want %d", name, code, m, c.code)
			continue
		}
		if c.typ != "" && !strings.Contains(toJSON(m["verifiableCredential"]), `"type":"`+c.typ+`"`) {
			t.Errorf("%s: signed %v, want a %s", name, m, c.typ)
		}
	}
	if list, _ := a.s.IssuedBy(context.Background(), "hmp-example"); len(list) != 3 {
		t.Errorf("%d issued, want 3", len(list))
	}
}

// The VC-API's issue sets the issuer itself: it takes the organisation's
// identifier, and its id and registered name as an object, and refuses
// anything more or else; it refuses a status entry (it adds its own), an
// empty id and dates that are not dateTimeStamps. A urn:uuid id is kept,
// and cannot be issued twice; a credential without validFrom gets now. The
// list of what was issued titles each by its subject's title or name, at
// most 200 characters.
func TestIssueCredentialIssuerIDAndDates(t *testing.T) {
	t.Parallel()
	s, _, _, _ := kindsSetup(t)
	ctx := context.Background()
	did := s.DID("hmpps")
	for name, c := range map[string]struct {
		change func(vc map[string]any)
		want   string // "" if signed
	}{
		"identifier": {func(vc map[string]any) { vc["issuer"] = did }, ""},
		"id and name": {func(vc map[string]any) {
			vc["issuer"] = map[string]any{"id": did, "name": "HM Prison and Probation Service"}
		}, ""},
		"an image too": {func(vc map[string]any) {
			vc["issuer"] = map[string]any{"id": did, "image": "https://example.org/logo.png"}
		}, "the issuer is set by Satchel"},
		"a number":         {func(vc map[string]any) { vc["issuer"] = 7 }, "the issuer must be your organisation's identifier"},
		"with a status":    {func(vc map[string]any) { vc["credentialStatus"] = map[string]any{"type": "BitstringStatusListEntry"} }, "leave out credentialStatus"},
		"empty id":         {func(vc map[string]any) { vc["id"] = "" }, "the credential's id must be a URL"},
		"bad validFrom":    {func(vc map[string]any) { vc["validFrom"] = "2026-01-01" }, "the credential's validFrom is not a valid date"},
		"bad validUntil":   {func(vc map[string]any) { vc["validUntil"] = "tomorrow" }, "the credential's validUntil is not a valid date"},
		"an undefined key": {func(vc map[string]any) { vc["credentialSubject"].(map[string]any)["favouriteColour"] = "blue" }, "this credential cannot be signed"},
	} {
		vc := unsigned(nil)
		c.change(vc)
		signed, _, err := s.IssueCredential(ctx, "hmpps", vc)
		if c.want == "" {
			if err != nil || signed["proof"] == nil {
				t.Errorf("%s: %v, want it signed", name, err)
			}
			continue
		}
		var inv *issuer.InvalidError
		if !errors.As(err, &inv) || !strings.HasPrefix(inv.Reason, c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}

	vc := unsigned(nil)
	delete(vc, "validFrom")
	vc["id"] = "urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e"
	signed, rec, err := s.IssueCredential(ctx, "hmpps", vc)
	if err != nil || rec.ID != "0f8fad5b-d9cb-469f-a165-70867728950e" || signed["validFrom"] != rec.Issued.Format("2006-01-02T15:04:05Z07:00") {
		t.Errorf("a urn:uuid id and no validFrom: %v, record %+v, validFrom %v", err, rec, signed["validFrom"])
	}
	again := unsigned(nil)
	again["id"] = "urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e"
	var inv *issuer.InvalidError
	if _, _, err := s.IssueCredential(ctx, "hmpps", again); !errors.As(err, &inv) || !strings.Contains(inv.Reason, "already issued a credential with this id") {
		t.Errorf("the same id again: %v", err)
	}
	other := unsigned(nil)
	other["id"] = "https://college.example/credentials/1"
	if signed, rec, err := s.IssueCredential(ctx, "hmpps", other); err != nil || signed["id"] != "https://college.example/credentials/1" || len(rec.ID) != 36 {
		t.Errorf("a URL id: %v, %+v", err, rec)
	}

	long := strings.Repeat("a", 199) + "bc"
	for _, subj := range []map[string]any{
		{"type": "Qualification", "name": "Named only"},
		{"type": "Qualification", "title": long},
		{"type": "Qualification", "title": " Spaced ", "name": "Not this"},
	} {
		vc := unsigned(nil)
		vc["credentialSubject"] = subj
		if _, _, err := s.IssueCredential(ctx, "hmpps", vc); err != nil {
			t.Fatal(err)
		}
	}
	titles := map[string]bool{}
	list, _ := s.IssuedBy(ctx, "hmpps")
	for _, l := range list {
		titles[l.CourseName] = true
	}
	for _, want := range []string{"Named only", long[:200], "Spaced"} {
		if !titles[want] {
			t.Errorf("the list of what was issued lacks %q: %v", want, titles)
		}
	}
}

// Join codes are written in two groups of four; anything else is left as
// it is. Typed, O is read as 0, I and L as 1, U as V, and any other
// character refuses the code.
func TestJoinCodeAsTyped(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"ABCDEFGH": "ABCD-EFGH", "ABC": "ABC", "ABCDEFGHJ": "ABCDEFGHJ"} {
		if got := issuer.FormatJoinCode(in); got != want {
			t.Errorf("FormatJoinCode(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"oilu-abcd": "011VABCD", "OILU ABCD": "011VABCD", "1234-5678": "12345678", "abcd-efg!": "", "abcd-efgh-j": "", "abcd efg": ""} {
		if got := issuer.NormaliseJoinCode(in); got != want {
			t.Errorf("NormaliseJoinCode(%q) = %q, want %q", in, got, want)
		}
	}
}

// Trusted issuers are listed one an entry; empty entries are skipped, a
// name may be 200 characters and no more, and an identifier must name a
// host.
func TestParseTrustedLimits(t *testing.T) {
	t.Parallel()
	name := strings.Repeat("n", 200)
	got, err := issuer.ParseTrusted(" ; did:web:college.example=" + name + ";\n;did:web:other.example:issuers:x=Other\n")
	if err != nil || len(got) != 2 || got[0].Name != name || got[1].DID != "did:web:other.example:issuers:x" {
		t.Errorf("two entries among empty ones: %+v %v", got, err)
	}
	for _, bad := range []string{"did:web:college.example=" + name + "n", "did:web:%3A443=Port only", "did:web:college.example", "did:web:college.example= "} {
		if got, err := issuer.ParseTrusted(bad); err == nil {
			t.Errorf("ParseTrusted(%q) = %+v, want an error", bad, got)
		}
	}
}

// What an organisation issued, and why it withdrew one, are found only by
// an ID of the form it gives; anything else finds nothing.
func TestIssuedByMalformedID(t *testing.T) {
	t.Parallel()
	s, _, _, enrol := kindsSetup(t)
	ctx := context.Background()
	_, rec, err := s.IssueRecord(ctx, "hmpps", enrol, issuer.ReleaseDocument{Establishment: "HMP Example", ReleaseDate: "2024-02-02"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.IssuedOne(ctx, "hmpps", rec.ID); err != nil || got.ID != rec.ID || got.CourseName != "Released from HMP Example" {
		t.Fatalf("IssuedOne: %+v %v", got, err)
	}
	if err := s.RevokeBecause(ctx, "hmpps", rec.ID, "Wrong date", "Clerk"); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"../" + rec.ID[3:], strings.ToUpper(rec.ID), rec.ID + "0", rec.ID[:35], ""} {
		if _, err := s.IssuedOne(ctx, "hmpps", id); !errors.Is(err, issuer.ErrNoIssued) {
			t.Errorf("IssuedOne(%q): %v", id, err)
		}
		if w, ok := s.WithdrawalOf(ctx, "hmpps", id); ok {
			t.Errorf("WithdrawalOf(%q): %+v", id, w)
		}
	}
	if w, ok := s.WithdrawalOf(ctx, "hmpps", rec.ID); !ok || w.Reason != "Wrong date" {
		t.Errorf("WithdrawalOf: %+v %v", w, ok)
	}
	// Enrolling again with the same organisation keeps the enrolment.
	list, _ := s.Enrolled(ctx, "hmpps")
	if len(list) != 1 {
		t.Fatalf("enrolled: %+v", list)
	}
	e, err := s.Enrol(ctx, list[0].Pod, "hmpps", "Another Name")
	if err != nil || e.ID != enrol {
		t.Errorf("enrolling again: %+v %v, want enrolment %s", e, err, enrol)
	}
}

// Why a record was withdrawn is said in 1 to 500 characters of text, line
// breaks allowed; more, or a control character, is refused and nothing is
// withdrawn.
func TestWithdrawalReasonLimits(t *testing.T) {
	t.Parallel()
	s, _, _, enrol := kindsSetup(t)
	ctx := context.Background()
	issue := func() issuer.Issued {
		_, rec, err := s.IssueRecord(ctx, "hmpps", enrol, issuer.ReleaseDocument{Establishment: "HMP Example", ReleaseDate: "2024-02-02"})
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}
	for _, reason := range []string{strings.Repeat("r", 501), "Wrong\x07person", "   "} {
		rec := issue()
		var inv *issuer.InvalidError
		if err := s.RevokeBecause(ctx, "hmpps", rec.ID, reason, "Clerk"); !errors.As(err, &inv) {
			t.Errorf("reason of %d characters %q: %v", len(reason), reason[:min(10, len(reason))], err)
		}
		if revoked, _ := s.Revoked(ctx, "hmpps", rec.StatusIndex); revoked {
			t.Errorf("withdrawn with a refused reason %q", reason[:min(10, len(reason))])
		}
	}
	for _, reason := range []string{strings.Repeat("r", 500), "Sent to\r\nthe wrong person\n"} {
		rec := issue()
		if err := s.RevokeBecause(ctx, "hmpps", rec.ID, reason, "Clerk"); err != nil {
			t.Errorf("reason of %d characters: %v", len(reason), err)
		}
		if revoked, _ := s.Revoked(ctx, "hmpps", rec.StatusIndex); !revoked {
			t.Errorf("not withdrawn for a reason of %d characters", len(reason))
		}
	}
}
