package web

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/pod/podtest"
)

// testPages is Pages over a fresh data directory, with a clock the test
// moves.
func testPages(t *testing.T, now *time.Time) *Pages {
	t.Helper()
	pods, _ := podtest.New(t)
	p := &Pages{
		Pods: pods,
		Log:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		now:  func() time.Time { return *now },
	}
	if err := p.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSessionsEnd: a session is refused once idle for IdleTimeout or older
// than MaxAge, and Sweep deletes the ended ones nobody presents again.
func TestSessionsEnd(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	p := testPages(t, &now)
	a := account.Account{ID: "abc", Username: "jo", Kind: account.Leaver, DisplayName: "Jo", Pod: "p1"}
	start := func() string {
		w := httptest.NewRecorder()
		s, err := p.sessions.start(ctx, w, httptest.NewRequest("POST", "/sign-in", nil), a)
		if err != nil {
			t.Fatal(err)
		}
		return s.id
	}
	load := func(id string) error {
		r := httptest.NewRequest("GET", "/my", nil)
		r.Header.Set("Cookie", p.sessions.cookieName()+"="+id)
		_, err := p.sessions.load(ctx, r)
		return err
	}
	idle, busy := start(), start()
	for i := 0; i < 5; i++ { // busy is used every 20 minutes; idle never
		now = now.Add(20 * time.Minute)
		if err := load(busy); err != nil {
			t.Fatalf("a session in use ended after %v: %v", time.Duration(i+1)*20*time.Minute, err)
		}
	}
	if err := load(idle); err != errNoSession {
		t.Fatalf("a session idle for 100 minutes: %v, want errNoSession", err)
	}
	fresh := start()
	if n, err := p.Sweep(ctx); err != nil || n != 0 {
		t.Fatalf("Sweep = %d, %v; want 0 (the idle one was deleted when presented)", n, err)
	}
	now = now.Add(IdleTimeout + time.Second)
	if n, err := p.Sweep(ctx); err != nil || n != 2 {
		t.Fatalf("Sweep = %d, %v; want 2 (busy and fresh have both been idle too long)", n, err)
	}
	now = now.Add(-IdleTimeout) // even back in time, they are gone
	for _, id := range []string{busy, fresh} {
		if err := load(id); err != errNoSession {
			t.Errorf("a swept session loads: %v", err)
		}
	}

	// However busy, a session ends after MaxAge.
	old := start()
	for age := time.Duration(0); age < MaxAge; age += 25 * time.Minute {
		now = now.Add(25 * time.Minute)
		if err := load(old); err != nil && age+25*time.Minute <= MaxAge {
			t.Fatalf("session ended at %v, before MaxAge: %v", age, err)
		}
	}
	now = now.Add(25 * time.Minute)
	if err := load(old); err != errNoSession {
		t.Fatalf("a session older than MaxAge loads: %v", err)
	}
}

// TestSweepByHour: Sweep finds sessions begun in earlier hours through
// their hours' lists, and empties those lists as it goes.
func TestSweepByHour(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	p := testPages(t, &now)
	a := account.Account{ID: "abc", Username: "jo", Kind: account.Leaver, DisplayName: "Jo", Pod: "p1"}
	start := func() {
		if _, err := p.sessions.start(ctx, httptest.NewRecorder(), httptest.NewRequest("POST", "/sign-in", nil), a); err != nil {
			t.Fatal(err)
		}
	}
	sweep := func(want int) {
		t.Helper()
		if n, err := p.Sweep(ctx); err != nil || n != want {
			t.Fatalf("Sweep at %s = %d, %v; want %d", now.Format(time.TimeOnly), n, err, want)
		}
	}
	start()
	sweep(0) // the first sweep, over every session
	now = now.Add(5 * time.Hour)
	start()
	start()
	sweep(1) // the first, idle for five hours
	now = now.Add(MaxAge + time.Hour)
	sweep(2)
	for h := 0; h < 20; h++ {
		dir := startedDir(time.Date(2026, 11, 23, 9+h, 0, 0, 0, time.UTC))
		if names, err := p.sessions.db.List(ctx, dir); err != nil || len(names) != 0 {
			t.Errorf("%s still lists %v (%v)", dir, names, err)
		}
	}
	if names, err := p.sessions.db.List(ctx, accountDir("abc")); err != nil || len(names) != 0 {
		t.Errorf("the account still lists %v (%v)", names, err)
	}
}
