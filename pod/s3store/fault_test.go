package s3store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/satchel-project/satchel/pod"
)

const secret = "s3cr3t-that-must-not-leak"

func cfgFor(endpoint string) Config {
	return Config{Bucket: "satchel-test", Endpoint: endpoint, AccessKeyID: "satchel", SecretAccessKey: secret}
}

// closedPort returns a loopback address on which nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// ops runs every operation of s and returns their errors by name.
func ops(ctx context.Context, s *Store) map[string]error {
	errs := map[string]error{}
	errs["Ping"] = s.Ping(ctx)
	_, _, errs["Get"] = s.Get(ctx, "a/b")
	_, errs["Stat"] = s.Stat(ctx, "a/b")
	_, errs["Put"] = s.Put(ctx, "a/b", bytes.NewReader([]byte("x")), 1, pod.Cond{})
	_, errs["Put If-None-Match"] = s.Put(ctx, "a/b", bytes.NewReader([]byte("x")), 1, pod.Cond{IfNoneMatch: true})
	_, errs["Put unknown size"] = s.Put(ctx, "a/b", bytes.NewReader([]byte("x")), -1, pod.Cond{})
	errs["Delete"] = s.Delete(ctx, "a/b", pod.Cond{})
	errs["List"] = s.List(ctx, "a/", func(pod.ObjectInfo) error { return nil })
	return errs
}

func checkUnavailable(t *testing.T, within time.Duration, op string, start time.Time, err error) {
	t.Helper()
	if took := time.Since(start); !errors.Is(err, pod.ErrUnavailable) || took > within {
		t.Errorf("%s: %v after %v, want ErrUnavailable within %v", op, err, took.Round(time.Millisecond), within)
	}
	if err != nil && strings.Contains(err.Error(), secret) {
		t.Errorf("%s: error shows the secret key: %v", op, err)
	}
}

// TestStoppedServer: a server that is down (nothing listens on its port)
// makes every operation fail with ErrUnavailable within a few seconds.
func TestStoppedServer(t *testing.T) {
	addr := closedPort(t)
	ctx := context.Background()
	start := time.Now()
	_, err := Open(ctx, cfgFor(addr))
	checkUnavailable(t, 5*time.Second, "Open", start, err)

	s, err := newStore(cfgFor(addr))
	if err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	for op, err := range ops(ctx, s) {
		checkUnavailable(t, 5*time.Second, op, start, err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("all operations took %v", took)
	}
}

// TestHangingServer: a server that accepts requests and never answers makes
// operations fail with ErrUnavailable once the response timeout passes.
func TestHangingServer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer srv.Close()
	cfg := cfgFor(strings.TrimPrefix(srv.URL, "http://"))
	cfg.ResponseTimeout = 200 * time.Millisecond
	s, err := newStore(cfg)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = s.Stat(context.Background(), "a/b")
	checkUnavailable(t, 5*time.Second, "Stat", start, err)
}

// TestServerErrors: 5xx answers and S3's "slow down" are ErrUnavailable;
// the SDK retries them only briefly.
func TestServerErrors(t *testing.T) {
	for _, c := range []struct {
		status int
		code   string
	}{
		{503, "SlowDown"},
		{503, "ServiceUnavailable"},
		{500, "InternalError"},
		{502, ""},
	} {
		t.Run(strings.TrimSpace(fmt.Sprint(c.status, " ", c.code)), func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/xml")
				w.WriteHeader(c.status)
				if c.code != "" && r.Method != http.MethodHead {
					w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>` + c.code + `</Code><Message>try later</Message></Error>`))
				}
			}))
			defer srv.Close()
			s, err := newStore(cfgFor(strings.TrimPrefix(srv.URL, "http://")))
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			for op, err := range ops(context.Background(), s) {
				checkUnavailable(t, 5*time.Second, op, start, err)
			}
		})
	}
}

// TestBadCredentials: a wrong secret key is an error that is not
// ErrUnavailable and does not show the key.
func TestBadCredentials(t *testing.T) {
	cfg := testConfig(t)
	cfg.SecretAccessKey = secret
	_, err := Open(context.Background(), cfg)
	if err == nil || errors.Is(err, pod.ErrUnavailable) || strings.Contains(err.Error(), secret) {
		t.Fatalf("Open with a wrong secret key: %v", err)
	}
	t.Log(err)
}
