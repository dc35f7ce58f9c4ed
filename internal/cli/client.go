package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

func init() {
	register("login", "sign in to a Satchel server: satchel login --server URL --username NAME", runLogin)
	register("ls", "list a folder in your pod: satchel ls [PATH]", runLs)
	register("put", "upload a file to your pod: satchel put FILE PATH", runPut)
	register("get", "download a file from your pod: satchel get PATH [-o FILE]", runGet)
	register("rm", "delete a file or an empty folder from your pod: satchel rm PATH", runRm)
}

// shortTimeout bounds the commands that move no file contents.
const shortTimeout = 2 * time.Minute

func runLogin(ctx context.Context, env *Env, args []string) error {
	fs := flags(env, "login", "--server URL --username NAME")
	server := fs.String("server", envOr(env, "SATCHEL_SERVER", ""), "address of the Satchel server, e.g. https://satchel.example.org (SATCHEL_SERVER)")
	username := fs.String("username", envOr(env, "SATCHEL_USERNAME", ""), "the name you sign in with (SATCHEL_USERNAME)")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 || *server == "" || *username == "" {
		return usagef("use: satchel login --server URL --username NAME")
	}
	base, err := normalizeServer(*server)
	if err != nil {
		return err
	}
	if u, _ := url.Parse(base); u.Scheme == "http" && !isLoopback(u.Hostname()) {
		fmt.Fprintf(env.Stderr, "Warning: %s is not encrypted, so your password and files can be read on the way. Use an https:// address if the server has one.\n", base)
	}
	pw, err := password(env, "Password for "+*username+": ")
	if err != nil {
		return err
	}
	body, _ := json.Marshal(map[string]string{"username": *username, "password": pw})
	ctx, cancel := context.WithTimeout(ctx, shortTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/auth/token", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	hc := newHTTPClient()
	defer hc.CloseIdleConnections()
	resp, err := hc.Do(req)
	if err != nil {
		return netError(ctx, base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return statusError(resp, false)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int64  `json:"expires_in"`
		Pod         string `json:"pod"`
	}
	notSatchel := fmt.Errorf("the server at %s did not answer like a Satchel server: check the address", base)
	if json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&tok) != nil ||
		tok.AccessToken == "" || !strings.EqualFold(tok.TokenType, "Bearer") {
		return notSatchel
	}
	if tok.Pod != "" {
		if u, err := url.Parse(tok.Pod); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return notSatchel
		}
		if !strings.HasSuffix(tok.Pod, "/") {
			tok.Pod += "/"
		}
	}
	s := &session{Server: base, Username: *username, AccessToken: tok.AccessToken, Pod: tok.Pod}
	if tok.ExpiresIn > 0 {
		s.Expires = time.Now().Add(time.Duration(tok.ExpiresIn) * time.Second).UTC()
	}
	if err := saveSession(env, s); err != nil {
		return err
	}
	if s.Pod == "" {
		fmt.Fprintf(env.Stdout, "Signed in as %s. This account has no pod of its own.\n", s.Username)
	} else {
		fmt.Fprintf(env.Stdout, "Signed in as %s. Your pod is at %s.\n", s.Username, s.Pod)
	}
	if !s.Expires.IsZero() {
		fmt.Fprintf(env.Stdout, "This sign-in lasts until %s; then run satchel login again.\n", s.Expires.Local().Format("2006-01-02 15:04"))
	}
	return nil
}

// contentTypes maps file extensions to the types a pod stores.
var contentTypes = map[string]string{
	".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
	".png": "image/png", ".heic": "image/heic", ".heif": "image/heif",
	".json": "application/json", ".jsonld": "application/ld+json", ".txt": "text/plain",
}

