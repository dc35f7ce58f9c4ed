package sealed

import (
	"bytes"
	"context"
	"fmt"
	"github.com/satchel-project/satchel/blob"
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

func (s *memStore) Get(ctx context.Context, key string) (io.ReadCloser, blob.ObjectInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.m[key]
	if !ok {
		return nil, blob.ObjectInfo{}, blob.ErrNotExist
	}
	return io.NopCloser(bytes.NewReader(b)), blob.ObjectInfo{Key: key, Size: int64(len(b)), ETag: fmt.Sprint(len(b))}, nil
}

func (s *memStore) Stat(ctx context.Context, key string) (blob.ObjectInfo, error) {
	_, oi, err := s.Get(ctx, key)
	return oi, err
}

func (s *memStore) Put(ctx context.Context, key string, r io.Reader, size int64, c blob.Cond) (blob.ObjectInfo, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return blob.ObjectInfo{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = b
	s.n++
	return blob.ObjectInfo{Key: key, Size: int64(len(b)), ETag: fmt.Sprint(s.n), ModTime: time.Now()}, nil
}

func (s *memStore) Delete(ctx context.Context, key string, c blob.Cond) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
	return nil
}

func (s *memStore) List(ctx context.Context, prefix string, fn func(blob.ObjectInfo) error) error {
	s.mu.Lock()
	var keys []string
	for k := range s.m {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	s.mu.Unlock()
	for _, k := range keys {
		if err := fn(blob.ObjectInfo{Key: k}); err != nil {
			return err
		}
	}
	return nil
}
