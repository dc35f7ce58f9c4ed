package consent

import (
	"context"
	"errors"

	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/state"
)

// What an account being deleted leaves in the consent service goes here:
// its shares, the helpers it chose, and, for a helper, the delegations
// naming it.

// DeleteShares withdraws every grant of pod p and deletes it with its
// state and share-token entry, for an account being deleted: its links
// then answer as if they had never been (410), and it is listed nowhere.
// Each grant's bit in the published status list stays set, so offline
// verifiers see it withdrawn. A grant is unlisted last, so calling
// DeleteShares again after a failure finishes the work.
func (s *Service) DeleteShares(ctx context.Context, p pod.PodID) error {
	names, err := s.db.List(ctx, podIndex(p))
	if err != nil {
		return err
	}
	for _, n := range names {
		id := GrantID(n.Base())
		var g Grant
		_, err := s.db.ReadJSON(ctx, grantPath(id), &g)
		switch {
		case err == nil && g.Pod == p:
			if err := s.Revoke(ctx, p, id); err != nil && !errors.Is(err, ErrNoGrant) {
				return err
			}
			s.cacheMu.Lock()
			delete(s.grants, g.Token)
			delete(s.verified, g.Credential)
			s.cacheMu.Unlock()
			if err := s.forgetCode(ctx, g); err != nil {
				return err
			}
			for _, path := range []state.Name{tokenPath(g.Token), statePath(id), grantPath(id)} {
				if err := s.db.Delete(ctx, path); err != nil {
					return err
				}
			}
		case err != nil && !errors.Is(err, state.ErrNotFound):
			return err
		}
		if err := s.db.Delete(ctx, n); err != nil {
			return err
		}
	}
	return nil
}

// ForgetPod removes every delegation of pod p (the helpers its owner
// chose), with each helper's index entry, for an account being deleted.
func (s *Service) ForgetPod(ctx context.Context, p pod.PodID) error {
	ds, err := s.Helpers(ctx, p)
	if err != nil {
		return err
	}
	for _, d := range ds {
		if err := s.RemoveHelper(ctx, p, d.Helper); err != nil && !errors.Is(err, ErrNoDelegation) {
			return err
		}
	}
	return nil
}

// ForgetHelper removes every delegation naming helper (an account ID),
// for a helper account being deleted: the people who chose them no longer
// list them, and the helper's index goes too.
func (s *Service) ForgetHelper(ctx context.Context, helper string) error {
	if !validAccountID(helper) {
		return nil
	}
	names, err := s.db.List(ctx, helperIndex(helper))
	if err != nil {
		return err
	}
	for _, n := range names {
		p := pod.PodID(n.Base())
		if err := s.db.Delete(ctx, delegationPath(p, helper)); err != nil {
			return err
		}
		if err := s.db.Delete(ctx, n); err != nil {
			return err
		}
	}
	return nil
}
