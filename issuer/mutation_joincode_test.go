package issuer

import (
	"context"
	"errors"
	"testing"

	"github.com/satchel-project/satchel/state"
)

// A join code names an organisation only if that organisation got it: a
// code taken by an instance that lost the race to give one, or whose
// organisation is gone, is no code. An organisation that lost the race is
// given the code that won.
func TestJoinCodeOnlyIfItsOrganisationGotIt(t *testing.T) {
	t.Parallel()
	s := newTestService(t, Options{})
	s.org(t, "hmp-example", "HMP Example Education")
	s.org(t, "elsewhere", "Elsewhere Training")
	ctx := context.Background()
	code, err := s.JoinCode(ctx, "hmp-example")
	if err != nil {
		t.Fatal(err)
	}
	// Another instance took a second code for hmp-example, then lost.
	lost := "ABCDEFGH"
	if lost == code {
		lost = "HGFEDCBA"
	}
	if err := s.db.WriteJSON(ctx, joinPath(lost), joinRecord{Org: "hmp-example", Code: lost}, state.CreateOnly()); err != nil {
		t.Fatal(err)
	}
	if o, err := s.OrgByJoinCode(ctx, lost); !errors.Is(err, ErrNoJoinCode) {
		t.Errorf("the code that lost the race: %+v %v", o, err)
	}
	if o, err := s.OrgByJoinCode(ctx, code); err != nil || o.Slug != "hmp-example" {
		t.Errorf("the code that won: %+v %v", o, err)
	}
	// A code naming an organisation that never got one.
	if err := s.db.WriteJSON(ctx, joinPath("KMNPQRST"), joinRecord{Org: "elsewhere", Code: "KMNPQRST"}, state.CreateOnly()); err != nil {
		t.Fatal(err)
	}
	if o, err := s.OrgByJoinCode(ctx, "KMNPQRST"); !errors.Is(err, ErrNoJoinCode) {
		t.Errorf("a code elsewhere never got: %+v %v", o, err)
	}
	// An organisation that loses the race to give itself a code is given
	// the code that won.
	if err := s.db.WriteJSON(ctx, joinOfOrg("elsewhere"), joinRecord{Org: "elsewhere", Code: "KMNPQRST"}, state.CreateOnly()); err != nil {
		t.Fatal(err)
	}
	if got, err := s.JoinCode(ctx, "elsewhere"); err != nil || got != "KMNPQRST" {
		t.Errorf("JoinCode of an organisation that has one: %q %v", got, err)
	}
	if o, err := s.OrgByJoinCode(ctx, "kmnp-qrst"); err != nil || o.Slug != "elsewhere" {
		t.Errorf("its code: %+v %v", o, err)
	}
	// Its organisation gone, the code is no code.
	if err := s.db.Delete(ctx, orgPath("elsewhere")); err != nil {
		t.Fatal(err)
	}
	if o, err := s.OrgByJoinCode(ctx, "KMNPQRST"); !errors.Is(err, ErrNoJoinCode) {
		t.Errorf("the code of an organisation that is gone: %+v %v", o, err)
	}
}
