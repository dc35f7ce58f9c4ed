package account

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/satchel-project/satchel/state"
)

// Every way of being signed in (a bearer token, a web session) is checked
// against its account's "sessions valid since" record, kept with the
// accounts by account ID so that every instance over one storage sees it.
// Changing or resetting the password, "sign out everywhere" and deleting
// the account move it on; a deleted account's record stays as a tombstone,
// so its tokens are refused until they expire and past.

// SessionCacheTTL is how long an instance trusts its copy of an account's
// sessions record before reading it again: an ending made on another
// instance takes effect here at most this long after it was written (on
// the instance that wrote it, at once).
const SessionCacheTTL = time.Second

// maxCachedSessions bounds the sessions-record cache.
const maxCachedSessions = 10000

// sessionsRecord is what is stored for an account whose sign-ins were
// ended at least once.
type sessionsRecord struct {
	// NotBefore: sign-ins made before it no longer count.
	NotBefore time.Time `json:"notBefore"`
	// Deleted: the account is gone, and no sign-in counts.
	Deleted bool `json:"deleted,omitempty"`
}

func sessionsPath(id string) state.Name { return state.Name("sessions/" + id) }

// sessionCache remembers sessions records (an absent one as the zero
// record) for at most ttl, by account ID.
type sessionCache struct {
	mu    sync.Mutex
	ttl   time.Duration
	clock func() time.Time
	recs  map[string]cachedSessions
}

type cachedSessions struct {
	rec  sessionsRecord
	read time.Time
}

func (c *sessionCache) get(id string) (sessionsRecord, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.recs[id]
	if !ok || c.clock().Sub(e.read) >= c.ttl {
		return sessionsRecord{}, false
	}
	return e.rec, true
}

func (c *sessionCache) put(id string, rec sessionsRecord, read time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.recs == nil || len(c.recs) >= maxCachedSessions {
		c.recs = map[string]cachedSessions{}
	}
	// A record read before a write on this instance must not replace the
	// written one.
	if e, ok := c.recs[id]; ok && e.read.After(read) {
		return
	}
	c.recs[id] = cachedSessions{rec, read}
}

// SetSessionCache sets how long this store trusts its copy of an account's
// sessions record (SessionCacheTTL unless set; 0 reads it every time) and
// the clock that ages the copies (time.Now unless set). Tests use it, and a
// server whose storage reads are kept right across instances (package
// blob/cache) turns the copies off.
func (s *Store) SetSessionCache(ttl time.Duration, clock func() time.Time) {
	s.sessions.mu.Lock()
	defer s.sessions.mu.Unlock()
	s.sessions.ttl = ttl
	if clock != nil {
		s.sessions.clock = clock
	}
	s.sessions.recs = nil
}

// ValidSince returns the time before which account id's sign-ins (bearer
// tokens and web sessions) no longer count: the zero time if none was ever
// ended. For an account that was deleted it returns ErrNoAccount. It reads
// storage at most once per SessionCacheTTL per account.
func (s *Store) ValidSince(ctx context.Context, id string) (time.Time, error) {
	rec, ok := s.sessions.get(id)
	if !ok {
		read := s.sessions.clock()
		if _, err := s.db.ReadJSON(ctx, sessionsPath(id), &rec); err != nil {
			if !errors.Is(err, state.ErrNotFound) {
				return time.Time{}, err
			}
			rec = sessionsRecord{}
		}
		s.sessions.put(id, rec, read)
	}
	if rec.Deleted {
		return time.Time{}, ErrNoAccount
	}
	return rec.NotBefore, nil
}

// ErrSignedOut means a sign-in was ended: by a password change or reset,
// by "sign out everywhere", or because the account was deleted.
var ErrSignedOut = errors.New("you have been signed out: sign in again")

// CheckSignIn reports whether a sign-in of account id made at signedIn
// still counts: nil, or ErrSignedOut.
func (s *Store) CheckSignIn(ctx context.Context, id string, signedIn time.Time) error {
	since, err := s.ValidSince(ctx, id)
	if errors.Is(err, ErrNoAccount) {
		return ErrSignedOut
	}
	if err != nil {
		return err
	}
	if signedIn.Before(since) {
		return ErrSignedOut
	}
	return nil
}

// EndSessions signs account id out everywhere: every bearer token and web
// session made before now stops working, on this instance at once and on
// every other within SessionCacheTTL. Signing in again works.
func (s *Store) EndSessions(ctx context.Context, id string) error {
	return s.writeSessions(ctx, id, false)
}

// Retire ends account id's sign-ins for good, as the first step of
// deleting it: its tokens and sessions are refused, and so is every sign-in
// from now on (Authenticate answers ErrBadPassword). Delete does it too.
func (s *Store) Retire(ctx context.Context, id string) error {
	return s.writeSessions(ctx, id, true)
}

// writeSessions moves account id's record on to now (never back: another
// instance's clock may be ahead), deleted if deleted, under
// compare-and-swap, and puts it in this instance's cache.
func (s *Store) writeSessions(ctx context.Context, id string, deleted bool) error {
	if id == "" {
		return ErrNoAccount
	}
	db := s.db
	p := sessionsPath(id)
	for range maxClaimRetries {
		// Microseconds are what a token's auth_time carries.
		now := s.now().UTC().Truncate(time.Microsecond)
		var rec sessionsRecord
		b, etag, err := db.ReadRaw(ctx, p)
		pre := state.CreateOnly()
		switch {
		case err == nil:
			if err := json.Unmarshal(b, &rec); err != nil {
				return errors.New("sessions record is damaged")
			}
			pre = state.IfMatch(etag)
		case !errors.Is(err, state.ErrNotFound):
			return err
		}
		if now.After(rec.NotBefore) {
			rec.NotBefore = now
		}
		rec.Deleted = rec.Deleted || deleted
		err = db.WriteJSON(ctx, p, rec, pre)
		if err == nil {
			s.sessions.put(id, rec, s.sessions.clock())
			return nil
		}
		if !errors.Is(err, state.ErrPrecondition) {
			return err
		}
	}
	return state.ErrBusy
}
