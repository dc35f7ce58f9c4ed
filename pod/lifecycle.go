package pod

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Pods calls fn with the ID of every leaver's pod in the store.
func (s *Service) Pods(ctx context.Context, fn func(PodID) error) error {
	return s.allPods(ctx, func(id PodID) error {
		if id.Valid() {
			return fn(id)
		}
		return nil
	})
}

// allPods calls fn for every pod with a key, internal ones included.
func (s *Service) allPods(ctx context.Context, fn func(PodID) error) error {
	var ids []PodID
	err := s.store.List(ctx, "pods/", func(oi ObjectInfo) error {
		id, tail, ok := strings.Cut(strings.TrimPrefix(oi.Key, "pods/"), "/")
		if ok && tail == "key" {
			ids = append(ids, PodID(id))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := fn(id); err != nil {
			return err
		}
	}
	return nil
}

// RotateKeys moves every pod identity, internal pods included, to the
// custodian's newest key version: rotate makes that version (per pod, or
// once for a custodian with one key for all), then the wrapped identity is
// rewrapped. The server can keep running: old and new wrappings both work.
// It returns how many pods it rewrapped.
func (s *Service) RotateKeys(ctx context.Context, rotate func(ctx context.Context, name string) error, rewrap RewrapFunc) (int, error) {
	n := 0
	err := s.allPods(ctx, func(id PodID) error {
		if err := rotate(ctx, custodianName(id)); err != nil {
			return fmt.Errorf("rotate key of pod %s: %w", id, err)
		}
		if err := s.RewrapPodKey(ctx, id, rewrap); err != nil {
			return err
		}
		n++
		return nil
	})
	return n, err
}

// ErasePod destroys pod id for good. The pod's key goes first: the
// custodian forgets the key it wrapped the pod identity under
// (crypto-shredding, where the custodian keeps one per pod) and the wrapped
// identity is deleted; only then are the objects deleted. If this stops
// half-way, what is left can no longer be decrypted, and running it again
// finishes the job.
func (s *Service) ErasePod(ctx context.Context, id PodID) error {
	if err := s.keys.cust.Destroy(ctx, custodianName(id)); err != nil {
		return fmt.Errorf("destroy pod key: %w", err)
	}
	s.keys.Forget(id)
	if err := s.store.Delete(ctx, keyObject(id), Cond{}); err != nil && !errors.Is(err, ErrNotExist) {
		return fmt.Errorf("delete wrapped pod key: %w", err)
	}
	var keys []string
	if err := s.store.List(ctx, "pods/"+string(id)+"/", func(oi ObjectInfo) error {
		keys = append(keys, oi.Key)
		return nil
	}); err != nil {
		return err
	}
	for _, k := range keys {
		if err := s.store.Delete(ctx, k, Cond{}); err != nil && !errors.Is(err, ErrNotExist) {
			return err
		}
	}
	return nil
}

// RewrapFunc re-encrypts a wrapped secret under the custodian's newest key
// version (see local.Custodian.Rewrap in vault/local).
type RewrapFunc func(ctx context.Context, name string, wrapped []byte) ([]byte, error)

// RewrapPodKey rewraps pod id's identity with rewrap and stores the result
// only if the wrapped key did not change meanwhile. Readers keep working
// throughout: both the old and the new wrapping unwrap.
func (s *Service) RewrapPodKey(ctx context.Context, id PodID, rewrap RewrapFunc) error {
	rc, oi, err := s.store.Get(ctx, keyObject(id))
	if errors.Is(err, ErrNotExist) {
		return ErrNoPod
	}
	if err != nil {
		return err
	}
	wrapped, err := io.ReadAll(io.LimitReader(rc, maxWrappedKey))
	rc.Close()
	if err != nil {
		return err
	}
	nw, err := rewrap(ctx, custodianName(id), wrapped)
	if err != nil {
		return fmt.Errorf("rewrap key of pod %s: %w", id, err)
	}
	_, err = s.store.Put(ctx, keyObject(id), bytes.NewReader(nw), int64(len(nw)), Cond{IfMatch: oi.ETag})
	return err
}

// CustodianName is the name under which pod id's identity is wrapped.
func CustodianName(id PodID) string { return custodianName(id) }
