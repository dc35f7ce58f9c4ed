package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/server"
)

// testServer is a real Satchel server on loopback over a fresh data
// directory, with cheap password hashing.
type testServer struct {
	t    testing.TB
	url  string
	data string
	b    *server.Backend
}

func newTestServer(t testing.TB, tweak ...func(*server.Config)) *testServer {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	cfg := server.Config{
		Addr:      ts.Listener.Addr().String(),
		DataDir:   t.TempDir(),
		BaseURL:   "http://" + ts.Listener.Addr().String(),
		Passwords: account.Params{Memory: 1024, Time: 1, Threads: 1},
		Log:       slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	for _, f := range tweak {
		f(&cfg)
	}
	b, err := server.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = b.Handler()
	ts.Config.MaxHeaderBytes = 16 << 10
	ts.Start()
	t.Cleanup(ts.Close)
	return &testServer{t: t, url: "http://" + ts.Listener.Addr().String(), data: cfg.DataDir, b: b}
}

// podURL is the URL of pod id on this server's own address (which differs
// from the base URL when several instances share one).
func (s *testServer) podURL(id string) string { return s.url + "/pods/" + id + "/" }

// leaver makes a leaver account and returns its pod URL and a token.
func (s *testServer) leaver(username string) (podURL, token string) {
	s.t.Helper()
	a, err := s.b.Accounts.Create(context.Background(), username, account.Leaver, "Test "+username, "correct-horse-battery")
	if err != nil {
		s.t.Fatal(err)
	}
	tok, _, err := s.b.Tokens.Issue(a)
	if err != nil {
		s.t.Fatal(err)
	}
	return s.podURL(string(a.Pod)), tok
}

// testLog sends the server's warnings and errors to the test's log, so a
// 500 in a test shows its cause.
type testLog struct{ t testing.TB }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) problem(t *testing.T) map[string]any {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("status %d with Content-Type %q, want application/problem+json; body %s", r.status, ct, r.body)
	}
	var p map[string]any
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("problem body: %v", err)
	}
	if d, _ := p["detail"].(string); d == "" {
		t.Fatalf("problem without a detail: %s", r.body)
	}
	return p
}

// do sends a request; headers come in name, value pairs.
func (s *testServer) do(method, url, token string, body io.Reader, headers ...string) response {
	s.t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		s.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	if sr, ok := body.(*strings.Reader); ok {
		req.ContentLength = int64(sr.Len())
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, b}
}

func expect(t *testing.T, r response, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body: %s", r.status, status, r.body)
	}
}
