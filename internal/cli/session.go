package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
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
