package account_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/pod/fsstore"
	"github.com/satchel-project/satchel/vault/local"
)

// openTwo opens two account stores over one storage directory and one
// key custodian, as two server instances would.
func openTwo(t *testing.T) (*account.Store, *account.Store) {
	t.Helper()
	objects, keys := t.TempDir(), t.TempDir()
	var out [2]*account.Store
	for i := range out {
		st, err := fsstore.Open(objects)
		if err != nil {
			t.Fatal(err)
		}
		cust, _, err := local.Open(keys)
		if err != nil {
			t.Fatal(err)
		}
		if out[i], err = account.Open(context.Background(), pod.NewService(st, pod.NewKeyring(st, cust, 0)), cheap); err != nil {
			t.Fatal(err)
		}
	}
	return out[0], out[1]
}

func signIn(t *testing.T, s *account.Store, user, pw string) account.Account {
	t.Helper()
	a, err := s.Authenticate(context.Background(), user, pw)
	if err != nil {
		t.Fatal(err)
	}
	if a.SignedIn.IsZero() {
		t.Fatal("Authenticate did not say when the password was checked")
	}
	return a
}

func TestEndSessionsEndsEarlierSignInsOnly(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	if _, err := s.Create(ctx, "jo", account.Leaver, "Jo", "correct-horse-battery"); err != nil {
		t.Fatal(err)
	}
	old := signIn(t, s, "jo", "correct-horse-battery")
	if err := s.CheckSignIn(ctx, old.ID, old.SignedIn); err != nil {
		t.Fatalf("a new sign-in does not count: %v", err)
	}
	if err := s.EndSessions(ctx, old.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.CheckSignIn(ctx, old.ID, old.SignedIn); !errors.Is(err, account.ErrSignedOut) {
		t.Fatalf("after EndSessions, the earlier sign-in: %v, want ErrSignedOut", err)
	}
	fresh := signIn(t, s, "jo", "correct-horse-battery")
	if err := s.CheckSignIn(ctx, fresh.ID, fresh.SignedIn); err != nil {
		t.Fatalf("signing in again after EndSessions: %v", err)
	}
}

func TestPasswordChangeAndResetEndSessions(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	if _, err := s.Create(ctx, "jo", account.Leaver, "Jo", "correct-horse-battery"); err != nil {
		t.Fatal(err)
	}
	old := signIn(t, s, "jo", "correct-horse-battery")
	if err := s.SetPassword(ctx, "jo", "a-new-password-1"); err != nil {
		t.Fatal(err)
	}
	if err := s.CheckSignIn(ctx, old.ID, old.SignedIn); !errors.Is(err, account.ErrSignedOut) {
		t.Fatalf("after SetPassword, the old sign-in: %v, want ErrSignedOut", err)
	}
	mid := signIn(t, s, "jo", "a-new-password-1")
	r, err := s.StartReset(ctx, "jo", "helperid")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CompleteReset(ctx, "jo", r.Code, "a-new-password-2"); err != nil {
		t.Fatal(err)
	}
	if err := s.CheckSignIn(ctx, mid.ID, mid.SignedIn); !errors.Is(err, account.ErrSignedOut) {
		t.Fatalf("after CompleteReset, the earlier sign-in: %v, want ErrSignedOut", err)
	}
	fresh := signIn(t, s, "jo", "a-new-password-2")
	if err := s.CheckSignIn(ctx, fresh.ID, fresh.SignedIn); err != nil {
		t.Fatalf("signing in with the new password: %v", err)
	}
}

// Another instance trusts its copy for SessionCacheTTL, then sees the
// ending; the instance that wrote it sees it at once.
func TestEndSessionsReachesAnotherInstanceWithinTheCacheTTL(t *testing.T) {
	ctx := context.Background()
	one, two := openTwo(t)
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	two.SetSessionCache(account.SessionCacheTTL, clock)
	if _, err := one.Create(ctx, "jo", account.Leaver, "Jo", "correct-horse-battery"); err != nil {
		t.Fatal(err)
	}
	a := signIn(t, two, "jo", "correct-horse-battery")
	if err := two.CheckSignIn(ctx, a.ID, a.SignedIn); err != nil {
		t.Fatal(err)
	}
	if err := one.EndSessions(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := one.CheckSignIn(ctx, a.ID, a.SignedIn); !errors.Is(err, account.ErrSignedOut) {
		t.Fatalf("the instance that ended it: %v, want ErrSignedOut", err)
	}
	mu.Lock()
	now = now.Add(account.SessionCacheTTL)
	mu.Unlock()
	if err := two.CheckSignIn(ctx, a.ID, a.SignedIn); !errors.Is(err, account.ErrSignedOut) {
		t.Fatalf("another instance after %v: %v, want ErrSignedOut", account.SessionCacheTTL, err)
	}
}

func TestDeletedAccountsSignInsNeverCount(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	if _, err := s.Create(ctx, "jo", account.Leaver, "Jo", "correct-horse-battery"); err != nil {
		t.Fatal(err)
	}
	old := signIn(t, s, "jo", "correct-horse-battery")
	if err := s.Delete(ctx, "jo"); err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Time{old.SignedIn, time.Now().Add(time.Hour)} {
		if err := s.CheckSignIn(ctx, old.ID, at); !errors.Is(err, account.ErrSignedOut) {
			t.Fatalf("a deleted account's sign-in at %v: %v, want ErrSignedOut", at, err)
		}
	}
	if _, err := s.ValidSince(ctx, old.ID); !errors.Is(err, account.ErrNoAccount) {
		t.Fatalf("ValidSince of a deleted account: %v", err)
	}
	// The username can be taken again, by a new account.
	if _, err := s.Create(ctx, "jo", account.Leaver, "Jo", "correct-horse-battery"); err != nil {
		t.Fatal(err)
	}
	again := signIn(t, s, "jo", "correct-horse-battery")
	if again.ID == old.ID || s.CheckSignIn(ctx, again.ID, again.SignedIn) != nil {
		t.Fatal("the new account with the old username cannot sign in")
	}
}

func TestRetiredAccountCannotSignIn(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	a, err := s.Create(ctx, "jo", account.Leaver, "Jo", "correct-horse-battery")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Retire(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, "jo", "correct-horse-battery"); !errors.Is(err, account.ErrBadPassword) {
		t.Fatalf("signing in to an account being deleted: %v, want ErrBadPassword", err)
	}
}
