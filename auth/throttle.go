package auth

import (
	"sync"
	"time"
)

// Throttle slows down password guessing. After a few failures for one
// username, or from one client address, further attempts are refused until
// a delay has passed, and the delay doubles with each further failure (up to
// a cap). A success clears the username's record. State is per process.
type Throttle struct {
	// Free is the number of failures allowed before delays start.
	Free int
	// Base is the first delay; Max caps it; Window forgets old failures.
	Base, Max, Window time.Duration

	now func() time.Time
	mu  sync.Mutex
	m   map[string]*failures
}

type failures struct {
	count int
	last  time.Time
	until time.Time
}

// NewThrottle returns a Throttle with the defaults: 5 free failures, then
// 1s, 2s, 4s… up to 15 minutes; records expire after an hour of quiet.
func NewThrottle() *Throttle {
	return &Throttle{Free: 5, Base: time.Second, Max: 15 * time.Minute, Window: time.Hour, now: time.Now, m: map[string]*failures{}}
}

// Wait reports how long the caller must wait before trying any of keys
// (zero: go ahead).
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
		f, ok := t.m[k]
		if !ok || now.Sub(f.last) > t.Window {
			f = &failures{}
			t.m[k] = f
		}
		f.count++
		f.last = now
		if f.count > t.Free {
			d := t.Base << min(f.count-t.Free-1, 20)
			f.until = now.Add(min(d, t.Max))
		}
	}
}

// Succeed clears the record for key.
func (t *Throttle) Succeed(key string) {
	t.mu.Lock()
	delete(t.m, key)
	t.mu.Unlock()
}

func (t *Throttle) sweep(now time.Time) {
	for k, f := range t.m {
		if now.Sub(f.last) > t.Window && now.After(f.until) {
			delete(t.m, k)
		}
	}
}
