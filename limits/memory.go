package limits

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Memory keeps Counters in this process only: for tests, and for a server
// that runs as one instance. An empty document ({}) is dropped, and when
// it holds many keys, those unchanged for a day are forgotten (every limit
// here forgets sooner than that).
type Memory struct {
	mu    sync.Mutex
	docs  map[string]memDoc
	swept time.Time
}

type memDoc struct {
	b       []byte
	changed time.Time
}

var _ Counters = (*Memory)(nil)

// NewMemory returns empty Counters in memory.
func NewMemory() *Memory { return &Memory{docs: map[string]memDoc{}} }

// memoryKeys is how many keys Memory holds before it forgets old ones.
const memoryKeys = 100000

// Update implements Counters.
func (m *Memory) Update(ctx context.Context, key string, change func([]byte) ([]byte, error)) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	out, err := change(m.docs[key].b)
	if errors.Is(err, ErrNoChange) {
		return nil
	}
	if err != nil {
		return err
	}
	if string(out) == "{}" {
		delete(m.docs, key)
		return nil
	}
	now := time.Now()
	if len(m.docs) >= memoryKeys && now.Sub(m.swept) > time.Minute {
		m.swept = now
		for k, d := range m.docs {
			if now.Sub(d.changed) > 24*time.Hour {
				delete(m.docs, k)
			}
		}
	}
	m.docs[key] = memDoc{out, now}
	return nil
}
