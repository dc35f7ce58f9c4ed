package cli

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"
)

// session is what "satchel login" keeps between commands. The file holds a
// bearer token, so it is written with mode 0600 in a 0700 directory.
type session struct {
	Server      string    `json:"server"`
	Username    string    `json:"username"`
	AccessToken string    `json:"access_token"`
	Pod         string    `json:"pod,omitempty"`
	Expires     time.Time `json:"expires"`
}

var (
	errNoSession = errors.New("you are not signed in: run satchel login --server URL --username NAME first")
	errSignedOut = errors.New("your sign-in has expired or is missing: run satchel login again")
)

// sessionFile is <configdir>/satchel/session.json.
func sessionFile(env *Env) (string, error) {
	dir := env.ConfigDir
	if dir == "" {
		d, err := os.UserConfigDir()
		if err != nil {
			return "", fmt.Errorf("cannot find a folder to keep your sign-in in: %v", err)
		}
		dir = d
	}
	return filepath.Join(dir, "satchel", "session.json"), nil
}

// loadSession reads the saved session, refusing one that has expired.
func loadSession(env *Env, now time.Time) (*session, error) {
	name, err := sessionFile(env)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errNoSession
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read your sign-in from %s: %v", name, pathErr(err))
	}
	var s session
	if err := json.Unmarshal(data, &s); err != nil || s.Server == "" || s.AccessToken == "" {
		return nil, fmt.Errorf("the sign-in saved in %s is damaged: run satchel login again", name)
	}
	if !s.Expires.IsZero() && !now.Before(s.Expires) {
		return nil, errSignedOut
	}
	return &s, nil
}

// saveSession writes s atomically with mode 0600.
func saveSession(env *Env, s *session) error {
	name, err := sessionFile(env)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(name), 0o700); err != nil {
		return fmt.Errorf("cannot create the folder %s: %v", filepath.Dir(name), pathErr(err))
	}
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	err = writeAtomic(name, 0o600, func(w io.Writer) error {
		_, err := w.Write(append(data, '\n'))
		return err
	})
	if err != nil {
		return fmt.Errorf("cannot save your sign-in in %s: %v", name, err)
	}
	return nil
}

// outputFile checks an -o FILE flag: "" or "-" means standard output. A
// file that exists keeps its mode; a new one gets 0600. A folder is a usage
// mistake, told with the given ending (a full stop or none).
func outputFile(name, end string) (toFile bool, perm os.FileMode, err error) {
	if name == "" || name == "-" {
		return false, 0, nil
	}
	perm = 0o600
	if st, err := os.Stat(name); err == nil && st.IsDir() {
		return false, 0, usagef("-o %s is a folder: give the name of a file%s", name, end)
	} else if err == nil {
		perm = st.Mode().Perm()
	}
	return true, perm, nil
}

// writeAtomic writes name through a temporary file in the same directory
// and renames it into place, so that name is either left as it was or
// replaced whole. On any error the temporary file is removed.
func writeAtomic(name string, perm os.FileMode, write func(io.Writer) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*.tmp")
	if err != nil {
		return pathErr(err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := f.Chmod(perm); err != nil {
		return pathErr(err)
	}
	if err := write(f); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return pathErr(err)
	}
	if err := f.Close(); err != nil {
		return pathErr(err)
	}
	if err := os.Rename(tmp, name); err != nil {
		return pathErr(err)
	}
	return nil
}

// pathErr drops the operation and path from an *fs.PathError, whose
// message the caller already words in its own sentence.
func pathErr(err error) error {
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		return pe.Err
	case errors.As(err, &le):
		return le.Err
	}
	return err
}

// normalizeServer turns what the user typed for --server into a base URL
// without a trailing slash. A missing scheme means https.
func normalizeServer(s string) (string, error) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", usagef("--server: %q is not a server address like https://satchel.example.org", s)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	return strings.TrimRight(u.String(), "/"), nil
}

// origin is scheme://host of a URL, for deciding where a token may go.
func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host)
}

// resolve turns a PATH argument into a URL: a full http(s) URL on the
// signed-in server as it is, anything else relative to the user's pod root,
// each segment escaped and "/" kept.
func (s *session) resolve(p string) (string, error) {
	if strings.HasPrefix(p, "http://") || strings.HasPrefix(p, "https://") {
		u, err := url.Parse(p)
		if err != nil || u.Host == "" {
			return "", usagef("%q is not a valid address", p)
		}
		if o := origin(p); o != origin(s.Server) && (s.Pod == "" || o != origin(s.Pod)) {
			return "", fmt.Errorf("%s is not on your server (%s): satchel only sends your sign-in there", p, s.Server)
		}
		return p, nil
	}
	if s.Pod == "" {
		return "", fmt.Errorf("the account %s has no pod of its own: give a full address instead of %q", s.Username, p)
	}
	segs := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i, seg := range segs {
		segs[i] = url.PathEscape(seg)
	}
	return strings.TrimSuffix(s.Pod, "/") + "/" + strings.Join(segs, "/"), nil
}

