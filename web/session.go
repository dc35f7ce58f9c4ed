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
)

// Session lengths: a session ends after IdleTimeout without a request, and
// always after MaxAge.
const (
	IdleTimeout = 30 * time.Minute
	MaxAge      = 12 * time.Hour
	// seenEvery is how stale Seen may get before a request rewrites it.
	seenEvery = time.Minute
)

// internalPod holds sessions and the pages' own secret.
const internalPod pod.PodID = "web"

// Session is one signed-in browser. It is kept in an internal pod (so it
// is encrypted at rest, and every server instance over the same storage
// sees it); the browser holds only a random ID, whose SHA-256 names it.
type Session struct {
	Account  string       `json:"account"`
	Username string       `json:"username"`
	Kind     account.Kind `json:"kind"`
	Name     string       `json:"name"`
	Pod      pod.PodID    `json:"pod,omitempty"`
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

	id string // the cookie's value; never stored
}

// sessions stores Sessions in the internal pod.
type sessions struct {
	db     pod.Internal
	pods   *pod.Service // for listing an account's sessions (see list)
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

func sessionPath(id string) pod.Path { return pod.Path("sessions/" + sessionKey(id)) }

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
		Account: a.ID, Username: a.Username, Kind: a.Kind, Name: a.DisplayName, Pod: a.Pod,
		CSRF: randomToken(), Created: now, Seen: now, SignedIn: signedIn, id: randomToken(),
		Device: deviceOf(r.UserAgent()),
	}
	if err := s.db.WriteJSON(ctx, sessionPath(sess.id), sess, pod.CreateOnly()); err != nil {
		return nil, err
	}
	if err := s.index(ctx, sess.Account, sessionKey(sess.id)); err != nil {
		s.db.Delete(ctx, sessionPath(sess.id))
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
		if errors.Is(err, pod.ErrNotFound) {
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
	return s.db.WriteJSON(ctx, sessionPath(sess.id), sess, pod.Preconditions{})
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
func loadSecret(ctx context.Context, db pod.Internal) ([]byte, error) {
	const p = pod.Path("secret")
	b, _, err := db.ReadRaw(ctx, p)
	if err == nil && len(b) == 32 {
		return b, nil
	}
	if err != nil && !errors.Is(err, pod.ErrNotFound) {
		return nil, err
	}
	b = make([]byte, 32)
	rand.Read(b)
	if err := db.WriteRaw(ctx, p, b, pod.CreateOnly()); err != nil {
		if !errors.Is(err, pod.ErrPrecondition) {
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

// Sweep deletes the sessions that have ended (idle too long, too old or
// signed out everywhere) but were never presented again, and reports how
// many it deleted. A running server calls it now and then (see
// SweepEvery).
func (p *Pages) Sweep(ctx context.Context) (int, error) {
	_, members, err := p.Pods.List(ctx, internalPod, "sessions/")
	if errors.Is(err, pod.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	now, n := p.now(), 0
	for _, m := range members {
		path := pod.Path("sessions/").Child(m.Name)
		var sess Session
		if _, err := p.sessions.db.ReadJSON(ctx, path, &sess); err != nil {
			if errors.Is(err, pod.ErrNotFound) {
				continue
			}
			return n, err
		}
		ended, err := p.sessions.ended(ctx, &sess, now)
		if err != nil {
			return n, err
		}
		if ended {
			if err := p.sessions.remove(ctx, sess.Account, m.Name); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
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
				p.Log.Warn("sweeping ended sessions failed", "err", err)
			} else if n > 0 {
				p.Log.Info("swept ended sessions", "count", n)
			}
		}
	}
}
