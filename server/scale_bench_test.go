package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/consent"
	podpkg "github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/server"
	"github.com/satchel-project/satchel/state"
)

// Figures for issue 13: what sharing and signing in cost as a server's
// state grows. Each benchmark seeds one server in steps, in-process, and
// measures every step over loopback HTTP, so one run gives every level side
// by side. Levels above 1,000 run only when SATCHEL_SCALE_MAX allows
// (SATCHEL_SCALE_MAX=100000 for all); scripts/scale runs them and prints
// the medians.

// scaleLevels are the levels in steps that SATCHEL_SCALE_MAX (default
// 1000) allows.
func scaleLevels(b *testing.B, steps ...int) []int {
	max := 1000
	if v := os.Getenv("SATCHEL_SCALE_MAX"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatalf("SATCHEL_SCALE_MAX=%q is not a number", v)
		}
		max = n
	}
	var out []int
	for _, n := range steps {
		if n <= max {
			out = append(out, n)
		}
	}
	return out
}

// scaleBackends are the storage back ends to measure: the local directory,
// and MinIO when scripts/minio started one.
func scaleBackends() []struct {
	name  string
	tweak func(*server.Config)
} {
	out := []struct {
		name  string
		tweak func(*server.Config)
	}{{"fs", func(*server.Config) {}}}
	if spec := os.Getenv("SATCHEL_TEST_S3"); spec != "" {
		out = append(out, struct {
			name  string
			tweak func(*server.Config)
		}{"minio", func(c *server.Config) { c.Storage = prefixed(spec) }})
	}
	return out
}

// seedParallel runs f(i) for every i in [from, to) on workers goroutines (so
// that storage round trips and disk syncs overlap) and returns the first
// error.
func seedParallel(workers, from, to int, f func(i int) error) error {
	var next atomic.Int64
	next.Store(int64(from))
	var once sync.Once
	var first error
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= to {
					return
				}
				if err := f(i); err != nil {
					once.Do(func() { first = err })
					next.Store(int64(to))
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

// seedWorkers is how many goroutines seed at once: SATCHEL_SCALE_SEEDERS,
// default 8.
var seedWorkers = func() int {
	if n, err := strconv.Atoi(os.Getenv("SATCHEL_SCALE_SEEDERS")); err == nil && n > 0 {
		return n
	}
	return 8
}()

// scaleProgress says on stderr how seeding goes, in order with the results.
func scaleProgress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "scale: "+format+"\n", args...)
}

