package pod

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// memStore keeps objects in memory, for benchmarks that must not measure
// the disk. It is not a back end: tests of behaviour use fsstore and MinIO.
type memStore struct {
	mu sync.Mutex
	m  map[string][]byte
	n  int
}

func newMemStore() *memStore { return &memStore{m: map[string][]byte{}} }

func (s *memStore) Get(ctx context.Context, key string) (io.ReadCloser, ObjectInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.m[key]
	if !ok {
		return nil, ObjectInfo{}, ErrNotExist
	}
	return io.NopCloser(bytes.NewReader(b)), ObjectInfo{Key: key, Size: int64(len(b)), ETag: fmt.Sprint(len(b))}, nil
}

func (s *memStore) Stat(ctx context.Context, key string) (ObjectInfo, error) {
	_, oi, err := s.Get(ctx, key)
	return oi, err
}

func (s *memStore) Put(ctx context.Context, key string, r io.Reader, size int64, c Cond) (ObjectInfo, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return ObjectInfo{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = b
	s.n++
	return ObjectInfo{Key: key, Size: int64(len(b)), ETag: fmt.Sprint(s.n), ModTime: time.Now()}, nil
}

func (s *memStore) Delete(ctx context.Context, key string, c Cond) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
	return nil
}

func (s *memStore) List(ctx context.Context, prefix string, fn func(ObjectInfo) error) error {
	s.mu.Lock()
	var keys []string
	for k := range s.m {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	s.mu.Unlock()
	for _, k := range keys {
		if err := fn(ObjectInfo{Key: k}); err != nil {
			return err
		}
	}
	return nil
}
