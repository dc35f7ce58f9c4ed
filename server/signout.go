package server

import (
	"net/http"

	"github.com/satchel-project/satchel/internal/problem"
)

// signOutEverywhere serves POST /auth/sign-out-everywhere: the bearer's
// account is signed out everywhere (account.Store.EndSessions), this token
// included. 204 on success.
func (b *Backend) signOutEverywhere(w http.ResponseWriter, r *http.Request) {
	c, err := b.Tokens.Caller(r)
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="satchel"`)
		problem.Write(w, http.StatusUnauthorized, "unauthenticated", "Sign in first: this needs a valid access token.")
		return
	}
	if err := b.Accounts.EndSessions(r.Context(), c.Subject); err != nil {
		b.Config.Log.Error("signing out everywhere failed", "err", err)
		problem.Write(w, http.StatusServiceUnavailable, "unavailable", "Signing out everywhere did not work. Try again in a minute.")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}
