package issuer

import (
	"context"
	"crypto/rand"

	"github.com/satchel-project/satchel/consent/statuslist"
	"github.com/satchel-project/satchel/state"
)

func statusPath(slug string) state.Name { return state.Name("status/" + slug + ".bin") }

// updateStatus changes organisation slug's status list under
// compare-and-swap.
func (s *Service) updateStatus(ctx context.Context, slug string, change func(a *statuslist.Allocator) error) error {
	return s.db.Update(ctx, statusPath(slug), func(b []byte) ([]byte, error) {
		return statuslist.UpdateBlob(b, change)
	})
}

// allocateStatus takes a free, random index in organisation org's status
// list for a new credential.
func (s *Service) allocateStatus(ctx context.Context, org string) (int, error) {
	var idx int
	err := s.updateStatus(ctx, org, func(a *statuslist.Allocator) error {
		var err error
		idx, err = a.Allocate(rand.Reader)
		return err
	})
	return idx, err
}
