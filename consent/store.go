package consent

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/state"
)

// space holds grants, their state, the share-token and share-code
// entries, the revocation status list, the published keys and the
// delegations (package state).
const space = "consent"

// Names of records. Each grant's records are its own: a share's view reads
// and changes nothing of any other share. Listings are per owner: a pod's
// grants (podIndex), a pod's helpers, a helper's pods.
func grantPath(id GrantID) state.Name { return state.Name("grants/" + string(id) + ".json") }
func statePath(id GrantID) state.Name { return state.Name("state/" + string(id) + ".json") }
func podIndex(p pod.PodID) state.Name { return state.Name("pods/" + string(p) + "/") }
func keyPath(keyID string) state.Name { return state.Name("keys/" + keyID + ".json") }

const statusPath state.Name = "status/revocation.bin"

// tokenPath names a share token's entry by the token's SHA-256, so the
// token itself is never a storage name.
func tokenPath(token string) state.Name {
	sum := sha256.Sum256([]byte(token))
	return state.Name("tokens/" + hex.EncodeToString(sum[:]) + ".json")
}
