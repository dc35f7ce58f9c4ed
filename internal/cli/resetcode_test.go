package cli

import (
	"context"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/satchel-project/satchel/server"
	"github.com/satchel-project/satchel/web"
)

var codeRE = regexp.MustCompile(`Code: +([2-9A-Z]{4}-[2-9A-Z]{4})`)

func TestAccountCreateGivesSetupCode(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	env := map[string]string{"SATCHEL_DATA": data, "SATCHEL_BASE_URL": "https://satchel.example"}
	code, out, errs := runCLI(t, env, "account", "create", "--username", "jo", "--display-name", "Jo Bloggs")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"Give this to Jo Bloggs in person", "https://satchel.example/start", "Username:  jo", "set-up code", "works once"} {
		if !strings.Contains(out, want) {
			t.Fatalf("set-up sheet lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errs, "https://satchel.example/pods/") {
		t.Fatalf("the pod's address is not said: %s", errs)
	}
	m := codeRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no code in:\n%s", out)
	}
	b := backend(t, data)
	ctx := context.Background()
	if _, err := b.Accounts.Authenticate(ctx, "jo", "jos-own-password"); err == nil {
		t.Fatal("signed in before choosing a password")
	}
	if err := b.Accounts.CompleteReset(ctx, "jo", m[1], "jos-own-password"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Accounts.Authenticate(ctx, "jo", "jos-own-password"); err != nil {
		t.Fatal(err)
	}
}

func TestResetCode(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	env := map[string]string{"SATCHEL_DATA": data, "SATCHEL_PASSWORD": "correct-horse-battery"}
	runCLI(t, env, "account", "create", "--username", "jo", "--display-name", "Jo Bloggs")
	if code, _, errs := runCLI(t, env, "account", "reset-code", "--username", "jo"); code != 2 || !strings.Contains(errs, "--checked-by") {
		t.Fatalf("without --checked-by: %d %q", code, errs)
	}
	if code, _, errs := runCLI(t, env, "account", "reset-code", "--username", "nobody", "--checked-by", "Pat"); code != 1 || !strings.Contains(errs, "no account called") {
		t.Fatalf("for nobody: %d %q", code, errs)
	}
	code, out, errs := runCLI(t, env, "account", "reset-code", "--username", "jo", "--checked-by", "Pat Jones, Leeds Hub")
	if code != 0 || !strings.Contains(out, "/reset") {
		t.Fatalf("reset-code: %d %q %q", code, out, errs)
	}
	m := codeRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no code in:\n%s", out)
	}
	b := backend(t, data)
	ctx := context.Background()
	a, err := b.Accounts.Get(ctx, "jo")
	if err != nil {
		t.Fatal(err)
	}
	log, err := b.Consent.Log(ctx, a.Pod)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 || log[0].Type != web.OperatorResetEntry || log[0].Who != "Pat Jones, Leeds Hub" {
		t.Fatalf("access log: %+v", log)
	}
	if err := b.Accounts.CompleteReset(ctx, "jo", m[1], "a-new-password"); err != nil {
		t.Fatal(err)
	}
	if err := b.Accounts.CompleteReset(ctx, "jo", m[1], "another-password"); err == nil {
		t.Fatal("the code worked twice")
	}
}

// backend opens the data directory the commands used.
func backend(t *testing.T, data string) *server.Backend {
	t.Helper()
	b, err := server.Open(context.Background(), server.Config{DataDir: data, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return b
}
