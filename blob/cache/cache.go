// Package cache keeps recently read objects of a blob.Store in memory and
// keeps every process that writes the same store right about them.
//
// A read served from memory must never be older than a write another
// process has acknowledged. So a process caches only while it is a member:
// it has a record under MembersPrefix in the store itself, renewed every
// Lease/4 by a conditional write, and it serves from memory only within
// Lease of the start of its last renewal. Every process that writes through
// a Store (a server, or a command line tool) tells every member of each
// object it changed, by an authenticated POST to the member's URL, before
// the write returns. A member that cannot be told is fenced: its record is
// deleted, so its next renewal fails and it empties its cache, and the
// writer waits out its lease before returning. A new member starts caching
// only two thirds of a lease after its record is written, by which time
// every writer's view of the members (listed again whenever it is more than
// a third of a lease old) includes it. A write
// that cannot be announced (no member list, no fence) fails with
// ErrNotTold, and is announced, or the member fenced, as soon as storage
// allows.
//
// Only whole objects up to MaxObject bytes are kept, as the back end stored
// them (ciphertext), and the absence of objects read and not found;
// listings are never cached.
package cache

import (
	"bytes"
	"container/list"
	"context"
	"errors"
	"hash/maphash"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/satchel-project/satchel/blob"
)

// MembersPrefix is where members keep their records, beside the objects
// the store holds for everyone else.
const MembersPrefix = "cluster/members/"

// Defaults for Options.
const (
	DefaultMaxBytes  = 64 << 20
	DefaultMaxObject = 256 << 10
	DefaultLease     = 3 * time.Second
)

// Options configure a Store. The zero value writes through and tells the
// members, but caches nothing until Start.
type Options struct {
	// MaxBytes bounds the bytes kept in memory (default DefaultMaxBytes).
	MaxBytes int64
	// MaxObject is the largest object kept (default DefaultMaxObject).
	MaxObject int64
	// Lease is how long a member may serve from memory after the start of
	// a renewal that succeeded (default DefaultLease). The join delay, the
	// age at which the members are listed again and the time a member is
	// given to answer derive from it.
	Lease time.Duration
	// Client sends invalidations (default: a client with no proxy).
	Client *http.Client
	// Log receives fences and renewal failures.
	Log *slog.Logger
	// Count is told of every cached lookup: hit or miss.
	Count func(hit bool)
}

// Store is a blob.Store that keeps what it reads while it is a member, and
// tells every member of what it writes.
type Store struct {
	next blob.Store
	o    Options
	seed maphash.Seed

	mu       sync.Mutex
	entries  map[string]*list.Element
	lru      *list.List // of *entry, most recent first
	bytes    int64
	stripes  [256]uint64 // bumped when a key in the stripe is invalidated
	epoch    uint64      // bumped when everything is dropped
	leaseEnd time.Time   // serve from memory before this
	joinAt   time.Time   // and not before this (zero: not a member)

	m *membership
}

type entry struct {
	key     string
	data    []byte
	info    blob.ObjectInfo
	missing bool // there is no object under key
}

// cost is what an entry counts against MaxBytes: its bytes, and its key
// and bookkeeping (so that entries for missing objects are bounded too).
func (e *entry) cost() int64 { return int64(len(e.data) + len(e.key) + 128) }

// New wraps next.
func New(next blob.Store, o Options) *Store {
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxObject <= 0 {
		o.MaxObject = DefaultMaxObject
	}
	if o.Lease <= 0 {
		o.Lease = DefaultLease
	}
	if o.Client == nil {
		o.Client = &http.Client{Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 16}}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Count == nil {
		o.Count = func(bool) {}
	}
	s := &Store{next: next, o: o, seed: maphash.MakeSeed(), entries: map[string]*list.Element{}, lru: list.New()}
	s.m = newMembership(s)
	return s
}

// ticket is what a read remembers of the cache's state when it started, so
// that it keeps what it read only if nothing invalidated it meanwhile.
type ticket struct {
	ok            bool
	stripe, epoch uint64
}

func (s *Store) stripe(key string) int { return int(maphash.String(s.seed, key) & 255) }

// serving reports whether memory may answer now. s.mu is held.
func (s *Store) serving(now time.Time) bool {
	return !s.joinAt.IsZero() && !now.Before(s.joinAt) && now.Before(s.leaseEnd)
}

