package cache

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/satchel-project/satchel/blob"
)

// ErrNotTold: a write happened but a member could neither be told nor
// fenced, or the members could not be listed, so the write is not
// acknowledged. The fence, or the announcement, is retried until it
// succeeds.
var ErrNotTold = errors.New("the change could not be announced to every server: try again")

// record is a member's entry under MembersPrefix.
type record struct {
	V     int    `json:"v"`
	ID    string `json:"id"`
	URL   string `json:"url"`
	Token string `json:"token"`
}

// membership is a Store's view of the members and, once Start is called,
// its own record and lease.
type membership struct {
	s *Store

	// own record (set by Start); token is this process's for good.
	mu    sync.Mutex
	self  record
	etag  string
	token string

	viewMu sync.Mutex
	viewAt time.Time // when the listing behind view began
	view   []record
	byETag map[string]record // records read, by key and ETag

	// Keys whose change could not be announced yet, and whether a
	// goroutine is announcing them.
	laterMu  sync.Mutex
	pending  map[string]bool
	draining bool

	deadMu    sync.Mutex
	dead      map[string]time.Time // fenced member IDs
	fences    map[string]*fence
	refencing map[string]bool // IDs whose fence is being retried
}

type fence struct {
	done chan struct{}
	err  error
}

func newMembership(s *Store) *membership {
	return &membership{s: s, byETag: map[string]record{}, dead: map[string]time.Time{}, fences: map[string]*fence{}, refencing: map[string]bool{}, pending: map[string]bool{}}
}

// Timings, all derived from the lease.
func (m *membership) renewEvery() time.Duration { return m.s.o.Lease / 4 }
func (m *membership) viewMax() time.Duration    { return m.s.o.Lease / 3 }
func (m *membership) join() time.Duration       { return m.s.o.Lease * 2 / 3 }
func (m *membership) answerIn() time.Duration   { return m.s.o.Lease / 3 }

// fenceWait is how long a writer waits after fencing a member: its lease,
// with room for clocks that run at slightly different rates.
func (m *membership) fenceWait() time.Duration { return m.s.o.Lease + m.s.o.Lease/5 }

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Start makes this process a member that peers reach at url (the server's
// own address, as the other servers can reach it) and renews its record
// until ctx ends, when it deletes it. It caches from two thirds of a lease
// after the record is written. Start returns once the first record is
// written.
func (s *Store) Start(ctx context.Context, url string) error {
	m := s.m
	m.mu.Lock()
	m.token = randomHex(32)
	m.mu.Unlock()
	if err := m.register(ctx, url); err != nil {
		return err
	}
	go m.renew(ctx, url)
	return nil
}

// register writes a new record under a new ID.
func (m *membership) register(ctx context.Context, url string) error {
	m.mu.Lock()
	rec := record{V: 1, ID: randomHex(16), URL: url, Token: m.token}
	m.mu.Unlock()
	body, _ := json.Marshal(rec)
	start := time.Now()
	info, err := m.s.next.Put(ctx, MembersPrefix+rec.ID, bytes.NewReader(body), int64(len(body)), blob.Cond{IfNoneMatch: true})
	if err != nil {
		return fmt.Errorf("cannot join the other servers: %w", err)
	}
	m.mu.Lock()
	m.self, m.etag = rec, info.ETag
	m.mu.Unlock()
	s := m.s
	s.mu.Lock()
	s.dropAll()
	s.leaseEnd = start.Add(s.o.Lease)
	s.joinAt = time.Now().Add(m.join())
	s.mu.Unlock()
	return nil
}

// renew keeps the record and the lease until ctx ends. A record that is
// gone or changed means another process fenced this one: everything kept
// is dropped and a new record is written.
func (m *membership) renew(ctx context.Context, url string) {
	s := m.s
	t := time.NewTicker(m.renewEvery())
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			m.leave()
			return
		case <-t.C:
		}
		m.mu.Lock()
		rec, etag := m.self, m.etag
		m.mu.Unlock()
		if rec.ID == "" {
			if err := m.register(ctx, url); err != nil && ctx.Err() == nil {
				s.o.Log.Warn("cache: cannot join the other servers; reading through", "err", err)
			}
			continue
		}
		body, _ := json.Marshal(rec)
		start := time.Now()
		info, err := s.next.Put(ctx, MembersPrefix+rec.ID, bytes.NewReader(body), int64(len(body)), blob.Cond{IfMatch: etag})
		switch {
		case err == nil:
			s.mu.Lock()
			if !start.Before(s.leaseEnd) {
				// The lease ran out: writes may have gone untold.
				s.dropAll()
			}
			s.leaseEnd = start.Add(s.o.Lease)
			s.mu.Unlock()
			m.mu.Lock()
			m.etag = info.ETag
			m.mu.Unlock()
		case errors.Is(err, blob.ErrPrecondition) || errors.Is(err, blob.ErrNotExist):
			s.o.Log.Warn("cache: another server could not reach this one and fenced it; emptying the cache and joining again")
			s.mu.Lock()
			s.dropAll()
			s.joinAt = time.Time{}
			s.mu.Unlock()
			m.mu.Lock()
			m.self = record{}
			m.mu.Unlock()
			if err := m.register(ctx, url); err != nil && ctx.Err() == nil {
				s.o.Log.Warn("cache: cannot join the other servers; reading through", "err", err)
			}
		default:
			if ctx.Err() == nil {
				s.o.Log.Warn("cache: cannot renew this server's record", "err", err)
			}
		}
	}
}

