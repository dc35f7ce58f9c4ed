package consent

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/satchel-project/satchel/pod"
)

// internalPod holds grants, their state, the share-token index, the
// revocation status list and the published keys, encrypted like any pod.
const internalPod pod.PodID = "consent"

// Paths in the internal pod.
func grantPath(id GrantID) pod.Path { return pod.Path("grants/" + string(id) + ".json") }
func statePath(id GrantID) pod.Path { return pod.Path("state/" + string(id) + ".json") }
func podIndex(p pod.PodID) pod.Path { return pod.Path("pods/" + string(p) + "/") }
func keyPath(keyID string) pod.Path { return pod.Path("keys/" + keyID + ".json") }

const statusPath pod.Path = "status/revocation.bin"

// tokenPath names a share token's index entry by the token's SHA-256, so
// the token itself is never a storage name.
func tokenPath(token string) pod.Path {
	sum := sha256.Sum256([]byte(token))
	return pod.Path("tokens/" + hex.EncodeToString(sum[:]) + ".json")
}
