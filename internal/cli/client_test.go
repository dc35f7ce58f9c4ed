package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/server"
)

const testPassword = "correct-horse-battery"

// testServer runs a real Satchel server with an account "jo" until the test
// ends, and returns its base URL.
func testServer(t *testing.T, maxUpload int64) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cfg := server.Config{
		Addr:      l.Addr().String(),
		DataDir:   t.TempDir(),
		BaseURL:   "http://" + l.Addr().String(),
		MaxUpload: maxUpload,
		Passwords: account.Params{Memory: 1024, Time: 1, Threads: 1},
		Log:       slog.New(slog.DiscardHandler),
	}
	b, err := server.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Accounts.Create(ctx, "jo", account.Leaver, "Jo Bloggs", testPassword); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Accounts.Create(ctx, "sam.support", account.Helper, "Sam Support", testPassword); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- b.Serve(ctx, l) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return cfg.BaseURL
}

// user runs commands with its own configuration directory and environment,
// and keeps everything they printed.
type user struct {
	t      *testing.T
	env    map[string]string
	config string
	all    strings.Builder
}

func newUser(t *testing.T, password string) *user {
	return &user{t: t, env: map[string]string{"SATCHEL_PASSWORD": password}, config: t.TempDir()}
}

func (u *user) run(args ...string) (code int, stdout, stderr string) {
	u.t.Helper()
	var out, errb bytes.Buffer
	env := &Env{
		Stdin:     strings.NewReader(""),
		Stdout:    &out,
		Stderr:    &errb,
		Getenv:    func(k string) string { return u.env[k] },
		ConfigDir: u.config,
	}
	code = Main(context.Background(), env, args)
	u.all.WriteString(out.String() + errb.String())
	return code, out.String(), errb.String()
}

// must runs a command that should succeed and returns its standard output.
func (u *user) must(args ...string) string {
	u.t.Helper()
	code, out, errs := u.run(args...)
	if code != 0 {
		u.t.Fatalf("satchel %s: exit %d: %s", strings.Join(args, " "), code, errs)
	}
	return out
}

func (u *user) session() session {
	u.t.Helper()
	data, err := os.ReadFile(filepath.Join(u.config, "satchel", "session.json"))
	if err != nil {
		u.t.Fatal(err)
	}
	var s session
	if err := json.Unmarshal(data, &s); err != nil {
		u.t.Fatal(err)
	}
	return s
}

// checkNoSecrets fails if anything printed contains the token or password.
func (u *user) checkNoSecrets(token string) {
	u.t.Helper()
	if token != "" && strings.Contains(u.all.String(), token) {
		u.t.Error("the access token was printed")
	}
	if strings.Contains(u.all.String(), testPassword) {
		u.t.Error("the password was printed")
	}
}

