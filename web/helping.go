package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/access"
	"github.com/satchel-project/satchel/auth"
	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/pod"
)

// The helper's pages: the people who chose them, what each let them do,
// and, within that, their things, adding a document and starting a
// password reset. Everything a helper opens or adds is written into the
// leaver's access log under the helper's name.
func (p *Pages) helpingRoutes(r *mux.Router) {
	r.Handle("/helping", p.helperPage(p.helping)).Methods(http.MethodGet)
	r.Handle("/helping/{pod}", p.helperPage(p.helpingThings)).Methods(http.MethodGet)
	r.Handle("/helping/{pod}/file/{path:.+}", p.helperPage(p.helpingFile)).Methods(http.MethodGet)
	r.Handle("/helping/{pod}/add", p.upload(p.helpingAdd, isHelper)).Methods(http.MethodGet, http.MethodPost)
	r.Handle("/helping/{pod}/reset", p.helperPage(p.helpingReset)).Methods(http.MethodGet, http.MethodPost)
	p.shareRoutesFor(r, "/helping/{pod}", p.asHelper)
	p.helpingAddressRoutes(r)
}

func errorsIsNoDelegation(err error) bool { return errors.Is(err, consent.ErrNoDelegation) }

// helperViews shows delegations with what each allows, in the words of
// opts (see rightKeys).
func helperViews(list []consent.Delegation, opts []option) []helperView {
	out := make([]helperView, 0, len(list))
	for _, d := range list {
		out = append(out, helperView{d, rightKeys(d, opts)})
	}
	return out
}

// helping lists the people who chose the signed-in helper.
func (p *Pages) helping(w http.ResponseWriter, r *http.Request, s *Session) {
	list, err := p.Consent.Chosen(r.Context(), s.Account)
	if err != nil {
		p.Log.ErrorContext(r.Context(), "listing delegations failed", "err", err)
		p.fail(w, r, s)
		return
	}
	p.render(w, r, s, http.StatusOK, "helping", view{"People": helperViews(list, helperRightOptions)})
}

// helpingThings shows a leaver's things to a helper they let see them.
func (p *Pages) helpingThings(w http.ResponseWriter, r *http.Request, s *Session) {
	d, ok := p.chosen(w, r, s, "")
	if !ok {
		return
	}
	v := view{"Person": helperView{d, rightKeys(d, helperRightOptions)}, "CanView": d.Can(consent.RightView), "CanAdd": d.Can(consent.RightAdd), "CanShare": d.Can(consent.RightShare) && d.Can(consent.RightView), "CanReset": d.Can(consent.RightReset)}
	if d.Can(consent.RightView) {
		secs := make([]section, 0, len(sections))
		for _, sec := range sections {
			things, err := p.listThings(r.Context(), d.Pod, sec.Container)
			if err != nil {
				p.fail(w, r, s)
				return
			}
			sec.Things = things
			secs = append(secs, sec)
		}
		v["Sections"] = secs
		p.record(r, d.Pod, s.Name, "helper-view", "")
	}
	p.render(w, r, s, http.StatusOK, "helping-things", v)
}

// record writes what a helper did into the leaver's access log.
func (p *Pages) record(r *http.Request, id pod.PodID, who, what string, path pod.Path) {
	if err := p.Consent.Record(r.Context(), id, consent.LogEntry{Type: what, Who: who, Resource: path}); err != nil {
		p.Log.WarnContext(r.Context(), "could not record a helper's action", "err", err)
	}
}

// helpingFile sends one of a leaver's documents or records to a helper
// they let see them.
func (p *Pages) helpingFile(w http.ResponseWriter, r *http.Request, s *Session) {
	path, ok := pathVar(r)
	if !ok {
		p.notFound(w, r, s)
		return
	}
	d, ok := p.chosen(w, r, s, path, access.View)
	if !ok {
		return
	}
	p.sendFile(w, r, s, d.Pod, path, "attachment", func() { p.record(r, d.Pod, s.Name, "helper-view", path) })
}

// helpingAdd lets a helper with the right add a document to a leaver's
// things.
func (p *Pages) helpingAdd(w http.ResponseWriter, r *http.Request, s *Session) {
	d, ok := p.chosen(w, r, s, pod.AddContainer, access.Add)
	if !ok {
		return
	}
	p.addDocumentTo(w, r, s, d.Pod, s.Name, "/helping/"+string(d.Pod))
}

// helpingReset starts a password reset for a leaver who let the helper do
// so: the helper types the leaver's username, and gets a code to give them
// in person.
func (p *Pages) helpingReset(w http.ResponseWriter, r *http.Request, s *Session) {
	d, ok := p.chosen(w, r, s, "", access.Reset)
	if !ok {
		return
	}
	v := view{"Person": helperView{d, rightKeys(d, helperRightOptions)}}
	if r.Method == http.MethodGet {
		p.render(w, r, s, http.StatusOK, "helping-reset", v)
		return
	}
	username := strings.TrimSpace(r.PostFormValue("username"))
	v["Username"] = username
	userKey, ipKey := auth.UserKey("helper:"+s.Account), auth.IPKey(r)
	wait, err := p.Throttle.Wait(r.Context(), userKey, ipKey)
	if err != nil {
		p.Log.ErrorContext(r.Context(), "helper reset throttle failed", "err", err)
		p.fail(w, r, s)
		return
	}
	if wait > 0 {
		v["Errors"] = []fieldError{{Field: "username", Key: "reset.error.wait"}}
		p.render(w, r, s, http.StatusTooManyRequests, "helping-reset", v)
		return
	}
	a, err := p.Accounts.Get(r.Context(), username)
	if err != nil || a.Pod != d.Pod {
		if err := p.Throttle.Fail(r.Context(), userKey, ipKey); err != nil {
			p.Log.ErrorContext(r.Context(), "helper reset throttle failed", "err", err)
		}
		v["Errors"] = []fieldError{{Field: "username", Key: "helping.reset.error"}}
		p.render(w, r, s, http.StatusUnprocessableEntity, "helping-reset", v)
		return
	}
	reset, err := p.Accounts.StartReset(r.Context(), a.Username, s.Account)
	if err != nil {
		p.Log.ErrorContext(r.Context(), "starting a reset failed", "err", err)
		p.fail(w, r, s)
		return
	}
	p.record(r, d.Pod, s.Name, "helper-reset", "")
	v["Code"], v["Expires"] = reset.Code, reset.Expires
	p.render(w, r, s, http.StatusOK, "helping-code", v)
}