// leave stops caching and deletes the record, so that writers need not
// fence this process.
func (m *membership) leave() {
	s := m.s
	s.mu.Lock()
	s.dropAll()
	s.joinAt = time.Time{}
	s.mu.Unlock()
	m.mu.Lock()
	id := m.self.ID
	m.self = record{}
	m.mu.Unlock()
	if id != "" {
		ctx, cancel := context.WithTimeout(context.Background(), m.answerIn())
		defer cancel()
		s.next.Delete(ctx, MembersPrefix+id, blob.Cond{})
	}
}

// members returns the other members, from a listing begun at most viewMax
// ago.
func (m *membership) members(ctx context.Context) ([]record, error) {
	m.viewMu.Lock()
	defer m.viewMu.Unlock()
	if !m.viewAt.IsZero() && time.Since(m.viewAt) <= m.viewMax() {
		return m.view, nil
	}
	at := time.Now()
	var infos []blob.ObjectInfo
	err := m.s.next.List(ctx, MembersPrefix, func(oi blob.ObjectInfo) error {
		infos = append(infos, oi)
		return nil
	})
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	selfID := m.self.ID
	m.mu.Unlock()
	var view []record
	seen := map[string]record{}
	for _, oi := range infos {
		id := strings.TrimPrefix(oi.Key, MembersPrefix)
		if id == selfID || m.isDead(id) {
			continue
		}
		mem, ok := m.byETag[oi.Key+"\x00"+oi.ETag]
		if !ok {
			if mem, ok, err = m.read(ctx, oi.Key); err != nil {
				return nil, err
			} else if !ok {
				continue
			}
		}
		seen[oi.Key+"\x00"+oi.ETag] = mem
		view = append(view, mem)
	}
	m.byETag = seen
	m.view, m.viewAt = view, at
	return view, nil
}

// read reads one member's record; ok is false if it is gone or unreadable
// (a record no process wrote cannot be told anything, nor fenced usefully,
// so it is deleted).
func (m *membership) read(ctx context.Context, key string) (record, bool, error) {
	rc, info, err := m.s.next.Get(ctx, key)
	if errors.Is(err, blob.ErrNotExist) {
		return record{}, false, nil
	}
	if err != nil {
		return record{}, false, err
	}
	defer rc.Close()
	var rec record
	if err := json.NewDecoder(io.LimitReader(rc, 4096)).Decode(&rec); err != nil || rec.V != 1 || MembersPrefix+rec.ID != key || rec.URL == "" || rec.Token == "" {
		m.s.o.Log.Warn("cache: removing a member record that is not well formed", "key", key)
		m.s.next.Delete(ctx, key, blob.Cond{IfMatch: info.ETag})
		return record{}, false, nil
	}
	return rec, true, nil
}

func (m *membership) isDead(id string) bool {
	m.deadMu.Lock()
	defer m.deadMu.Unlock()
	_, ok := m.dead[id]
	return ok
}

// tell makes sure no member serves an older version of keys: each is told,
// or fenced. It does not stop when ctx is cancelled: a write that happened
// must be announced.
func (m *membership) tell(ctx context.Context, keys []string) error {
	ctx = context.WithoutCancel(ctx)
	others, err := m.members(ctx)
	if err != nil {
		// No view: members cannot be told now, and the write is not
		// acknowledged. They are told as soon as the members can be
		// listed again, so that none keeps an old version for good.
		m.later(keys)
		return fmt.Errorf("%w: %w", ErrNotTold, err)
	}
	return m.announce(ctx, others, keys)
}

