package account_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/blob"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/pod/fsstore"
	"github.com/satchel-project/satchel/vault/local"
)

// holding is storage whose next read of a record, once armed, is answered
// as the object stood then but only after the test releases it: a read
// that was slow to come back.
type holding struct {
	blob.Store
	mu      sync.Mutex
	armed   bool
	held    chan struct{} // closed when a read is being held
	release chan struct{}
}

func (h *holding) arm() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.armed, h.held, h.release = true, make(chan struct{}), make(chan struct{})
}

func (h *holding) Get(ctx context.Context, key string) (io.ReadCloser, blob.ObjectInfo, error) {
	h.mu.Lock()
	// Records are read after their space's key, which is not held.
	hold := h.armed && !strings.HasSuffix(key, "/key")
	h.armed = h.armed && !hold
	held, release := h.held, h.release
	h.mu.Unlock()
	rc, info, err := h.Store.Get(ctx, key)
	if !hold {
		return rc, info, err
	}
	var b []byte
	if err == nil {
		b, err = io.ReadAll(rc)
		rc.Close()
	}
	close(held)
	<-release
	return io.NopCloser(bytes.NewReader(b)), info, err
}

// A sign-in check that read the account's sessions record just before
// "sign out everywhere" on the same instance, and came back after it, does
// not bring the ended sign-ins back: they stay ended.
func TestSlowCheckDoesNotUndoSignOut(t *testing.T) {
	ctx := context.Background()
	fs, err := fsstore.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	st := &holding{Store: fs}
	cust, _, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s, err := account.Open(ctx, pod.NewService(st, pod.NewKeyring(st, cust, 0)), cheap)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	move := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	s.SetSessionCache(account.SessionCacheTTL, clock)
	if _, err := s.Create(ctx, "jo", account.Leaver, "Jo", "correct-horse-battery"); err != nil {
		t.Fatal(err)
	}
	a := signIn(t, s, "jo", "correct-horse-battery")
	move(account.SessionCacheTTL) // the copy from signing in is stale

	st.arm()
	slow := make(chan error)
	go func() { slow <- s.CheckSignIn(ctx, a.ID, a.SignedIn) }()
	<-st.held
	move(time.Millisecond)
	if err := s.EndSessions(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	close(st.release)
	if err := <-slow; err != nil {
		t.Logf("the slow check: %v", err)
	}
	if err := s.CheckSignIn(ctx, a.ID, a.SignedIn); !errors.Is(err, account.ErrSignedOut) {
		t.Fatalf("after signing out everywhere and a slow check: %v, want ErrSignedOut", err)
	}
}
