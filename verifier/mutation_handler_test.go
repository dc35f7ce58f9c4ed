package verifier_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/blob"
	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/pod/fsstore"
	"github.com/satchel-project/satchel/vault/local"
	"github.com/satchel-project/satchel/verifier"
)

// troubledStore is a store that can be made slow, or made to fail every
// read or write, while a test runs.
type troubledStore struct {
	blob.Store
	delay             atomic.Int64 // nanoseconds added to each read
	failGets, failPut atomic.Pointer[error]
}

func (s *troubledStore) Get(ctx context.Context, key string) (io.ReadCloser, blob.ObjectInfo, error) {
	time.Sleep(time.Duration(s.delay.Load()))
	if err := s.failGets.Load(); err != nil {
		return nil, blob.ObjectInfo{}, *err
	}
	return s.Store.Get(ctx, key)
}

func (s *troubledStore) Stat(ctx context.Context, key string) (blob.ObjectInfo, error) {
	if err := s.failGets.Load(); err != nil {
		return blob.ObjectInfo{}, *err
	}
	return s.Store.Stat(ctx, key)
}

func (s *troubledStore) Put(ctx context.Context, key string, r io.Reader, size int64, cond blob.Cond) (blob.ObjectInfo, error) {
	if err := s.failPut.Load(); err != nil {
		return blob.ObjectInfo{}, *err
	}
	return s.Store.Put(ctx, key, r, size, cond)
}

// troubledSetup is apiSetup over a troubledStore, with the handler's log.
func troubledSetup(t *testing.T, floor time.Duration) (*httptest.Server, *consent.Service, pod.PodID, *troubledStore, *bytes.Buffer) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	fs, err := fsstore.Open(filepath.Join(dir, "objects"))
	if err != nil {
		t.Fatal(err)
	}
	st := &troubledStore{Store: fs}
	cust, _, err := local.Open(filepath.Join(dir, "keys"))
	if err != nil {
		t.Fatal(err)
	}
	pods := pod.NewService(st, pod.NewKeyring(st, cust, time.Minute))
	signer, _ := cust.Signer(ctx, "grants")
	svc, err := consent.Open(ctx, pods, signer, "https://satchel.example.org")
	if err != nil {
		t.Fatal(err)
	}
	id, _ := pods.CreatePod(ctx)
	doc := []byte("%PDF-1.4\n")
	if _, _, err := pods.Put(ctx, id, "documents/a.pdf", "application/pdf", int64(len(doc)), bytes.NewReader(doc), pod.Preconditions{}); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	m := mux.NewRouter()
	(&verifier.Handler{Verifier: verifier.New(svc, pods, nil), RefusalFloor: floor, Log: slog.New(slog.NewTextHandler(&log, nil))}).Routes(m)
	ts := httptest.NewServer(m)
	t.Cleanup(ts.Close)
	return ts, svc, id, st, &log
}

// When storage cannot be reached, every share address answers 503 with
// Retry-After and says to try again, showing nothing; a failure that is not
// storage being away is logged, and says nothing was shown.
func TestShareLinkWhenStorageFails(t *testing.T) {
	t.Parallel()
	ts, svc, id, st, log := troubledSetup(t, 0)
	g := share(t, svc, id, 0)
	paths := []string{"/s/" + g.Token, "/s/" + g.Token + "/grant", "/s/" + g.Token + "/items/documents/a.pdf"}
	for _, c := range []struct {
		err    error
		words  string
		logged bool
	}{
		{pod.ErrUnavailable, "Try again in a minute.", false},
		{pod.ErrBusy, "Try again in a minute.", false},
		{errors.New("disk on fire"), "Nothing was shown; try again in a minute.", true},
	} {
		log.Reset()
		st.failGets.Store(&c.err)
		for _, p := range paths {
			r := fetch(t, ts, "GET", p, nil)
			if r.code != http.StatusServiceUnavailable || !strings.Contains(r.body, `"unavailable"`) || !strings.HasSuffix(strings.TrimSpace(r.body), c.words+`"}`) && !strings.Contains(r.body, c.words+`"`) {
				t.Errorf("%v, %s: %d %s", c.err, p, r.code, r.body)
			}
			if (r.hdr.Get("Retry-After") == "5") == c.logged {
				t.Errorf("%v, %s: Retry-After %q", c.err, p, r.hdr.Get("Retry-After"))
			}
			if strings.Contains(r.body, "%PDF") || strings.Contains(r.body, "Acme") {
				t.Errorf("%v, %s: something shared was shown: %s", c.err, p, r.body)
			}
		}
		if strings.Contains(log.String(), "disk on fire") != c.logged {
			t.Errorf("%v: logged %q", c.err, log.String())
		}
		st.failGets.Store(nil)
	}
	// Reads work but the view cannot be recorded: nothing is shown.
	fail := pod.ErrUnavailable
	st.failPut.Store(&fail)
	for _, p := range []string{"/s/" + g.Token, "/s/" + g.Token + "/items/documents/a.pdf"} {
		if r := fetch(t, ts, "GET", p, nil); r.code != http.StatusServiceUnavailable || strings.Contains(r.body, "%PDF") || strings.Contains(r.body, "Acme") {
			t.Errorf("%s with the access log unwritable: %d %s", p, r.code, r.body)
		}
	}
	st.failPut.Store(nil)
	if r := fetch(t, ts, "GET", "/s/"+g.Token, nil); r.code != 200 {
		t.Errorf("once storage is back: %d", r.code)
	}
}

