package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"time"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/state"
)

// Session lengths: a session ends after IdleTimeout without a request, and
// always after MaxAge.
const (
	IdleTimeout = 30 * time.Minute
	MaxAge      = 12 * time.Hour
	// seenEvery is how stale Seen may get before a request rewrites it.
	seenEvery = time.Minute
)

// space holds sessions and the pages' own secret (package state).
const space = "web"

// Session is one signed-in browser. It is kept in the server's state (so
// it is encrypted at rest, and every server instance over the same storage
// sees it); the browser holds only a random ID, whose SHA-256 names it.
// Nothing lists every session: each is listed under its account (see
// index) and under the hour it began (see Sweep).
type Session struct {
	Account  string       `json:"account"`
	Username string       `json:"username"`
	Kind     account.Kind `json:"kind"`
	Name     string       `json:"name"`
	Pod      pod.PodID    `json:"pod,omitempty"`
	// Org is the organisation a staff account belongs to. Whether they
	// are its admin is read from the account on every page (see asStaff).
	Org string `json:"org,omitempty"`
	// CSRF is the token every form of this session must send back.
	CSRF    string    `json:"csrf"`
	Created time.Time `json:"created"`
	Seen    time.Time `json:"seen"`
	// SignedIn is when the password was checked (see
	// account.Store.CheckSignIn); zero in sessions made before it was kept,
	// which go by Created.
	SignedIn time.Time `json:"signedIn,omitzero"`
	// Device is the kind of phone or computer the session began on, from
	// its User-Agent (see deviceOf), for the list of signed-in devices.
	Device string `json:"device,omitempty"`
	// Flash is a one-off message for the next page ("Your address is saved").
	Flash string `json:"flash,omitempty"`
	// Drafts of the multi-page forms.
	Share   *shareDraft   `json:"share,omitempty"`
	Address *addressDraft `json:"address,omitempty"`
	Record  *recordDraft  `json:"record,omitempty"`
	// OrgIssue is a staff member's record being issued (see orgIssue).
	OrgIssue *orgIssueDraft `json:"orgIssue,omitempty"`

	id string // the cookie's value; never stored
}

// sessions stores Sessions.
type sessions struct {
	db     *state.DB
	secure bool
	now    func() time.Time
	// accounts says whether a session's sign-in was ended since (by a
	// password change or reset, "sign out everywhere" or deletion).
	accounts *account.Store
}

var errNoSession = errors.New("not signed in")

// sessionKey is the name a session is stored under: the SHA-256 of its
// cookie's value, so that storage never holds a working cookie.
func sessionKey(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

func sessionPath(id string) state.Name { return sessionsDir.Child(sessionKey(id)) }

// sessionsDir holds every session, by key. It is never listed but once,
// by the first Sweep after an upgrade.
const sessionsDir state.Name = "sessions/"

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// cookieName is the session cookie's name: with the __Host- prefix over
// TLS, which browsers only accept with Secure, Path=/ and no Domain.
func (s *sessions) cookieName() string {
	if s.secure {
		return "__Host-satchel"
	}
	return "satchel"
}

// preName is the cookie that carries the signed-out visitor's CSRF secret.
func (s *sessions) preName() string {
	if s.secure {
		return "__Host-satchel-pre"
	}
	return "satchel-pre"
}

func (s *sessions) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   s.secure,
		SameSite: http.SameSiteLaxMode,
	})
}

// start makes a session for a, replacing any the browser had, and sets
// its cookie.
func (s *sessions) start(ctx context.Context, w http.ResponseWriter, r *http.Request, a account.Account) (*Session, error) {
	s.end(ctx, w, r)
	now := s.now().UTC()
	signedIn := a.SignedIn
	if signedIn.IsZero() || signedIn.After(now) {
		signedIn = now
	}
	sess := &Session{
		Account: a.ID, Username: a.Username, Kind: a.Kind, Name: a.DisplayName, Pod: a.Pod, Org: a.Org,
		CSRF: randomToken(), Created: now, Seen: now, SignedIn: signedIn, id: randomToken(),
		Device: deviceOf(r.UserAgent()),
	}
	// Listed first, so that no session is left out of its account's list
	// or the hour's (an entry whose session was never made is skipped, and
	// swept).
	if err := s.index(ctx, sess.Account, sessionKey(sess.id), now); err != nil {
		return nil, err
	}
	if err := s.db.WriteJSON(ctx, startedPath(sess.Created, sessionKey(sess.id)), struct{}{}, state.CreateOnly()); err != nil {
		return nil, err
	}
	if err := s.db.WriteJSON(ctx, sessionPath(sess.id), sess, state.CreateOnly()); err != nil {
		return nil, err
	}
	s.setCookie(w, s.cookieName(), sess.id, int(MaxAge/time.Second))
	s.setCookie(w, s.preName(), "", -1)
	return sess, nil
}

