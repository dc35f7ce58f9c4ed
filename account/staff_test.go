package account_test

import (
	"context"
	"errors"
	"testing"

	"github.com/satchel-project/satchel/account"
)

func TestStaffAndAdmins(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	boss, err := s.CreateWith(ctx, "boss", account.Issuer, "The Boss", "correct-horse-battery", "hmp")
	if err != nil {
		t.Fatal(err)
	}
	if boss.OrgAdmin {
		t.Fatal("a new staff account is an admin before anyone said so")
	}
	if boss, err = s.SetOrgAdmin(ctx, "boss", true); err != nil || !boss.OrgAdmin {
		t.Fatalf("SetOrgAdmin: %v %+v", err, boss)
	}
	tutor, code, err := s.CreateStaff(ctx, "tutor", "A Tutor", "hmp", false)
	if err != nil || code.Code == "" || tutor.OrgAdmin {
		t.Fatalf("CreateStaff: %v %+v %+v", err, tutor, code)
	}
	if _, err := s.CreateWith(ctx, "clerk", account.Issuer, "Clerk Elsewhere", "correct-horse-battery", "elsewhere"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, "jo", account.Leaver, "Jo", "correct-horse-battery"); err != nil {
		t.Fatal(err)
	}
	staff, err := s.Staff(ctx, "hmp")
	if err != nil {
		t.Fatal(err)
	}
	if len(staff) != 2 || staff[0].Username != "boss" || staff[1].Username != "tutor" || !staff[0].OrgAdmin {
		t.Fatalf("hmp's staff: %+v", staff)
	}
	// The only admin cannot stop being one, or be removed.
	if _, err := s.SetOrgAdmin(ctx, "boss", false); !errors.Is(err, account.ErrLastAdmin) {
		t.Fatalf("demoting the last admin: %v", err)
	}
	if err := s.RemoveStaff(ctx, "hmp", "boss"); !errors.Is(err, account.ErrLastAdmin) {
		t.Fatalf("removing the last admin: %v", err)
	}
	// Nobody is removed from another organisation, or a leaver as staff.
	if err := s.RemoveStaff(ctx, "hmp", "clerk"); !errors.Is(err, account.ErrNoAccount) {
		t.Fatalf("removing another organisation's staff: %v", err)
	}
	if err := s.RemoveStaff(ctx, "hmp", "jo"); !errors.Is(err, account.ErrNoAccount) {
		t.Fatalf("removing a leaver as staff: %v", err)
	}
	if _, err := s.SetOrgAdmin(ctx, "jo", true); err == nil {
		t.Fatal("a leaver was made an organisation's admin")
	}
	if _, err := s.SetOrgAdmin(ctx, "tutor", true); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveStaff(ctx, "hmp", "boss"); err != nil {
		t.Fatalf("removing an admin with another left: %v", err)
	}
	if _, err := s.Get(ctx, "boss"); !errors.Is(err, account.ErrNoAccount) {
		t.Fatalf("the removed account is still there: %v", err)
	}
	staff, _ = s.Staff(ctx, "hmp")
	if len(staff) != 1 || staff[0].Username != "tutor" {
		t.Fatalf("hmp's staff after removal: %+v", staff)
	}
	if other, _ := s.Staff(ctx, "elsewhere"); len(other) != 1 || other[0].Username != "clerk" {
		t.Fatalf("elsewhere's staff: %+v", other)
	}
}