// scaleLeavers makes n leaver accounts named prefix-0000… with the address
// history record that the shares share.
func scaleLeavers(b *testing.B, s *testServer, prefix string, n int) []account.Account {
	start := time.Now()
	out := make([]account.Account, n)
	err := seedParallel(seedWorkers, 0, n, func(i int) error {
		ctx := context.Background()
		a, err := s.b.Accounts.Create(ctx, fmt.Sprintf("%s-%04d", prefix, i), account.Leaver, fmt.Sprintf("Leaver %d", i), webPassword)
		if err != nil {
			return err
		}
		if _, _, err := s.b.Pods.Put(ctx, a.Pod, "housing/history.jsonld", "application/ld+json", int64(len(history)), strings.NewReader(history), podpkg.Preconditions{}); err != nil {
			return err
		}
		out[i] = a
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	scaleProgress("made %d leavers in %v", n, time.Since(start).Round(time.Millisecond))
	return out
}

// storageOps are the storage back end's operations, as the server's
// metrics name them.
var storageOps = []string{"get", "stat", "put", "delete", "list"}

var storageMetricRE = regexp.MustCompile(`(?m)^satchel_storage_duration_seconds_(count|sum)\{op="([a-z]+)",result="[a-z_]+"\} ([0-9.e+-]+)$`)

// storageCalls is how many calls of each operation the server has made of
// its storage back end so far, and (under "seconds", and op+"-seconds")
// the time they took, from its metrics; and (under "cpu") the CPU time this
// process (server and client) has used. That includes the garbage
// collector's marking on otherwise idle CPU, which grows with any waiting
// (on storage, say): it is a rough figure.
func storageCalls(s *testServer) map[string]float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	rec := httptest.NewRecorder()
	s.b.Metrics.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	out := map[string]float64{"cpu": time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()}
	for _, m := range storageMetricRE.FindAllStringSubmatch(rec.Body.String(), -1) {
		n, _ := strconv.ParseFloat(m[3], 64)
		if m[1] == "sum" {
			out["seconds"] += n
			out[m[2]+"-seconds"] += n
		} else {
			out[m[2]] += n
		}
	}
	return out
}

// reportStorage reports the storage calls of each kind per operation
// between two counts (whether an operation's work grows with the state
// stored, whatever else the machine is doing), the time spent in storage
// per operation, in all and in gets, puts and stats (whether the calls
// themselves grow slower), and the CPU time of this process per operation
// (which the machine's load changes less than the time, but which counts
// the garbage collector's use of idle CPU).
func reportStorage(b *testing.B, before, after map[string]float64, n int) {
	for _, op := range storageOps {
		b.ReportMetric((after[op]-before[op])/float64(n), op+"/op")
		if op == "get" || op == "put" || op == "stat" {
			b.ReportMetric((after[op+"-seconds"]-before[op+"-seconds"])*1000/float64(n), op+"-ms/op")
		}
	}
	b.ReportMetric((after["seconds"]-before["seconds"])*1000/float64(n), "storage-ms/op")
	b.ReportMetric((after["cpu"]-before["cpu"])*1000/float64(n), "cpu-ms/op")
}

// scaleTransport holds the benchmarks' keep-alive connections. Every
// client shares it: a transport of each browser's own would leave one idle
// connection (and its goroutines and buffers, on both sides) per sign-in,
// and the process's costs would grow with the sessions seeded.
var scaleTransport = &http.Transport{MaxIdleConnsPerHost: 16}

// scaleClient is a client over scaleTransport that follows no redirects
// and keeps no cookies.
func scaleClient() *http.Client {
	return &http.Client{
		Transport:     scaleTransport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// scaleSend makes a request and returns its status, headers and body.
func scaleSend(c *http.Client, req *http.Request) (int, http.Header, string, error) {
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(body), err
}

// scaleUA is what a recipient's phone says it is.
const scaleUA = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"

// shareWorld is one server with 1,000 leavers and the grants made so far.
type shareWorld struct {
	s       *testServer
	leavers []account.Account
	grants  int // on the server: seeded and made while measuring
	active  int // leavers that hold the seeded grants: 10, then 1,000
	next    int // the leaver who shares next while measuring
	// unopened are share tokens nobody has opened yet, newest last.
	unopened []string
	c        *http.Client
}

func (w *shareWorld) newGrant(a account.Account) consent.NewGrant {
	return consent.NewGrant{
		Pod: a.Pod, GrantedBy: a.ID, SharedBy: a.DisplayName,
		Recipient: consent.Recipient{Name: "Acme Lettings", Kind: consent.Landlord},
		Purpose:   "tenancy-application",
		Items:     []consent.Item{{Path: "housing/history.jsonld", Fields: []string{"/entries/#current/address"}}},
		TTL:       7 * 24 * time.Hour,
	}
}

// seedTo adds grants in-process until the server holds n, spread evenly
// over the first min(n, 1000) leavers.
func (w *shareWorld) seedTo(b *testing.B, n int) {
	w.active = min(n, len(w.leavers))
	if n <= w.grants {
		return
	}
	start, from := time.Now(), w.grants
	var mu sync.Mutex
	var busy atomic.Int64
	err := seedParallel(seedWorkers, from, n, func(i int) error {
		g, err := w.s.b.Consent.Create(context.Background(), w.newGrant(w.leavers[i%w.active]))
		for try := 0; errors.Is(err, state.ErrBusy) && try < 5; try++ {
			// Every creation changes the one revocation status list;
			// with many at once, one may give up. Count it, try again.
			busy.Add(1)
			time.Sleep(100 * time.Millisecond)
			g, err = w.s.b.Consent.Create(context.Background(), w.newGrant(w.leavers[i%w.active]))
		}
		if err != nil {
			return fmt.Errorf("grant %d: %w", i, err)
		}
		mu.Lock()
		w.unopened = append(w.unopened, g.Token)
		mu.Unlock()
		if done := i + 1 - from; done%10000 == 0 {
			scaleProgress("… %d of %d grants seeded (%v)", done, n-from, time.Since(start).Round(time.Second))
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	w.grants = n
	d := time.Since(start)
	scaleProgress("seeded %d grants (%d to %d, over %d leavers) in %v, %.1f ms a grant, with %d workers; %d gave up busy and were tried again",
		n-from, from, n, w.active, d.Round(time.Millisecond), float64(d.Microseconds())/1000/float64(n-from), seedWorkers, busy.Load())
}

// sharer is the next leaver to share while measuring, round the leavers
// that hold the seeded grants, with a fresh access token.
func (w *shareWorld) sharer(b *testing.B) string {
	a := w.leavers[w.next%w.active]
	w.next++
	tok, _, err := w.s.b.Tokens.Issue(a)
	if err != nil {
		b.Fatal(err)
	}
	return tok
}

const scaleShareBody = `{"recipient":{"name":"Acme Lettings","kind":"landlord"},"purpose":"tenancy-application",
 "items":[{"path":"housing/history.jsonld","fields":["/entries/#current/address"]}],"expiresIn":"7d"}`

// create measures POST /api/v1/grants: a leaver shares their current
// address with a landlord (one item, one field), as the leaver's client
// does.
func (w *shareWorld) create(b *testing.B) {
	toks := make([]string, b.N)
	for i := range toks {
		toks[i] = w.sharer(b)
	}
	before := storageCalls(w.s)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req, _ := http.NewRequest("POST", w.s.url+"/api/v1/grants", strings.NewReader(scaleShareBody))
		req.Header.Set("Authorization", "Bearer "+toks[i])
		req.Header.Set("Content-Type", "application/json")
		status, _, body, err := scaleSend(w.c, req)
		if err != nil {
			b.Fatal(err)
		}
		var g struct {
			ShareURL string `json:"shareURL"`
		}
		json.Unmarshal([]byte(body), &g)
		if status != http.StatusCreated || g.ShareURL == "" {
			b.Fatalf("share: status %d: %s", status, body)
		}
		w.unopened = append(w.unopened, g.ShareURL[strings.LastIndex(g.ShareURL, "/")+1:])
	}
	b.StopTimer()
	reportStorage(b, before, storageCalls(w.s), b.N)
	w.grants += b.N
}

// open measures a recipient's first opening of a share page, GET /s/TOKEN
// from a browser without the share's opening cookie: the grant is
// resolved and checked, a view is counted in its state, the leaver's access
// log gets an entry and the shared field is read from the pod. Each
// opening is of a share nobody has opened yet (shares have no view limit,
// but a share opened before could be in the service's memory); when those
// run out, new ones are made in-process before timing starts.
func (w *shareWorld) open(b *testing.B) {
	for len(w.unopened) < b.N {
		g, err := w.s.b.Consent.Create(context.Background(), w.newGrant(w.leavers[w.next%w.active]))
		if err != nil {
			b.Fatal(err)
		}
		w.next++
		w.grants++
		w.unopened = append(w.unopened, g.Token)
	}
	toks := w.unopened[len(w.unopened)-b.N:]
	w.unopened = w.unopened[:len(w.unopened)-b.N]
	before := storageCalls(w.s)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req, _ := http.NewRequest("GET", w.s.url+"/s/"+toks[i], nil)
		req.Header.Set("User-Agent", scaleUA)
		req.Header.Set("Accept", "text/html")
		status, h, body, err := scaleSend(w.c, req)
		if err != nil {
			b.Fatal(err)
		}
		if status != http.StatusOK || !strings.Contains(body, "2 Park Row") || !strings.Contains(strings.Join(h.Values("Set-Cookie"), "\n"), "satchel-opening=") {
			b.Fatalf("share page: status %d, opening cookie %q", status, h.Values("Set-Cookie"))
		}
	}
	b.StopTimer()
	reportStorage(b, before, storageCalls(w.s), b.N)
}

// BenchmarkShareScale measures share creation through the API and the
// first opening of a share page with 10, 1,000, 20,000 and 100,000 grants
// on one server, spread over 1,000 leavers (over 10 for the first level),
// on the local directory and, under scripts/minio, on MinIO. A level's
// figures are taken with its seeded grants on the server plus those its
// own measuring makes (one per creation; up to 105 with -count 5
// -benchtime 20x), which the next level's seeding counts in.
func BenchmarkShareScale(b *testing.B) {
	levels := scaleLevels(b, 10, 1000, 20000, 100000)
	if len(levels) == 0 {
		b.Skip("SATCHEL_SCALE_MAX is below the first level, 10")
	}
	for _, be := range scaleBackends() {
		b.Run(be.name, func(b *testing.B) {
			s := newTestServer(b, be.tweak, func(c *server.Config) { c.LinkRateLimit = -1 })
			w := &shareWorld{s: s, c: scaleClient()}
			w.leavers = scaleLeavers(b, s, "leaver", min(1000, levels[len(levels)-1]))
			for _, n := range levels {
				w.seedTo(b, n)
				b.Run(fmt.Sprintf("grants=%d", n), func(b *testing.B) {
					b.Run("create", w.create)
					b.Run("open", w.open)
				})
			}
		})
	}
}

var scaleCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// scaleSignIn signs in at the web pages as a browser does: it opens the
// sign-in page for its CSRF token and the cookie that token belongs to,
// then sends the form. It returns the new session's browser. With timed,
// only the POST runs while b's timer does, and its storage calls are added
// to calls.
func scaleSignIn(b *testing.B, s *testServer, username string, timed bool, calls map[string]float64) (*http.Client, error) {
	base := s.url
	jar, _ := cookiejar.New(nil)
	c := scaleClient()
	c.Jar = jar
	req, _ := http.NewRequest("GET", base+"/sign-in", nil)
	status, _, body, err := scaleSend(c, req)
	if err != nil {
		return nil, err
	}
	m := scaleCSRF.FindStringSubmatch(body)
	if status != http.StatusOK || m == nil {
		return nil, fmt.Errorf("sign-in page: status %d, no csrf token", status)
	}
	form := url.Values{"csrf": {m[1]}, "username": {username}, "password": {webPassword}}
	req, _ = http.NewRequest("POST", base+"/sign-in", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var before map[string]float64
	if timed {
		before = storageCalls(s)
		b.StartTimer()
	}
	status, h, _, err := scaleSend(c, req)
	if timed {
		b.StopTimer()
		for op, n := range storageCalls(s) {
			calls[op] += n - before[op]
		}
	}
	if err != nil {
		return nil, err
	}
	if status != http.StatusSeeOther || h.Get("Location") != "/my" {
		return nil, fmt.Errorf("sign-in as %s: status %d to %q", username, status, h.Get("Location"))
	}
	return c, nil
}

// scaleSignOut ends a browser's session through the sign-out form.
func scaleSignOut(base string, c *http.Client) error {
	req, _ := http.NewRequest("GET", base+"/sign-out", nil)
	status, _, body, err := scaleSend(c, req)
	if err != nil {
		return err
	}
	m := scaleCSRF.FindStringSubmatch(body)
	if status != http.StatusOK || m == nil {
		return fmt.Errorf("sign-out page: status %d, no csrf token", status)
	}
	req, _ = http.NewRequest("POST", base+"/sign-out", strings.NewReader(url.Values{"csrf": {m[1]}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if status, _, _, err = scaleSend(c, req); err != nil {
		return err
	}
	if status != http.StatusSeeOther {
		return fmt.Errorf("sign-out: status %d", status)
	}
	return nil
}

// BenchmarkSignInSessions measures a web sign-in (the POST of the sign-in
// form, with its CSRF token and cookie) with 10, 1,000 and 10,000 live web
// sessions stored, on the local directory. The sessions are real sign-ins
// over loopback by 1,000 leavers (one browser each for the first 10, ten
// each at 10,000); the accounts all exist from the start, so levels differ
// only in sessions. The measured leaver has no other session, and each
// sign-in is signed out again untimed, so the level stays as it is.
func BenchmarkSignInSessions(b *testing.B) {
	levels := scaleLevels(b, 10, 1000, 10000)
	if len(levels) == 0 {
		b.Skip("SATCHEL_SCALE_MAX is below the first level, 10")
	}
	s := newTestServer(b)
	leavers := scaleLeavers(b, s, "device", min(1000, levels[len(levels)-1]))
	if _, err := s.b.Accounts.Create(context.Background(), "measured", account.Leaver, "Measured", webPassword); err != nil {
		b.Fatal(err)
	}
	sessions := 0
	for _, n := range levels {
		start, from := time.Now(), sessions
		active := min(n, len(leavers))
		// Four at a time: more sign-ins under way at once from one address
		// than the throttle's free allowance would be held back.
		err := seedParallel(4, from, n, func(i int) error {
			_, err := scaleSignIn(b, s, leavers[i%active].Username, false, nil)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		sessions = n
		scaleProgress("signed in %d more browsers (%d live sessions) in %v", n-from, n, time.Since(start).Round(time.Millisecond))
		b.Run(fmt.Sprintf("sessions=%d", n), func(b *testing.B) {
			b.StopTimer()
			b.ResetTimer()
			calls := map[string]float64{}
			for i := 0; i < b.N; i++ {
				c, err := scaleSignIn(b, s, "measured", true, calls)
				if err != nil {
					b.Fatal(err)
				}
				if err := scaleSignOut(s.url, c); err != nil {
					b.Fatal(err)
				}
			}
			reportStorage(b, nil, calls, b.N)
		})
	}
}