// load returns the browser's session, or errNoSession if it has none that
// is still good.
func (s *sessions) load(ctx context.Context, r *http.Request) (*Session, error) {
	c, err := r.Cookie(s.cookieName())
	if err != nil || len(c.Value) != 43 {
		return nil, errNoSession
	}
	var sess Session
	if _, err := s.db.ReadJSON(ctx, sessionPath(c.Value), &sess); err != nil {
		if errors.Is(err, state.ErrNotFound) {
			return nil, errNoSession
		}
		return nil, err
	}
	sess.id = c.Value
	now := s.now()
	ended, err := s.ended(ctx, &sess, now)
	if err != nil {
		return nil, err
	}
	if ended {
		s.remove(ctx, sess.Account, sessionKey(sess.id))
		return nil, errNoSession
	}
	if now.Sub(sess.Seen) > seenEvery {
		sess.Seen = now.UTC()
		if err := s.save(ctx, &sess); err != nil {
			return nil, err
		}
	}
	return &sess, nil
}

// ended reports whether sess has ended: idle too long, too old, or signed
// out everywhere since it began.
func (s *sessions) ended(ctx context.Context, sess *Session, now time.Time) (bool, error) {
	if now.Sub(sess.Seen) > IdleTimeout || now.Sub(sess.Created) > MaxAge {
		return true, nil
	}
	if s.accounts == nil {
		return false, nil
	}
	signedIn := sess.SignedIn
	if signedIn.IsZero() {
		signedIn = sess.Created
	}
	err := s.accounts.CheckSignIn(ctx, sess.Account, signedIn)
	if errors.Is(err, account.ErrSignedOut) {
		return true, nil
	}
	return false, err
}

// save writes sess back.
func (s *sessions) save(ctx context.Context, sess *Session) error {
	return s.db.WriteJSON(ctx, sessionPath(sess.id), sess, state.Cond{})
}

// reachedCheck notes in s that a multi-page form's draft has reached its
// check page (*checking), so that a Change goes back there; it saves s
// only the first time.
func (p *Pages) reachedCheck(ctx context.Context, s *Session, checking *bool) error {
	if *checking {
		return nil
	}
	*checking = true
	return p.sessions.save(ctx, s)
}

// end deletes the browser's session, if any, and its cookie.
func (s *sessions) end(ctx context.Context, w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(s.cookieName()); err == nil && len(c.Value) == 43 {
		// The session names its account, whose list it is taken off.
		var sess Session
		s.db.ReadJSON(ctx, sessionPath(c.Value), &sess)
		s.remove(ctx, sess.Account, sessionKey(c.Value))
	}
	s.setCookie(w, s.cookieName(), "", -1)
}

