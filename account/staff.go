package account

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/satchel-project/satchel/state"
)

// An organisation's staff are issuer accounts with its Org. Each is also
// listed under staff/ORG/ (see Staff), so that the organisation's admins
// can see who works for it without a list of every account. Admins
// (OrgAdmin) add and remove staff on the organisation's pages; the first
// admin is made with satchel account create --org-admin.

func staffDir(org string) state.Name { return state.Name("staff/" + org + "/") }

// listStaff lists a, if it is an organisation's staff, under its
// organisation.
func (s *Store) listStaff(ctx context.Context, a Account) error {
	if a.Kind != Issuer || a.Org == "" {
		return nil
	}
	name := staffDir(a.Org).Child(a.Username)
	if _, err := s.db.Version(ctx, name); err == nil {
		return nil
	}
	err := s.db.WriteJSON(ctx, name, struct{}{}, state.CreateOnly())
	if errors.Is(err, state.ErrPrecondition) {
		return nil
	}
	return err
}

func (s *Store) unlistStaff(ctx context.Context, a Account) error {
	if a.Kind != Issuer || a.Org == "" {
		return nil
	}
	return s.db.Delete(ctx, staffDir(a.Org).Child(a.Username))
}

// ListStaff makes sure a staff account made before staff were listed
// (see Staff) is in its organisation's list; it does nothing for others.
func (s *Store) ListStaff(ctx context.Context, a Account) error { return s.listStaff(ctx, a) }

// Staff lists organisation org's staff accounts, by username.
func (s *Store) Staff(ctx context.Context, org string) ([]Account, error) {
	names, err := s.db.List(ctx, staffDir(org))
	if err != nil {
		return nil, err
	}
	out := []Account{}
	for _, n := range names {
		a, err := s.Get(ctx, n.Base())
		if errors.Is(err, ErrNoAccount) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if a.Kind == Issuer && a.Org == org {
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Username < out[j].Username })
	return out, nil
}

// CreateStaff makes a staff account of organisation org (which the caller
// has checked exists), an admin if admin is set, with a one-time set-up
// code as CreateWithSetup does: whoever adds staff never knows their
// password.
func (s *Store) CreateStaff(ctx context.Context, username, displayName, org string, admin bool) (Account, Reset, error) {
	a, r, err := s.CreateWithSetup(ctx, username, Issuer, displayName, org)
	if err != nil || !admin {
		return a, r, err
	}
	a, err = s.SetOrgAdmin(ctx, a.Username, true)
	return a, r, err
}

// ErrLastAdmin: an organisation must keep at least one admin.
var ErrLastAdmin = errors.New("an organisation must keep at least one admin")

// SetOrgAdmin makes the staff account called username an admin of its
// organisation, or not.
func (s *Store) SetOrgAdmin(ctx context.Context, username string, admin bool) (Account, error) {
	a, err := s.Get(ctx, username)
	if err != nil {
		return Account{}, err
	}
	if a.Kind != Issuer {
		return Account{}, fmt.Errorf("%s is not an organisation's staff account", a.Username)
	}
	if a.OrgAdmin && !admin {
		if err := s.keepAnAdmin(ctx, a); err != nil {
			return Account{}, err
		}
	}
	err = s.db.UpdateJSON(ctx, recordPath(a.Username), &a, func() error {
		if a.Kind != Issuer {
			return ErrNoAccount
		}
		a.OrgAdmin = admin
		return nil
	})
	return a, err
}

// RemoveStaff deletes the staff account called username of organisation
// org (see Delete): it is ErrNoAccount if the account is not org's staff,
// and ErrLastAdmin if it is org's only admin.
func (s *Store) RemoveStaff(ctx context.Context, org, username string) error {
	a, err := s.Get(ctx, username)
	if err != nil {
		return err
	}
	if a.Kind != Issuer || a.Org != org {
		return ErrNoAccount
	}
	if a.OrgAdmin {
		if err := s.keepAnAdmin(ctx, a); err != nil {
			return err
		}
	}
	return s.Delete(ctx, a.Username)
}

// keepAnAdmin answers ErrLastAdmin if a is its organisation's only admin.
func (s *Store) keepAnAdmin(ctx context.Context, a Account) error {
	staff, err := s.Staff(ctx, a.Org)
	if err != nil {
		return err
	}
	for _, o := range staff {
		if o.OrgAdmin && o.Username != a.Username {
			return nil
		}
	}
	return ErrLastAdmin
}
