package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/pod"
)

// authorize is pod.Handler's Authorize: the owner may do everything, a
// helper what the owner delegated, anyone else nothing (404).
func (b *Backend) authorize(r *http.Request, id pod.PodID) (pod.Access, error) {
	c, err := b.Tokens.Caller(r)
	if err != nil {
		return pod.Access{}, err
	}
	if c.Pod != "" && c.Pod == id {
		return pod.Access{View: true, Write: true, ReadLog: true}, nil
	}
	if c.Kind != account.Helper {
		return pod.Access{}, nil
	}
	d, err := b.Consent.Delegation(r.Context(), id, c.Subject)
	if err != nil {
		if !errors.Is(err, consent.ErrNoDelegation) {
			b.Config.Log.Warn("delegation lookup failed", "err", err)
		}
		return pod.Access{}, nil
	}
	return pod.Access{View: d.Can(consent.RightView), Add: d.Can(consent.RightAdd), Actor: c.Name}, nil
}

// audit is pod.Handler's Audit: what a helper does goes into the leaver's
// access log under the helper's name.
func (b *Backend) audit(ctx context.Context, id pod.PodID, actor, action string, p pod.Path) error {
	return b.Consent.Record(ctx, id, consent.LogEntry{Type: "helper-" + action, Who: actor, Resource: p})
}

// findHelper is consent.Handler's FindHelper.
func (b *Backend) findHelper(ctx context.Context, username string) (consent.HelperAccount, error) {
	a, err := b.Accounts.Get(ctx, username)
	if err != nil {
		return consent.HelperAccount{}, err
	}
	if a.Kind != account.Helper {
		return consent.HelperAccount{}, consent.ErrNotHelper
	}
	return consent.HelperAccount{ID: a.ID, Username: a.Username, Name: a.DisplayName}, nil
}