// plainSentence checks that an error message is one sentence for people.
func plainSentence(t *testing.T, stderr string) {
	t.Helper()
	line := strings.TrimSpace(stderr)
	if !strings.HasPrefix(line, "satchel ") || !strings.HasSuffix(line, ".") || strings.Count(line, "\n") > 0 ||
		strings.ContainsAny(line, "{}") || strings.Contains(line, "Bearer") {
		t.Errorf("error is not a plain sentence: %q", stderr)
	}
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

var letter = []byte("%PDF-1.4\n% a letter from the housing office\n%%EOF\n")

func TestClientRoundTrip(t *testing.T) {
	base := testServer(t, 0)
	u := newUser(t, testPassword)
	dir := t.TempDir()

	out := u.must("login", "--server", base, "--username", "jo")
	s := u.session()
	if !strings.Contains(out, "Signed in as jo.") || !strings.Contains(out, s.Pod) || !strings.HasPrefix(s.Pod, base+"/pods/") {
		t.Fatalf("login said %q; session pod %q", out, s.Pod)
	}
	if s.Server != base || s.Username != "jo" || s.AccessToken == "" || s.Expires.IsZero() {
		t.Errorf("session = %+v", s)
	}
	if runtime.GOOS != "windows" {
		for name, want := range map[string]os.FileMode{"satchel": 0o700, "satchel/session.json": 0o600} {
			if st, err := os.Stat(filepath.Join(u.config, name)); err != nil || st.Mode().Perm() != want {
				t.Errorf("%s: %v, %v; want mode %v", name, st, err, want)
			}
		}
	}

	local := writeFile(t, filepath.Join(dir, "letter.pdf"), letter)
	if got := strings.TrimSpace(u.must("put", local, "documents/letter.pdf")); got != s.Pod+"documents/letter.pdf" {
		t.Errorf("put printed %q", got)
	}
	ls := u.must("ls", "documents/")
	if !strings.Contains(ls, "letter.pdf") || !strings.Contains(ls, "application/pdf") || strings.Count(ls, "\n") != 1 {
		t.Errorf("ls documents/ = %q", ls)
	}
	if root := u.must("ls"); !strings.Contains(root, "documents/") || !strings.Contains(root, "folder") {
		t.Errorf("ls = %q", root)
	}
	if one := u.must("ls", "documents/letter.pdf"); !strings.HasPrefix(one, "letter.pdf") {
		t.Errorf("ls documents/letter.pdf = %q", one)
	}

	if got := u.must("get", "documents/letter.pdf"); got != string(letter) {
		t.Errorf("get returned %q", got)
	}
	copyName := filepath.Join(dir, "copy.pdf")
	for _, args := range [][]string{
		{"get", "-o", copyName, "documents/letter.pdf"},
		{"get", "documents/letter.pdf", "-o", copyName},
	} {
		if out := u.must(args...); out != "" {
			t.Errorf("%v printed %q", args, out)
		}
		if got, err := os.ReadFile(copyName); err != nil || !bytes.Equal(got, letter) {
			t.Errorf("%v wrote %q, %v", args, got, err)
		}
		os.Remove(copyName)
	}

	// Spaces and other characters survive the trip, one segment at a time.
	u.must("put", local, "documents/my letter #2.pdf")
	if ls := u.must("ls", "documents/"); !strings.Contains(ls, "my letter #2.pdf") {
		t.Errorf("ls after put with spaces = %q", ls)
	}
	u.must("rm", "documents/my letter #2.pdf")

	posted := strings.TrimSpace(u.must("put", local, "documents/"))
	if !strings.HasPrefix(posted, s.Pod+"documents/") || posted == s.Pod+"documents/letter.pdf" {
		t.Fatalf("put into documents/ printed %q", posted)
	}
	if got := u.must("get", posted); got != string(letter) {
		t.Errorf("get %s returned %q", posted, got)
	}
	u.must("rm", posted)
	code, stdout, stderr := u.run("get", posted)
	if code != 1 || stdout != "" || !strings.Contains(stderr, "Nothing is stored at this address.") {
		t.Errorf("get after rm: exit %d, %q, %q", code, stdout, stderr)
	}
	plainSentence(t, stderr)

	u.checkNoSecrets(s.AccessToken)
}

func TestGetToExistingFileKeepsItOnError(t *testing.T) {
	base := testServer(t, 0)
	u := newUser(t, testPassword)
	u.must("login", "--server", base, "--username", "jo")
	dir := t.TempDir()
	name := writeFile(t, filepath.Join(dir, "keep.pdf"), []byte("precious"))
	code, _, stderr := u.run("get", "documents/missing.pdf", "-o", name)
	if code != 1 {
		t.Fatalf("exit %d, %q", code, stderr)
	}
	plainSentence(t, stderr)
	if got, _ := os.ReadFile(name); string(got) != "precious" {
		t.Errorf("existing file now holds %q", got)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("left behind: %v", ents)
	}
	u.checkNoSecrets(u.session().AccessToken)
}

func TestWrongPassword(t *testing.T) {
	base := testServer(t, 0)
	u := newUser(t, "not-the-password")
	code, stdout, stderr := u.run("login", "--server", base, "--username", "jo")
	if code != 1 || stdout != "" || !strings.Contains(stderr, "That username and password do not match.") {
		t.Errorf("exit %d, %q, %q", code, stdout, stderr)
	}
	plainSentence(t, stderr)
	if _, err := os.Stat(filepath.Join(u.config, "satchel", "session.json")); err == nil {
		t.Error("a session was saved")
	}
	if strings.Contains(stderr, "not-the-password") || strings.Contains(stderr, "token") {
		t.Errorf("error shows secrets: %q", stderr)
	}
}

func TestNotSignedIn(t *testing.T) {
	u := newUser(t, testPassword)
	for _, args := range [][]string{{"ls"}, {"get", "documents/a.pdf"}, {"rm", "documents/a.pdf"}, {"put", writeFile(t, filepath.Join(t.TempDir(), "a.pdf"), letter), "documents/"}} {
		code, _, stderr := u.run(args...)
		if code != 1 || !strings.Contains(stderr, "You are not signed in: run satchel login --server URL --username NAME first.") {
			t.Errorf("%v: exit %d, %q", args, code, stderr)
		}
	}
}

func TestSignInRefused(t *testing.T) {
	base := testServer(t, 0)
	u := newUser(t, testPassword)
	u.must("login", "--server", base, "--username", "jo")
	s := u.session()
	s.AccessToken = "not-a-real-token"
	if err := saveSession(&Env{ConfigDir: u.config}, &s); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := u.run("ls")
	if code != 1 || !strings.Contains(stderr, "expired or is missing") || !strings.Contains(stderr, "satchel login") {
		t.Errorf("exit %d, %q", code, stderr)
	}
	s.Expires = time.Now().Add(-time.Minute)
	if err := saveSession(&Env{ConfigDir: u.config}, &s); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := u.run("get", "documents/a.pdf"); code != 1 || !strings.Contains(stderr, "expired or is missing") {
		t.Errorf("expired session: exit %d, %q", code, stderr)
	}
}

func TestServerUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + l.Addr().String()
	l.Close()
	u := newUser(t, testPassword)
	code, _, stderr := u.run("login", "--server", base, "--username", "jo")
	if code != 1 || !strings.Contains(stderr, "Cannot reach the server at "+base) {
		t.Errorf("exit %d, %q", code, stderr)
	}
	plainSentence(t, stderr)
	if err := saveSession(&Env{ConfigDir: u.config}, &session{Server: base, Username: "jo", AccessToken: "secret-token", Pod: base + "/pods/x/"}); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = u.run("ls", "documents/")
	if code != 1 || !strings.Contains(stderr, "Cannot reach the server at "+base) {
		t.Errorf("exit %d, %q", code, stderr)
	}
	u.checkNoSecrets("secret-token")
}

