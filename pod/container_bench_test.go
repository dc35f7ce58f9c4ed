package pod_test

// Benchmarks of the container index (issue 13, "Pods whose containers
// grow"): listing a container of 10,000 members, adding the 10th and the
// 10,000th member, and replacing an existing 1 KiB resource. Each runs on
// the local-directory store (a temporary directory) and, when a MinIO
// server is given, on S3 too. Run them, with medians over five runs:
//
//	go test -run '^$' -bench Container -count 5 ./pod
//	scripts/minio go test -run '^$' -bench Container -count 5 -timeout 30m ./pod
//
// The pods are filled once per process through Service.Put (eight writers
// at a time), so the first run of each back end includes a minute or so of
// setting up that is not timed.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/vault/local"
)

const (
	bigContainer   pod.Path = "documents/big/"
	smallContainer pod.Path = "documents/small/"
	bigMembers              = 10_000
	smallMembers            = 10
)

var oneKiB = strings.Repeat("x", 1024)

type benchPod struct {
	s     *pod.Service
	store *counting
	id    pod.PodID
}

var (
	benchMu   sync.Mutex
	benchPods = map[string]*benchPod{}
	benchDirs []string // removed by TestMain
)

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range benchDirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

// getBenchPod returns a pod on back end kind with bigContainer holding
// bigMembers-1 members and smallContainer smallMembers-1, so that the next
// member added is the 10,000th or the 10th. It is made once per process.
func getBenchPod(b *testing.B, kind string) *benchPod {
	benchMu.Lock()
	defer benchMu.Unlock()
	if p := benchPods[kind]; p != nil {
		return p
	}
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "satchel-bench-")
	if err != nil {
		b.Fatal(err)
	}
	benchDirs = append(benchDirs, dir)
	st := openStore(b, kind, dir)
	cust, _, err := local.Open(filepath.Join(dir, "keys"))
	if err != nil {
		b.Fatal(err)
	}
	p := &benchPod{store: &counting{Store: st}}
	p.s = pod.NewService(p.store, pod.NewKeyring(p.store, cust, time.Hour))
	if p.id, err = p.s.CreatePod(ctx); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	fill(b, p, smallContainer, smallMembers-1)
	fill(b, p, bigContainer, bigMembers-1)
	b.Logf("%s: filled a pod with %d members in %v", kind, bigMembers+smallMembers-2, time.Since(start).Round(time.Second))
	benchPods[kind] = p
	return p
}

func fill(b *testing.B, p *benchPod, c pod.Path, n int) {
	ctx := context.Background()
	names := make(chan int)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range names {
				p.put(b, c+pod.Path(fmt.Sprintf("m%05d.txt", i)))
			}
		}()
	}
	for i := range n {
		names <- i
	}
	close(names)
	wg.Wait()
	if _, members, err := p.s.List(ctx, p.id, c); err != nil || len(members) != n {
		b.Fatalf("%s holds %d members (%v), want %d", c, len(members), err, n)
	}
}

func (p *benchPod) put(b *testing.B, path pod.Path) {
	if _, _, err := p.s.Put(context.Background(), p.id, path, "text/plain", int64(len(oneKiB)), strings.NewReader(oneKiB), pod.Preconditions{}); err != nil {
		b.Fatal(err)
	}
}

func (p *benchPod) delete(b *testing.B, path pod.Path) {
	if err := p.s.Delete(context.Background(), p.id, path, pod.Preconditions{}); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkContainerList lists a container of 10,000 members (issue 13:
// under 100 ms).
func BenchmarkContainerList(b *testing.B) {
	for _, kind := range storeKinds() {
		b.Run(kind, func(b *testing.B) {
			p := getBenchPod(b, kind)
			last := bigContainer + "m-last.txt"
			p.put(b, last)
			defer p.delete(b, last)
			ctx := context.Background()
			b.ResetTimer()
			for range b.N {
				_, members, err := p.s.List(ctx, p.id, bigContainer)
				if err != nil || len(members) != bigMembers {
					b.Fatalf("List: %d members, %v", len(members), err)
				}
			}
		})
	}
}

// BenchmarkContainerAdd adds the 10th member to one container and the
// 10,000th to another, a 1 KiB resource by PUT each, taking turns so that
// both see the same load (issue 13: the 10,000th within 2x of the 10th).
// It reports each one's time and their ratio; ns/op is the two together.
// Each added member is deleted again, untimed.
func BenchmarkContainerAdd(b *testing.B) {
	for _, kind := range storeKinds() {
		b.Run(kind, func(b *testing.B) {
			p := getBenchPod(b, kind)
			p.store.reset()
			var small, big time.Duration
			b.ResetTimer()
			for i := range b.N {
				for _, c := range []pod.Path{smallContainer, bigContainer} {
					path := c + pod.Path(fmt.Sprintf("new-%d.txt", i))
					start := time.Now()
					p.put(b, path)
					if c == smallContainer {
						small += time.Since(start)
					} else {
						big += time.Since(start)
					}
					b.StopTimer()
					p.delete(b, path)
					b.StartTimer()
				}
			}
			b.ReportMetric(float64(small.Nanoseconds())/float64(b.N), "ns/10th")
			b.ReportMetric(float64(big.Nanoseconds())/float64(b.N), "ns/10000th")
			b.ReportMetric(float64(big)/float64(small), "10000th/10th")
			// Each add and each delete writes one shard.
			b.ReportMetric(float64(p.store.writes("c"))/float64(4*b.N), "shard-writes/add")
		})
	}
}

// BenchmarkContainerReplace replaces an existing 1 KiB resource in the
// container of 10,000 members; no listing is written (shard-writes/op 0).
func BenchmarkContainerReplace(b *testing.B) {
	for _, kind := range storeKinds() {
		b.Run(kind, func(b *testing.B) {
			p := getBenchPod(b, kind)
			path := bigContainer + "m00042.txt"
			p.store.reset()
			b.ResetTimer()
			for range b.N {
				p.put(b, path)
			}
			b.ReportMetric(float64(p.store.writes("c"))/float64(b.N), "shard-writes/op")
		})
	}
}
