package state

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/satchel-project/satchel/blob"
	"github.com/satchel-project/satchel/pod/fsstore"
	"github.com/satchel-project/satchel/pod/s3store"
	"github.com/satchel-project/satchel/sealed"
	"github.com/satchel-project/satchel/vault"
	"github.com/satchel-project/satchel/vault/local"
)

// backend is one real storage back end the tests run on: a local
// directory always, and MinIO when scripts/minio started one
// (scripts/minio go test -race ./state).
type backend struct {
	name string
	// dir is the fs store's directory ("" for MinIO).
	dir   string
	store blob.Store
	cust  vault.Custodian
}

// backends returns a fresh fs store, and a MinIO store under a fresh
// prefix if SATCHEL_TEST_S3 is set, each with its own local custodian.
func backends(tb testing.TB) []backend {
	tb.Helper()
	out := []backend{fsBackend(tb)}
	if u := os.Getenv("SATCHEL_TEST_S3"); u != "" {
		cfg, err := s3store.ParseURL(u, os.Getenv)
		if err != nil {
			tb.Fatal(err)
		}
		cfg.CreateBucket = true
		b := make([]byte, 8)
		rand.Read(b)
		cfg.Prefix = "state-test-" + hex.EncodeToString(b) + "/"
		st, err := s3store.Open(context.Background(), cfg)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, backend{name: "minio", store: st, cust: custodian(tb)})
	}
	return out
}

func fsBackend(tb testing.TB) backend {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "objects")
	st, err := fsstore.Open(dir)
	if err != nil {
		tb.Fatal(err)
	}
	return backend{name: "fs", dir: dir, store: st, cust: custodian(tb)}
}

func custodian(tb testing.TB) vault.Custodian {
	tb.Helper()
	c, _, err := local.Open(filepath.Join(tb.TempDir(), "keys"))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// open opens space over b with a keyring of its own, as one server
// instance would.
func (b backend) open(tb testing.TB, space string) *DB {
	tb.Helper()
	db, err := Open(context.Background(), b.store, b.keyring(), space)
	if err != nil {
		tb.Fatal(err)
	}
	return db
}

func (b backend) keyring() *sealed.Keyring { return sealed.NewKeyring(b.store, b.cust, time.Minute) }

// each runs f once per back end.
func each(t *testing.T, f func(t *testing.T, b backend)) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) { f(t, b) })
	}
}
