package verifier

import (
	"sync"
	"time"
)

// Limiter counts requests per key (a client address, a share token) in
// fixed one-minute windows and refuses those over the limit. State is per
// process and bounded: old windows are dropped.
type Limiter struct {
	PerMinute int // 0: no limit
	now       func() time.Time

	mu     sync.Mutex
	window time.Time
	counts map[string]int
}

// NewLimiter allows perMinute requests a minute per key.
func NewLimiter(perMinute int) *Limiter {
	return &Limiter{PerMinute: perMinute, now: time.Now, counts: map[string]int{}}
}

// Allow counts one request for each key and reports whether all are
// within the limit, and if not how long to wait.
func (l *Limiter) Allow(keys ...string) (bool, time.Duration) {
	if l == nil || l.PerMinute <= 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if w := now.Truncate(time.Minute); !w.Equal(l.window) {
		l.window, l.counts = w, map[string]int{}
	}
	ok := true
	for _, k := range keys {
		l.counts[k]++
		if l.counts[k] > l.PerMinute {
			ok = false
		}
	}
	return ok, l.window.Add(time.Minute).Sub(now)
}
