package consent

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"

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

// readJSON decodes the internal object at p into v and returns its ETag.
func (s *Service) readJSON(ctx context.Context, p pod.Path, v any) (string, error) {
	b, etag, err := s.readRaw(ctx, p)
	if err != nil {
		return "", err
	}
	return etag, json.Unmarshal(b, v)
}

func (s *Service) readRaw(ctx context.Context, p pod.Path) ([]byte, string, error) {
	res, rc, err := s.pods.Get(ctx, internalPod, p)
	if err != nil {
		return nil, "", err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	return b, res.ETag, err
}

// writeJSON stores v at p under pre (create-only, or If-Match).
func (s *Service) writeJSON(ctx context.Context, p pod.Path, v any, pre pod.Preconditions) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.writeRaw(ctx, p, b, pre)
}

func (s *Service) writeRaw(ctx context.Context, p pod.Path, b []byte, pre pod.Preconditions) error {
	_, _, err := s.pods.Put(ctx, internalPod, p, "application/json", int64(len(b)), bytes.NewReader(b), pre)
	return err
}

func createOnly() pod.Preconditions { return pod.Preconditions{IfNoneMatch: []string{"*"}} }

func ifMatch(etag string) pod.Preconditions { return pod.Preconditions{IfMatch: []string{etag}} }

// casJSON runs change on the object at p under compare-and-swap until it
// sticks, so that concurrent changes (in this process or another) are
// never lost. change returns errStop to leave the object as it is.
func (s *Service) casJSON(ctx context.Context, p pod.Path, v any, change func() error) error {
	for attempt := 0; attempt < 100; attempt++ {
		etag, err := s.readJSON(ctx, p, v)
		if err != nil {
			return err
		}
		if err := change(); err != nil {
			if errors.Is(err, errStop) {
				return nil
			}
			return err
		}
		err = s.writeJSON(ctx, p, v, ifMatch(etag))
		if errors.Is(err, pod.ErrPrecondition) {
			continue
		}
		return err
	}
	return pod.ErrBusy
}

var errStop = errors.New("no change")
