package web

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/web/lang"
)

// The pages every public service has, linked from every page's footer
// (the recipient's page too): privacy, cookies, accessibility, and help,
// with what to do about a lost or stolen phone. Anyone may read them,
// signed in or not.
func (p *Pages) infoRoutes(r *mux.Router) {
	for path, page := range map[string]string{
		"/privacy":         "privacy",
		"/cookies":         "cookies",
		"/accessibility":   "accessibility",
		"/help":            "help",
		"/help/lost-phone": "lost-phone",
	} {
		r.Handle(path, p.public(p.info(page))).Methods(http.MethodGet)
	}
}

// info serves a page of words.
func (p *Pages) info(page string) handler {
	return func(w http.ResponseWriter, r *http.Request, s *Session) {
		// The cookies page names the cookies as this server sets them.
		v := view{"SessionCookie": p.sessions.cookieName(), "PreCookie": p.sessions.preName(), "LangCookie": lang.Cookie}
		p.render(w, r, s, http.StatusOK, page, v)
	}
}
