package web

import (
	"net/http"
	"time"

	"github.com/satchel-project/satchel/web/lang"
)

// language is the language link on every page (/language?to=cy&back=/my):
// it keeps the chosen language in a cookie for a year and goes back to the
// page it was on, which must be a path on this site (never another site:
// see lang.SafeBack). A language with no catalogue changes nothing.
func (p *Pages) language(w http.ResponseWriter, r *http.Request, s *Session) {
	q := r.URL.Query()
	if to := q.Get("to"); lang.Has(to) {
		http.SetCookie(w, &http.Cookie{
			Name:     lang.Cookie,
			Value:    to,
			Path:     "/",
			MaxAge:   int(365 * 24 * time.Hour / time.Second),
			HttpOnly: true,
			Secure:   p.sessions.secure,
			SameSite: http.SameSiteLaxMode,
		})
	}
	http.Redirect(w, r, lang.SafeBack(q.Get("back")), http.StatusSeeOther)
}
