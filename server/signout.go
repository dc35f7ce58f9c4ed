package server

import (
	"net/http"

	"github.com/satchel-project/satchel/access"

	"github.com/satchel-project/satchel/internal/problem"
)

// signOutEverywhere serves POST /auth/sign-out-everywhere: the bearer's
// account is signed out everywhere (account.Store.EndSessions), this token
// included. 204 on success.
func (b *Backend) signOutEverywhere(w http.ResponseWriter, r *http.Request) {
	who := access.From(r.Context())
	if !who.SignedIn() {
		access.Write(w, access.ErrUnauthenticated, "")
		return
	}
	if err := b.Accounts.EndSessions(r.Context(), who.Account); err != nil {
		b.Config.Log.ErrorContext(r.Context(), "signing out everywhere failed", "err", err)
		problem.Write(w, http.StatusServiceUnavailable, "unavailable", "Signing out everywhere did not work. Try again in a minute.")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}
