package account

// These tests are inside the package so that they can set Store.now and
// look at what is stored.

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/pod/fsstore"
	"github.com/satchel-project/satchel/state"
	"github.com/satchel-project/satchel/vault/local"
)

var testParams = Params{Memory: 1024, Time: 1, Threads: 1}

// clock is a settable Store.now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

const oldPassword = "old-password-123"

// resetFixture opens a store on a fake clock with a leaver called jo whose
// password is oldPassword.
func resetFixture(t *testing.T) (*Store, *clock, Account) {
	t.Helper()
	st, err := fsstore.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cust, _, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	svc := pod.NewService(st, pod.NewKeyring(st, cust, 0))
	s, err := Open(context.Background(), svc, testParams)
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
	s.now = c.now
	jo, err := s.Create(context.Background(), "jo", Leaver, "Jo Bloggs", oldPassword)
	if err != nil {
		t.Fatal(err)
	}
	return s, c, jo
}

var codeFormat = regexp.MustCompile(`^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$`)

// wrongCode returns a code of the right shape that is not code.
func wrongCode(code string) string {
	b := []byte(code)
	if b[0] == 'A' {
		b[0] = 'B'
	} else {
		b[0] = 'A'
	}
	return string(b)
}

// wantPassword checks which password jo's account accepts.
func wantPassword(t *testing.T, s *Store, pw string) {
	t.Helper()
	if _, err := s.Authenticate(context.Background(), "jo", pw); err != nil {
		t.Fatalf("Authenticate(jo, %q): %v", pw, err)
	}
}

func TestResetCodeFormat(t *testing.T) {
	ctx := context.Background()
	s, c, _ := resetFixture(t)
	seen := map[string]bool{}
	for range 200 {
		r, err := s.StartReset(ctx, "jo", "helper-id")
		if err != nil {
			t.Fatal(err)
		}
		if !codeFormat.MatchString(r.Code) {
			t.Fatalf("code %q is not two groups of four unambiguous characters", r.Code)
		}
		if !r.Expires.Equal(c.now().Add(ResetTTL)) {
			t.Fatalf("expires %v, want %v", r.Expires, c.now().Add(ResetTTL))
		}
		seen[r.Code] = true
	}
	if len(seen) < 195 {
		t.Fatalf("only %d different codes in 200", len(seen))
	}
	if got := len(codeAlphabet); got != 31 || strings.ContainsAny(codeAlphabet, "01OIL") {
		t.Fatalf("alphabet %q", codeAlphabet)
	}
}

func TestResetStoresNoCode(t *testing.T) {
	ctx := context.Background()
	s, _, jo := resetFixture(t)
	r, err := s.StartReset(ctx, "jo", "helper-id")
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := s.db.ReadRaw(ctx, resetPath("jo"))
	if err != nil {
		t.Fatal(err)
	}
	plain := strings.ReplaceAll(r.Code, "-", "")
	if bytes.Contains(b, []byte(r.Code)) || bytes.Contains(b, []byte(plain)) {
		t.Fatalf("reset record holds the code: %s", b)
	}
	if !bytes.Contains(b, []byte(`"helper":"helper-id"`)) || !bytes.Contains(b, []byte(jo.ID)) {
		t.Fatalf("reset record lacks the helper or account: %s", b)
	}
}

func TestResetWorksOnce(t *testing.T) {
	ctx := context.Background()
	s, _, _ := resetFixture(t)
	r, err := s.StartReset(ctx, "jo", "helper-id")
	if err != nil {
		t.Fatal(err)
	}
	// As typed on a phone: lower case, a space instead of the dash.
	typed := strings.ToLower(strings.Replace(r.Code, "-", " ", 1))
	if err := s.CompleteReset(ctx, " JO ", typed, "new-password-456"); err != nil {
		t.Fatalf("CompleteReset: %v", err)
	}
	wantPassword(t, s, "new-password-456")
	if _, err := s.Authenticate(ctx, "jo", oldPassword); !errors.Is(err, ErrBadPassword) {
		t.Fatalf("old password after reset: %v", err)
	}
	if err := s.CompleteReset(ctx, "jo", r.Code, "third-password-789"); !errors.Is(err, ErrBadCode) {
		t.Fatalf("code used twice: %v", err)
	}
	wantPassword(t, s, "new-password-456")
}

