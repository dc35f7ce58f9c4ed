package auth

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/satchel-project/satchel/limits"
)

// failTimes has user fail n times from client, each let through.
func failTimes(t *testing.T, th *Throttle, user, client string, n int) {
	t.Helper()
	for i := range n {
		a, wait := begin(th, user, client)
		if a == nil {
			t.Fatalf("failure %d of %d refused (wait %v)", i+1, n, wait)
		}
		a.Fail()
	}
}

// Failures are remembered for exactly Window after the last one: at that
// instant the next failure still doubles the delay; an instant later it
// starts the count afresh.
func TestThrottleWindowBoundary(t *testing.T) {
	for _, c := range []struct {
		after time.Duration
		wait  time.Duration // before the try after the next failure
	}{
		{time.Hour, 2 * time.Second},
		{time.Hour + time.Nanosecond, 0},
	} {
		th, now := fakeClock()
		failTimes(t, th, "u:jo", "ip:1.2.3.4", th.Free+1)
		*now = now.Add(c.after)
		failTimes(t, th, "u:jo", "ip:1.2.3.4", 1)
		if a, wait := begin(th, "u:jo", "ip:1.2.3.4"); wait != c.wait || (a == nil) != (c.wait > 0) {
			t.Errorf("a failure %v after the last: then attempt %v, wait %v; want wait %v", c.after, a, wait, c.wait)
		}
	}
}

// An attempt never ended (its instance stopped) holds its place for 30
// seconds and not an instant longer.
func TestThrottleLeaseLapses(t *testing.T) {
	th, now := fakeClock()
	failTimes(t, th, "u:jo", "ip:1.2.3.4", th.Free+1)
	*now = now.Add(th.Base)
	if a, _ := begin(th, "u:jo", "ip:1.2.3.4"); a == nil {
		t.Fatal("refused after the wait")
	} // and never ended
	*now = now.Add(30*time.Second - time.Nanosecond)
	if a, wait := begin(th, "u:jo", "ip:1.2.3.4"); a != nil || wait != th.Base {
		t.Fatalf("just under 30 s after an attempt that never ended: attempt %v, wait %v; want a wait of %v", a, wait, th.Base)
	}
	*now = now.Add(time.Nanosecond)
	if a, wait := begin(th, "u:jo", "ip:1.2.3.4"); a == nil {
		t.Fatalf("30 s after an attempt that never ended: wait %v", wait)
	}
}

// Being refused costs nothing: the real person who tries again and again
// from a new address while a guesser elsewhere holds the username at its
// ceiling is let through as soon as the ceiling's wait is over, and the
// address may meanwhile sign in as someone else.
func TestThrottleRefusalsHoldNothing(t *testing.T) {
	th, now := fakeClock()
	for i := range 20 {
		client := "ip:10.0.1." + string(rune('a'+i))
		for range th.Free {
			if a, _ := begin(th, "u:jo", client); a != nil {
				a.Fail()
			}
		}
	}
	var wait time.Duration
	for range 3 * th.Free {
		var a *Attempt
		if a, wait = begin(th, "u:jo", "ip:10.0.2.1"); a != nil {
			t.Fatal("let through past the ceiling")
		}
	}
	if a, _ := begin(th, "u:sam", "ip:10.0.2.1"); a == nil {
		t.Fatal("the refused address may not sign in as another username")
	} else {
		a.Succeed()
	}
	*now = now.Add(wait)
	if a, wait := begin(th, "u:jo", "ip:10.0.2.1"); a == nil {
		t.Fatalf("after the ceiling's wait, still refused for %v", wait)
	}
}

// deadlines are counters that, like a store over the network, give up when
// the context's deadline has passed.
type deadlines struct{ limits.Counters }

func (d deadlines) Update(ctx context.Context, key string, change func([]byte) ([]byte, error)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return d.Counters.Update(ctx, key, change)
}

// A failure is counted, and its attempt ended, even when the request that
// made it is over by then (its context cancelled).
func TestThrottleEndsAfterTheRequest(t *testing.T) {
	th, now := fakeClock()
	th.Counters = deadlines{limits.NewMemory()}
	for range th.Free + 1 {
		ctx, cancel := context.WithCancel(context.Background())
		a, _, err := th.Begin(ctx, "u:jo", "ip:1.2.3.4")
		if err != nil || a == nil {
			t.Fatalf("refused: %v", err)
		}
		cancel()
		a.Fail()
	}
	if a, wait := begin(th, "u:jo", "ip:1.2.3.4"); a != nil || wait != th.Base {
		t.Fatalf("after %d failures: attempt %v, wait %v; want a wait of %v", th.Free+1, a, wait, th.Base)
	}
	*now = now.Add(th.Base)
	failTimes(t, th, "u:jo", "ip:1.2.3.4", 1)
	if a, wait := begin(th, "u:jo", "ip:1.2.3.4"); a != nil || wait != 2*th.Base {
		t.Fatalf("after %d failures: attempt %v, wait %v; want a wait of %v", th.Free+2, a, wait, 2*th.Base)
	}
}

