package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/blob/cache"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/server"
	"github.com/satchel-project/satchel/vault"
)

func init() {
	register("keys", "key custody: satchel keys rotate, satchel keys policy", runKeys)
	register("pod", "erase a pod for good: satchel pod erase POD --yes", runPod)
	register("migrate", "copy all pods between storage back ends, still encrypted", runMigrate)
}

// openBackend opens the server's storage and keys for an operator command.
func openBackend(ctx context.Context, env *Env, f *serverFlags) (*server.Backend, error) {
	cfg, err := f.config(env)
	if err != nil {
		return nil, err
	}
	cfg.Log = slog.New(slog.DiscardHandler)
	return server.Open(ctx, cfg)
}

func runKeys(ctx context.Context, env *Env, args []string) error {
	if len(args) > 0 && args[0] == "policy" {
		return runKeysPolicy(env, args[1:])
	}
	if len(args) == 0 || args[0] != "rotate" {
		return usagef("use: satchel keys rotate, or satchel keys policy")
	}
	fs := flags(env, "keys rotate", "[--data DIR]")
	var f serverFlags
	addServerFlags(env, fs, &f)
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	b, err := openBackend(ctx, env, &f)
	if err != nil {
		return err
	}
	r, ok := b.Keys.(vault.Rotator)
	if !ok {
		return errors.New("this key custodian cannot rotate keys")
	}
	n, err := b.Pods.RotateKeys(ctx, r.Rotate, r.Rewrap)
	if err != nil {
		return fmt.Errorf("rotation stopped after %d pods (run it again to finish): %w", n, err)
	}
	fmt.Fprintf(env.Stdout, "Rewrapped %d pod keys under the newest key version.\n", n)
	return nil
}

func runPod(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] != "erase" {
		return usagef("use: satchel pod erase POD --yes")
	}
	fs := flags(env, "pod erase", "POD --yes [--data DIR]")
	var f serverFlags
	addServerFlags(env, fs, &f)
	yes := fs.Bool("yes", false, "confirm: the pod and everything in it is destroyed and cannot be brought back")
	rest, err := parseArgs(fs, args[1:])
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("name one pod: satchel pod erase POD --yes")
	}
	id := pod.PodID(rest[0])
	if !id.Valid() {
		return usagef("%q is not a pod ID (26 letters and digits, as in the pod's URL)", rest[0])
	}
	if !*yes {
		return usagef("this destroys pod %s and everything in it, and cannot be undone: add --yes to go ahead", id)
	}
	b, err := openBackend(ctx, env, &f)
	if err != nil {
		return err
	}
	if err := b.Pods.ErasePod(ctx, id); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Erased pod %s: its key is destroyed and its objects deleted.\n", id)
	return nil
}

func runAccountDelete(ctx context.Context, env *Env, args []string) error {
	fs := flags(env, "account delete", "--username NAME --yes [--data DIR]")
	var f serverFlags
	addServerFlags(env, fs, &f)
	username := fs.String("username", "", "the account to delete")
	yes := fs.Bool("yes", false, "confirm: the account and its pod are destroyed and cannot be brought back")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *username == "" {
		return usagef("name the account: satchel account delete --username NAME --yes")
	}
	if !*yes {
		return usagef("this deletes the account %q and erases its pod, and cannot be undone: add --yes to go ahead", *username)
	}
	b, err := openBackend(ctx, env, &f)
	if err != nil {
		return err
	}
	if err := b.DeleteAccount(ctx, *username); err != nil {
		if errors.Is(err, account.ErrNoAccount) {
			return fmt.Errorf("there is no account called %q", *username)
		}
		return err
	}
	fmt.Fprintf(env.Stdout, "Deleted the account %q: its shares, helpers and enrolments are gone and its pod is erased.\n", *username)
	return nil
}

func runMigrate(ctx context.Context, env *Env, args []string) error {
	fs := flags(env, "migrate", "--from STORAGE --to STORAGE [--data DIR]")
	from := fs.String("from", "", "storage to copy from: fs, fs:DIR or s3://...")
	to := fs.String("to", "", "storage to copy to: fs, fs:DIR or s3://...")
	data := fs.String("data", envOr(env, "SATCHEL_DATA", server.DefaultDataDir), "data directory, for fs (SATCHEL_DATA)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *from == "" || *to == "" || *from == *to {
		return usagef("name two different stores: satchel migrate --from fs --to s3://BUCKET?endpoint=HOST:PORT")
	}
	src, err := server.OpenStore(ctx, *from, *data, env.Getenv)
	if err != nil {
		return fmt.Errorf("--from: %w", err)
	}
	if strings.HasPrefix(*from, "s3://") {
		// Through the cache, the records of servers running on it are not
		// listed, so not copied.
		src = cache.New(src, cache.Options{})
	}
	dst, err := server.OpenStore(ctx, *to, *data, env.Getenv)
	if err != nil {
		return fmt.Errorf("--to: %w", err)
	}
	if strings.HasPrefix(*to, "s3://") {
		// Servers already running on it are told of every object written.
		dst = cache.New(dst, cache.Options{})
	}
	n, err := pod.Copy(ctx, src, dst)
	if err != nil {
		return fmt.Errorf("copied %d objects, then stopped (run it again to finish): %w", n, err)
	}
	fmt.Fprintf(env.Stdout, "Copied %d encrypted objects. Nothing was decrypted; the keys stay where they were.\n", n)
	return nil
}
