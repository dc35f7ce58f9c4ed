package issuer

import (
	"context"

	"github.com/satchel-project/satchel/consent/statuslist"
	"github.com/satchel-project/satchel/pod"
)

func statusPath(slug string) pod.Path { return pod.Path("status/" + slug + ".bin") }

// updateStatus changes organisation slug's status list under
// compare-and-swap.
func (s *Service) updateStatus(ctx context.Context, slug string, change func(a *statuslist.Allocator) error) error {
	return s.db.Update(ctx, statusPath(slug), func(b []byte) ([]byte, error) {
		return statuslist.UpdateBlob(b, change)
	})
}
