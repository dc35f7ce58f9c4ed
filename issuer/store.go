package issuer

import (
	"context"
	"errors"

	"github.com/satchel-project/satchel/consent/statuslist"
	"github.com/satchel-project/satchel/pod"
)

func statusPath(slug string) pod.Path { return pod.Path("status/" + slug + ".bin") }

// updateStatus changes organisation slug's status list under
// compare-and-swap.
func (s *Service) updateStatus(ctx context.Context, slug string, change func(a *statuslist.Allocator) error) error {
	for attempt := 0; attempt < 100; attempt++ {
		blob, etag, err := s.db.ReadRaw(ctx, statusPath(slug))
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
		err = s.db.WriteRaw(ctx, statusPath(slug), out, pod.Preconditions{IfMatch: []string{etag}})
		if errors.Is(err, pod.ErrPrecondition) {
			continue
		}
		return err
	}
	return pod.ErrBusy
}
