package access

import (
	"errors"
	"testing"
	"time"
)

// A leaver who signed in within RecentSignIn (ten minutes, the limit
// included) may hand the pod over or erase it; a moment later they are asked
// to sign in again.
func TestRecentSignInLimit(t *testing.T) {
	if RecentSignIn != 10*time.Minute {
		t.Fatalf("RecentSignIn = %v, want ten minutes", RecentSignIn)
	}
	for _, right := range []Right{ManageHelpers, DeleteAccount} {
		for _, c := range []struct {
			ago  time.Duration
			want error
		}{
			{0, nil},
			{9 * time.Minute, nil},
			{RecentSignIn, nil},
			{RecentSignIn + time.Nanosecond, ErrSignInAgain},
			{time.Hour, ErrSignInAgain},
		} {
			owner := Principal{Account: "jo", Kind: Leaver, Pod: "POD", AuthTime: now.Add(-c.ago)}
			got := Can(owner, Request{Right: right, Pod: "POD", Now: now})
			if !errors.Is(got, c.want) || (c.want == nil) != (got == nil) {
				t.Errorf("%s, signed in %v ago: Can = %v, want %v", right, c.ago, got, c.want)
			}
		}
	}
}