// The default throttle's numbers, as a guesser meets them: 5 free failures
// from one address, then 1 s, 2 s, 4 s… up to 15 minutes.
func TestThrottleDefaults(t *testing.T) {
	th, now := fakeClock()
	for range 40 {
		a, wait := begin(th, "u:jo", "ip:1.2.3.4")
		if a == nil {
			*now = now.Add(wait)
			a, _ = begin(th, "u:jo", "ip:1.2.3.4")
		}
		a.Fail()
	}
	if _, wait := begin(th, "u:jo", "ip:1.2.3.4"); wait != 15*time.Minute {
		t.Fatalf("after 40 failures, wait %v; want 15 minutes", wait)
	}
	// Wait and Fail, for guesses that are not passwords, count the same.
	for range 5 {
		th.Fail(ctx, "code:x")
	}
	if w := wait(th, "code:x"); w != 0 {
		t.Fatalf("after 5 failures, wait %v", w)
	}
	th.Fail(ctx, "code:x")
	if w := wait(th, "code:x"); w != time.Second {
		t.Fatalf("after 6 failures, wait %v; want 1s", w)
	}
}

// A right password clears only that username's failures from that address:
// a guesser who signs in to their own account from the address they guess
// from keeps the address's count, and the username's from everywhere.
func TestThrottleSuccessKeepsTheAddressCount(t *testing.T) {
	th, _ := fakeClock()
	failTimes(t, th, "u:jo", "ip:10.0.0.66", th.Free)
	a, _ := begin(th, "u:jo", "ip:10.0.0.66")
	a.Succeed()
	failTimes(t, th, "u:sam", "ip:10.0.0.66", 1)
	if a, wait := begin(th, "u:kim", "ip:10.0.0.66"); a != nil || wait != th.Base {
		t.Fatalf("the address after %d failures and a success: attempt %v, wait %v; want a wait of %v", th.Free+1, a, wait, th.Base)
	}

	th, _ = fakeClock()
	for i := range th.UserFree {
		failTimes(t, th, "u:jo", "ip:10.0.3."+string(rune('a'+i)), 1)
	}
	a, _ = begin(th, "u:jo", "ip:10.0.3.z")
	a.Succeed()
	failTimes(t, th, "u:jo", "ip:10.0.4.1", 1)
	if a, wait := begin(th, "u:jo", "ip:10.0.4.2"); a != nil || wait != th.Base {
		t.Fatalf("the username after %d failures and a success: attempt %v, wait %v; want a wait of %v", th.UserFree+1, a, wait, th.Base)
	}
}

// Fail counts against every key it is given, and Succeed clears a key's
// failures even before any delay has started.
func TestThrottleKeysForOtherGuesses(t *testing.T) {
	th, _ := fakeClock()
	one, other := HelperLookupKey("acct1"), HelperLookupKey("acct2")
	for range th.Free + 1 {
		if err := th.Fail(ctx, "ip:1.2.3.4", one); err != nil {
			t.Fatal(err)
		}
	}
	if w1, w2, w3 := wait(th, "ip:1.2.3.4"), wait(th, one), wait(th, other); w1 != th.Base || w2 != th.Base || w3 != 0 {
		t.Fatalf("after %d failures on two keys: waits %v and %v, another account's %v; want %v, %v, 0", th.Free+1, w1, w2, w3, th.Base, th.Base)
	}

	for range th.Free {
		th.Fail(ctx, other)
	}
	th.Succeed(ctx, other)
	th.Fail(ctx, other)
	if w := wait(th, other); w != 0 {
		t.Fatalf("%d failures, a success, a failure: wait %v, want 0", th.Free, w)
	}
}

// flaky are counters that cannot reach the Throttle's document for one
// key while it is down.
type flaky struct {
	limits.Counters
	down string
}

func (f *flaky) Update(ctx context.Context, key string, change func([]byte) ([]byte, error)) error {
	if f.down != "" && key == "throttle\x00"+f.down {
		return errors.New("store unreachable")
	}
	return f.Counters.Update(ctx, key, change)
}

// When the shared store fails an attempt part way, what the attempt took
// is given back: once the store is reachable again, the next attempt is
// let through, even at the edge of the allowance.
func TestThrottleStoreFailureGivesBack(t *testing.T) {
	th, _ := fakeClock()
	f := &flaky{Counters: limits.NewMemory()}
	th.Counters = f
	failTimes(t, th, "u:jo", "ip:1.2.3.4", th.Free)
	for _, down := range []string{"ip:1.2.3.4", "u:jo"} {
		f.down = down
		if a, _, err := th.Begin(ctx, "u:jo", "ip:1.2.3.4"); err == nil || a != nil {
			t.Fatalf("with %s unreachable: attempt %v, %v; want an error", down, a, err)
		}
		f.down = ""
		a, wait := begin(th, "u:jo", "ip:1.2.3.4")
		if a == nil {
			t.Fatalf("after %s came back, refused for %v", down, wait)
		}
		a.Done()
	}
}
