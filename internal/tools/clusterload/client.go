package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"
)

// client talks to the pod through the balancer with a bearer token.
type client struct {
	base  string
	http  *http.Client
	token string
	pod   string // the pod's URL, ending in /
}

// signIn gets a bearer token from /auth/token, trying for up to 20 s while
// the balancer finds its servers.
func (c *client) signIn(ctx context.Context, username, password string) error {
	body, _ := json.Marshal(map[string]string{"username": username, "password": password})
	var last string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		req, _ := http.NewRequestWithContext(ctx, "POST", c.base+"/auth/token", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.http.Do(req)
		if err != nil {
			last = err.Error()
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			last = fmt.Sprintf("%d %s", resp.StatusCode, b)
			if resp.StatusCode == http.StatusUnauthorized {
				break
			}
			continue
		}
		var t struct {
			AccessToken string `json:"access_token"`
			Pod         string `json:"pod"`
		}
		if err := json.Unmarshal(b, &t); err != nil || t.AccessToken == "" || t.Pod == "" {
			return fmt.Errorf("sign-in answered %s", b)
		}
		c.token, c.pod = t.AccessToken, t.Pod
		if !strings.HasSuffix(c.pod, "/") {
			c.pod += "/"
		}
		return nil
	}
	return fmt.Errorf("could not sign in through %s: %s", c.base, last)
}

// reply is what one request came to: a status, or the kind of error that
// kept it from having one.
type reply struct {
	status   int
	body     []byte
	header   http.Header
	errKind  string // "" when there is a status
	start    time.Time
	duration time.Duration
}

func (r reply) ok() bool { return r.errKind == "" && r.status >= 200 && r.status < 300 }

// kind names the outcome for counting: "201", "503", "connection reset"...
func (r reply) kind() string {
	if r.errKind != "" {
		return r.errKind
	}
	return fmt.Sprint(r.status)
}

func (c *client) do(ctx context.Context, method, url string, body []byte, header ...string) reply {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return reply{errKind: "bad request: " + err.Error(), start: time.Now()}
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	r := reply{start: time.Now()}
	resp, err := c.http.Do(req)
	if err == nil {
		r.body, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		r.status, r.header = resp.StatusCode, resp.Header
	}
	r.duration = time.Since(r.start)
	if err != nil {
		r.status, r.errKind = 0, errKind(err)
	}
	return r
}

// errKind sorts transport errors into a few kinds worth counting.
func errKind(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed"
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	}
	return "error: " + err.Error()
}
