package onboard

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/satchel-project/satchel/pod/podtest"
)

func open(t *testing.T) (*Service, *time.Time) {
	t.Helper()
	svc, _ := podtest.New(t)
	s, err := Open(context.Background(), svc)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	return s, &now
}

func TestCodes(t *testing.T) {
	c := newCode()
	if len(c) != codeLen || normaliseCode(c) != c {
		t.Fatalf("code %q", c)
	}
	f := FormatCode(c)
	if len(f) != 14 || f[4] != '-' || f[9] != '-' {
		t.Fatalf("formatted %q", f)
	}
	// Typed loosely: lower case, spaces, dashes.
	if got := normaliseCode(" " + strings.ToLower(f[:7]) + " " + f[7:]); got != c {
		t.Errorf("loosely typed: %q, want %q", got, c)
	}
	for _, bad := range []string{"", "ABCD", "ABCD-2345-EFG0", "ABCD-2345-EFGHJ", "ÀBCD-2345-EFGH"} {
		if normaliseCode(bad) != "" {
			t.Errorf("%q taken as a code", bad)
		}
	}
}

func TestLetterClaimAndExpiry(t *testing.T) {
	s, now := open(t)
	ctx := context.Background()
	p, err := s.Start(ctx, "hmp", Person{Name: "Jo", Born: "1990-04-05", Reference: "A1", Username: "jo.1234", Pod: "pod1"})
	if err != nil {
		t.Fatal(err)
	}
	// Another organisation has no such person.
	if _, err := s.Get(ctx, "elsewhere", p.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("another organisation: %v", err)
	}
	if _, _, err := s.NewLetter(ctx, "elsewhere", p.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("another organisation's letter: %v", err)
	}
	_, first, err := s.NewLetter(ctx, "hmp", p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !first.Expires.Equal(now.Add(DefaultCodeTTL)) {
		t.Errorf("expires %v", first.Expires)
	}
	_, second, err := s.NewLetter(ctx, "hmp", p.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The replaced code, a wrong date of birth, junk: one answer.
	for _, try := range [][2]string{{first.Code, "1990-04-05"}, {second.Code, "1990-04-06"}, {"nonsense", "1990-04-05"}} {
		if _, err := s.Claim(ctx, try[0], try[1]); !errors.Is(err, ErrNoClaim) {
			t.Errorf("claim %v: %v", try, err)
		}
	}
	got, err := s.Claim(ctx, second.Code, "1990-04-05")
	if err != nil || got.Username != "jo.1234" {
		t.Fatalf("claim: %+v %v", got, err)
	}
	// Used once; and the organisation's record, reference included, is gone.
	if _, err := s.Claim(ctx, second.Code, "1990-04-05"); !errors.Is(err, ErrNoClaim) {
		t.Errorf("second claim: %v", err)
	}
	if _, err := s.Get(ctx, "hmp", p.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("after the claim: %v", err)
	}
	// A claimed pod never expires.
	*now = now.Add(DefaultUnclaimedTTL * 2)
	done, err := s.Expire(ctx, func(context.Context, string) error {
		t.Error("a claimed pod was erased")
		return nil
	})
	if err != nil || len(done) != 0 {
		t.Fatalf("expire: %v %v", done, err)
	}
}

func TestTriesVoidTheCode(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	p, _ := s.Start(ctx, "hmp", Person{Name: "Jo", Born: "1990-04-05", Username: "jo.1234", Pod: "pod1"})
	_, l, _ := s.NewLetter(ctx, "hmp", p.ID)
	for range Tries {
		s.Claim(ctx, l.Code, "2000-01-01")
	}
	if _, err := s.Claim(ctx, l.Code, "1990-04-05"); !errors.Is(err, ErrNoClaim) {
		t.Fatalf("after %d wrong dates: %v", Tries, err)
	}
	// A new letter works again.
	_, l, _ = s.NewLetter(ctx, "hmp", p.ID)
	if _, err := s.Claim(ctx, l.Code, "1990-04-05"); err != nil {
		t.Fatal(err)
	}
}

func TestExpire(t *testing.T) {
	s, now := open(t)
	ctx := context.Background()
	old, _ := s.Start(ctx, "hmp", Person{Name: "Old", Reference: "R1", Username: "old.1111", Pod: "p1"})
	_, l, _ := s.NewLetter(ctx, "hmp", old.ID)
	*now = now.Add(DefaultUnclaimedTTL / 2)
	s.Start(ctx, "hmp", Person{Name: "New", Username: "new.2222", Pod: "p2"})
	*now = now.Add(DefaultUnclaimedTTL/2 + time.Minute)
	var erased []string
	erase := func(_ context.Context, u string) error { erased = append(erased, u); return nil }
	done, err := s.Expire(ctx, erase)
	if err != nil || len(done) != 1 || strings.Join(erased, ",") != "old.1111" {
		t.Fatalf("expire: %v %v %v", done, erased, err)
	}
	rep, err := s.ExpiredPods(ctx, "hmp")
	if err != nil || len(rep) != 1 || rep[0].Name != "Old" || rep[0].Reference != "R1" {
		t.Fatalf("report: %+v %v", rep, err)
	}
	if rep, _ := s.ExpiredPods(ctx, "elsewhere"); len(rep) != 0 {
		t.Errorf("another organisation's report: %+v", rep)
	}
	if _, err := s.Claim(ctx, l.Code, ""); !errors.Is(err, ErrNoClaim) {
		t.Errorf("an expired pod's letter: %v", err)
	}
	// An account already gone is passed over; a failing erase stops and
	// keeps the person for the next run.
	*now = now.Add(DefaultUnclaimedTTL)
	failing := errors.New("storage down")
	if _, err := s.Expire(ctx, func(context.Context, string) error { return failing }); !errors.Is(err, failing) {
		t.Fatalf("failing erase: %v", err)
	}
	if people, _ := s.People(ctx, "hmp"); len(people) != 1 {
		t.Fatalf("after a failed erase: %+v", people)
	}
	done, err = s.Expire(ctx, func(context.Context, string) error { return Gone(errors.New("no such account")) })
	if err != nil || len(done) != 1 {
		t.Fatalf("gone: %v %v", done, err)
	}
}
