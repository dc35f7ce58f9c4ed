package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/auth"
	"github.com/satchel-project/satchel/consent"
)

var rightOptions = []option{
	{Value: string(consent.RightView), Label: "right.view"},
	{Value: string(consent.RightAdd), Label: "right.add"},
	{Value: string(consent.RightShare), Label: "right.share"},
	{Value: string(consent.RightReset), Label: "right.reset"},
}

// helperRightOptions say the rights to the helper who holds them.
var helperRightOptions = []option{
	{Value: string(consent.RightView), Label: "helping.right.view"},
	{Value: string(consent.RightAdd), Label: "helping.right.add"},
	{Value: string(consent.RightShare), Label: "helping.right.share"},
	{Value: string(consent.RightReset), Label: "helping.right.reset"},
}

// helperView is a helper as the leaver's pages show them.
type helperView struct {
	consent.Delegation
	Rights []string // catalogue keys
}

// rightKeys says what d allows in the words of opts: rightOptions for the
// leaver, helperRightOptions for the helper.
func rightKeys(d consent.Delegation, opts []option) []string {
	var out []string
	for _, o := range opts {
		if d.Can(consent.Right(o.Value)) {
			out = append(out, o.Label)
		}
	}
	return out
}

func (p *Pages) helperRoutes(my *mux.Router) {
	my.Handle("/helpers", p.leaver(p.helpers)).Methods(http.MethodGet)
	my.Handle("/helpers/add", p.leaver(p.addHelper)).Methods(http.MethodGet, http.MethodPost)
	my.Handle("/helpers/{helper}/remove", p.leaver(p.removeHelper)).Methods(http.MethodGet, http.MethodPost)
}

// helpers lists the leaver's helpers and what each may do.
func (p *Pages) helpers(w http.ResponseWriter, r *http.Request, s *Session) {
	list, err := p.Consent.Helpers(r.Context(), s.Pod)
	if err != nil {
		p.Log.ErrorContext(r.Context(), "listing helpers failed", "err", err)
		p.fail(w, r, s)
		return
	}
	p.render(w, r, s, http.StatusOK, "helpers", view{"Helpers": helperViews(list, rightOptions)})
}

// addHelper names a helper by their Satchel username and says what they
// may do.
func (p *Pages) addHelper(w http.ResponseWriter, r *http.Request, s *Session) {
	v := view{"Rights": rightOptions}
	if r.Method == http.MethodGet {
		p.render(w, r, s, http.StatusOK, "helper-add", v)
		return
	}
	if !p.recentSignIn(w, r, s) {
		return
	}
	username := strings.TrimSpace(r.PostFormValue("username"))
	var rights []consent.Right
	var chosen []string
	for _, o := range rightOptions {
		if contains(r.PostForm["rights"], o.Value) {
			rights = append(rights, consent.Right(o.Value))
			chosen = append(chosen, o.Value)
		}
	}
	v["Username"], v["Chosen"] = username, chosen
	var errs []fieldError
	var a account.Account
	key := auth.HelperLookupKey(s.Account)
	wait, err := p.Throttle.Wait(r.Context(), key)
	switch {
	case username == "":
		errs = append(errs, fieldError{Field: "username", Key: "helper.error.username"})
	case err != nil:
		p.Log.ErrorContext(r.Context(), "helper lookup throttle failed", "err", err)
		p.fail(w, r, s)
		return
	case wait > 0:
		// Usernames that name no helper are throttled, as on the API, so
		// that nobody can list who has a helper's account by trying names.
		errs = append(errs, fieldError{Field: "username", Key: "helper.error.wait"})
	default:
		a, err = p.Accounts.Get(r.Context(), username)
		switch {
		case errors.Is(err, account.ErrNoAccount) || err == nil && a.Kind != account.Helper:
			if err := p.Throttle.Fail(r.Context(), key); err != nil {
				p.Log.ErrorContext(r.Context(), "helper lookup throttle failed", "err", err)
			}
			errs = append(errs, fieldError{Field: "username", Key: "helper.error.not-helper"})
		case err != nil:
			p.fail(w, r, s)
			return
		}
	}
	if len(rights) == 0 {
		errs = append(errs, fieldError{Field: "rights", Key: "helper.error.rights"})
	}
	if errs != nil {
		v["Errors"] = errs
		p.render(w, r, s, http.StatusUnprocessableEntity, "helper-add", v)
		return
	}
	d := consent.Delegation{Pod: s.Pod, LeaverName: s.Name, Helper: a.ID, HelperUser: a.Username, HelperName: a.DisplayName, Rights: rights, Created: p.now().UTC()}
	if err := p.Consent.SetHelper(r.Context(), d); err != nil {
		p.Log.ErrorContext(r.Context(), "adding a helper failed", "err", err)
		p.fail(w, r, s)
		return
	}
	p.flash(r.Context(), s, "flash.helper-added")
	redirect(w, r, "/my/helpers")
}

// removeHelper asks, then takes a helper's permission away.
func (p *Pages) removeHelper(w http.ResponseWriter, r *http.Request, s *Session) {
	d, err := p.Consent.Delegation(r.Context(), s.Pod, mux.Vars(r)["helper"])
	if err != nil {
		p.notFound(w, r, s)
		return
	}
	if r.Method == http.MethodGet {
		p.render(w, r, s, http.StatusOK, "helper-remove", view{"Helper": d})
		return
	}
	if !p.recentSignIn(w, r, s) {
		return
	}
	if err := p.Consent.RemoveHelper(r.Context(), s.Pod, d.Helper); err != nil && !errors.Is(err, consent.ErrNoDelegation) {
		p.Log.ErrorContext(r.Context(), "removing a helper failed", "err", err)
		p.fail(w, r, s)
		return
	}
	p.flash(r.Context(), s, "flash.helper-removed")
	redirect(w, r, "/my/helpers")
}
