package server

import (
	"context"
	"errors"
	"time"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/onboard"
)

// ExpireUnclaimed erases every pod an organisation started for someone in
// custody that was not claimed in time, as deleting the account does
// (DeleteAccount: the pod's key is destroyed first), and puts each on its
// organisation's report (package onboard). It returns the people erased.
func (b *Backend) ExpireUnclaimed(ctx context.Context) ([]onboard.Person, error) {
	return b.Web.Onboard.Expire(ctx, func(ctx context.Context, username string) error {
		err := b.DeleteAccount(ctx, username)
		if errors.Is(err, account.ErrNoAccount) {
			return onboard.Gone(err)
		}
		return err
	})
}

// SweepUnclaimed runs ExpireUnclaimed every interval until ctx ends. Two
// instances sweeping at once erase nothing twice: an erased pod's record is
// gone for the next.
func (b *Backend) SweepUnclaimed(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if done, err := b.ExpireUnclaimed(ctx); err != nil {
			b.Config.Log.WarnContext(ctx, "expiring unclaimed pods failed", "err", err)
		} else if len(done) > 0 {
			b.Config.Log.InfoContext(ctx, "expired unclaimed pods", "count", len(done))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
