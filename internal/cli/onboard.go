package cli

import (
	"context"
	"fmt"
)

func init() {
	register("unclaimed", "erase pods started for people in custody that nobody claimed in time: satchel unclaimed expire", runUnclaimed)
}

// runUnclaimed erases the unclaimed pods whose time is up, each put on its
// organisation's report, as the server's sweep does (see
// server.Backend.ExpireUnclaimed).
func runUnclaimed(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] != "expire" {
		return usagef("satchel unclaimed expire")
	}
	fs := flags(env, "unclaimed expire", "")
	var f serverFlags
	addServerFlags(env, fs, &f)
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	b, err := openBackend(ctx, env, &f)
	if err != nil {
		return err
	}
	done, err := b.ExpireUnclaimed(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Erased %d unclaimed pods; each organisation's pages list its own.\n", len(done))
	return nil
}
