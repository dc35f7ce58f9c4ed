package limits

import (
	"context"
	"sync"
	"time"
)

// Rate allows PerMinute requests a minute for each key (a client address,
// a share token), counted in fixed one-minute windows by every instance
// together.
//
// So as not to write to the store on every request, an instance takes a
// few requests' worth of a key's allowance at a time (a thirty-second of
// it) and uses them up locally. Every request it allows was counted in the
// store first, so together the instances never allow more than
// PerMinute; one may refuse a little early while another holds what it
// took and has not used.
type Rate struct {
	// PerMinute is the allowance; 0 or less is no limit.
	PerMinute int
	c         Counters
	now       func() time.Time

	mu   sync.Mutex
	held map[string]held // by key, for the current window
}

// held is what this instance took of a key's allowance in the window that
// began at start and has not used; over says the store had no more.
type held struct {
	start time.Time
	left  int
	over  bool
}

// NewRate returns a Rate of perMinute requests a minute per key, counted
// in c.
func NewRate(c Counters, perMinute int) *Rate {
	return &Rate{PerMinute: perMinute, c: c, now: time.Now, held: map[string]held{}}
}

// window is a key's count in the minute that began at Start.
type window struct {
	Start time.Time `json:"start,omitzero"`
	Count int       `json:"count,omitempty"`
}

// Allow counts one request for each of keys and reports whether all are
// within the limit, and if not how long to wait.
func (r *Rate) Allow(ctx context.Context, keys ...string) (bool, time.Duration, error) {
	if r == nil || r.PerMinute <= 0 {
		return true, 0, nil
	}
	now := r.now()
	start := now.Truncate(time.Minute)
	wait := start.Add(time.Minute).Sub(now)
	allowed := true
	var ask []string // keys with nothing held here
	r.mu.Lock()
	for k, h := range r.held {
		if h.start.Before(start) {
			delete(r.held, k)
		}
	}
	for _, k := range keys {
		switch h, ok := r.held[k]; {
		case ok && h.over:
			allowed = false
		case ok && h.left > 0:
			h.left--
			r.held[k] = h
		default:
			ask = append(ask, k)
		}
	}
	r.mu.Unlock()

	chunk := max(1, r.PerMinute/32)
	took := make([]int, len(ask))
	errs := make([]error, len(ask))
	var wg sync.WaitGroup
	for i, k := range ask {
		wg.Go(func() {
			errs[i] = Change(ctx, r.c, "rate\x00"+k, func(w *window) error {
				if w.Start.Before(start) { // (an instance whose clock is ahead may have begun the next)
					*w = window{Start: start}
				}
				took[i] = min(chunk, r.PerMinute-w.Count)
				if took[i] <= 0 {
					return ErrNoChange
				}
				w.Count += took[i]
				return nil
			})
		})
	}
	wg.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, k := range ask {
		if errs[i] != nil {
			return false, 0, errs[i]
		}
		if took[i] <= 0 {
			allowed = false
			r.held[k] = held{start: start, over: true}
		} else {
			h := r.held[k] // another request may have taken some meanwhile
			if !h.start.Equal(start) || h.over {
				h = held{start: start}
			}
			h.left += took[i] - 1
			r.held[k] = h
		}
	}
	return allowed, wait, nil
}
