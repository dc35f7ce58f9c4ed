package s3store

import (
	"bytes"
	"context"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/satchel-project/satchel/pod"
)

// countingProxy forwards loopback TCP connections to addr and counts them.
type countingProxy struct {
	l     net.Listener
	conns atomic.Int64

	mu   sync.Mutex
	open []net.Conn
}

func newCountingProxy(t *testing.T, addr string) *countingProxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &countingProxy{l: l}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		l.Close()
		p.mu.Lock()
		for _, c := range p.open {
			c.Close()
		}
		p.mu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			p.conns.Add(1)
			up, err := net.Dial("tcp", addr)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.open = append(p.open, c, up)
			p.mu.Unlock()
			wg.Add(2)
			go func() { defer wg.Done(); io.Copy(up, c); up.Close() }()
			go func() { defer wg.Done(); io.Copy(c, up); c.Close() }()
		}
	}()
	return p
}

// TestConnectionsAreKept: a server answering many requests at once (32
// here, as under the load tests) keeps its connections to the storage
// server open between requests rather than opening new ones: a second wave
// of 32 parallel reads opens no connection. With the SDK's own setting (16
// idle connections a host) every wave opened about 16 new ones, each a TCP
// handshake and MinIO's per-connection work on a read that is otherwise a
// fraction of a millisecond.
func TestConnectionsAreKept(t *testing.T) {
	cfg := testConfig(t)
	proxy := newCountingProxy(t, cfg.Endpoint)
	cfg.Endpoint = proxy.l.Addr().String()
	s := open(t, cfg)
	ctx := context.Background()
	if _, err := s.Put(ctx, "a", bytes.NewReader([]byte("x")), 1, pod.Cond{}); err != nil {
		t.Fatal(err)
	}
	// Every request of a wave is in flight at once: each holds its
	// connection until all 32 have their answers.
	wave := func() {
		var got, wg sync.WaitGroup
		got.Add(32)
		for range 32 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rc, _, err := s.Get(ctx, "a")
				if err != nil {
					t.Error(err)
					got.Done()
					return
				}
				got.Done()
				got.Wait()
				io.Copy(io.Discard, rc)
				rc.Close()
			}()
		}
		wg.Wait()
	}
	wave()
	before := proxy.conns.Load()
	if before < 32 {
		t.Fatalf("the first wave used %d connections, not 32 at once: the test does not test anything", before)
	}
	wave()
	if opened := proxy.conns.Load() - before; opened != 0 {
		t.Errorf("a second wave of 32 parallel reads opened %d new connections to the storage server, want 0", opened)
	}
}
