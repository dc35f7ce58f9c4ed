package state

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/satchel-project/satchel/pod/fsstore"
	"github.com/satchel-project/satchel/vault/local"
)

// TestMain removes what the benchmarks seeded.
func TestMain(m *testing.M) {
	code := m.Run()
	for _, dir := range seeded.dirs {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

// seeded keeps each benchmark's seeded space across -count runs, as
// seeding 10,000 records (each fsynced twice) takes a while.
var seeded struct {
	sync.Mutex
	dbs  map[int]*DB
	dirs []string
}

// seededDB returns a DB on the local disk holding n records, all in the
// directory the benchmark adds to (the worst case for a listing that
// grows).
func seededDB(b *testing.B, n int) *DB {
	seeded.Lock()
	defer seeded.Unlock()
	if db := seeded.dbs[n]; db != nil {
		return db
	}
	dir, err := os.MkdirTemp("", "satchel-state-bench-")
	if err != nil {
		b.Fatal(err)
	}
	seeded.dirs = append(seeded.dirs, dir)
	st, err := fsstore.Open(dir + "/objects")
	if err != nil {
		b.Fatal(err)
	}
	cust, _, err := local.Open(dir + "/keys")
	if err != nil {
		b.Fatal(err)
	}
	be := backend{name: "fs", dir: dir, store: st, cust: cust}
	db := be.open(b, "consent")
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 8 {
				if err := db.WriteRaw(ctx, Name("grants/seed-"+strconv.Itoa(i)), []byte(`{"pod":"p"}`), CreateOnly()); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	if seeded.dbs == nil {
		seeded.dbs = map[int]*DB{}
	}
	seeded.dbs[n] = db
	return db
}

// BenchmarkCreate is the cost of adding a record to a directory that holds
// 10 or 10,000 already: it should not differ.
//
//	go test -run XXX -bench Create -count 5 ./state
func BenchmarkCreate(b *testing.B) {
	for _, n := range []int{10, 10000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			db := seededDB(b, n)
			ctx := context.Background()
			run := time.Now().UnixNano()
			i := 0
			for b.Loop() {
				name := Name(fmt.Sprintf("grants/new-%d-%d", run, i))
				i++
				if err := db.WriteRaw(ctx, name, []byte(`{"pod":"p"}`), CreateOnly()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
