// Package podtest opens pods for tests the way a server does by default: a
// pod.Service over a local directory (package fsstore, objects/) with the
// local key custodian (keys/).
package podtest

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/pod/fsstore"
	"github.com/satchel-project/satchel/vault/local"
)

// Open returns a pod.Service over dir, creating it on first use, and its
// custodian. Unwrapped pod keys are cached for ttl (0: the keyring's
// default).
func Open(tb testing.TB, dir string, ttl time.Duration) (*pod.Service, *local.Custodian) {
	tb.Helper()
	st, err := fsstore.Open(filepath.Join(dir, "objects"))
	if err != nil {
		tb.Fatal(err)
	}
	cust, _, err := local.Open(filepath.Join(dir, "keys"))
	if err != nil {
		tb.Fatal(err)
	}
	return pod.NewService(st, pod.NewKeyring(st, cust, ttl)), cust
}

// New is Open over a fresh temporary directory, with keys cached for a
// minute.
func New(tb testing.TB) (*pod.Service, *local.Custodian) {
	tb.Helper()
	return Open(tb, tb.TempDir(), time.Minute)
}
