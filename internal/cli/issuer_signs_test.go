package cli

import (
	"context"
	"log/slog"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/server"
)

// What an organisation may sign is set when it is registered (a college:
// qualifications, by default) and changed later; a record of another kind
// is refused with a plain sentence and a non-zero exit.
func TestIssuerSigns(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	env := map[string]string{"SATCHEL_PASSWORD": testPassword, "SATCHEL_DATA": data}
	code, _, errs := runCLI(t, env, "issuer", "create", "--slug", "hmp-example-education", "--name", "HMP Example Education")
	if code != 0 || !strings.Contains(errs, "HMP Example Education may sign qualifications.") {
		t.Fatalf("issuer create: %d %q", code, errs)
	}
	code, _, errs = runCLI(t, env, "issuer", "create", "--slug", "hmp-example-resettlement", "--name", "HMP Example Resettlement", "--signs", "custody-period,release")
	if code != 0 || !strings.Contains(errs, "HMP Example Resettlement may sign custody periods and release documents.") {
		t.Fatalf("issuer create --signs: %d %q", code, errs)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"issuer", "create", "--slug", "bad-kinds", "--name", "Bad", "--signs", "qualification,prison"}, `"prison" is not a kind of record an organisation signs`},
		{[]string{"issuer", "create", "--slug", "no-kinds", "--name", "None", "--signs", ""}, "name at least one kind of record"},
		{[]string{"issuer", "update", "--slug", "hmp-example-education"}, "say which organisation and what it may sign"},
		{[]string{"issuer", "update", "--slug", "nowhere", "--signs", "stay"}, `no issuer called "nowhere"`},
		{[]string{"issuer", "update", "--slug", "hmp-example-education", "--signs", "passport"}, `"passport" is not a kind of record`},
		{[]string{"issuer", "delete"}, "satchel issuer update --slug SLUG --signs KINDS"},
	} {
		if code, _, errs := runCLI(t, env, c.args...); code == 0 || !strings.Contains(errs, c.want) || strings.Contains(errs, "goroutine") {
			t.Errorf("%v: %d %q, want %q", c.args, code, errs, c.want)
		}
	}
	runCLI(t, env, "account", "create", "--kind", "issuer", "--org", "hmp-example-education", "--username", "tutor", "--display-name", "A Tutor")
	runCLI(t, env, "account", "create", "--username", "jo", "--display-name", "Jo Bloggs")

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	b, err := server.Open(ctx, server.Config{Addr: l.Addr().String(), DataDir: data, BaseURL: "http://" + l.Addr().String(), Passwords: account.DefaultParams, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- b.Serve(ctx, l) }()
	t.Cleanup(func() { cancel(); <-done })
	base := "http://" + l.Addr().String()
	for slug, want := range map[string][]string{"hmp-example-education": {"Qualification"}, "hmp-example-resettlement": {"CustodyPeriod", "ReleaseDocument"}} {
		if o, err := b.Issuers.Org(ctx, slug); err != nil || !slices.Equal(o.Signs, want) {
			t.Fatalf("%s signs %v (%v), want %v", slug, o.Signs, err, want)
		}
	}

	jo, tutor := newUser(t, testPassword), newUser(t, testPassword)
	jo.must("login", "--server", base, "--username", "jo")
	tutor.must("login", "--server", base, "--username", "tutor")
	out := jo.must("enrol", "hmp-example-education")
	enrolment := strings.TrimSpace(out[strings.LastIndex(out, " ")+1:])
	custody := []string{"issue", "custody-period", "--to", enrolment, "--establishment", "HMP Example", "--from", "2023-02-01", "--until", "2025-01-31"}
	c, stdout, errs := tutor.run(custody...)
	if c == 0 || !strings.Contains(errs, "HMP Example Education cannot sign custody periods.") || strings.Contains(stdout, "Issued") {
		t.Fatalf("a college signing a custody period: %d %q %q", c, stdout, errs)
	}
	if ls := jo.must("ls", "inbox/"); strings.Contains(ls, "custody") {
		t.Fatalf("delivered: %q", ls)
	}

	// Allowed from now on (the running server sees the change).
	code, stdout, errs = runCLI(t, env, "issuer", "update", "--slug", "hmp-example-education", "--signs", "qualification,custody-period")
	if code != 0 || !strings.Contains(stdout, "HMP Example Education may sign qualifications and custody periods.") {
		t.Fatalf("issuer update: %d %q %q", code, stdout, errs)
	}
	if out := tutor.must(custody...); !strings.Contains(out, "Issued In custody at HMP Example") {
		t.Fatalf("custody once allowed: %q", out)
	}
}
