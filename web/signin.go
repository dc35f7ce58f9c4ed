package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/auth"
	"github.com/satchel-project/satchel/internal/problem"
)

// home is where a signed-in account starts.
func home(s *Session) string {
	switch s.Kind {
	case account.Helper:
		return "/helping"
	case account.Issuer:
		return "/org"
	}
	return "/my"
}

func (p *Pages) start(w http.ResponseWriter, r *http.Request, s *Session) {
	if s != nil {
		redirect(w, r, home(s))
		return
	}
	p.render(w, r, nil, http.StatusOK, "start", nil)
}

func (p *Pages) signIn(w http.ResponseWriter, r *http.Request, s *Session) {
	if r.Method == http.MethodGet {
		if s != nil {
			redirect(w, r, home(s))
			return
		}
		p.render(w, r, nil, http.StatusOK, "sign-in", nil)
		return
	}
	username := strings.TrimSpace(r.PostFormValue("username"))
	password := r.PostFormValue("password")
	v := view{"Username": username}
	var errs []fieldError
	if username == "" {
		errs = append(errs, fieldError{Field: "username", Key: "sign-in.error.username"})
	}
	if password == "" {
		errs = append(errs, fieldError{Field: "password", Key: "sign-in.error.password"})
	}
	if errs != nil {
		v["Errors"] = errs
		p.render(w, r, nil, http.StatusUnprocessableEntity, "sign-in", v)
		return
	}
	attempt, wait, err := p.Throttle.Begin(r.Context(), auth.UserKey(username), auth.IPKey(r))
	if err != nil {
		p.Log.ErrorContext(r.Context(), "sign-in throttle failed", "err", err)
		p.fail(w, r, nil)
		return
	}
	if attempt == nil {
		v["Wait"] = true
		problem.RetryAfter(w, wait)
		p.render(w, r, nil, http.StatusTooManyRequests, "sign-in", v)
		return
	}
	defer attempt.Done()
	a, err := p.Accounts.Authenticate(r.Context(), username, password)
	if errors.Is(err, account.ErrBadPassword) {
		attempt.Fail()
		v["Errors"] = []fieldError{{Field: "username", Key: "sign-in.error.wrong"}}
		p.render(w, r, nil, http.StatusUnauthorized, "sign-in", v)
		return
	}
	if err != nil {
		p.Log.ErrorContext(r.Context(), "sign-in failed", "err", err)
		p.fail(w, r, nil)
		return
	}
	attempt.Succeed()
	if a.Kind != account.Leaver && a.Kind != account.Helper && a.Kind != account.Issuer {
		v["Errors"] = []fieldError{{Field: "username", Key: "sign-in.error.kind"}}
		p.render(w, r, nil, http.StatusForbidden, "sign-in", v)
		return
	}
	s, err = p.sessions.start(r.Context(), w, r, a)
	if err != nil {
		p.Log.ErrorContext(r.Context(), "could not start a session", "err", err)
		p.fail(w, r, nil)
		return
	}
	redirect(w, r, home(s))
}

func (p *Pages) signOut(w http.ResponseWriter, r *http.Request, s *Session) {
	if r.Method == http.MethodGet {
		p.render(w, r, s, http.StatusOK, "sign-out", nil)
		return
	}
	p.sessions.end(r.Context(), w, r)
	redirect(w, r, "/")
}

// reset is where a person finishes a password reset with the code a
// helper, or someone who checked who they are (satchel account
// reset-code), gave them.
func (p *Pages) reset(w http.ResponseWriter, r *http.Request, s *Session) {
	if r.Method == http.MethodGet {
		p.render(w, r, s, http.StatusOK, "reset", nil)
		return
	}
	if _, ok := p.useCode(w, r, s, resetForm); !ok {
		return
	}
	p.sessions.end(r.Context(), w, r)
	p.render(w, r, nil, http.StatusOK, "problem", view{"Heading": "reset.done", "Body": "reset.done.body"})
}

// codeForm is a page where a person types their username, a one-time code
// and a new password twice: the reset page and the set-up page.
type codeForm struct {
	Template string
	// The catalogue keys of its errors: no code typed; a wrong code (or
	// username); an expired code; too many tries.
	NoCodeKey, BadKey, ExpiredKey, TriesKey string
	// What failing is called in the log.
	Failing string
}

var resetForm = codeForm{Template: "reset", NoCodeKey: "reset.error.code", BadKey: "reset.error.bad", ExpiredKey: "reset.error.expired", TriesKey: "reset.error.tries", Failing: "password reset failed"}

// useCode checks a code form's answers and, with the throttle that guards
// sign-in, uses the code to set the new password. It answers the form
// itself (errors, waits, failures) unless it returns ok, and then returns
// the username.
func (p *Pages) useCode(w http.ResponseWriter, r *http.Request, s *Session, f codeForm) (string, bool) {
	username := strings.TrimSpace(r.PostFormValue("username"))
	code := strings.TrimSpace(r.PostFormValue("code"))
	pw, pw2 := r.PostFormValue("password"), r.PostFormValue("password2")
	v := view{"Username": username, "Code": code}
	var errs []fieldError
	if username == "" {
		errs = append(errs, fieldError{Field: "username", Key: "sign-in.error.username"})
	}
	if code == "" {
		errs = append(errs, fieldError{Field: "code", Key: f.NoCodeKey})
	}
	errs = append(errs, newPasswordErrors(pw, pw2)...)
	if errs != nil {
		v["Errors"] = errs
		p.render(w, r, s, http.StatusUnprocessableEntity, f.Template, v)
		return "", false
	}
	attempt, wait, err := p.Throttle.Begin(r.Context(), auth.UserKey(username), auth.IPKey(r))
	if err != nil {
		p.Log.ErrorContext(r.Context(), f.Failing, "err", err)
		p.fail(w, r, s)
		return "", false
	}
	if attempt == nil {
		v["Errors"] = []fieldError{{Field: "code", Key: "reset.error.wait"}}
		problem.RetryAfter(w, wait)
		p.render(w, r, s, http.StatusTooManyRequests, f.Template, v)
		return "", false
	}
	defer attempt.Done()
	err = p.Accounts.CompleteReset(r.Context(), username, code, pw)
	key := ""
	switch {
	case err == nil:
	case errors.Is(err, account.ErrBadCode):
		key = f.BadKey
	case errors.Is(err, account.ErrCodeExpired):
		key = f.ExpiredKey
	case errors.Is(err, account.ErrTooManyTries):
		key = f.TriesKey
	default:
		p.Log.ErrorContext(r.Context(), f.Failing, "err", err)
		p.fail(w, r, s)
		return "", false
	}
	if key != "" {
		attempt.Fail()
		v["Errors"] = []fieldError{{Field: "code", Key: key}}
		p.render(w, r, s, http.StatusUnprocessableEntity, f.Template, v)
		return "", false
	}
	attempt.Succeed()
	return username, true
}
