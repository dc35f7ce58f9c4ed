package cache

import (
	"crypto/subtle"
	"encoding/json"
	"io"
	"net/http"

	"github.com/satchel-project/satchel/internal/problem"
)

// InvalidatePath is where a member takes invalidations from other
// processes writing the same store.
const InvalidatePath = "/internal/cache/invalidate"

// tokenHeader carries the token from the member's record: only a process
// that can read the store's member records can make a member forget.
const tokenHeader = "Satchel-Member-Token"

// maxInvalidation bounds the body of an invalidation.
const maxInvalidation = 64 << 10

// Handler answers POST InvalidatePath: 204 once the keys are forgotten,
// 403 without this member's token, 404 when this process is not a member.
func (s *Store) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			problem.Write(w, http.StatusMethodNotAllowed, "method-not-allowed", "This address does not support "+r.Method+".")
			return
		}
		s.m.mu.Lock()
		token := s.m.token
		s.m.mu.Unlock()
		if token == "" {
			problem.Write(w, http.StatusNotFound, "not-found", "There is nothing at this address.")
			return
		}
		got := r.Header.Get(tokenHeader)
		if subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
			problem.Write(w, http.StatusForbidden, "not-a-member", "Only the servers sharing this storage may send this.")
			return
		}
		var inv invalidation
		dec := json.NewDecoder(io.LimitReader(r.Body, maxInvalidation+1))
		if err := dec.Decode(&inv); err != nil || len(inv.Keys) == 0 {
			problem.Write(w, http.StatusBadRequest, "bad-invalidation", "The body must be JSON naming the keys that changed.")
			return
		}
		s.Invalidate(inv.Keys...)
		w.WriteHeader(http.StatusNoContent)
	})
}
