package cli

import (
	"fmt"
	"strings"

	"github.com/satchel-project/satchel/vault/transit"
)

// runKeysPolicy prints the Vault policy Satchel's token needs, for the
// Transit mount and key prefix that --keys names (vault://HOST/MOUNT?
// prefix=P), or the defaults.
func runKeysPolicy(env *Env, args []string) error {
	fs := flags(env, "keys policy", "[--keys vault://HOST:PORT/MOUNT?prefix=P]")
	keys := fs.String("keys", envOr(env, "SATCHEL_KEYS", ""), "the Vault Transit custodian the policy is for (SATCHEL_KEYS)")
	if err := parse(fs, args); err != nil {
		return err
	}
	var mount, prefix string
	switch {
	case strings.HasPrefix(*keys, "vault://"):
		cfg, err := transit.ParseURL(*keys)
		if err != nil {
			return err
		}
		mount, prefix = cfg.Mount, cfg.KeyPrefix
	case *keys == "" || *keys == "vault":
	default:
		return usagef("the policy is for Vault Transit: use --keys vault://HOST:PORT/MOUNT (or leave it out for the defaults)")
	}
	_, err := fmt.Fprint(env.Stdout, transit.Policy(mount, prefix))
	return err
}
