package limits

import (
	"context"
	"sync"
	"time"
)

// Slots allows N things under way at once for each key (uploads being
// received for one account), whichever instances they are on. Each slot
// taken is a lease that its holder renews while it runs, so a slot held by
// an instance that stopped lapses within Lease.
type Slots struct {
	// N is the number of slots per key.
	N int
	// Lease is how long a slot stays taken without being renewed.
	Lease time.Duration
	c     Counters
	now   func() time.Time
}

// NewSlots returns n slots per key, counted in c, with leases of a minute.
func NewSlots(c Counters, n int) *Slots {
	return &Slots{N: n, Lease: time.Minute, c: c, now: time.Now}
}

type slotsDoc struct {
	Leases Leases `json:"leases,omitempty"`
}

// Take takes one of key's slots, reporting false if all are taken. Call
// release (once or more) when done: until then the slot is renewed in the background.
func (s *Slots) Take(ctx context.Context, key string) (release func(), ok bool, err error) {
	id := LeaseID()
	key = "slots\x00" + key
	err = Change(ctx, s.c, key, func(d *slotsDoc) error {
		now := s.now()
		d.Leases.Prune(now)
		if ok = len(d.Leases) < s.N; !ok {
			return ErrNoChange
		}
		d.Leases.Add(id, now.Add(s.Lease))
		return nil
	})
	if err != nil || !ok {
		return nil, false, err
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	bg := context.WithoutCancel(ctx)
	go func() {
		defer close(done)
		tick := time.NewTicker(s.Lease / 3)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				// A failed renewal is tried again at the next tick; the
				// lease has two more ticks to run.
				c, cancel := context.WithTimeout(bg, s.Lease/3)
				Change(c, s.c, key, func(d *slotsDoc) error {
					if _, held := d.Leases[id]; !held {
						return ErrNoChange
					}
					d.Leases[id] = s.now().Add(s.Lease)
					return nil
				})
				cancel()
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(stop)
			<-done
			c, cancel := context.WithTimeout(bg, 10*time.Second)
			defer cancel()
			// If this fails, the lease lapses on its own.
			Change(c, s.c, key, func(d *slotsDoc) error {
				if !d.Leases.End(id) {
					return ErrNoChange
				}
				d.Leases.Prune(s.now())
				return nil
			})
		})
	}, true, nil
}
