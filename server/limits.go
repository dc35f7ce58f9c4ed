package server

import (
	"context"
	"time"
)

// sweepLimitsEvery deletes the counts behind the server's allowances that
// no one has changed for a day (limits.Forgotten), every interval until ctx
// ends, so that one-off keys (a mistyped username, a guessed link) do not
// pile up in storage. Instances sweeping at once delete nothing twice, and
// a count changed meanwhile stays.
func (b *Backend) sweepLimitsEvery(ctx context.Context, every time.Duration) {
	repeat(ctx, every, func() {
		if n, err := b.Limits.Sweep(ctx, time.Now()); err != nil {
			b.Config.Log.WarnContext(ctx, "sweeping old limit counts failed", "err", err)
		} else if n > 0 {
			b.Config.Log.InfoContext(ctx, "swept old limit counts", "count", n)
		}
	})
}
