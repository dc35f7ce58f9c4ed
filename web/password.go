package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/auth"
	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/internal/problem"
)

// A person chooses their own password: first with the set-up code they
// were given when their account was made (/start), then whenever they like
// with the one they have now (/my/password). Both sign them out everywhere
// else.

// newPasswordErrors checks a new password typed twice.
func newPasswordErrors(pw, pw2 string) []fieldError {
	switch {
	case len(pw) < 10:
		return []fieldError{{Field: "password", Key: "reset.error.short"}}
	case len(pw) > 1024:
		return []fieldError{{Field: "password", Key: "reset.error.long"}}
	case pw != pw2:
		return []fieldError{{Field: "password2", Key: "reset.error.different"}}
	}
	return nil
}

// setUp is where a person whose account was just made chooses their
// password, with their username and the set-up code they were given. It
// signs them in. A wrong username and a wrong code get the same answer.
func (p *Pages) setUp(w http.ResponseWriter, r *http.Request, s *Session) {
	if r.Method == http.MethodGet {
		if s != nil {
			redirect(w, r, home(s))
			return
		}
		p.render(w, r, nil, http.StatusOK, "set-up", nil)
		return
	}
	username, ok := p.useCode(w, r, nil, setUpForm)
	if !ok {
		return
	}
	a, err := p.Accounts.Get(r.Context(), username)
	if err == nil && (a.Kind == account.Leaver || a.Kind == account.Helper) {
		if s, err = p.sessions.start(r.Context(), w, r, a); err == nil {
			p.flash(r.Context(), s, "flash.set-up")
			redirect(w, r, home(s))
			return
		}
	}
	// Organisations' staff and operators use the satchel command; or the
	// new session could not be made: the password is set all the same.
	p.sessions.end(r.Context(), w, r)
	p.render(w, r, nil, http.StatusOK, "problem", view{"Heading": "set-up.done", "Body": "reset.done.body"})
}

// setUpForm is the set-up page's code form. Too many tries says no more
// than a wrong code: that the account exists is not for whoever is guessing.
var setUpForm = codeForm{Template: "set-up", NoCodeKey: "set-up.error.code", BadKey: "set-up.error.bad", ExpiredKey: "set-up.error.expired", TriesKey: "set-up.error.bad", Failing: "setting up an account failed"}

// changePassword asks for the password now and a new one twice, changes
// it, and signs out every other phone and computer. Wrong passwords are
// throttled as at sign-in.
func (p *Pages) changePassword(w http.ResponseWriter, r *http.Request, s *Session) {
	if r.Method == http.MethodGet {
		p.render(w, r, s, http.StatusOK, "password", nil)
		return
	}
	current := r.PostFormValue("current")
	pw, pw2 := r.PostFormValue("password"), r.PostFormValue("password2")
	var errs []fieldError
	if current == "" {
		errs = append(errs, fieldError{Field: "current", Key: "password.error.current"})
	}
	errs = append(errs, newPasswordErrors(pw, pw2)...)
	if errs != nil {
		p.render(w, r, s, http.StatusUnprocessableEntity, "password", view{"Errors": errs})
		return
	}
	attempt, wait, err := p.Throttle.Begin(r.Context(), auth.UserKey(s.Username), auth.IPKey(r))
	if err != nil {
		p.Log.ErrorContext(r.Context(), "changing a password failed", "err", err)
		p.fail(w, r, s)
		return
	}
	if attempt == nil {
		problem.RetryAfter(w, wait)
		p.render(w, r, s, http.StatusTooManyRequests, "password", view{"Errors": []fieldError{{Field: "current", Key: "reset.error.wait"}}})
		return
	}
	defer attempt.Done()
	ctx := r.Context()
	err = p.Accounts.ChangePassword(ctx, s.Username, current, pw)
	if errors.Is(err, account.ErrBadPassword) {
		attempt.Fail()
		p.render(w, r, s, http.StatusUnprocessableEntity, "password", view{"Errors": []fieldError{{Field: "current", Key: "password.error.wrong"}}})
		return
	}
	if err != nil {
		p.Log.ErrorContext(r.Context(), "changing a password failed", "err", err)
		p.fail(w, r, s)
		return
	}
	attempt.Succeed()
	// Every session ended with the change, this one too: this browser
	// starts a new one, as if it had signed in with the new password.
	a, err := p.Accounts.Get(ctx, s.Username)
	if err == nil {
		s, err = p.sessions.start(ctx, w, r, a)
	}
	if err != nil {
		p.Log.ErrorContext(r.Context(), "could not start a session", "err", err)
		p.sessions.end(ctx, w, r)
		p.render(w, r, nil, http.StatusOK, "problem", view{"Heading": "reset.done", "Body": "reset.done.body"})
		return
	}
	p.flash(ctx, s, "flash.password-changed")
	redirect(w, r, home(s))
}

// IssueResetCode gives the owner of the account called username, who has
// forgotten their password, a one-time code to make a new one at /reset
// (see account.Store.IssueResetCode). checkedBy names whoever checked the
// owner's identity in person; it goes into a leaver's access log first
// (OperatorResetEntry), so that no code is made that the leaver cannot see
// in Who has looked.
func (p *Pages) IssueResetCode(ctx context.Context, username, checkedBy string) (account.Account, account.Reset, error) {
	checkedBy = strings.TrimSpace(checkedBy)
	if checkedBy == "" {
		return account.Account{}, account.Reset{}, errors.New("say who checked the person's identity")
	}
	a, err := p.Accounts.Get(ctx, username)
	if err != nil {
		return account.Account{}, account.Reset{}, err
	}
	if a.Pod != "" {
		e := consent.LogEntry{Type: OperatorResetEntry, Who: checkedBy}
		if err := p.Consent.Record(ctx, a.Pod, e); err != nil {
			return account.Account{}, account.Reset{}, fmt.Errorf("could not write to the account's access log, so no code was made: %w", err)
		}
	}
	return p.Accounts.IssueResetCode(ctx, a.Username, checkedBy)
}
