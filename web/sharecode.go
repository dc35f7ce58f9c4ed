package web

import (
	"net/http"
	"strings"

	"github.com/gorilla/mux"
)

// CheckAt is the address of the page where the recipient of share v can
// type its share code: /check on this service.
func (v shareView) CheckAt() string {
	return strings.TrimSuffix(v.Link, "/s/"+v.Token) + "/check"
}

// shareCodeRoutes add the form on a share's page that gives it a share
// code, for a leaver whose records give no date of birth: they type it.
func (p *Pages) shareCodeRoutes(r *mux.Router) {
	r.Handle("/my/shares/{id}/code", p.asLeaver(p.makeShareCode)).Methods(http.MethodPost)
	r.Handle("/helping/{pod}/shares/{id}/code", p.asHelper(p.makeShareCode)).Methods(http.MethodPost)
}

// makeShareCode gives a share a code, with the date of birth typed.
func (p *Pages) makeShareCode(w http.ResponseWriter, r *http.Request, s *Session, who sharer) {
	v, ok := p.share(w, r, s, who)
	if !ok || !p.hasLink(w, r, s, v) {
		return
	}
	day, month, year := r.PostFormValue("dob-day"), r.PostFormValue("dob-month"), r.PostFormValue("dob-year")
	birth, dateOK := realDate(day, month, year)
	if !dateOK {
		p.render(w, r, s, http.StatusUnprocessableEntity, "share", view{"Share": v, "Base": who.Base, "Sharer": who,
			"Day": day, "Month": month, "Year": year, "Errors": []fieldError{{Field: "dob", Key: "share.code.error.dob"}}})
		return
	}
	if _, err := p.Consent.MakeCode(r.Context(), who.Pod, v.ID, birth); err != nil {
		p.Log.ErrorContext(r.Context(), "making a share code failed", "err", err)
		p.fail(w, r, s)
		return
	}
	redirect(w, r, who.Base+"/shares/"+string(v.ID))
}
