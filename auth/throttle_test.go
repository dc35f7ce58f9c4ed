package auth

import (
	"context"
	"testing"
	"time"
)

var ctx = context.Background()

// begin is th.Begin over counters in memory, which never fail.
func begin(th *Throttle, user, client string) (*Attempt, time.Duration) {
	a, wait, err := th.Begin(ctx, user, client)
	if err != nil {
		panic(err)
	}
	return a, wait
}

// wait is th.Wait over counters in memory, which never fail.
func wait(th *Throttle, keys ...string) time.Duration {
	w, err := th.Wait(ctx, keys...)
	if err != nil {
		panic(err)
	}
	return w
}

func TestThrottleDoublesAndClears(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	th := NewThrottle()
	th.now = func() time.Time { return now }
	for i := 0; i < th.Free; i++ {
		th.Fail(ctx, "u:jo")
		if w := wait(th, "u:jo"); w != 0 {
			t.Fatalf("after %d failures wait %v, want 0", i+1, w)
		}
	}
	want := time.Second
	for i := 0; i < 5; i++ {
		th.Fail(ctx, "u:jo")
		if w := wait(th, "u:jo", "ip:1.2.3.4"); w != want {
			t.Fatalf("wait %v, want %v", w, want)
		}
		want *= 2
	}
	if w := wait(th, "u:sam"); w != 0 {
		t.Fatalf("another user waits %v", w)
	}
	for i := 0; i < 40; i++ {
		th.Fail(ctx, "u:jo")
	}
	if w := wait(th, "u:jo"); w != th.Max {
		t.Fatalf("wait %v, want the cap %v", w, th.Max)
	}
	th.Succeed(ctx, "u:jo")
	if w := wait(th, "u:jo"); w != 0 {
		t.Fatalf("after success wait %v", w)
	}
	// Old failures are forgotten after the window.
	for i := 0; i <= th.Free; i++ {
		th.Fail(ctx, "ip:1.2.3.4")
	}
	now = now.Add(th.Window + time.Minute)
	th.Fail(ctx, "ip:1.2.3.4")
	if w := wait(th, "ip:1.2.3.4"); w != 0 {
		t.Fatalf("failures outside the window still count: wait %v", w)
	}
}

// fakeClock makes a Throttle whose clock the test moves.
func fakeClock() (*Throttle, *time.Time) {
	now := time.Unix(1_800_000_000, 0)
	th := NewThrottle()
	th.now = func() time.Time { return now }
	return th, &now
}

func TestThrottleCountsAttemptsUnderWay(t *testing.T) {
	th, now := fakeClock()
	var under []*Attempt
	for range 100 {
		a, wait := begin(th, "u:jo", "ip:1.2.3.4")
		if a == nil {
			if wait <= 0 {
				t.Fatalf("refused with wait %v", wait)
			}
			continue
		}
		under = append(under, a)
	}
	if len(under) != th.Free+1 || th.Admitted() != int64(th.Free+1) {
		t.Fatalf("%d of 100 attempts at once let through (Admitted %d), want %d", len(under), th.Admitted(), th.Free+1)
	}
	for _, a := range under {
		a.Fail()
		a.Fail() // a second end counts nothing
		a.Done()
	}
	if _, wait := begin(th, "u:jo", "ip:1.2.3.4"); wait != th.Base {
		t.Fatalf("after %d failures wait %v, want %v", len(under), wait, th.Base)
	}
	// Past the allowance, one attempt at a time.
	*now = now.Add(th.Base)
	a, _ := begin(th, "u:jo", "ip:1.2.3.4")
	if a == nil {
		t.Fatal("refused after the wait")
	}
	if b, wait := begin(th, "u:jo", "ip:1.2.3.4"); b != nil || wait <= 0 {
		t.Fatalf("a second attempt while one is under way: %v, wait %v", b, wait)
	}
	a.Done() // not checked: not counted
	if b, _ := begin(th, "u:jo", "ip:1.2.3.4"); b == nil {
		t.Fatal("refused after an attempt that was not checked")
	}
}

func TestThrottleGuesserElsewhereDoesNotLockOut(t *testing.T) {
	th, _ := fakeClock()
	fail := func(user, client string) bool {
		a, _ := begin(th, user, client)
		if a != nil {
			a.Fail()
		}
		return a != nil
	}
	for range 10 {
		fail("u:jo", "ip:10.0.0.66")
	}
	if a, wait := begin(th, "u:jo", "ip:10.0.0.66"); a != nil {
		t.Fatalf("the guesser is let through (wait %v)", wait)
	}
	a, wait := begin(th, "u:jo", "ip:10.0.0.1")
	if a == nil {
		t.Fatalf("the real person, elsewhere, must wait %v", wait)
	}
	a.Succeed()
	// A success from one place does not clear the guesser's address.
	if a, _ := begin(th, "u:jo", "ip:10.0.0.66"); a != nil {
		t.Fatal("the guesser is let through after the real person signed in")
	}
	// Nor another username from the guesser's address.
	if a, _ := begin(th, "u:sam", "ip:10.0.0.66"); a != nil {
		t.Fatal("the guesser's address may try another username")
	}
}

func TestThrottleCeilingForOneUsername(t *testing.T) {
	th, now := fakeClock()
	checked := 0
	for i := range 20 {
		client := "ip:10.0.1." + string(rune('a'+i))
		for range th.Free {
			if a, _ := begin(th, "u:jo", client); a != nil {
				checked++
				a.Fail()
			}
		}
	}
	if checked != th.UserFree+1 {
		t.Fatalf("%d guesses from 20 addresses checked, want the ceiling %d and one", checked, th.UserFree+1)
	}
	if a, wait := begin(th, "u:jo", "ip:10.0.2.1"); a != nil || wait != th.Base {
		t.Fatalf("past the ceiling, a new address: attempt %v, wait %v; want a wait of %v", a, wait, th.Base)
	}
	if a, _ := begin(th, "u:sam", "ip:10.0.2.1"); a == nil {
		t.Fatal("another username is held by jo's ceiling")
	}
	// An hour of quiet forgets it.
	*now = now.Add(th.Window + time.Minute)
	if a, wait := begin(th, "u:jo", "ip:10.0.2.1"); a == nil {
		t.Fatalf("after an hour of quiet, wait %v", wait)
	}
}
