package consent

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"

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

// casJSON runs change on the object at p under compare-and-swap until it
// sticks, so that concurrent changes (in this process or another) are
// never lost. change returns errStop to leave the object as it is.
func (s *Service) casJSON(ctx context.Context, p pod.Path, v any, change func() error) error {
	for attempt := 0; attempt < 100; attempt++ {
		etag, err := s.db.ReadJSON(ctx, p, v)
		if err != nil {
			return err
		}
		if err := change(); err != nil {
			if errors.Is(err, errStop) {
				return nil
			}
			return err
		}
		err = s.db.WriteJSON(ctx, p, v, pod.IfMatch(etag))
		if errors.Is(err, pod.ErrPrecondition) {
			continue
		}
		return err
	}
	return pod.ErrBusy
}

var errStop = errors.New("no change")