func TestPutRefusals(t *testing.T) {
	base := testServer(t, 100<<10)
	u := newUser(t, testPassword)
	u.must("login", "--server", base, "--username", "jo")
	dir := t.TempDir()

	code, _, stderr := u.run("put", writeFile(t, filepath.Join(dir, "notes.xyz"), []byte("hello")), "documents/notes")
	if code != 2 || !strings.Contains(stderr, "--type") {
		t.Errorf("unknown extension: exit %d, %q", code, stderr)
	}
	// --type after the arguments works too.
	u.must("put", filepath.Join(dir, "notes.xyz"), "documents/notes.txt", "--type", "text/plain")
	if got := u.must("get", "documents/notes.txt"); got != "hello" {
		t.Errorf("get notes.txt = %q", got)
	}

	big := writeFile(t, filepath.Join(dir, "big.pdf"), append([]byte("%PDF-1.4\n"), make([]byte, 1<<20)...))
	code, _, stderr = u.run("put", big, "documents/big.pdf")
	if code != 1 || !strings.Contains(stderr, "This file is too big to store.") {
		t.Errorf("too big: exit %d, %q", code, stderr)
	}
	plainSentence(t, stderr)

	fake := writeFile(t, filepath.Join(dir, "fake.pdf"), []byte("not a pdf"))
	code, _, stderr = u.run("put", fake, "documents/")
	if code != 1 || !strings.Contains(stderr, "do not match its type") {
		t.Errorf("fake pdf: exit %d, %q", code, stderr)
	}
	code, _, stderr = u.run("ls", "documents")
	if code != 1 || !strings.Contains(stderr, "documents/") {
		t.Errorf("ls without slash: exit %d, %q", code, stderr)
	}
	code, _, stderr = u.run("get", "http://elsewhere.example/pods/x/a.pdf")
	if code != 1 || !strings.Contains(stderr, "not on your server") {
		t.Errorf("other server: exit %d, %q", code, stderr)
	}
	u.checkNoSecrets(u.session().AccessToken)
}

func TestResolve(t *testing.T) {
	s := &session{Server: "https://s.example", Pod: "https://s.example/pods/abc/"}
	for in, want := range map[string]string{
		"":                   "https://s.example/pods/abc/",
		"housing/":           "https://s.example/pods/abc/housing/",
		"/housing/a b.pdf":   "https://s.example/pods/abc/housing/a%20b.pdf",
		"docs/50%?#.txt":     "https://s.example/pods/abc/docs/50%25%3F%23.txt",
		"https://s.example/": "https://s.example/",
	} {
		if got, err := s.resolve(in); err != nil || got != want {
			t.Errorf("resolve(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestParseArgs(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	o := fs.String("o", "", "")
	rest, err := parseArgs(fs, []string{"a", "-o", "f", "b", "--", "-c"})
	if err != nil || *o != "f" || strings.Join(rest, " ") != "a b -c" {
		t.Errorf("got %q, %q, %v", rest, *o, err)
	}
}
