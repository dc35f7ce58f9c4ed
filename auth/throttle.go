package auth

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/satchel-project/satchel/limits"
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
// Max. A key's failures are forgotten after Window without one.
//
// The counts are kept in Counters: with a limits.Store, every instance of
// the server over the same storage counts together, attempts under way on
// any of them included (each is a lease that lapses after Lease if its
// instance stops before ending it).
type Throttle struct {
	// Free is the number of failures allowed for a username from one
	// client, and for one client, before delays start.
	Free int
	// UserFree is the number allowed for a username from all clients
	// together.
	UserFree int
	// Base is the first delay; Max caps it; Window forgets old failures.
	Base, Max, Window time.Duration
	// Lease is how long an attempt that is never ended counts as under
	// way: longer than checking a password can take.
	Lease time.Duration
	// Counters holds each key's record (NewThrottle: in memory, for one
	// process).
	Counters limits.Counters

	now      func() time.Time
	admitted atomic.Int64
}

// record is what a Throttle keeps for one key.
type record struct {
	Count  int           `json:"count,omitempty"` // failures since Last's window began
	Last   time.Time     `json:"last,omitzero"`   // the last failure
	Until  time.Time     `json:"until,omitzero"`  // no attempt before this
	Leases limits.Leases `json:"leases,omitempty"`
}

// NewThrottle returns a Throttle with the defaults: 5 free failures for a
// username from one client and for one client, 50 for a username from
// everywhere, then 1s, 2s, 4s… up to 15 minutes; failures are forgotten
// after an hour of quiet; attempts under way lapse after 30 seconds. Its
// counts are in memory: set Counters to share them.
func NewThrottle() *Throttle {
	return &Throttle{Free: 5, UserFree: 50, Base: time.Second, Max: 15 * time.Minute, Window: time.Hour, Lease: 30 * time.Second,
		Counters: limits.NewMemory(), now: time.Now}
}

// Attempt is one password check that Begin let through. End it with Fail
// or Succeed once the password has been checked, or with Done if it could
// not be; the first of these counts and the rest do nothing, so
// "defer a.Done()" ends every path.
type Attempt struct {
	t    *Throttle
	ctx  context.Context
	id   string // its lease
	keys []limit
	once sync.Once
}

// limit is one key an attempt counts against, with its allowance.
type limit struct {
	key  string
	free int
}

// change changes key's record, forgetting first what has lapsed.
func (t *Throttle) change(ctx context.Context, key string, fn func(r *record, now time.Time) error) error {
	return limits.Change(ctx, t.Counters, "throttle\x00"+key, func(r *record) error {
		now := t.now()
		r.Leases.Prune(now)
		if now.Sub(r.Last) > t.Window && !now.Before(r.Until) {
			r.Count, r.Last, r.Until = 0, time.Time{}, time.Time{}
		}
		return fn(r, now)
	})
}

// Begin asks to check a password for user from client (the keys UserKey
// and IPKey make). It returns the attempt, counted as under way, or nil and
// how long to wait before trying again.
//
// The attempt takes a lease on the username from the client first, then
// on the other two keys at once; if one of them refuses, those taken are
// given back. So an attempt is never let through that the three keys
// would not all allow, though one may, while another is given back, be
// told to wait a second that it need not have.
func (t *Throttle) Begin(ctx context.Context, user, client string) (*Attempt, time.Duration, error) {
	a := &Attempt{t: t, ctx: context.WithoutCancel(ctx), id: limits.LeaseID(),
		keys: []limit{{"p:" + user + "\x00" + client, t.Free}, {client, t.Free}, {user, t.UserFree}}}
	wait, err := t.take(ctx, a.id, a.keys[:1])
	if err == nil && wait == 0 {
		wait, err = t.take(ctx, a.id, a.keys[1:])
		if err != nil || wait > 0 {
			a.end(a.keys[:1], nil)
		}
	}
	if err != nil || wait > 0 {
		return nil, wait, err
	}
	t.admitted.Add(1)
	return a, 0, nil
}

