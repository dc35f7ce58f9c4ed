// Package web is the leaver's and the helper's pages: sign in, keep
// documents and records, share them, see who looked, withdraw, name helpers,
// download or delete everything. Pages are server-rendered Go templates
// using the GOV.UK Design System's markup and styles (package web/static);
// they work without JavaScript, and every word on them comes from one
// catalogue (lang/en.json) so that a translation can be added.
//
// Browsers sign in with a session cookie (HttpOnly, SameSite=Lax, Secure
// over TLS) and every form carries a CSRF token. The pod API never accepts
// the cookie: it wants a bearer token, so these pages cannot be used to
// reach it from another site.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/access"
	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/auth"
	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/issuer"
	"github.com/satchel-project/satchel/limits"
	"github.com/satchel-project/satchel/onboard"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/state"
	"github.com/satchel-project/satchel/verifier"
	"github.com/satchel-project/satchel/web/lang"
	"github.com/satchel-project/satchel/web/static"
)

// Pages serves the web pages. Fill in the exported fields, then call Open.
type Pages struct {
	Accounts *account.Store
	Pods     *pod.Service
	Consent  *consent.Service
	Issuers  *issuer.Service
	Verifier *verifier.Verifier
	Throttle *auth.Throttle
	// Limits counts uploads under way for each account, with every
	// instance of the server (nil: in this process only).
	Limits limits.Counters
	// BaseURL is the server's public URL; https:// makes cookies Secure.
	BaseURL string
	// MaxUpload is the largest document a page accepts, in bytes.
	MaxUpload int64
	Log       *slog.Logger
	// DeleteAccount deletes an account and everything kept for it
	// (server.Backend.DeleteAccount).
	DeleteAccount func(ctx context.Context, username string) error
	// Onboard keeps the pods organisations start for people in custody
	// (nil: Open opens it over Pods).
	Onboard *onboard.Service

	sessions *sessions
	secret   []byte
	now      func() time.Time
	uploads  *uploadSlots
}

// Open prepares p's storage (sessions and a secret, in package state).
func (p *Pages) Open(ctx context.Context) error {
	db, err := state.Open(ctx, p.Pods.Store(), p.Pods.Keyring(), space)
	if err != nil {
		return err
	}
	secret, err := loadSecret(ctx, db)
	if err != nil {
		return err
	}
	p.secret = secret
	if p.now == nil {
		p.now = time.Now
	}
	p.sessions = &sessions{db: db, secure: strings.HasPrefix(p.BaseURL, "https://"), now: p.now, accounts: p.Accounts}
	if p.Limits == nil {
		p.Limits = limits.NewMemory()
	}
	p.uploads = newUploadSlots(limits.NewSlots(p.Limits, 2), 16)
	if p.Onboard == nil {
		if p.Onboard, err = onboard.Open(ctx, p.Pods); err != nil {
			return err
		}
	}
	return nil
}

// csp is the pages' Content-Security-Policy: scripts and styles from this
// server only, never inline.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// Routes adds the pages to r.
func (p *Pages) Routes(r *mux.Router) {
	r.PathPrefix("/assets/").Handler(static.Handler())
	get, post := http.MethodGet, http.MethodPost
	r.Handle("/", p.public(p.start)).Methods(get, http.MethodHead)
	r.Handle("/sign-in", p.public(p.signIn)).Methods(get, post)
	r.Handle("/reset", p.public(p.reset)).Methods(get, post)
	r.Handle("/sign-out", p.signedIn(p.signOut)).Methods(get, post)
	r.Handle("/start", p.public(p.setUp)).Methods(get, post)
	r.Handle("/language", p.public(p.language)).Methods(get)
	p.infoRoutes(r)
	p.recipientRoutes(r)

	my := r.PathPrefix("/my").Subrouter()
	my.Handle("", p.leaver(p.things)).Methods(get)
	my.Handle("/things/{path:.+}", p.leaver(p.thing)).Methods(get)
	my.Handle("/file/{path:.+}", p.leaver(p.file)).Methods(get)
	my.Handle("/delete/{path:.+}", p.leaver(p.deleteThing)).Methods(get, post)
	my.Handle("/keep/{path:.+}", p.leaver(p.keepCredential)).Methods(post)
	my.Handle("/documents/add", p.upload(p.addDocument, isLeaver)).Methods(get, post)
	my.Handle("/records/national-insurance", p.leaver(p.nationalInsurance)).Methods(get, post)
	p.recordFormRoutes(my)
	p.addressRoutes(my)
	p.shareRoutes(my)
	my.Handle("/looked", p.leaver(p.looked)).Methods(get)
	p.helperRoutes(my)
	my.Handle("/data", p.leaver(p.myData)).Methods(get)
	my.Handle("/data/download", p.leaver(p.download)).Methods(get)
	my.Handle("/data/delete", p.leaver(p.deleteAccount)).Methods(get, post)
	// A helper's account is theirs too: they change its password and see
	// where they are signed in on the same pages.
	my.Handle("/password", p.signedIn(p.changePassword)).Methods(get, post)
	my.Handle("/devices", p.signedIn(p.devices)).Methods(get)
	my.Handle("/devices/sign-out-everywhere", p.signedIn(p.signOutEverywhere)).Methods(post)
	p.helpingRoutes(r)
	p.enrolRoutes(r, my)
	p.orgRoutes(r)
	p.onboardRoutes(r)
}