// Get reads from memory while a member, else from the back end, keeping
// what it read (an object small enough, or that there is none) if nothing
// changed it meanwhile.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, blob.ObjectInfo, error) {
	if strings.HasPrefix(key, MembersPrefix) {
		return s.next.Get(ctx, key)
	}
	s.mu.Lock()
	t := ticket{ok: s.serving(time.Now()), stripe: s.stripes[s.stripe(key)], epoch: s.epoch}
	if t.ok {
		if el, ok := s.entries[key]; ok {
			s.lru.MoveToFront(el)
			e := el.Value.(*entry)
			s.mu.Unlock()
			s.o.Count(true)
			if e.missing {
				return nil, blob.ObjectInfo{}, blob.ErrNotExist
			}
			return io.NopCloser(bytes.NewReader(e.data)), e.info, nil
		}
	}
	s.mu.Unlock()
	rc, info, err := s.next.Get(ctx, key)
	if !t.ok {
		return rc, info, err
	}
	s.o.Count(false)
	if errors.Is(err, blob.ErrNotExist) {
		s.keep(key, t, &entry{key: key, missing: true})
		return rc, info, err
	}
	if err != nil || info.Size < 0 || info.Size > s.o.MaxObject {
		return rc, info, err
	}
	data, err := io.ReadAll(io.LimitReader(rc, info.Size+1))
	rc.Close()
	if err != nil {
		return nil, blob.ObjectInfo{}, err
	}
	if int64(len(data)) == info.Size {
		s.keep(key, t, &entry{key: key, data: data, info: info})
	}
	return io.NopCloser(bytes.NewReader(data)), info, nil
}

// keep stores a read's result unless the key was invalidated, or the cache
// emptied, since the read began.
func (s *Store) keep(key string, t ticket, e *entry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stripes[s.stripe(key)] != t.stripe || s.epoch != t.epoch || !s.serving(time.Now()) {
		return
	}
	if el, ok := s.entries[key]; ok {
		s.remove(el)
	}
	s.entries[key] = s.lru.PushFront(e)
	s.bytes += e.cost()
	for s.bytes > s.o.MaxBytes {
		s.remove(s.lru.Back())
	}
}

// remove drops one entry. s.mu is held.
func (s *Store) remove(el *list.Element) {
	e := s.lru.Remove(el).(*entry)
	delete(s.entries, e.key)
	s.bytes -= e.cost()
}

// Invalidate drops keys from memory and makes reads in flight forget them.
func (s *Store) Invalidate(keys ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range keys {
		s.stripes[s.stripe(k)]++
		if el, ok := s.entries[k]; ok {
			s.remove(el)
		}
	}
}

// dropAll empties the cache and makes reads in flight keep nothing.
// s.mu is held.
func (s *Store) dropAll() {
	s.epoch++
	s.entries = map[string]*list.Element{}
	s.lru.Init()
	s.bytes = 0
}

// Stat answers from memory while a member and the object (or its
// absence) is kept.
func (s *Store) Stat(ctx context.Context, key string) (blob.ObjectInfo, error) {
	s.mu.Lock()
	if s.serving(time.Now()) {
		if el, ok := s.entries[key]; ok {
			e := el.Value.(*entry)
			s.mu.Unlock()
			if e.missing {
				return blob.ObjectInfo{}, blob.ErrNotExist
			}
			return e.info, nil
		}
	}
	s.mu.Unlock()
	return s.next.Stat(ctx, key)
}

// List is the back end's (listings are never kept), without the member
// records: they are this package's, not the caller's objects.
func (s *Store) List(ctx context.Context, prefix string, fn func(blob.ObjectInfo) error) error {
	return s.next.List(ctx, prefix, func(oi blob.ObjectInfo) error {
		if strings.HasPrefix(oi.Key, MembersPrefix) {
			return nil
		}
		return fn(oi)
	})
}

// Put writes through, then tells every member before returning. A write
// refused by its condition changed nothing and tells no other process.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64, cond blob.Cond) (blob.ObjectInfo, error) {
	info, err := s.next.Put(ctx, key, r, size, cond)
	return info, s.changed(ctx, key, err)
}

// Delete deletes through, then tells every member before returning.
func (s *Store) Delete(ctx context.Context, key string, cond blob.Cond) error {
	err := s.next.Delete(ctx, key, cond)
	return s.changed(ctx, key, err)
}

// changed forgets key here and tells the members, after a write that
// returned err. A write that failed in an unknown way may still have
// happened, so the members are told of it too; its own error wins.
func (s *Store) changed(ctx context.Context, key string, err error) error {
	if strings.HasPrefix(key, MembersPrefix) {
		return err
	}
	s.Invalidate(key)
	if errors.Is(err, blob.ErrPrecondition) || errors.Is(err, blob.ErrNotExist) {
		// Nothing changed. What is kept here is forgotten all the same, so
		// that a writer retrying a compare-and-swap reads the store.
		return err
	}
	if nerr := s.m.tell(ctx, []string{key}); nerr != nil && err == nil {
		return nerr
	}
	return err
}

// Serving reports whether reads are answered from memory now: this
// process is a member, past its join delay, within its lease.
func (s *Store) Serving() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.serving(time.Now())
}
