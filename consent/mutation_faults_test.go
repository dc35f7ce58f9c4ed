package consent_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/satchel-project/satchel/blob"
	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/pod/fsstore"
	"github.com/satchel-project/satchel/vault/local"
)

// faultyStore is storage that fails: the n-th Delete from when it is
// armed, or every Put while down.
type faultyStore struct {
	blob.Store
	mu        sync.Mutex
	failNth   int // 0: never
	deletes   int
	putsFail  bool
	failedDel bool
}

func (s *faultyStore) Delete(ctx context.Context, key string, c blob.Cond) error {
	s.mu.Lock()
	s.deletes++
	fail := s.failNth > 0 && s.deletes == s.failNth
	if fail {
		s.failedDel = true
	}
	s.mu.Unlock()
	if fail {
		return blob.ErrUnavailable
	}
	return s.Store.Delete(ctx, key, c)
}

func (s *faultyStore) Put(ctx context.Context, key string, r io.Reader, size int64, c blob.Cond) (blob.ObjectInfo, error) {
	s.mu.Lock()
	down := s.putsFail
	s.mu.Unlock()
	if down {
		return blob.ObjectInfo{}, blob.ErrUnavailable
	}
	return s.Store.Put(ctx, key, r, size, c)
}

func (s *faultyStore) arm(nth int, putsFail bool) {
	s.mu.Lock()
	s.failNth, s.deletes, s.putsFail, s.failedDel = nth, 0, putsFail, false
	s.mu.Unlock()
}

// newFaultyFixture is newFixture over storage the test can make fail.
func newFaultyFixture(t *testing.T) (*fixture, *faultyStore) {
	t.Helper()
	dir := t.TempDir()
	fs, err := fsstore.Open(filepath.Join(dir, "objects"))
	if err != nil {
		t.Fatal(err)
	}
	st := &faultyStore{Store: fs}
	cust, _, err := local.Open(filepath.Join(dir, "keys"))
	if err != nil {
		t.Fatal(err)
	}
	pods := pod.NewService(st, pod.NewKeyring(st, cust, time.Minute))
	ctx := context.Background()
	svc, err := consent.Open(ctx, pods, mustSigner(t, t.TempDir()), base)
	if err != nil {
		t.Fatal(err)
	}
	id, err := pods.CreatePod(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := pods.Put(ctx, id, "documents/letter.pdf", "application/pdf", 1, strings.NewReader("x"), pod.Preconditions{}); err != nil {
		t.Fatal(err)
	}
	return &fixture{pods: pods, svc: svc, pod: id, dir: dir}, st
}

// TestDeleteSharesResumes: whichever storage deletion fails while an
// account's shares are deleted, deleting them again finishes the work:
// nothing is listed, no link or code leads anywhere, the bit stays set.
func TestDeleteSharesResumes(t *testing.T) {
	t.Parallel()
	// A share's deletion is five records (its code, link, state, grant
	// and listing), each one or more deletions in storage: fail each in
	// turn until a run needs no more.
	f, st := newFaultyFixture(t)
	ctx := context.Background()
	putRecord(t, f, "identity/birth.jsonld", `{"type":"BirthCertificate","birthDate":"1990-04-23"}`)
	birth := time.Date(1990, 4, 23, 0, 0, 0, 0, time.UTC)
	for nth := 1; ; nth++ {
		g, err := f.svc.Create(ctx, newGrant(f.pod))
		if err != nil {
			t.Fatal(err)
		}
		code, err := f.svc.Code(ctx, g)
		if err != nil || code == "" {
			t.Fatalf("code %q %v", code, err)
		}
		st.arm(nth, false)
		err = f.svc.DeleteShares(ctx, f.pod)
		if !st.failedDel {
			if err != nil || nth <= 5 {
				t.Fatalf("with %d deletions in storage, DeleteShares gave %v", nth-1, err)
			}
			break
		}
		if err == nil {
			t.Fatalf("deletion %d failing: DeleteShares did not fail", nth)
		}
		st.arm(0, false)
		if err := f.svc.DeleteShares(ctx, f.pod); err != nil {
			t.Fatalf("after deletion %d failed, deleting again: %v", nth, err)
		}
		if list, err := f.svc.List(ctx, f.pod); err != nil || len(list) != 0 {
			t.Errorf("after deletion %d failed: %d listed (%v)", nth, len(list), err)
		}
		if _, _, err := f.svc.Resolve(ctx, g.Token); !errors.Is(err, consent.ErrNoGrant) {
			t.Errorf("after deletion %d failed: the link gives %v", nth, err)
		}
		if _, _, err := f.svc.ResolveCode(ctx, code, birth); !errors.Is(err, consent.ErrNoGrant) {
			t.Errorf("after deletion %d failed: the code gives %v", nth, err)
		}
		if set, err := f.svc.Revoked(ctx, g.StatusIndex); err != nil || !set {
			t.Errorf("after deletion %d failed: bit %v %v", nth, set, err)
		}
	}
}

// TestAPIStorageDown: when storage cannot be written, the client is told
// to try again later, and nothing was made.
func TestAPIStorageDown(t *testing.T) {
	t.Parallel()
	f, st := newFaultyFixture(t)
	a := newAPIOver(t, f)
	st.arm(0, true)
	r := a.do(t, a.owner, "POST", "/api/v1/grants", shareBody).want(http.StatusServiceUnavailable, "unavailable")
	if r.Header().Get("Retry-After") != "5" || !strings.Contains(r.Body.String(), "Nothing was changed") {
		t.Errorf("storage down: %v %s", r.Header(), r.Body)
	}
	st.arm(0, false)
	if l := a.do(t, a.owner, "GET", "/api/v1/grants", "").want(http.StatusOK, "").json()["grants"].([]any); len(l) != 0 {
		t.Errorf("after a failed share: %v", l)
	}
}

// TestHalfRemovedHelper: a helper whose removal failed half-way (the
// choice gone, the helper's index entry left) is not shown to the helper
// as chosen, nor to the owner as a helper.
func TestHalfRemovedHelper(t *testing.T) {
	t.Parallel()
	f, st := newFaultyFixture(t)
	ctx := context.Background()
	other, err := f.pods.CreatePod(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []pod.PodID{f.pod, other} {
		if err := f.svc.SetHelper(ctx, consent.Delegation{Pod: p, LeaverName: "Jo", Helper: "helperacct", HelperUser: "sam", Rights: []consent.Right{consent.RightView}}); err != nil {
			t.Fatal(err)
		}
	}
	// Fail the last storage deletion of the removal: find how many there
	// are, then fail the last.
	failed := false
	for nth := 1; !failed; nth++ {
		st.arm(nth, false)
		err := f.svc.RemoveHelper(ctx, f.pod, "helperacct")
		if !st.failedDel {
			t.Fatalf("no half-way failure found (%v)", err)
		}
		if _, derr := f.svc.Delegation(ctx, f.pod, "helperacct"); errors.Is(derr, consent.ErrNoDelegation) {
			if err == nil {
				t.Fatalf("a failed removal said it succeeded")
			}
			failed = true
		}
	}
	st.arm(0, false)
	ch, err := f.svc.Chosen(ctx, "helperacct")
	if err != nil || len(ch) != 1 || ch[0].Pod != other {
		t.Errorf("chosen after a half-done removal: %+v %v", ch, err)
	}
	if hs, err := f.svc.Helpers(ctx, f.pod); err != nil || len(hs) != 0 {
		t.Errorf("helpers after a half-done removal: %+v %v", hs, err)
	}
}