// announce tells each of others that keys changed, fencing any that
// cannot be told, all at once.
func (m *membership) announce(ctx context.Context, others []record, keys []string) error {
	errs := make([]error, len(others))
	var wg sync.WaitGroup
	for i, o := range others {
		if m.isDead(o.ID) {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if m.post(ctx, o, keys) == nil {
				return
			}
			errs[i] = m.fence(ctx, o)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// invalidation is the body of a POST to a member.
type invalidation struct {
	Keys []string `json:"keys"`
}

// post tells one member. Only a 204 counts.
func (m *membership) post(ctx context.Context, o record, keys []string) error {
	body, _ := json.Marshal(invalidation{Keys: keys})
	ctx, cancel := context.WithTimeout(ctx, m.answerIn())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(o.URL, "/")+InvalidatePath, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(tokenHeader, o.Token)
	resp, err := m.s.o.Client.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("member answered %d", resp.StatusCode)
	}
	return nil
}

// fence deletes a member's record, so that it cannot renew its lease, and
// waits the lease out. Writers that find the same member out of reach
// share one fence.
func (m *membership) fence(ctx context.Context, o record) error {
	m.deadMu.Lock()
	if f, ok := m.fences[o.ID]; ok {
		m.deadMu.Unlock()
		<-f.done
		return f.err
	}
	if _, ok := m.dead[o.ID]; ok {
		// Fenced and waited out already: it serves nothing.
		m.deadMu.Unlock()
		return nil
	}
	f := &fence{done: make(chan struct{})}
	m.fences[o.ID] = f
	m.deadMu.Unlock()

	m.s.o.Log.Warn("cache: a server did not answer; fencing it and waiting out its lease", "member", o.ID, "url", o.URL)
	dctx, cancel := context.WithTimeout(ctx, m.answerIn())
	err := m.s.next.Delete(dctx, MembersPrefix+o.ID, blob.Cond{})
	cancel()
	if err != nil && !errors.Is(err, blob.ErrNotExist) {
		f.err = fmt.Errorf("%w: %w", ErrNotTold, err)
		m.deadMu.Lock()
		if !m.refencing[o.ID] {
			m.refencing[o.ID] = true
			go m.refence(o.ID)
		}
		m.deadMu.Unlock()
	} else {
		time.Sleep(m.fenceWait())
	}
	m.deadMu.Lock()
	delete(m.fences, o.ID)
	if f.err == nil {
		m.dead[o.ID] = time.Now()
		for id, at := range m.dead {
			if time.Since(at) > time.Hour {
				delete(m.dead, id)
			}
		}
	}
	m.deadMu.Unlock()
	close(f.done)
	return f.err
}

// refence keeps trying to delete a member's record after a fence failed,
// so that a member that missed a change cannot renew its lease.
func (m *membership) refence(id string) {
	for wait := m.answerIn(); ; wait = min(2*wait, time.Minute) {
		time.Sleep(wait)
		ctx, cancel := context.WithTimeout(context.Background(), m.answerIn())
		err := m.s.next.Delete(ctx, MembersPrefix+id, blob.Cond{})
		cancel()
		if err == nil || errors.Is(err, blob.ErrNotExist) {
			m.deadMu.Lock()
			delete(m.refencing, id)
			m.deadMu.Unlock()
			return
		}
	}
}

// maxKeys is how many keys one invalidation names, well inside the
// receiver's body limit.
const maxKeys = 256

// later queues keys to announce once the members can be listed again, with
// one goroutine announcing everything queued.
func (m *membership) later(keys []string) {
	m.laterMu.Lock()
	defer m.laterMu.Unlock()
	for _, k := range keys {
		m.pending[k] = true
	}
	if !m.draining {
		m.draining = true
		go m.drain()
	}
}

// drain announces the queued keys, in batches, retrying with a growing
// pause until every one is announced.
func (m *membership) drain() {
	for wait := m.answerIn(); ; wait = min(2*wait, time.Minute) {
		time.Sleep(wait)
		for {
			m.laterMu.Lock()
			var batch []string
			for k := range m.pending {
				if batch = append(batch, k); len(batch) == maxKeys {
					break
				}
			}
			if len(batch) == 0 {
				m.draining = false
				m.laterMu.Unlock()
				return
			}
			m.laterMu.Unlock()
			others, err := m.members(context.Background())
			if err != nil || m.announce(context.Background(), others, batch) != nil {
				break
			}
			m.laterMu.Lock()
			for _, k := range batch {
				delete(m.pending, k)
			}
			m.laterMu.Unlock()
		}
	}
}