// A refusal waits out the floor, but no longer: one whose lookup already
// took longer than the floor is answered as soon as it is known.
func TestRefusalFloorAddsNoMore(t *testing.T) {
	const floor, slow = 500 * time.Millisecond, time.Second
	ts, _, _, st, _ := troubledSetup(t, floor)
	st.delay.Store(int64(slow))
	code, page, took := open(t, ts, "AAAAAAAAAAAAAAAAAAAAAA")
	if code != http.StatusGone || !strings.Contains(page, "This link does not work") {
		t.Fatalf("unknown link: %d\n%s", code, page)
	}
	if took < slow {
		t.Fatalf("the slow store was not slow: %v", took)
	}
	if took >= 2*slow {
		t.Errorf("an unknown link whose lookup took %v (floor %v) answered in %v", slow, floor, took)
	}
}

// Opening a one-view link gives the browser a cookie for that opening,
// scoped to the link, unreadable by script, sent only over https and kept
// as long as the opening's window; with it the page opens again (to change
// language, or after going back) within the window. Without it, or with a
// cookie that names no opening, the link is used up.
func TestReopeningWithTheOpeningCookie(t *testing.T) {
	t.Parallel()
	ts, svc, id := apiSetup(t, 0)
	g := share(t, svc, id, 1)
	r := fetch(t, ts, "GET", "/s/"+g.Token, nil)
	if r.code != 200 {
		t.Fatalf("first opening: %d", r.code)
	}
	resp := &http.Response{Header: r.hdr}
	var c *http.Cookie
	for _, k := range resp.Cookies() {
		if k.Name == "satchel-opening" {
			c = k
		}
	}
	if c == nil {
		t.Fatalf("no opening cookie: %v", r.hdr)
	}
	if c.Path != "/s/"+g.Token || !c.HttpOnly || !c.Secure || c.MaxAge != int(consent.OpeningWindow/time.Second) || c.SameSite != http.SameSiteLaxMode {
		t.Errorf("opening cookie %+v", c)
	}
	if n, err := strconv.ParseInt(c.Value, 10, 64); err != nil || time.Since(time.Unix(0, n)) > time.Minute || time.Since(time.Unix(0, n)) < 0 {
		t.Errorf("the cookie does not hold the time of the opening: %q", c.Value)
	}
	for _, value := range []string{"", "0", "-" + c.Value, "x" + c.Value, c.Value + "1"} {
		if r := fetch(t, ts, "GET", "/s/"+g.Token, map[string]string{"Cookie": "satchel-opening=" + value}); r.code != http.StatusGone || strings.Contains(r.body, "Acme") {
			t.Errorf("with cookie %q: %d, want 410", value, r.code)
		}
	}
	again := fetch(t, ts, "GET", "/s/"+g.Token, map[string]string{"Cookie": "satchel-opening=" + c.Value, "Accept-Language": "cy"})
	if again.code != 200 || !strings.Contains(again.body, "Acme") || !strings.Contains(again.body, `lang="cy"`) {
		t.Errorf("reopening with the cookie, in Welsh: %d", again.code)
	}
}
