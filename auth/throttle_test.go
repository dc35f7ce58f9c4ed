package auth

import (
	"testing"
	"time"
)

func TestThrottleDoublesAndClears(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	th := NewThrottle()
	th.now = func() time.Time { return now }
	for i := 0; i < th.Free; i++ {
		th.Fail("u:jo")
		if w := th.Wait("u:jo"); w != 0 {
			t.Fatalf("after %d failures wait %v, want 0", i+1, w)
		}
	}
	want := time.Second
	for i := 0; i < 5; i++ {
		th.Fail("u:jo")
		if w := th.Wait("u:jo", "ip:1.2.3.4"); w != want {
			t.Fatalf("wait %v, want %v", w, want)
		}
		want *= 2
	}
	if w := th.Wait("u:sam"); w != 0 {
		t.Fatalf("another user waits %v", w)
	}
	for i := 0; i < 40; i++ {
		th.Fail("u:jo")
	}
	if w := th.Wait("u:jo"); w != th.Max {
		t.Fatalf("wait %v, want the cap %v", w, th.Max)
	}
	th.Succeed("u:jo")
	if w := th.Wait("u:jo"); w != 0 {
		t.Fatalf("after success wait %v", w)
	}
	// Old failures are forgotten after the window.
	for i := 0; i <= th.Free; i++ {
		th.Fail("ip:1.2.3.4")
	}
	now = now.Add(th.Window + time.Minute)
	th.Fail("ip:1.2.3.4")
	if w := th.Wait("ip:1.2.3.4"); w != 0 {
		t.Fatalf("failures outside the window still count: wait %v", w)
	}
}
