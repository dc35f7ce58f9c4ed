package web

import (
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/access"
	"github.com/satchel-project/satchel/issuer"
	"github.com/satchel-project/satchel/pod"
)

// Enrolment on the web: a leaver, or a helper with the right to add in the
// leaver's name, lets an organisation send signed records into the pod's
// inbox by typing the short code the organisation shows (or opening its QR
// code's link, /join/CODE); the leaver sees their organisations and stops
// any of them. The same service calls as satchel enrol.
func (p *Pages) enrolRoutes(r, my *mux.Router) {
	get, post := http.MethodGet, http.MethodPost
	my.Handle("/organisations", p.leaver(p.organisations)).Methods(get)
	my.Handle("/organisations/join", p.leaver(p.leaverJoin)).Methods(get, post)
	my.Handle("/organisations/{org}/stop", p.leaver(p.stopOrganisation)).Methods(get, post)
	r.Handle("/helping/{pod}/organisations", p.helperPage(p.helpingOrganisations)).Methods(get)
	r.Handle("/helping/{pod}/organisations/join", p.helperPage(p.helpingJoin)).Methods(get, post)
	r.Handle("/join/{code}", p.public(p.joinLinkPage)).Methods(get)
}

// enrolmentView is one organisation a pod lets send records.
type enrolmentView struct {
	issuer.Enrolment
	OrgName string
}

// enroller is whose pod an enrolment page is about, and who is acting.
type enroller struct {
	Pod pod.PodID
	// Actor is "" for the leaver, the helper's name otherwise.
	Actor string
	// Name is the leaver's name, the answer the name question starts with.
	Name string
	// Base is where the pages are: /my or /helping/POD.
	Base string
}

// mayEnrol asks access.Can whether the signed-in person may let
// organisations send records into pod id.
func (p *Pages) mayEnrol(s *Session, id pod.PodID, delegated []access.Right) bool {
	return access.Can(s.principal(), access.Request{Right: access.Enrol, Pod: string(id), Delegated: delegated, Now: p.now()}) == nil
}

func (p *Pages) enrolments(r *http.Request, id pod.PodID) ([]enrolmentView, error) {
	es, err := p.Issuers.Enrolments(r.Context(), id)
	if err != nil {
		return nil, err
	}
	out := make([]enrolmentView, 0, len(es))
	for _, e := range es {
		o, err := p.Issuers.Org(r.Context(), e.Org)
		name := e.Org
		if err == nil {
			name = o.Name
		}
		out = append(out, enrolmentView{e, name})
	}
	return out, nil
}

func (p *Pages) organisations(w http.ResponseWriter, r *http.Request, s *Session) {
	if !p.mayEnrol(s, s.Pod, nil) {
		p.notFound(w, r, s)
		return
	}
	list, err := p.enrolments(r, s.Pod)
	if err != nil {
		p.Log.ErrorContext(r.Context(), "listing enrolments failed", "err", err)
		p.fail(w, r, s)
		return
	}
	p.render(w, r, s, http.StatusOK, "organisations", view{"Orgs": list, "Who": enroller{Pod: s.Pod, Base: "/my"}})
}

func (p *Pages) helpingOrganisations(w http.ResponseWriter, r *http.Request, s *Session) {
	d, ok := p.chosen(w, r, s, "", access.Enrol)
	if !ok {
		return
	}
	list, err := p.enrolments(r, d.Pod)
	if err != nil {
		p.Log.ErrorContext(r.Context(), "listing enrolments failed", "err", err)
		p.fail(w, r, s)
		return
	}
	p.render(w, r, s, http.StatusOK, "organisations", view{"Orgs": list, "Person": d, "Who": enroller{Pod: d.Pod, Actor: s.Name, Name: d.LeaverName, Base: "/helping/" + string(d.Pod)}})
}

func (p *Pages) leaverJoin(w http.ResponseWriter, r *http.Request, s *Session) {
	if !p.mayEnrol(s, s.Pod, nil) {
		p.notFound(w, r, s)
		return
	}
	p.join(w, r, s, enroller{Pod: s.Pod, Name: s.Name, Base: "/my"})
}

func (p *Pages) helpingJoin(w http.ResponseWriter, r *http.Request, s *Session) {
	d, ok := p.chosen(w, r, s, "", access.Enrol)
	if !ok {
		return
	}
	p.join(w, r, s, enroller{Pod: d.Pod, Actor: s.Name, Name: d.LeaverName, Base: "/helping/" + string(d.Pod)})
}