func TestResetWrongThenRight(t *testing.T) {
	ctx := context.Background()
	s, _, _ := resetFixture(t)
	r, _ := s.StartReset(ctx, "jo", "helper-id")
	for _, bad := range []string{wrongCode(r.Code), "", "short", r.Code + "X", "O" + r.Code[1:]} {
		if err := s.CompleteReset(ctx, "jo", bad, "new-password-456"); !errors.Is(err, ErrBadCode) {
			t.Fatalf("CompleteReset(%q) = %v, want ErrBadCode", bad, err)
		}
	}
	wantPassword(t, s, oldPassword)
	if err := s.CompleteReset(ctx, "jo", r.Code, "new-password-456"); err != nil {
		t.Fatalf("right code after wrong ones: %v", err)
	}
	wantPassword(t, s, "new-password-456")
}

func TestResetTooManyTries(t *testing.T) {
	ctx := context.Background()
	s, _, _ := resetFixture(t)
	r, _ := s.StartReset(ctx, "jo", "helper-id")
	for i := 1; i < ResetTries; i++ {
		if err := s.CompleteReset(ctx, "jo", wrongCode(r.Code), "new-password-456"); !errors.Is(err, ErrBadCode) {
			t.Fatalf("wrong try %d: %v", i, err)
		}
	}
	if err := s.CompleteReset(ctx, "jo", wrongCode(r.Code), "new-password-456"); !errors.Is(err, ErrTooManyTries) {
		t.Fatalf("wrong try %d: %v, want ErrTooManyTries", ResetTries, err)
	}
	if err := s.CompleteReset(ctx, "jo", r.Code, "new-password-456"); !errors.Is(err, ErrBadCode) {
		t.Fatalf("right code after too many tries: %v", err)
	}
	wantPassword(t, s, oldPassword)
	// The helper starts again, and the new code works.
	r, _ = s.StartReset(ctx, "jo", "helper-id")
	if err := s.CompleteReset(ctx, "jo", r.Code, "new-password-456"); err != nil {
		t.Fatal(err)
	}
}

func TestResetBadPasswordCostsNothing(t *testing.T) {
	ctx := context.Background()
	s, _, _ := resetFixture(t)
	r, _ := s.StartReset(ctx, "jo", "helper-id")
	for range ResetTries + 1 {
		err := s.CompleteReset(ctx, "jo", wrongCode(r.Code), "short")
		if err == nil || errors.Is(err, ErrBadCode) || errors.Is(err, ErrTooManyTries) || !strings.Contains(err.Error(), "10 characters") {
			t.Fatalf("short password: %v", err)
		}
	}
	if err := s.CompleteReset(ctx, "jo", r.Code, "new-password-456"); err != nil {
		t.Fatalf("code after password-rule errors: %v", err)
	}
}

func TestResetExpired(t *testing.T) {
	ctx := context.Background()
	s, c, _ := resetFixture(t)
	r, _ := s.StartReset(ctx, "jo", "helper-id")
	c.add(ResetTTL)
	if err := s.CompleteReset(ctx, "jo", r.Code, "new-password-456"); !errors.Is(err, ErrCodeExpired) {
		t.Fatalf("expired code: %v", err)
	}
	// A wrong code says only that it is wrong, so it does not reveal that
	// a reset is waiting.
	if err := s.CompleteReset(ctx, "jo", wrongCode(r.Code), "new-password-456"); !errors.Is(err, ErrBadCode) {
		t.Fatalf("wrong expired code: %v", err)
	}
	wantPassword(t, s, oldPassword)

	r, _ = s.StartReset(ctx, "jo", "helper-id")
	c.add(ResetTTL - time.Second)
	if err := s.CompleteReset(ctx, "jo", r.Code, "new-password-456"); err != nil {
		t.Fatalf("code a second before it runs out: %v", err)
	}
}

