package server

import (
	"context"
	"errors"

	"github.com/satchel-project/satchel/access"
	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/auth"
	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/pod"
)

// delegated is pod.Handler's Delegated: what pod id's owner lets the helper
// account do in it (nil when they did not choose them).
func (b *Backend) delegated(ctx context.Context, id pod.PodID, account string) ([]access.Right, error) {
	d, err := b.Consent.Delegation(ctx, id, account)
	if errors.Is(err, consent.ErrNoDelegation) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return d.Rights, nil
}

// audit is pod.Handler's Audit: what a helper does goes into the leaver's
// access log under the helper's name.
func (b *Backend) audit(ctx context.Context, id pod.PodID, actor, action string, p pod.Path) error {
	return b.Consent.Record(ctx, id, consent.LogEntry{Type: "helper-" + action, Who: actor, Resource: p})
}

// findHelper is consent.Handler's FindHelper. A username that names no
// helper is answered exactly as one that names no account, and such misses
// are throttled per asking account, so that nobody can list who has a
// helper's account by trying names.
func (b *Backend) findHelper(ctx context.Context, username string) (consent.HelperAccount, error) {
	key := auth.HelperLookupKey(access.From(ctx).Account)
	if wait, err := b.Throttle.Wait(ctx, key); err != nil {
		return consent.HelperAccount{}, err
	} else if wait > 0 {
		return consent.HelperAccount{}, consent.ErrTooManyLookups
	}
	a, err := b.Accounts.Get(ctx, username)
	if errors.Is(err, account.ErrNoAccount) || err == nil && a.Kind != account.Helper {
		if err := b.Throttle.Fail(ctx, key); err != nil {
			return consent.HelperAccount{}, err
		}
		return consent.HelperAccount{}, consent.ErrNotHelper
	}
	if err != nil {
		return consent.HelperAccount{}, err
	}
	return consent.HelperAccount{ID: a.ID, Username: a.Username, Name: a.DisplayName}, nil
}
