package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/pod/fsstore"
	"github.com/satchel-project/satchel/pod/s3store"
	"github.com/satchel-project/satchel/vault"
	"github.com/satchel-project/satchel/vault/local"
	"github.com/satchel-project/satchel/vault/transit"
)

// OpenStore opens the storage that spec names: "" or "fs" for the objects/
// directory under dataDir, "fs:DIR" for another directory, or
// "s3://BUCKET?endpoint=HOST:PORT&region=...&tls=false" for S3-compatible
// storage, with credentials from AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY.
func OpenStore(ctx context.Context, spec, dataDir string, getenv func(string) string) (pod.Store, error) {
	switch {
	case spec == "" || spec == "fs":
		return fsstore.Open(filepath.Join(dataDir, "objects"))
	case strings.HasPrefix(spec, "fs:"):
		return fsstore.Open(strings.TrimPrefix(spec, "fs:"))
	case strings.HasPrefix(spec, "s3://"):
		cfg, err := s3store.ParseURL(spec, getenv)
		if err != nil {
			return nil, err
		}
		return s3store.Open(ctx, cfg)
	}
	return nil, errors.New("storage must be fs, fs:DIR or s3://BUCKET?endpoint=HOST:PORT")
}

// openCustodian opens the key custodian that spec names: "" or "local" for
// the master key under dataDir/keys, "local:DIR" for another directory,
// "vault" for HashiCorp Vault Transit at VAULT_ADDR, or
// "vault://HOST:PORT/MOUNT?tls=false" with the token from VAULT_TOKEN.
// created reports a new local master key.
func openCustodian(spec, dataDir string, storeIsLocal bool, getenv func(string) string) (c vault.Custodian, created bool, err error) {
	var cfg transit.Config
	switch {
	case spec == "" || spec == "local" || strings.HasPrefix(spec, "local:"):
		dir := filepath.Join(dataDir, "keys")
		if d, ok := strings.CutPrefix(spec, "local:"); ok {
			dir = d
		}
		if _, err := os.Stat(filepath.Join(dir, "master.key")); errors.Is(err, os.ErrNotExist) && storeIsLocal && hasPods(dataDir) {
			return nil, false, fmt.Errorf("the data directory %s holds pods but no master key: restore %s from your backup (a new key could not read them)", abs(dataDir), filepath.Join(dir, "master.key"))
		}
		return local.Open(dir)
	case spec == "vault":
		cfg, err = transit.ConfigFromEnv(getenv)
	case strings.HasPrefix(spec, "vault://"):
		cfg, err = transit.ParseURL(spec)
		if cfg.Token = getenv("VAULT_TOKEN"); err == nil && cfg.Token == "" {
			err = errors.New("set VAULT_TOKEN to the token Satchel uses with Vault")
		}
	default:
		return nil, false, errors.New("keys must be local, local:DIR, vault (VAULT_ADDR) or vault://HOST:PORT/MOUNT")
	}
	if err != nil {
		return nil, false, err
	}
	t, err := transit.New(cfg)
	return t, false, err
}