// take takes lease id on each of keys at once, or, if any of them refuses
// or fails, gives back those it took and says how long to wait.
func (t *Throttle) take(ctx context.Context, id string, keys []limit) (time.Duration, error) {
	waits := make([]time.Duration, len(keys))
	errs := make([]error, len(keys))
	var wg sync.WaitGroup
	for i, l := range keys {
		wg.Go(func() {
			errs[i] = t.change(ctx, l.key, func(r *record, now time.Time) error {
				waits[i] = 0
				if now.Before(r.Until) {
					waits[i] = r.Until.Sub(now)
				}
				// Were every attempt under way to fail, would this one
				// still be let through?
				if n := len(r.Leases); n > 0 && r.Count+n > l.free {
					waits[i] = max(waits[i], t.Base)
				}
				if waits[i] > 0 {
					return limits.ErrNoChange
				}
				r.Leases.Add(id, now.Add(t.Lease))
				return nil
			})
		})
	}
	wg.Wait()
	var wait time.Duration
	var err error
	var taken []limit
	for i, l := range keys {
		switch {
		case errs[i] != nil:
			err = errs[i]
		case waits[i] > 0:
			wait = max(wait, waits[i])
		default:
			taken = append(taken, l)
		}
	}
	if (err != nil || wait > 0) && len(taken) > 0 {
		(&Attempt{t: t, ctx: context.WithoutCancel(ctx), id: id}).end(taken, nil)
	}
	return wait, err
}

// Admitted is the number of attempts Begin has let through since t was
// made: the number of passwords checked by this instance.
func (t *Throttle) Admitted() int64 { return t.admitted.Load() }

// Fail ends a with a wrong password (or code), counted against its keys.
func (a *Attempt) Fail() {
	a.once.Do(func() {
		a.end(a.keys, func(r *record, l limit, now time.Time) { a.t.fail(r, l.free, now) })
	})
}

// Succeed ends a with the right password: the username's failures from this
// client are forgotten. Those from the client and from everywhere are not,
// since the person guessing is not the one who got it right.
func (a *Attempt) Succeed() {
	pair := a.keys[0].key
	a.once.Do(func() {
		a.end(a.keys, func(r *record, l limit, now time.Time) {
			if l.key == pair {
				r.Count, r.Last, r.Until = 0, time.Time{}, time.Time{}
			}
		})
	})
}

// Done ends a without counting it, when the password could not be checked.
func (a *Attempt) Done() { a.once.Do(func() { a.end(a.keys, nil) }) }

// end gives back a's lease on each of keys at once, applying fn to their
// records. If the store cannot be reached, a lease lapses on its own, and
// a failure is not counted, though its attempt counts as under way until
// then.
func (a *Attempt) end(keys []limit, fn func(*record, limit, time.Time)) {
	ctx, cancel := context.WithTimeout(a.ctx, 10*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for _, l := range keys {
		wg.Go(func() {
			a.t.change(ctx, l.key, func(r *record, now time.Time) error {
				r.Leases.End(a.id)
				if fn != nil {
					fn(r, l, now)
				}
				return nil
			})
		})
	}
	wg.Wait()
}

func (t *Throttle) fail(r *record, free int, now time.Time) {
	r.Count++
	r.Last = now
	if r.Count > free {
		d := t.Base << min(r.Count-free-1, 20)
		r.Until = now.Add(min(d, t.Max))
	}
}

// Wait reports how long the caller must wait before trying any of keys
// (zero: go ahead). With Fail and Succeed it throttles guesses that are not
// passwords (such as usernames), counted with the Free allowance; Begin is
// for password checks.
func (t *Throttle) Wait(ctx context.Context, keys ...string) (time.Duration, error) {
	var wait time.Duration
	for _, k := range keys {
		err := t.change(ctx, k, func(r *record, now time.Time) error {
			if now.Before(r.Until) {
				wait = max(wait, r.Until.Sub(now))
			}
			return limits.ErrNoChange
		})
		if err != nil {
			return 0, err
		}
	}
	return wait, nil
}

// Fail records a failed attempt against each of keys.
func (t *Throttle) Fail(ctx context.Context, keys ...string) error {
	for _, k := range keys {
		err := t.change(ctx, k, func(r *record, now time.Time) error {
			t.fail(r, t.Free, now)
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Succeed clears the failures recorded for key.
func (t *Throttle) Succeed(ctx context.Context, key string) error {
	return t.change(ctx, key, func(r *record, now time.Time) error {
		if r.Count == 0 && r.Until.IsZero() {
			return limits.ErrNoChange
		}
		r.Count, r.Last, r.Until = 0, time.Time{}, time.Time{}
		return nil
	})
}
