package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"time"
)

// The containers the writers use. PUTs go to records and documents (each
// writer to its own paths there, overwritten again and again); POSTs add
// new members to letters.
const (
	recordsC   = "identity/"
	documentsC = "documents/"
	lettersC   = "letters/"
)

// postEvery is how often (every how many writes) a writer POSTs instead of
// PUTting.
const postEvery = 16

// cutOff is the error kind of a write still in flight when the load ended.
const cutOff = "cut off at the end"

// op is one write attempted during the load.
type op struct {
	writer   int
	method   string // PUT or POST
	what     string // "PUT record", "PUT document" or "POST document"
	target   string // the URL written (for a POST, the container)
	location string // for an acknowledged POST, the member it made
	hash     string // sha256 of the bytes sent
	reply
}

type load struct {
	c              *client
	writers, paths int
	run_           string // random, so that every body of every run differs

	mu  sync.Mutex
	ops []op
	// Read-backs: a GET through the balancer right after each acknowledged
	// PUT, which lands on either instance. stale lists any that answered
	// with other bytes than the write's: an older version.
	readBacks, readErrors int
	stale                 []string
}

func newLoad(c *client, writers, paths int) *load {
	b := make([]byte, 6)
	rand.Read(b)
	return &load{c: c, writers: writers, paths: paths, run_: hex.EncodeToString(b)}
}

// warm makes every writer write each of its paths once, so that the timed
// load replaces resources (and adds POSTed members) from its first second to
// its last rather than creating members at first and replacing them later.
func (l *load) warm(ctx context.Context) {
	l.writersDo(ctx, func(ctx context.Context, w int, next func(int) bool) {
		for i := 0; i < 2*l.paths && next(i); i++ {
		}
	})
}

// run runs the writers until d has passed, each going on from where warm
// left it; each write is recorded, whatever its outcome.
func (l *load) run(ctx context.Context, d time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	l.writersDo(ctx, func(ctx context.Context, w int, next func(int) bool) {
		for i := 2 * l.paths; next(i); i++ {
		}
	})
}

// writersDo runs one goroutine per writer; each calls next(i) to make its
// i'th write, which reports whether to go on.
func (l *load) writersDo(ctx context.Context, loop func(ctx context.Context, w int, next func(int) bool)) {
	var wg sync.WaitGroup
	for w := 0; w < l.writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			loop(ctx, w, func(i int) bool {
				if ctx.Err() != nil {
					return false
				}
				o := l.write(ctx, w, i)
				ended := ctx.Err() != nil && !o.ok()
				if ended {
					// Cut off when the load ended: not an outcome to count,
					// but it may have landed.
					o.errKind = cutOff
				}
				l.mu.Lock()
				l.ops = append(l.ops, o)
				l.mu.Unlock()
				if !ended && !o.ok() {
					// Back off a little, as a client would, so that a dead
					// balancer does not become a busy loop.
					time.Sleep(20 * time.Millisecond)
				}
				return !ended
			})
		}()
	}
	wg.Wait()
}

// write makes writer w's i'th write: a POST to letters/ every postEvery
// writes, otherwise a PUT of a record or a document to one of the
// writer's paths.
func (l *load) write(ctx context.Context, w, i int) op {
	o := op{writer: w}
	var body []byte
	var ctype string
	k := (i / 2) % l.paths
	switch {
	case i%postEvery == postEvery-1:
		o.method, o.target, o.what = "POST", l.c.pod+lettersC, "POST document"
		body, ctype = []byte(fmt.Sprintf("Letter %d from writer %d, run %s.\n", i, w, l.run_)), "text/plain"
	case i%2 == 0:
		o.method, o.target, o.what = "PUT", l.c.pod+fmt.Sprintf("%sw%d-%d.jsonld", recordsC, w, k), "PUT record"
		body, ctype = record(w, i, l.run_), "application/ld+json"
	default:
		o.method, o.target, o.what = "PUT", l.c.pod+fmt.Sprintf("%sw%d-%d.txt", documentsC, w, k), "PUT document"
		body, ctype = []byte(fmt.Sprintf("Document %d from writer %d, run %s.\n", i, w, l.run_)), "text/plain"
	}
	sum := sha256.Sum256(body)
	o.hash = hex.EncodeToString(sum[:])
	hdr := []string{"Content-Type", ctype}
	if o.method == "POST" {
		hdr = append(hdr, "Slug", fmt.Sprintf("w%d-letter", w))
	}
	o.reply = l.c.do(ctx, o.method, o.target, body, hdr...)
	if o.ok() && o.method == "POST" {
		o.location = o.header.Get("Location")
	}
	o.body, o.header = nil, nil // keep memory flat
	if o.ok() && o.method == "PUT" {
		l.readBack(ctx, o)
	}
	return o
}

// readBack reads an acknowledged PUT at once through the balancer. Only
// this writer writes that path, so any other bytes are an older version:
// a read that missed an acknowledged write. A read that fails (an instance
// going away) counts as an error, not as stale.
func (l *load) readBack(ctx context.Context, o op) {
	r := l.c.do(ctx, "GET", o.target, nil)
	l.mu.Lock()
	defer l.mu.Unlock()
	if !r.ok() {
		if ctx.Err() == nil {
			l.readErrors++
		}
		return
	}
	l.readBacks++
	sum := sha256.Sum256(r.body)
	if hex.EncodeToString(sum[:]) != o.hash {
		l.stale = append(l.stale, o.target)
	}
}

// record is a valid identity record, different for every write.
func record(w, i int, run string) []byte {
	return []byte(fmt.Sprintf(`{"@context":"https://w3id.org/satchel/v1","type":"IdentityDocument","documentType":"prison-id-card","documentNumber":"W%dN%d","holder":{"type":"Person","name":"Load Test %s","birthDate":"1990-04-23"}}`, w, i, run))
}
