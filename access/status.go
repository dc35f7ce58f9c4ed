package access

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/satchel-project/satchel/internal/problem"
)

// Refusal is how a refusal is answered over HTTP.
type Refusal struct {
	Status int
	Code   string
	Detail string
}

// refusals is the one table from a refusal to its answer.
var refusals = []struct {
	err error
	Refusal
}{
	{ErrUnauthenticated, Refusal{http.StatusUnauthorized, "unauthenticated", "Sign in first: this needs a valid access token."}},
	{ErrSignInAgain, Refusal{http.StatusUnauthorized, "sign-in-again", "Sign in again to do this: it needs a sign-in from the last few minutes."}},
	{ErrNotFound, Refusal{http.StatusNotFound, "not-found", "Nothing is stored at this address."}},
	{ErrForbidden, Refusal{http.StatusForbidden, "not-delegated", "The person whose pod this is has not allowed you to do this."}},
}

// Status says how err, an error from Can or CanOrg, is answered. Any other
// error is a 403: a refusal never turns into an allowance.
func Status(err error) Refusal {
	for _, r := range refusals {
		if errors.Is(err, r.err) {
			return r.Refusal
		}
	}
	return Refusal{http.StatusForbidden, "forbidden", "You are not allowed to do this."}
}

// Write answers a refused request with err's status and a problem body.
// detail, if not empty, replaces the table's sentence (for a 403 that can
// say what the owner allowed); 401 and 404 always use the table's words,
// so they say nothing about what exists.
func Write(w http.ResponseWriter, err error, detail string) {
	r := Status(err)
	switch r.Status {
	case http.StatusUnauthorized:
		if errors.Is(err, ErrSignInAgain) {
			w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="satchel", error="insufficient_user_authentication", error_description="a recent sign-in is needed", max_age=%d`, int(RecentSignIn.Seconds())))
		} else {
			w.Header().Set("WWW-Authenticate", `Bearer realm="satchel"`)
		}
	case http.StatusForbidden:
		if detail != "" {
			r.Detail = detail
		}
	}
	problem.Write(w, r.Status, r.Code, r.Detail)
}