// preToken returns the CSRF token for a signed-out visitor's forms (sign
// in, reset): an HMAC of a random cookie, under the pages' secret, so a
// token made for one browser is no good in another.
func (p *Pages) preToken(w http.ResponseWriter, r *http.Request) string {
	v := ""
	if c, err := r.Cookie(p.sessions.preName()); err == nil && len(c.Value) == 43 {
		v = c.Value
	} else {
		v = randomToken()
		p.sessions.setCookie(w, p.sessions.preName(), v, 3600)
	}
	m := hmac.New(sha256.New, p.secret)
	m.Write([]byte(v))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// checkPreToken checks the CSRF token of a signed-out visitor's form.
func (p *Pages) checkPreToken(r *http.Request) bool {
	c, err := r.Cookie(p.sessions.preName())
	if err != nil || len(c.Value) != 43 {
		return false
	}
	m := hmac.New(sha256.New, p.secret)
	m.Write([]byte(c.Value))
	want := base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	return sameSecret(r.PostFormValue("csrf"), want)
}

// sameSecret compares two secrets in constant time.
func sameSecret(got, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// loadSecret returns the pages' HMAC secret, making it on first use; all
// instances over one storage share it.
func loadSecret(ctx context.Context, db *state.DB) ([]byte, error) {
	const p = state.Name("secret")
	b, _, err := db.ReadRaw(ctx, p)
	if err == nil && len(b) == 32 {
		return b, nil
	}
	if err != nil && !errors.Is(err, state.ErrNotFound) {
		return nil, err
	}
	b = make([]byte, 32)
	rand.Read(b)
	if err := db.WriteRaw(ctx, p, b, state.CreateOnly()); err != nil {
		if !errors.Is(err, state.ErrPrecondition) {
			return nil, err
		}
		// Another instance made it first.
		b, _, err = db.ReadRaw(ctx, p)
		if err != nil {
			return nil, err
		}
	}
	return b, nil
}

// Every session is also listed under the hour it began, in
// started/YYYYMMDDHH/, so that Sweep finds the sessions nobody presents
// again by reading the directories of the last MaxAge, never a list of
// every session. sweepPath holds the first hour not yet swept clean.
const sweepPath state.Name = "sweep/next"

const hourName = "2006010215"

func startedDir(hour time.Time) state.Name {
	return state.Name("started/" + hour.UTC().Format(hourName) + "/")
}

func startedPath(created time.Time, key string) state.Name {
	return startedDir(created.Truncate(time.Hour)).Child(key)
}

type sweepCursor struct {
	Next time.Time `json:"next"`
}

// Sweep deletes the sessions that have ended (idle too long, too old or
// signed out everywhere) but were never presented again, and reports how
// many it deleted. A running server calls it now and then (see
// SweepEvery); instances may sweep at once.
func (p *Pages) Sweep(ctx context.Context) (int, error) {
	db := p.sessions.db
	now := p.now()
	var cur sweepCursor
	n := 0
	if _, err := db.ReadJSON(ctx, sweepPath, &cur); errors.Is(err, state.ErrNotFound) {
		// The first sweep: sessions made by a release that did not list
		// them by hour are found in the one place that holds them all.
		names, err := db.List(ctx, sessionsDir)
		if err != nil {
			return 0, err
		}
		for _, name := range names {
			swept, err := p.sweepOne(ctx, name.Base(), now)
			if err != nil {
				return n, err
			}
			if swept == sweptEnded {
				n++
			}
		}
		cur.Next = now.Add(-MaxAge)
	} else if err != nil {
		return 0, err
	}
	next := time.Time{}
	last := now.UTC().Truncate(time.Hour)
	for h := cur.Next.UTC().Truncate(time.Hour); !h.After(last); h = h.Add(time.Hour) {
		dir := startedDir(h)
		names, err := db.List(ctx, dir)
		if err != nil {
			return n, err
		}
		// A session being started is listed a moment before it is
		// stored: only once its hour is over is a missing one gone.
		over := now.Sub(h) > time.Hour+time.Minute
		left := 0
		for _, name := range names {
			swept, err := p.sweepOne(ctx, name.Base(), now)
			if err != nil {
				return n, err
			}
			if swept == sweptEnded {
				n++
			}
			if swept == sweptKept || swept == sweptMissing && !over {
				left++
				continue
			}
			if err := db.Delete(ctx, name); err != nil {
				return n, err
			}
		}
		if left > 0 && next.IsZero() {
			next = h
		}
	}
	if next.IsZero() {
		next = last
	}
	// Only forward: another instance may have swept further meanwhile.
	if next.After(cur.Next) {
		if err := db.WriteJSON(ctx, sweepPath, sweepCursor{next}, state.Cond{}); err != nil {
			return n, err
		}
	}
	return n, nil
}

// What sweepOne found.
const (
	sweptKept    = iota // a session still good
	sweptEnded          // a session that had ended, now deleted
	sweptMissing        // no session
)

// sweepOne deletes session key if it has ended.
func (p *Pages) sweepOne(ctx context.Context, key string, now time.Time) (int, error) {
	var sess Session
	if _, err := p.sessions.db.ReadJSON(ctx, sessionsDir.Child(key), &sess); err != nil {
		if errors.Is(err, state.ErrNotFound) {
			return sweptMissing, nil
		}
		return sweptKept, err
	}
	ended, err := p.sessions.ended(ctx, &sess, now)
	if err != nil || !ended {
		return sweptKept, err
	}
	return sweptEnded, p.sessions.remove(ctx, sess.Account, key)
}

// SweepEvery runs Sweep every interval until ctx ends.
func (p *Pages) SweepEvery(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := p.Sweep(ctx); err != nil {
				p.Log.WarnContext(ctx, "sweeping ended sessions failed", "err", err)
			} else if n > 0 {
				p.Log.InfoContext(ctx, "swept ended sessions", "count", n)
			}
		}
	}
}
