package web

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/access"
	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/pod"
)

// principal is who a session speaks for, as package access models every
// caller.
func (s *Session) principal() access.Principal {
	if s == nil {
		return access.Principal{}
	}
	signedIn := s.SignedIn
	if signedIn.IsZero() {
		signedIn = s.Created
	}
	return access.Principal{
		Account:  s.Account,
		Name:     s.Name,
		Kind:     access.Kind(s.Kind),
		Pod:      string(s.Pod),
		Org:      s.Org,
		AuthTime: signedIn,
	}
}

// chosen finds the delegation of the pod in the page's address to the
// signed-in helper and asks access.Can for each of rights at path ("" for
// the pod as a whole), answering 404 if there is no delegation or it does
// not allow them.
func (p *Pages) chosen(w http.ResponseWriter, r *http.Request, s *Session, path pod.Path, rights ...access.Right) (consent.Delegation, bool) {
	d, err := p.Consent.Delegation(r.Context(), pod.PodID(mux.Vars(r)["pod"]), s.Account)
	if err != nil {
		if !errorsIsNoDelegation(err) {
			p.Log.WarnContext(r.Context(), "delegation lookup failed", "err", err)
		}
		p.notFound(w, r, s)
		return consent.Delegation{}, false
	}
	for _, right := range rights {
		q := access.Request{Right: right, Pod: string(d.Pod), Path: string(path), Delegated: d.Rights, Now: p.now()}
		if access.Can(s.principal(), q) != nil {
			p.notFound(w, r, s)
			return consent.Delegation{}, false
		}
	}
	return d, true
}

// recentSignIn lets a change that hands the pod to someone else (choosing
// or removing a helper) go ahead only after a recent sign-in; otherwise it
// ends the session and sends the person to sign in again, so that someone
// who finds a phone left signed in cannot give themselves access.
func (p *Pages) recentSignIn(w http.ResponseWriter, r *http.Request, s *Session) bool {
	err := access.Can(s.principal(), access.Request{Right: access.ManageHelpers, Pod: string(s.Pod), Now: p.now()})
	if err == nil {
		return true
	}
	p.sessions.end(r.Context(), w, r)
	redirect(w, r, "/sign-in")
	return false
}
