package issuer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"

	"github.com/satchel-project/satchel/consent/statuslist"
	"github.com/satchel-project/satchel/pod"
)

func statusPath(slug string) pod.Path { return pod.Path("status/" + slug + ".bin") }

func createOnly() pod.Preconditions { return pod.Preconditions{IfNoneMatch: []string{"*"}} }

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

// updateStatus changes organisation slug's status list under
// compare-and-swap.
func (s *Service) updateStatus(ctx context.Context, slug string, change func(a *statuslist.Allocator) error) error {
	for attempt := 0; attempt < 100; attempt++ {
		blob, etag, err := s.readRaw(ctx, statusPath(slug))
		if err != nil {
			return err
		}
		a := &statuslist.Allocator{}
		if err := a.UnmarshalBinary(blob); err != nil {
			return err
		}
		if err := change(a); err != nil {
			return err
		}
		out, _ := a.MarshalBinary()
		err = s.writeRaw(ctx, statusPath(slug), out, pod.Preconditions{IfMatch: []string{etag}})
		if errors.Is(err, pod.ErrPrecondition) {
			continue
		}
		return err
	}
	return pod.ErrBusy
}
