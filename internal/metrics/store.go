package metrics

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/satchel-project/satchel/blob"
)

// Store returns s with every call timed in satchel_storage_duration_seconds.
// A Get is timed until the object is opened, not until it has been read.
func (m *Metrics) Store(s blob.Store) blob.Store {
	if m == nil {
		return s
	}
	return &store{s: s, m: m}
}

type store struct {
	s blob.Store
	m *Metrics
}

func (s *store) observe(op string, start time.Time, err error) {
	s.m.storage.WithLabelValues(op, storeResult(err)).Observe(time.Since(start).Seconds())
}

// storeResult names the outcome of a storage call from the errors every
// Store returns.
func storeResult(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, blob.ErrNotExist):
		return "not_exist"
	case errors.Is(err, blob.ErrPrecondition):
		return "precondition"
	case errors.Is(err, blob.ErrUnavailable):
		return "unavailable"
	}
	return otherResult(err)
}

// otherResult is the outcome of a failed call that is none of a layer's
// own errors.
func otherResult(err error) string {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return "canceled"
	}
	return "error"
}

func (s *store) Get(ctx context.Context, key string) (io.ReadCloser, blob.ObjectInfo, error) {
	start := time.Now()
	rc, info, err := s.s.Get(ctx, key)
	s.observe("get", start, err)
	return rc, info, err
}

func (s *store) Stat(ctx context.Context, key string) (blob.ObjectInfo, error) {
	start := time.Now()
	info, err := s.s.Stat(ctx, key)
	s.observe("stat", start, err)
	return info, err
}

func (s *store) Put(ctx context.Context, key string, r io.Reader, size int64, cond blob.Cond) (blob.ObjectInfo, error) {
	start := time.Now()
	info, err := s.s.Put(ctx, key, r, size, cond)
	s.observe("put", start, err)
	return info, err
}

func (s *store) Delete(ctx context.Context, key string, cond blob.Cond) error {
	start := time.Now()
	err := s.s.Delete(ctx, key, cond)
	s.observe("delete", start, err)
	return err
}

func (s *store) List(ctx context.Context, prefix string, fn func(blob.ObjectInfo) error) error {
	start := time.Now()
	err := s.s.List(ctx, prefix, fn)
	s.observe("list", start, err)
	return err
}
