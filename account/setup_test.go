package account

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSetupCode(t *testing.T) {
	ctx := context.Background()
	s, c, _ := resetFixture(t)
	a, r, err := s.CreateWithSetup(ctx, "Sam", Leaver, "Sam Smith", "")
	if err != nil {
		t.Fatal(err)
	}
	if a.Username != "sam" || a.Pod == "" || a.PasswordHash != "" {
		t.Fatalf("account %+v", a)
	}
	if !codeFormat.MatchString(r.Code) || !r.Expires.Equal(c.now().Add(SetupTTL)) {
		t.Fatalf("code %q expires %v", r.Code, r.Expires)
	}
	if _, _, err := s.CreateWithSetup(ctx, "sam", Leaver, "Sam Again", ""); !errors.Is(err, ErrTaken) {
		t.Fatalf("second account called sam: %v", err)
	}
	// Only the code's hash is kept.
	b, _, err := s.db.ReadRaw(ctx, resetPath("sam"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte(strings.ReplaceAll(r.Code, "-", ""))) || !bytes.Contains(b, []byte(`"kind":"setup"`)) {
		t.Fatalf("set-up record: %s", b)
	}
	// Nobody can sign in before a password is chosen, not even with none.
	for _, pw := range []string{"", "anything-at-all"} {
		if _, err := s.Authenticate(ctx, "sam", pw); !errors.Is(err, ErrBadPassword) {
			t.Fatalf("Authenticate before set-up with %q: %v", pw, err)
		}
	}
	// Six days later the code still works, once.
	c.add(6 * 24 * time.Hour)
	if err := s.CompleteReset(ctx, "sam", strings.ToLower(r.Code), "sams-own-password"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, "sam", "sams-own-password"); err != nil {
		t.Fatal(err)
	}
	if err := s.CompleteReset(ctx, "sam", r.Code, "another-password"); !errors.Is(err, ErrBadCode) {
		t.Fatalf("code used twice: %v", err)
	}
}

func TestSetupCodeExpires(t *testing.T) {
	ctx := context.Background()
	s, c, _ := resetFixture(t)
	_, r, err := s.CreateWithSetup(ctx, "sam", Helper, "Sam Smith", "")
	if err != nil {
		t.Fatal(err)
	}
	c.add(SetupTTL)
	if err := s.CompleteReset(ctx, "sam", r.Code, "sams-own-password"); !errors.Is(err, ErrCodeExpired) {
		t.Fatalf("expired set-up code: %v", err)
	}
	// An operator can give a new one.
	_, r, err = s.IssueResetCode(ctx, "sam", "Pat at the desk")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CompleteReset(ctx, "sam", r.Code, "sams-own-password"); err != nil {
		t.Fatal(err)
	}
}

func TestIssueResetCode(t *testing.T) {
	ctx := context.Background()
	s, c, jo := resetFixture(t)
	if _, _, err := s.IssueResetCode(ctx, "jo", " "); err == nil {
		t.Fatal("a reset code without saying who checked")
	}
	if _, _, err := s.IssueResetCode(ctx, "nobody", "Pat"); !errors.Is(err, ErrNoAccount) {
		t.Fatalf("reset code for nobody: %v", err)
	}
	a, r, err := s.IssueResetCode(ctx, "jo", "Pat")
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != jo.ID || !r.Expires.Equal(c.now().Add(ResetTTL)) {
		t.Fatalf("account %s, expires %v", a.ID, r.Expires)
	}
	if err := s.CompleteReset(ctx, "jo", r.Code, "new-password-456"); err != nil {
		t.Fatal(err)
	}
	wantPassword(t, s, "new-password-456")
}

func TestChangePassword(t *testing.T) {
	ctx := context.Background()
	s, c, jo := resetFixture(t)
	if err := s.ChangePassword(ctx, "jo", "wrong-password", "new-password-456"); !errors.Is(err, ErrBadPassword) {
		t.Fatalf("wrong current password: %v", err)
	}
	if err := s.ChangePassword(ctx, "jo", oldPassword, "short"); err == nil || !strings.Contains(err.Error(), "at least 10") {
		t.Fatalf("short new password: %v", err)
	}
	wantPassword(t, s, oldPassword)
	before := c.now()
	c.add(time.Second)
	if err := s.ChangePassword(ctx, "jo", oldPassword, "new-password-456"); err != nil {
		t.Fatal(err)
	}
	wantPassword(t, s, "new-password-456")
	// Every sign-in made before the change has ended.
	if err := s.CheckSignIn(ctx, jo.ID, before); !errors.Is(err, ErrSignedOut) {
		t.Fatalf("old sign-in after a change: %v", err)
	}
}
