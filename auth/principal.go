package auth

import (
	"net/http"

	"github.com/satchel-project/satchel/access"
	"github.com/satchel-project/satchel/internal/problem"
)

// Principal is who c speaks for, as package access models every caller.
func (c Claims) Principal() access.Principal {
	return access.Principal{
		Account:  c.Subject,
		Name:     c.Name,
		Kind:     access.Kind(c.Kind),
		Pod:      string(c.Pod),
		Org:      c.Org,
		AuthTime: c.AuthTime,
	}
}

// Authenticate is middleware for the API: a request with a valid bearer
// token carries its principal in the context (access.From); any other
// request carries nobody, and the routes that need someone answer 401. It
// never reads a cookie: the web pages' sessions are theirs alone, so a
// page cannot be used to reach the API from another site.
func (t *Tokens) Authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			c, err := t.Caller(r)
			if unavailable(err) {
				// Not "sign in first": the sign-in could not be checked.
				w.Header().Set("Retry-After", "5")
				problem.Write(w, http.StatusServiceUnavailable, "unavailable", "Your sign-in cannot be checked at the moment, as storage or the service that keeps keys is not available. Nothing was changed; try again in a minute.")
				return
			}
			if err == nil {
				r = r.WithContext(access.WithPrincipal(r.Context(), c.Principal()))
			}
		}
		next.ServeHTTP(w, r)
	})
}

// HelperLookupKey is the Throttle key for an account's tries at naming a
// helper by username, shared by the API and the web pages.
func HelperLookupKey(account string) string { return "helper-lookup:" + account }