// conn is a signed-in connection to the server.
type conn struct {
	sess *session
	hc   *http.Client
}

// connect loads the saved session. Call close when done.
func connect(env *Env) (*conn, error) {
	s, err := loadSession(env, time.Now())
	if err != nil {
		return nil, err
	}
	return &conn{sess: s, hc: newHTTPClient()}, nil
}

func (c *conn) close() { c.hc.CloseIdleConnections() }

// newHTTPClient has no overall timeout, so that large files can take as
// long as they need, but gives up on a server that does not connect or does
// not start answering. It never follows redirects: the token must not go
// anywhere the user did not sign in to.
func newHTTPClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	tr.TLSHandshakeTimeout = 30 * time.Second
	tr.ResponseHeaderTimeout = 2 * time.Minute
	return &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// do sends req with the session's token and returns a 2xx response, or an
// error sentence (closing the body).
func (c *conn) do(req *http.Request) (*http.Response, error) {
	req.Header.Set("Authorization", "Bearer "+c.sess.AccessToken)
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, netError(req.Context(), c.sess.Server, err)
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		return nil, statusError(resp, true)
	}
	return resp, nil
}

// netError words a failure to talk to the server.
func netError(ctx context.Context, server string, err error) error {
	if ctx.Err() != nil {
		return errors.New("stopped before the server answered")
	}
	reason := ""
	var ne net.Error
	var dns *net.DNSError
	var cert *tls.CertificateVerificationError
	switch {
	case errors.As(err, &dns):
		reason = " (no server has that name)"
	case errors.As(err, &cert):
		reason = " (its security certificate is not valid)"
	case errors.Is(err, syscall.ECONNREFUSED):
		reason = " (nothing is answering there)"
	case errors.As(err, &ne) && ne.Timeout():
		reason = " (it did not answer in time)"
	}
	return fmt.Errorf("cannot reach the server at %s%s", server, reason)
}

// httpError is a refusal from the server, worded for people.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

// statusError turns a non-2xx response into a sentence: the server's own
// problem detail when it sent one. With authed, 401 means the saved sign-in
// no longer works.
func statusError(resp *http.Response, authed bool) error {
	code := resp.StatusCode
	if code == http.StatusUnauthorized && authed {
		return &httpError{code, errSignedOut.Error()}
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt == "application/problem+json" {
		var p struct {
			Detail string `json:"detail"`
		}
		if json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&p) == nil && clean(p.Detail) != "" {
			return &httpError{code, clean(p.Detail)}
		}
	}
	status := fmt.Sprintf("%d %s", code, http.StatusText(code))
	switch {
	case code == http.StatusNotFound:
		return &httpError{code, "nothing is stored at this address"}
	case code/100 == 3:
		return &httpError{code, fmt.Sprintf("the server sent this request elsewhere (%s): check the server address and run satchel login again", status)}
	case code/100 == 5:
		return &httpError{code, fmt.Sprintf("the server had a problem (%s): try again later", status)}
	}
	return &httpError{code, fmt.Sprintf("the server refused this (%s)", status)}
}

// clean removes control characters from text the server sent, so that it
// cannot play tricks on the terminal.
func clean(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, s))
}

// parseArgs parses flags wherever they appear among the arguments (the flag
// package alone stops at the first non-flag), and returns the others.
// Everything after "--" is an argument.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := parse(fs, args); err != nil {
			return nil, err
		}
		left := fs.Args()
		if n := len(args) - len(left); n > 0 && args[n-1] == "--" {
			return append(rest, left...), nil
		}
		if len(left) == 0 {
			return rest, nil
		}
		rest, args = append(rest, left[0]), left[1:]
	}
}

// isLoopback reports whether host is this machine, where plain http is safe.
func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

// isContainer reports whether a URL names a container (ends in "/").
func isContainer(u string) bool {
	p, err := url.Parse(u)
	return err == nil && strings.HasSuffix(p.EscapedPath(), "/")
}

// call sends a JSON request (body may be nil) and decodes a JSON answer
// into out (which may be nil).
func (c *conn) call(ctx context.Context, method, u string, body []byte, out any) error {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, r)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if out != nil {
		return c.doJSON(req, out)
	}
	resp, err := c.do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// doJSON sends req and decodes its JSON answer into v.
func (c *conn) doJSON(req *http.Request, v any) error {
	req.Header.Set("Accept", "application/json")
	resp, err := c.do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(io.LimitReader(resp.Body, 16<<20)).Decode(v); err != nil {
		if req.Context().Err() != nil {
			return errors.New("stopped before the server answered")
		}
		return errors.New("the server's answer could not be read: check that it is a Satchel server")
	}
	return nil
}