// join asks for the organisation's code, then shows who it is and asks
// the name they will know the leaver by, then enrols.
func (p *Pages) join(w http.ResponseWriter, r *http.Request, s *Session, who enroller) {
	v := view{"Who": who, "Code": r.URL.Query().Get("code")}
	if r.Method == http.MethodGet {
		p.render(w, r, s, http.StatusOK, "join-code", v)
		return
	}
	code := strings.TrimSpace(r.PostFormValue("code"))
	v["Code"] = code
	o, err := p.Issuers.OrgByJoinCode(r.Context(), code)
	if errors.Is(err, issuer.ErrNoJoinCode) {
		errs := []fieldError{{Field: "code", Key: "join.error.code"}}
		if code == "" {
			errs = []fieldError{{Field: "code", Key: "join.error.no-code"}}
		}
		v["Errors"] = errs
		p.render(w, r, s, http.StatusUnprocessableEntity, "join-code", v)
		return
	}
	if err != nil {
		p.Log.ErrorContext(r.Context(), "join code lookup failed", "err", err)
		p.fail(w, r, s)
		return
	}
	v["Org"] = o
	if r.PostFormValue("confirm") == "" {
		v["Name"] = who.Name
		p.render(w, r, s, http.StatusOK, "join-confirm", v)
		return
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	v["Name"] = name
	if name == "" || utf8.RuneCountInString(name) > 200 {
		v["Errors"] = []fieldError{{Field: "name", Key: "join.error.name"}}
		p.render(w, r, s, http.StatusUnprocessableEntity, "join-confirm", v)
		return
	}
	if _, err := p.Issuers.Enrol(r.Context(), who.Pod, o.Slug, name); err != nil {
		p.Log.ErrorContext(r.Context(), "enrolling failed", "err", err)
		p.fail(w, r, s)
		return
	}
	if who.Actor != "" {
		p.record(r, who.Pod, who.Actor, "helper-enrol", "")
	}
	p.flash(r.Context(), s, "join.done")
	redirect(w, r, who.Base+"/organisations")
}

// stopOrganisation asks, then ends the leaver's enrolment with an
// organisation: it can send nothing more.
func (p *Pages) stopOrganisation(w http.ResponseWriter, r *http.Request, s *Session) {
	if !p.mayEnrol(s, s.Pod, nil) {
		p.notFound(w, r, s)
		return
	}
	slug := mux.Vars(r)["org"]
	list, err := p.enrolments(r, s.Pod)
	if err != nil {
		p.Log.ErrorContext(r.Context(), "listing enrolments failed", "err", err)
		p.fail(w, r, s)
		return
	}
	var found *enrolmentView
	for i := range list {
		if list[i].Org == slug {
			found = &list[i]
		}
	}
	if found == nil {
		p.notFound(w, r, s)
		return
	}
	if r.Method == http.MethodGet {
		p.render(w, r, s, http.StatusOK, "organisation-stop", view{"Enrolment": found})
		return
	}
	if err := p.Issuers.Withdraw(r.Context(), s.Pod, slug); err != nil && !errors.Is(err, issuer.ErrNotEnrolled) {
		p.Log.ErrorContext(r.Context(), "withdrawing an enrolment failed", "err", err)
		p.fail(w, r, s)
		return
	}
	p.flash(r.Context(), s, "organisation.stopped")
	redirect(w, r, "/my/organisations")
}

// joinLinkPage is where an organisation's QR code leads: a leaver signed
// in goes on to say yes; anyone else is told how to use the code.
func (p *Pages) joinLinkPage(w http.ResponseWriter, r *http.Request, s *Session) {
	code := issuer.NormaliseJoinCode(mux.Vars(r)["code"])
	o, err := p.Issuers.OrgByJoinCode(r.Context(), code)
	if errors.Is(err, issuer.ErrNoJoinCode) {
		p.notFound(w, r, s)
		return
	}
	if err != nil {
		p.Log.ErrorContext(r.Context(), "join code lookup failed", "err", err)
		p.fail(w, r, s)
		return
	}
	if isLeaver(s) {
		redirect(w, r, "/my/organisations/join?code="+code)
		return
	}
	p.render(w, r, s, http.StatusOK, "join-link", view{"Org": o, "Code": issuer.FormatJoinCode(code), "Helper": isHelper(s)})
}
