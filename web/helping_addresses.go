package web

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/access"
	"github.com/satchel-project/satchel/consent"
)

// A helper with the add right can add an address to the history of the
// person who chose them, through the same questions the person answers
// (access.Append): a new entry only. They never see the list, never change
// or remove an entry, and what they add is in the person's access log
// under the helper's name.
func (p *Pages) helpingAddressRoutes(r *mux.Router) {
	get, post := http.MethodGet, http.MethodPost
	r.Handle("/helping/{pod}/addresses/add", p.asHelperAddresses(p.addressStart)).Methods(get)
	r.Handle("/helping/{pod}/addresses/step/{step}", p.asHelperAddresses(p.addressStep)).Methods(get, post)
	r.Handle("/helping/{pod}/addresses/check", p.asHelperAddresses(p.addressCheck)).Methods(get, post)
}

// asHelperAddresses serves h to a signed-in helper whom the leaver of the
// pod in the address let add things.
func (p *Pages) asHelperAddresses(h addressHandler) http.Handler {
	return p.helperPage(func(w http.ResponseWriter, r *http.Request, s *Session) {
		d, ok := p.chosen(w, r, s, addressHistory, access.Append)
		if !ok {
			return
		}
		home := "/helping/" + string(d.Pod)
		h(w, r, s, addresser{Pod: d.Pod, Base: home + "/addresses", Home: home, Helper: s.Name, For: d.LeaverName})
	})
}

// appendAddress adds e, a new entry, to the end of the history in a's pod,
// leaving every entry already there as it is, and records that the helper
// did so.
func (p *Pages) appendAddress(w http.ResponseWriter, r *http.Request, s *Session, a addresser, e map[string]any) {
	e["id"] = "#a" + randomToken()[:10]
	err := p.changeHistory(r.Context(), a.Pod, func(doc map[string]any) {
		list, _ := doc["entries"].([]any)
		doc["entries"] = append(append(make([]any, 0, len(list)+1), list...), e)
	})
	if err != nil {
		p.Log.ErrorContext(r.Context(), "adding an address for someone failed", "err", err)
		p.fail(w, r, s)
		return
	}
	le := consent.LogEntry{Type: "helper-add", Who: s.Name, Resource: addressHistory, At: p.now().UTC()}
	if err := p.Consent.Record(r.Context(), a.Pod, le); err != nil {
		p.Log.WarnContext(r.Context(), "could not record a helper's address", "err", err)
	}
	s.Address = nil
	p.flash(r.Context(), s, "flash.address-saved")
	redirect(w, r, a.Home)
}
