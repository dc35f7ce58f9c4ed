package pod

import (
	"context"
	"fmt"
)

// Pods calls fn with the ID of every leaver's pod in the store.
func (s *Service) Pods(ctx context.Context, fn func(PodID) error) error {
	return s.keys.Spaces(ctx, func(id string) error {
		if PodID(id).Valid() {
			return fn(PodID(id))
		}
		return nil
	})
}

// RotateKeys moves every pod identity, internal pods included, to the
// custodian's newest key version: rotate makes that version (per pod, or
// once for a custodian with one key for all), then the wrapped identity is
// rewrapped. The server can keep running: old and new wrappings both work.
// It returns how many pods it rewrapped.
func (s *Service) RotateKeys(ctx context.Context, rotate func(ctx context.Context, name string) error, rewrap RewrapFunc) (int, error) {
	n := 0
	err := s.keys.Spaces(ctx, func(id string) error {
		if err := rotate(ctx, CustodianName(PodID(id))); err != nil {
			return fmt.Errorf("rotate key of pod %s: %w", id, err)
		}
		if err := s.keys.Rewrap(ctx, id, rewrap); err != nil {
			return err
		}
		n++
		return nil
	})
	return n, err
}

// ErasePod destroys pod id for good (see sealed.Keyring.Erase): its key
// first, then its objects.
func (s *Service) ErasePod(ctx context.Context, id PodID) error {
	return s.keys.Erase(ctx, string(id))
}

// RewrapPodKey rewraps pod id's identity with rewrap (see
// sealed.Keyring.Rewrap).
func (s *Service) RewrapPodKey(ctx context.Context, id PodID, rewrap RewrapFunc) error {
	return s.keys.Rewrap(ctx, string(id), rewrap)
}
