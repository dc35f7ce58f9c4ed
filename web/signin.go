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
	if s.Kind == account.Helper {
		return "/helping"
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
	attempt, wait := p.Throttle.Begin(auth.UserKey(username), auth.IPKey(r))
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
		p.Log.Error("sign-in failed", "err", err)
		p.fail(w, r, nil)
		return
	}
	attempt.Succeed()
	if a.Kind != account.Leaver && a.Kind != account.Helper {
		v["Errors"] = []fieldError{{Field: "username", Key: "sign-in.error.kind"}}
		p.render(w, r, nil, http.StatusForbidden, "sign-in", v)
		return
	}
	s, err = p.sessions.start(r.Context(), w, r, a)
	if err != nil {
		p.Log.Error("could not start a session", "err", err)
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
	username := strings.TrimSpace(r.PostFormValue("username"))
	code := strings.TrimSpace(r.PostFormValue("code"))
	pw, pw2 := r.PostFormValue("password"), r.PostFormValue("password2")
	v := view{"Username": username, "Code": code}
	var errs []fieldError
	if username == "" {
		errs = append(errs, fieldError{Field: "username", Key: "sign-in.error.username"})
	}
	if code == "" {
		errs = append(errs, fieldError{Field: "code", Key: "reset.error.code"})
	}
	errs = append(errs, newPasswordErrors(pw, pw2)...)
	if errs != nil {
		v["Errors"] = errs
		p.render(w, r, s, http.StatusUnprocessableEntity, "reset", v)
		return
	}
	attempt, wait := p.Throttle.Begin(auth.UserKey(username), auth.IPKey(r))
	if attempt == nil {
		v["Errors"] = []fieldError{{Field: "code", Key: "reset.error.wait"}}
		problem.RetryAfter(w, wait)
		p.render(w, r, s, http.StatusTooManyRequests, "reset", v)
		return
	}
	defer attempt.Done()
	err := p.Accounts.CompleteReset(r.Context(), username, code, pw)
	key := ""
	switch {
	case err == nil:
	case errors.Is(err, account.ErrBadCode):
		key = "reset.error.bad"
	case errors.Is(err, account.ErrCodeExpired):
		key = "reset.error.expired"
	case errors.Is(err, account.ErrTooManyTries):
		key = "reset.error.tries"
	default:
		p.Log.Error("password reset failed", "err", err)
		p.fail(w, r, s)
		return
	}
	if key != "" {
		attempt.Fail()
		v["Errors"] = []fieldError{{Field: "code", Key: key}}
		p.render(w, r, s, http.StatusUnprocessableEntity, "reset", v)
		return
	}
	attempt.Succeed()
	p.sessions.end(r.Context(), w, r)
	p.render(w, r, nil, http.StatusOK, "problem", view{"Heading": "reset.done", "Body": "reset.done.body"})
}