// handler is a page that may need the visitor's session.
type handler func(w http.ResponseWriter, r *http.Request, s *Session)

// public serves a page anyone may see; s is nil when signed out.
func (p *Pages) public(h handler) http.Handler {
	return p.wrap(h, func(s *Session) bool { return true }, 64<<10)
}

// signedIn serves a page for anyone signed in.
func (p *Pages) signedIn(h handler) http.Handler {
	return p.wrap(h, func(s *Session) bool { return s != nil }, 64<<10)
}

// leaver serves a page for a signed-in leaver.
func (p *Pages) leaver(h handler) http.Handler {
	return p.wrap(h, isLeaver, 64<<10)
}

// upload serves a page whose form sends a document, to those allowed; the
// handler reads the body and checks its CSRF token itself.
func (p *Pages) upload(h handler, allowed func(*Session) bool) http.Handler {
	return p.wrap(h, allowed, 0)
}

// helperPage serves a page for a signed-in helper.
func (p *Pages) helperPage(h handler) http.Handler {
	return p.wrap(h, isHelper, 64<<10)
}

func isHelper(s *Session) bool { return s != nil && s.Kind == account.Helper }

func isLeaver(s *Session) bool { return s != nil && s.Kind == account.Leaver && s.Pod != "" }

// wrap sets the pages' headers, loads the session, sends visitors who may
// not see the page to sign in, and checks every POST's size, origin and
// CSRF token. maxBody 0 leaves the body to the handler (uploads).
func (p *Pages) wrap(h handler, allowed func(*Session) bool, maxBody int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", csp)
		hd.Set("Cache-Control", "no-store")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Permissions-Policy", "camera=(self), geolocation=(), microphone=()")
		s, err := p.sessions.load(r.Context(), r)
		if err != nil && !errors.Is(err, errNoSession) {
			p.Log.ErrorContext(r.Context(), "session lookup failed", "err", err)
			p.fail(w, r, nil)
			return
		}
		if !allowed(s) {
			if s == nil {
				http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
				return
			}
			p.notFound(w, r, s)
			return
		}
		if s != nil {
			r = r.WithContext(access.WithPrincipal(r.Context(), s.principal()))
		}
		// Words made below the handler are in the visitor's language.
		r = r.WithContext(lang.WithCode(r.Context(), lang.Choose(r)))
		if r.Method == http.MethodPost {
			if site := r.Header.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
				p.forbidden(w, r, s)
				return
			}
			if maxBody > 0 {
				r.Body = http.MaxBytesReader(w, r.Body, maxBody)
				if err := r.ParseForm(); err != nil {
					p.render(w, r, s, http.StatusRequestEntityTooLarge, "problem", view{"Heading": "problem.too-big"})
					return
				}
				ok := false
				if s != nil {
					ok = sameSecret(r.PostFormValue("csrf"), s.CSRF)
				} else {
					ok = p.checkPreToken(r)
				}
				if !ok {
					p.forbidden(w, r, s)
					return
				}
			}
		}
		h(w, r, s)
	})
}

// flash stores a one-off message for s's next page.
func (p *Pages) flash(ctx context.Context, s *Session, key string) {
	s.Flash = key
	if err := p.sessions.save(ctx, s); err != nil {
		p.Log.WarnContext(ctx, "could not save a session", "err", err)
	}
}

// redirect answers a form with a redirect to a page (303, so a reload does
// not send the form again).
func redirect(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}