func runPut(ctx context.Context, env *Env, args []string) error {
	fs := flags(env, "put", "FILE PATH [--type TYPE]")
	ctype := fs.String("type", "", "kind of file, e.g. application/pdf (default: from the file name)")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 2 {
		return usagef("give the file to upload and where to put it, e.g. satchel put letter.pdf documents/")
	}
	local, remote := rest[0], rest[1]
	mt := *ctype
	if mt == "" {
		if mt = contentTypes[strings.ToLower(filepath.Ext(local))]; mt == "" {
			return usagef("cannot tell what kind of file %s is from its name: add --type, e.g. --type application/pdf", local)
		}
	}
	f, err := os.Open(local)
	if err != nil {
		return fmt.Errorf("cannot open %s: %v", local, pathErr(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("cannot read %s: %v", local, pathErr(err))
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s is not an ordinary file: put sends one file at a time", local)
	}
	c, err := connect(env)
	if err != nil {
		return err
	}
	defer c.close()
	u, err := c.sess.resolve(remote)
	if err != nil {
		return err
	}
	method := http.MethodPut
	if isContainer(u) {
		method = http.MethodPost
	}
	body := &fileBody{r: f, name: local, size: st.Size()}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return err
	}
	req.ContentLength = st.Size()
	if st.Size() == 0 {
		req.Body = http.NoBody
	}
	if st.Size() > 64<<10 {
		// Let the server refuse (too big, signed out) before the upload.
		req.Header.Set("Expect", "100-continue")
	}
	req.Header.Set("Content-Type", mt)
	if method == http.MethodPost {
		req.Header.Set("Slug", clean(filepath.Base(local)))
	}
	resp, err := c.do(req)
	if err != nil {
		if body.err != nil {
			return body.err
		}
		return err
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); loc != "" {
		if l, err := req.URL.Parse(loc); err == nil {
			u = l.String()
		}
	}
	fmt.Fprintln(env.Stdout, u)
	return nil
}

// fileBody streams exactly size bytes of a local file and remembers why
// reading it failed, so that the user hears about the file, not the network.
type fileBody struct {
	r    io.Reader
	name string
	size int64
	n    int64
	err  error
}

func (b *fileBody) Read(p []byte) (int, error) {
	if b.n >= b.size {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), b.size-b.n)]
	n, err := b.r.Read(p)
	b.n += int64(n)
	switch {
	case err == io.EOF && b.n < b.size:
		b.err = fmt.Errorf("%s changed while it was being sent: nothing was stored, try again", b.name)
	case err != nil && err != io.EOF:
		b.err = fmt.Errorf("cannot read %s: %v", b.name, pathErr(err))
	default:
		return n, err
	}
	return n, b.err
}

func runGet(ctx context.Context, env *Env, args []string) error {
	fs := flags(env, "get", "PATH [-o FILE]")
	out := fs.String("o", "", "save to FILE instead of showing it (FILE is replaced only when the download is complete)")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("give one address to download, e.g. satchel get documents/letter.pdf -o letter.pdf")
	}
	toFile, perm, err := outputFile(*out, "")
	if err != nil {
		return err
	}
	c, err := connect(env)
	if err != nil {
		return err
	}
	defer c.close()
	u, err := c.sess.resolve(rest[0])
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := c.do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body := &netBody{r: resp.Body}
	cut := func() error {
		if ctx.Err() != nil {
			return errors.New("stopped before the download finished")
		}
		return errors.New("the download was cut off before the end: try again")
	}
	if !toFile {
		if _, err := io.Copy(env.Stdout, body); err != nil {
			if body.err != nil {
				return cut()
			}
			return err
		}
		return nil
	}
	err = writeAtomic(*out, perm, func(w io.Writer) error {
		_, err := io.Copy(w, body)
		return err
	})
	switch {
	case err == nil:
		return nil
	case body.err != nil:
		return fmt.Errorf("%v (%s was not changed)", cut(), *out)
	}
	return fmt.Errorf("cannot save %s: %v", *out, pathErr(err))
}

// netBody remembers read errors, to tell a broken download from a full disk.
type netBody struct {
	r   io.Reader
	err error
}

func (b *netBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		b.err = err
	}
	return n, err
}

func runRm(ctx context.Context, env *Env, args []string) error {
	fs := flags(env, "rm", "PATH")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("give one address to delete, e.g. satchel rm documents/old-letter.pdf")
	}
	c, err := connect(env)
	if err != nil {
		return err
	}
	defer c.close()
	u, err := c.sess.resolve(rest[0])
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, shortTimeout)
	defer cancel()
	if err := c.call(ctx, http.MethodDelete, u, nil, nil); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Deleted %s.\n", rest[0])
	return nil
}
