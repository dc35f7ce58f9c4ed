// Package limits keeps the counts behind the server's allowances (wrong
// passwords, requests to share links, uploads under way) where every
// instance of the server sees them, so that two instances behind a load
// balancer allow what one would. Each key's count is one small document in
// Counters, changed under compare-and-swap, with its expiry times inside it
// so that a stale document counts as empty; things under way are Leases,
// which lapse if the instance holding them stops.
//
// Store keeps the documents in an internal pod, named by a keyed hash of
// the key so that no username or address appears in a name; Memory keeps
// them in one process, for tests and single-use tools.
package limits

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"
)

// Counters holds one document for each key.
type Counters interface {
	// Update calls change with the document for key (nil if there is none)
	// and stores what it returns, unless change returns ErrNoChange or
	// another error. If another writer (in this process or another
	// instance) changes the document first, change is called again with
	// the new one, so that no update is lost. change must do nothing but
	// compute: it may be called several times.
	Update(ctx context.Context, key string, change func(doc []byte) ([]byte, error)) error
}

// ErrNoChange, returned by a change function, leaves the document as it is.
var ErrNoChange = errors.New("no change")

// Change is Counters.Update for a document of type T, decoded as JSON: a
// missing document is T's zero value. change edits *T (or returns
// ErrNoChange); what it leaves is stored. A type whose empty value encodes
// as {} lets Memory forget it.
func Change[T any](ctx context.Context, c Counters, key string, change func(*T) error) error {
	return c.Update(ctx, key, func(b []byte) ([]byte, error) {
		var v T
		if len(b) > 0 {
			if err := json.Unmarshal(b, &v); err != nil {
				return nil, err
			}
		}
		if err := change(&v); err != nil {
			return nil, err
		}
		return json.Marshal(v)
	})
}

// Read returns the document for key as a T, without changing it.
func Read[T any](ctx context.Context, c Counters, key string) (T, error) {
	var out T
	err := Change(ctx, c, key, func(v *T) error {
		out = *v
		return ErrNoChange
	})
	return out, err
}

// Leases are things under way (a password being checked, an upload being
// received), each by a random ID until a time. One that is not ended in
// time (its instance stopped) lapses, and counts no more.
type Leases map[string]time.Time

// Live is the number of leases that have not lapsed at now.
func (l Leases) Live(now time.Time) int {
	n := 0
	for _, until := range l {
		if now.Before(until) {
			n++
		}
	}
	return n
}

// Prune drops the leases that have lapsed at now, leaving nil if none is
// left, so that an empty document encodes as {}.
func (l *Leases) Prune(now time.Time) {
	for id, until := range *l {
		if !now.Before(until) {
			delete(*l, id)
		}
	}
	if len(*l) == 0 {
		*l = nil
	}
}

// Add takes the lease id until until.
func (l *Leases) Add(id string, until time.Time) {
	if *l == nil {
		*l = Leases{}
	}
	(*l)[id] = until
}

// End drops lease id, reporting whether it was there.
func (l *Leases) End(id string) bool {
	_, ok := (*l)[id]
	delete(*l, id)
	if len(*l) == 0 {
		*l = nil
	}
	return ok
}

// LeaseID returns a new random lease ID.
func LeaseID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