func TestResetUnknownUser(t *testing.T) {
	ctx := context.Background()
	s, _, _ := resetFixture(t)
	for _, u := range []string{"nobody", "x", "not a username"} {
		if err := s.CompleteReset(ctx, u, "ABCD-EFGH", "new-password-456"); !errors.Is(err, ErrBadCode) {
			t.Errorf("CompleteReset(%q) = %v, want ErrBadCode", u, err)
		}
	}
	if _, err := s.StartReset(ctx, "nobody", "helper-id"); !errors.Is(err, ErrNoAccount) {
		t.Errorf("StartReset(nobody) = %v", err)
	}
	// jo exists but has no reset: the same answer.
	if err := s.CompleteReset(ctx, "jo", "ABCD-EFGH", "new-password-456"); !errors.Is(err, ErrBadCode) {
		t.Errorf("CompleteReset(jo) with no reset = %v", err)
	}
}

func TestResetReplacedByNew(t *testing.T) {
	ctx := context.Background()
	s, _, _ := resetFixture(t)
	first, _ := s.StartReset(ctx, "jo", "helper-one")
	second, _ := s.StartReset(ctx, "jo", "helper-two")
	if first.Code == second.Code {
		t.Fatal("the same code twice")
	}
	if err := s.CompleteReset(ctx, "jo", first.Code, "new-password-456"); !errors.Is(err, ErrBadCode) {
		t.Fatalf("replaced code: %v", err)
	}
	if err := s.CompleteReset(ctx, "jo", second.Code, "new-password-456"); err != nil {
		t.Fatalf("new code: %v", err)
	}
}

func TestResetOnlyLeavers(t *testing.T) {
	ctx := context.Background()
	s, _, _ := resetFixture(t)
	if _, err := s.Create(ctx, "sam", Helper, "Sam", "helper-password"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateWith(ctx, "kim", Issuer, "Kim", "issuer-password", "org-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, "ops", Operator, "Ops", "operator-password"); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"sam", "kim", "ops"} {
		if _, err := s.StartReset(ctx, u, "helper-id"); !errors.Is(err, ErrNotLeaver) {
			t.Errorf("StartReset(%s) = %v, want ErrNotLeaver", u, err)
		}
	}
	if _, err := s.StartReset(ctx, "jo", " "); err == nil {
		t.Error("StartReset with no helper succeeded")
	}
}

func TestResetDoesNotOutliveAccount(t *testing.T) {
	ctx := context.Background()
	s, _, _ := resetFixture(t)

	// Delete removes the reset with the account.
	r, _ := s.StartReset(ctx, "jo", "helper-id")
	if err := s.Delete(ctx, "jo"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, "jo", Leaver, "Another Jo", oldPassword); err != nil {
		t.Fatal(err)
	}
	if err := s.CompleteReset(ctx, "jo", r.Code, "new-password-456"); !errors.Is(err, ErrBadCode) {
		t.Fatalf("code from a deleted account: %v", err)
	}

	// Even if the reset record is left behind, it works only for the
	// account it was made for.
	r, _ = s.StartReset(ctx, "jo", "helper-id")
	if err := s.db.DeleteIf(ctx, recordPath("jo"), state.Cond{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, "jo", Leaver, "Third Jo", oldPassword); err != nil {
		t.Fatal(err)
	}
	if err := s.CompleteReset(ctx, "jo", r.Code, "new-password-456"); !errors.Is(err, ErrBadCode) {
		t.Fatalf("code for an earlier account of the same name: %v", err)
	}
	wantPassword(t, s, oldPassword)
}

func TestResetConcurrentTries(t *testing.T) {
	ctx := context.Background()
	s, _, _ := resetFixture(t)

	// Many wrong tries at once: each is counted, and exactly one is the
	// try that voids the code.
	r, _ := s.StartReset(ctx, "jo", "helper-id")
	errs := race(12, func(int) error { return s.CompleteReset(ctx, "jo", wrongCode(r.Code), "new-password-456") })
	if n := count(errs, ErrTooManyTries); n != 1 {
		t.Fatalf("%d of 12 wrong tries said too many: %v", n, errs)
	}
	if n := count(errs, ErrBadCode); n != 11 {
		t.Fatalf("%d of 12 wrong tries said bad code: %v", n, errs)
	}

	// The right code, many times at once: it works once.
	r, _ = s.StartReset(ctx, "jo", "helper-id")
	errs = race(8, func(int) error { return s.CompleteReset(ctx, "jo", r.Code, "new-password-456") })
	if n := count(errs, nil); n != 1 {
		t.Fatalf("the code worked %d times at once: %v", n, errs)
	}
	if n := count(errs, ErrBadCode); n != 7 {
		t.Fatalf("%d of 8 said bad code: %v", n, errs)
	}
}

func race(n int, f func(int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = f(i) })
	}
	wg.Wait()
	return errs
}

