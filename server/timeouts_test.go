package server

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

// The time limits of deadlines, tried with short ones: a body that stalls
// is cut off, a document gets longer, and a request whose body is in keeps
// its context however long its answer takes.

const shortBody = 100 * time.Millisecond

// timedServer serves h under deadlines with a short body allowance and an
// upload allowance of a minute.
func timedServer(t *testing.T, h http.HandlerFunc) string {
	ts := httptest.NewServer(deadlines(h, shortBody, time.Minute, time.Minute))
	t.Cleanup(ts.Close)
	return ts.Listener.Addr().String()
}

// send writes a raw request head and the first part of its body, and
// returns the connection.
func send(t *testing.T, addr, head, body string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := io.WriteString(c, head+"\r\n"+body); err != nil {
		t.Fatal(err)
	}
	return c
}

// reading is a handler that reads the body and reports how that went.
func reading(got chan<- error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		got <- err
	}
}

func wait(t *testing.T, got <-chan error) error {
	t.Helper()
	select {
	case err := <-got:
		return err
	case <-time.After(30 * time.Second): // a failure bound, not a pause
		t.Fatal("the handler never finished reading")
		return nil
	}
}

func TestStalledBodyIsCutOff(t *testing.T) {
	got := make(chan error, 1)
	addr := timedServer(t, reading(got))
	send(t, addr, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n", "only part")
	start := time.Now()
	err := wait(t, got)
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("a stalled body read: %v, want a deadline error", err)
	}
	if d := time.Since(start); d > 10*shortBody {
		t.Fatalf("a stalled body was cut off after %v", d)
	}
}

func TestDocumentGetsTheUploadAllowance(t *testing.T) {
	got := make(chan error, 1)
	addr := timedServer(t, reading(got))
	size := 100 << 10
	c := send(t, addr, fmt.Sprintf("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n", size), "")
	half := strings.Repeat("x", size/2)
	io.WriteString(c, half)
	time.Sleep(3 * shortBody) // longer than a small body may take: what is tried
	io.WriteString(c, half)
	if err := wait(t, got); err != nil {
		t.Fatalf("a slow document: %v", err)
	}
}

func TestLongAnswerKeepsItsContext(t *testing.T) {
	addr := timedServer(t, func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body)
		time.Sleep(3 * shortBody) // work that outlasts the body allowance: what is tried
		if err := r.Context().Err(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		io.WriteString(w, "ok")
	})
	for _, req := range []string{
		"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
	} {
		head, body, _ := strings.Cut(req, "\r\n\r\n")
		c := send(t, addr, head+"\r\n", body)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || string(b) != "ok" {
			t.Errorf("%s: %d %s", strings.Fields(req)[0], resp.StatusCode, b)
		}
	}
}
