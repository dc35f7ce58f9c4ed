package account

import (
	"context"
	"testing"
)

// Removing a staff member leaves no trace of their username in the
// organisation's list in storage, and a leaver of the same name made later
// is no staff.
func TestRemovedStaffLeaveNoName(t *testing.T) {
	ctx := context.Background()
	s, _, _ := resetFixture(t)
	for _, u := range []string{"boss", "tutor"} {
		if _, err := s.CreateWith(ctx, u, Issuer, "Someone", "correct-horse-battery", "hmp"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.SetOrgAdmin(ctx, "boss", true); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveStaff(ctx, "hmp", "tutor"); err != nil {
		t.Fatal(err)
	}
	names, err := s.db.List(ctx, staffDir("hmp"))
	if err != nil || len(names) != 1 || names[0].Base() != "boss" {
		t.Errorf("hmp's list in storage after removing tutor: %v, %v", names, err)
	}
	if _, err := s.Create(ctx, "tutor", Leaver, "Another", "correct-horse-battery"); err != nil {
		t.Fatal(err)
	}
	if staff, err := s.Staff(ctx, "hmp"); err != nil || len(staff) != 1 || staff[0].Username != "boss" {
		t.Errorf("hmp's staff: %+v, %v", staff, err)
	}
}
