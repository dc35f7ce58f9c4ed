package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCLI(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &Env{Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] }, ConfigDir: t.TempDir()}
	code = Main(context.Background(), e, args)
	return code, out.String(), errb.String()
}

func TestAccountCreate(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	env := map[string]string{"SATCHEL_PASSWORD": "correct-horse-battery", "SATCHEL_DATA": data, "SATCHEL_BASE_URL": "https://satchel.example"}
	code, out, errs := runCLI(t, env, "account", "create", "--kind", "leaver", "--username", "jo", "--display-name", "Jo Bloggs")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.HasPrefix(out, "https://satchel.example/pods/") || !strings.HasSuffix(out, "/\n") || len(out) != len("https://satchel.example/pods/")+26+2 {
		t.Fatalf("stdout %q is not a pod URL", out)
	}
	if !strings.Contains(errs, "master key") || !strings.Contains(errs, data) {
		t.Fatalf("first start did not say where the key is: %s", errs)
	}
	if fi, err := os.Stat(filepath.Join(data, "keys", "master.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("master key: %v", err)
	}
	code, _, errs = runCLI(t, env, "account", "create", "--username", "jo", "--display-name", "Jo Again")
	if code != 1 || !strings.Contains(errs, "already taken") {
		t.Fatalf("duplicate: exit %d, %q", code, errs)
	}
	if strings.Contains(errs, "correct-horse-battery") {
		t.Fatal("password printed")
	}
}

func TestAccountCreateBadInput(t *testing.T) {
	env := map[string]string{"SATCHEL_PASSWORD": "correct-horse-battery", "SATCHEL_DATA": filepath.Join(t.TempDir(), "d")}
	for _, c := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"account", "create", "--username", "jo"}, 2, "display-name"},
		{[]string{"account", "create", "--kind", "warden", "--username", "jo", "--display-name", "J"}, 2, "not a kind of account"},
		{[]string{"account", "create", "--username", "j o", "--display-name", "J"}, 2, "username may use only"},
		{[]string{"account", "delete"}, 2, "satchel account delete --username"},
		{[]string{"account", "rename"}, 2, "satchel account create"},
		{[]string{"serve", "--max-upload", "lots"}, 2, "not a size"},
		{[]string{"serve", "--log-format", "xml"}, 2, "not text or json"},
		{[]string{"frobnicate"}, 2, "no command called"},
	} {
		code, _, errs := runCLI(t, env, c.args...)
		if code != c.code || !strings.Contains(errs, c.says) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d saying %q", c.args, code, errs, c.code, c.says)
		}
	}
	short := map[string]string{"SATCHEL_PASSWORD": "short", "SATCHEL_DATA": env["SATCHEL_DATA"]}
	if code, _, errs := runCLI(t, short, "account", "create", "--username", "jo", "--display-name", "Jo"); code != 1 || !strings.Contains(errs, "at least 10 characters") {
		t.Errorf("short password: exit %d, %q", code, errs)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"25MiB": 25 << 20, "100MB": 100e6, "1048576": 1 << 20, "1GiB": 1 << 30} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "0", "-5MiB", "lots", "5TB"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) succeeded", in)
		}
	}
}
