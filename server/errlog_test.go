package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/blob"
	"github.com/satchel-project/satchel/pod/fsstore"
	"github.com/satchel-project/satchel/server"
)

// listFailingStore is a real local store whose listings fail while failList
// is set, as a storage fault part-way through a page would.
type listFailingStore struct {
	*fsstore.Store
	failList atomic.Bool
}

func (s *listFailingStore) List(ctx context.Context, prefix string, fn func(blob.ObjectInfo) error) error {
	if s.failList.Load() {
		return errors.New("disk on fire")
	}
	return s.Store.List(ctx, prefix, fn)
}

// TestErrorLinesCarryRequestID: when a page fails on the server's side, the
// error line in the log carries the ID the answer gave the browser, so that
// an operator can find what went wrong from what a leaver reads out.
func TestErrorLinesCarryRequestID(t *testing.T) {
	fs, err := fsstore.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	st := &listFailingStore{Store: fs}
	log := &lockedBuffer{}
	s := newTestServer(t, func(c *server.Config) {
		c.Store = st
		c.Log = slog.New(slog.NewJSONHandler(log, nil))
	})
	if _, err := s.b.Accounts.Create(context.Background(), "jo-bloggs", account.Leaver, "Jo Bloggs", "correct-horse-battery"); err != nil {
		t.Fatal(err)
	}
	jo := s.browser(t)
	jo.signIn("jo-bloggs", "correct-horse-battery").redirects("/my")
	st.failList.Store(true)
	p := jo.get("/my/shares").want(http.StatusServiceUnavailable)
	id := p.header.Get("X-Request-Id")
	if id == "" {
		t.Fatal("the failed page has no X-Request-Id")
	}
	found := false
	for _, line := range strings.Split(strings.TrimSpace(log.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not a JSON line: %s", line)
		}
		if rec["level"] == "ERROR" && strings.Contains(line, "disk on fire") {
			found = true
			if rec["request_id"] != id {
				t.Errorf("the error line has request_id %v, the answer said %s: %s", rec["request_id"], id, line)
			}
		}
	}
	if !found {
		t.Errorf("no error line for the failed listing:\n%s", log)
	}
}

// TestHandlersLogWithTheRequest: the packages that answer requests log only
// with the request's context (ErrorContext and the like), so that no line
// they write lacks its request ID. A line logged without it is easy to add
// by habit and shows nothing wrong until an operator needs the ID.
func TestHandlersLogWithTheRequest(t *testing.T) {
	bare := regexp.MustCompile(`\bLog\.(Error|Warn|Info|Debug)\(`)
	for _, dir := range []string{"../web", "../auth", "../consent", "../issuer", "../verifier", "../pod", "../evaluation", "../onboard"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: %v (%d files)", dir, err, len(files))
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for i, line := range strings.Split(string(b), "\n") {
				if bare.MatchString(line) {
					t.Errorf("%s:%d logs without the request's context: %s", f, i+1, strings.TrimSpace(line))
				}
			}
		}
	}
}
