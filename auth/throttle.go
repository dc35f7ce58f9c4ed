package auth

import (
	"sync"
	"sync/atomic"
	"time"
)

// Throttle slows down password guessing. A password is checked only after
// Begin has let the attempt through, and an attempt counts from then until
// it ends, so that guesses sent all at once are held back as guesses sent
// one after another are: past the free allowance, only one attempt for a
// key is under way at a time.
//
// A sign-in counts against three keys. The username from one client
// address, and the client address whatever the username, each allow Free
// failures before delays start; the username from every address together
// allows UserFree, a ceiling on guessing spread over many addresses that is
// high enough that one guesser cannot lock the real person out. Past the
// allowance each failure makes the key wait Base, then twice as long, up to
// Max. A key's failures are forgotten after Window without one. State is
// per process.
type Throttle struct {
	// Free is the number of failures allowed for a username from one
	// client, and for one client, before delays start.
	Free int
	// UserFree is the number allowed for a username from all clients
	// together.
	UserFree int
	// Base is the first delay; Max caps it; Window forgets old failures.
	Base, Max, Window time.Duration

	now      func() time.Time
	mu       sync.Mutex
	m        map[string]*failures
	admitted atomic.Int64
}

type failures struct {
	count    int
	inflight int // attempts let through and not yet ended
	last     time.Time
	until    time.Time
}

// NewThrottle returns a Throttle with the defaults: 5 free failures for a
// username from one client and for one client, 50 for a username from
// everywhere, then 1s, 2s, 4s… up to 15 minutes; failures are forgotten
// after an hour of quiet.
func NewThrottle() *Throttle {
	return &Throttle{Free: 5, UserFree: 50, Base: time.Second, Max: 15 * time.Minute, Window: time.Hour, now: time.Now, m: map[string]*failures{}}
}

// Attempt is one password check that Begin let through. End it with Fail
// or Succeed once the password has been checked, or with Done if it could
// not be; the first of these counts and the rest do nothing, so
// "defer a.Done()" ends every path.
type Attempt struct {
	t     *Throttle
	keys  []limit
	ended bool // guarded by t.mu
}

// limit is one key an attempt counts against, with its allowance.
type limit struct {
	key  string
	free int
}

// Begin asks to check a password for user from client (the keys UserKey
// and IPKey make). It returns the attempt, counted as under way, or nil and
// how long to wait before trying again.
func (t *Throttle) Begin(user, client string) (*Attempt, time.Duration) {
	keys := []limit{{"p:" + user + "\x00" + client, t.Free}, {client, t.Free}, {user, t.UserFree}}
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	var wait time.Duration
	for _, l := range keys {
		f, ok := t.m[l.key]
		if !ok {
			continue
		}
		if now.Before(f.until) {
			wait = max(wait, f.until.Sub(now))
		}
		count := f.count
		if now.Sub(f.last) > t.Window {
			count = 0
		}
		// Were every attempt under way to fail, would this one still be
		// let through?
		if f.inflight > 0 && count+f.inflight > l.free {
			wait = max(wait, t.Base)
		}
	}
	if wait > 0 {
		return nil, wait
	}
	if len(t.m) > 100000 {
		t.sweep(now)
	}
	for _, l := range keys {
		t.record(l.key, now).inflight++
	}
	t.admitted.Add(1)
	return &Attempt{t: t, keys: keys}, 0
}

// Admitted is the number of attempts Begin has let through since t was
// made: the number of passwords checked.
func (t *Throttle) Admitted() int64 { return t.admitted.Load() }

// Fail ends a with a wrong password (or code), counted against its keys.
func (a *Attempt) Fail() {
	a.end(func(f *failures, l limit, now time.Time) { a.t.fail(f, l.free, now) })
}

// Succeed ends a with the right password: the username's failures from this
// client are forgotten. Those from the client and from everywhere are not,
// since the person guessing is not the one who got it right.
func (a *Attempt) Succeed() {
	pair := a.keys[0].key
	a.end(func(f *failures, l limit, now time.Time) {
		if l.key == pair {
			f.count, f.until = 0, time.Time{}
		}
	})
}

// Done ends a without counting it, when the password could not be checked.
func (a *Attempt) Done() { a.end(nil) }

func (a *Attempt) end(fn func(*failures, limit, time.Time)) {
	t := a.t
	t.mu.Lock()
	defer t.mu.Unlock()
	if a.ended {
		return
	}
	a.ended = true
	now := t.now()
	for _, l := range a.keys {
		f := t.record(l.key, now)
		f.inflight--
		if fn != nil {
			fn(f, l, now)
		}
		if f.count == 0 && f.inflight == 0 && !now.Before(f.until) {
			delete(t.m, l.key)
		}
	}
}

// record returns key's record, made afresh if it has none or its failures
// are older than the window (attempts under way are kept).
func (t *Throttle) record(key string, now time.Time) *failures {
	f, ok := t.m[key]
	if !ok {
		f = &failures{last: now}
		t.m[key] = f
	} else if now.Sub(f.last) > t.Window && now.After(f.until) {
		f.count, f.last = 0, now
	}
	return f
}

func (t *Throttle) fail(f *failures, free int, now time.Time) {
	f.count++
	f.last = now
	if f.count > free {
		d := t.Base << min(f.count-free-1, 20)
		f.until = now.Add(min(d, t.Max))
	}
}

// Wait reports how long the caller must wait before trying any of keys
// (zero: go ahead). With Fail and Succeed it throttles guesses that are not
// passwords (such as usernames), counted with the Free allowance; Begin is
// for password checks.
func (t *Throttle) Wait(keys ...string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	var wait time.Duration
	for _, k := range keys {
		if f, ok := t.m[k]; ok && now.Before(f.until) {
			wait = max(wait, f.until.Sub(now))
		}
	}
	return wait
}

// Fail records a failed attempt against each of keys.
func (t *Throttle) Fail(keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if len(t.m) > 100000 {
		t.sweep(now)
	}
	for _, k := range keys {
		t.fail(t.record(k, now), t.Free, now)
	}
}

// Succeed clears the record for key.
func (t *Throttle) Succeed(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if f, ok := t.m[key]; ok {
		f.count, f.until = 0, time.Time{}
		if f.inflight == 0 {
			delete(t.m, key)
		}
	}
}

func (t *Throttle) sweep(now time.Time) {
	for k, f := range t.m {
		if f.inflight == 0 && now.Sub(f.last) > t.Window && now.After(f.until) {
			delete(t.m, k)
		}
	}
}