func count(errs []error, target error) int {
	n := 0
	for _, err := range errs {
		if err == target || target != nil && errors.Is(err, target) {
			n++
		}
	}
	return n
}

func TestSetPassword(t *testing.T) {
	ctx := context.Background()
	s, c, jo := resetFixture(t)
	if !jo.PasswordChanged.IsZero() {
		t.Fatalf("new account has PasswordChanged %v", jo.PasswordChanged)
	}
	c.add(time.Hour)
	if err := s.SetPassword(ctx, "Jo", "new-password-456"); err != nil {
		t.Fatal(err)
	}
	a, err := s.Authenticate(ctx, "jo", "new-password-456")
	if err != nil {
		t.Fatalf("new password: %v", err)
	}
	if !a.PasswordChanged.Equal(c.now()) {
		t.Fatalf("PasswordChanged = %v, want %v", a.PasswordChanged, c.now())
	}
	if a.ID != jo.ID || a.Pod != jo.Pod || a.DisplayName != jo.DisplayName || !a.Created.Equal(jo.Created) {
		t.Fatalf("SetPassword changed more than the password: %+v, was %+v", a, jo)
	}
	if _, err := s.Authenticate(ctx, "jo", oldPassword); !errors.Is(err, ErrBadPassword) {
		t.Fatalf("old password after SetPassword: %v", err)
	}
	for _, pw := range []string{"short", strings.Repeat("x", 1025)} {
		if err := s.SetPassword(ctx, "jo", pw); err == nil {
			t.Errorf("SetPassword with a %d-character password succeeded", len(pw))
		}
	}
	if err := s.SetPassword(ctx, "nobody", "new-password-456"); !errors.Is(err, ErrNoAccount) {
		t.Errorf("SetPassword(nobody) = %v", err)
	}
	wantPassword(t, s, "new-password-456")

	// Changes at the same time all succeed, and the last one stands.
	pws := []string{"concurrent-a-1", "concurrent-b-2", "concurrent-c-3", "concurrent-d-4"}
	for _, err := range race(len(pws), func(i int) error { return s.SetPassword(ctx, "jo", pws[i]) }) {
		if err != nil {
			t.Fatalf("concurrent SetPassword: %v", err)
		}
	}
	ok := 0
	for _, pw := range pws {
		if _, err := s.Authenticate(ctx, "jo", pw); err == nil {
			ok++
		}
	}
	if ok != 1 {
		t.Fatalf("%d of the concurrent passwords work", ok)
	}
}
