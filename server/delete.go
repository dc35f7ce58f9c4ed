package server

import (
	"context"
	"fmt"

	"github.com/satchel-project/satchel/account"
)

// DeleteAccount deletes the account called username and everything kept
// for it, in this order: every sign-in is ended for good (its tokens and
// web sessions are refused from the next request, here and, within
// account.SessionCacheTTL, on every instance); the helpers it chose lose
// the delegation; its shares are withdrawn and deleted (their links answer
// as unknown ones do, their status bits stay set); the people who chose it
// as a helper no longer list it; every organisation it enrolled with forgets
// the enrolment and the name it chose; then account.Store.Delete erases
// the pod (its key first), any password reset waiting, and the account.
// It cannot be undone. If it fails part way, the account can no longer
// be signed in to, and calling DeleteAccount again (satchel account
// delete) finishes the work.
// Every way of deleting an account (the web pages, the satchel command)
// goes through it.
func (b *Backend) DeleteAccount(ctx context.Context, username string) error {
	a, err := b.Accounts.Get(ctx, username)
	if err != nil {
		return err
	}
	if err := b.Accounts.Retire(ctx, a.ID); err != nil {
		return fmt.Errorf("end sign-ins: %w", err)
	}
	if a.Pod != "" {
		// Helpers first, so none can share from the pod meanwhile.
		if err := b.Consent.ForgetPod(ctx, a.Pod); err != nil {
			return fmt.Errorf("remove helpers: %w", err)
		}
		if err := b.Consent.DeleteShares(ctx, a.Pod); err != nil {
			return fmt.Errorf("delete shares: %w", err)
		}
		if err := b.Issuers.WithdrawAll(ctx, a.Pod); err != nil {
			return fmt.Errorf("withdraw enrolments: %w", err)
		}
		if err := b.Evaluation.Forget(ctx, a.Pod); err != nil {
			return fmt.Errorf("delete evaluation data: %w", err)
		}
	}
	if a.Kind == account.Helper {
		if err := b.Consent.ForgetHelper(ctx, a.ID); err != nil {
			return fmt.Errorf("remove delegations to the helper: %w", err)
		}
	}
	return b.Accounts.Delete(ctx, a.Username)
}
