package issuer_test

import (
	"context"
	"errors"
	"testing"

	"github.com/satchel-project/satchel/issuer"
	"github.com/satchel-project/satchel/pod/podtest"
)

func TestJoinCodesAndWithdrawalReasons(t *testing.T) {
	ctx := context.Background()
	pods, cust := podtest.New(t)
	s, err := issuer.Open(ctx, pods, cust, "https://satchel.example.org", issuer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, slug := range []string{"hmp-example", "elsewhere"} {
		if _, err := s.CreateOrg(ctx, slug, "Org "+slug); err != nil {
			t.Fatal(err)
		}
	}
	code, err := s.JoinCode(ctx, "hmp-example")
	if err != nil || len(code) != issuer.JoinCodeLen {
		t.Fatalf("JoinCode: %q %v", code, err)
	}
	if again, _ := s.JoinCode(ctx, "hmp-example"); again != code {
		t.Fatalf("the join code changed: %q then %q", code, again)
	}
	if other, _ := s.JoinCode(ctx, "elsewhere"); other == code {
		t.Fatal("two organisations share a join code")
	}
	if _, err := s.JoinCode(ctx, "ghost"); !errors.Is(err, issuer.ErrNoOrg) {
		t.Fatalf("a join code for nobody: %v", err)
	}
	// Typed as a person types it.
	for _, typed := range []string{code, issuer.FormatJoinCode(code), " " + issuer.FormatJoinCode(code) + " "} {
		if o, err := s.OrgByJoinCode(ctx, typed); err != nil || o.Slug != "hmp-example" {
			t.Fatalf("OrgByJoinCode(%q): %+v %v", typed, o, err)
		}
	}
	for _, bad := range []string{"", "ABC", "ABCD-EFGH-J", "!!!!!!!!"} {
		if _, err := s.OrgByJoinCode(ctx, bad); !errors.Is(err, issuer.ErrNoJoinCode) {
			t.Fatalf("OrgByJoinCode(%q): %v", bad, err)
		}
	}
	if got := issuer.NormaliseJoinCode("abcd-efgo"); got != "ABCDEFG0" {
		t.Fatalf("NormaliseJoinCode: %q", got)
	}

	p, _ := pods.CreatePod(ctx)
	e, err := s.Enrol(ctx, p, "hmp-example", "Jo B")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.EnrolmentOf(ctx, "elsewhere", e.ID); !errors.Is(err, issuer.ErrNotEnrolled) {
		t.Fatalf("another organisation reached the enrolment: %v", err)
	}
	_, rec, err := s.Issue(ctx, "hmp-example", e.ID, issuer.Qualification{CourseName: "English", Level: "Level 1", LearningStart: "2025-01-06", LearningEnd: "2025-06-27", Outcome: "Achieved", Establishment: "HMP Example"})
	if err != nil {
		t.Fatal(err)
	}
	if list, _ := s.IssuedBy(ctx, "elsewhere"); len(list) != 0 {
		t.Fatalf("another organisation lists what hmp-example issued: %+v", list)
	}
	if err := s.RevokeBecause(ctx, "elsewhere", rec.ID, "wrong person", "Clerk"); !errors.Is(err, issuer.ErrNoIssued) {
		t.Fatalf("another organisation withdrew it: %v", err)
	}
	var inv *issuer.InvalidError
	if err := s.RevokeBecause(ctx, "hmp-example", rec.ID, "  ", "Tutor"); !errors.As(err, &inv) {
		t.Fatalf("withdrawn without a reason: %v", err)
	}
	if err := s.RevokeBecause(ctx, "hmp-example", rec.ID, "Sent to the wrong person", "A Tutor"); err != nil {
		t.Fatal(err)
	}
	list, err := s.IssuedBy(ctx, "hmp-example")
	if err != nil || len(list) != 1 || !list[0].Revoked {
		t.Fatalf("IssuedBy: %+v %v", list, err)
	}
	if w, ok := s.WithdrawalOf(ctx, "hmp-example", rec.ID); !ok || w.Reason != "Sent to the wrong person" || w.By != "A Tutor" {
		t.Fatalf("WithdrawalOf: %+v %v", w, ok)
	}
	if revoked, err := s.Revoked(ctx, "hmp-example", rec.StatusIndex); err != nil || !revoked {
		t.Fatalf("the status list does not say withdrawn: %v %v", revoked, err)
	}
}
