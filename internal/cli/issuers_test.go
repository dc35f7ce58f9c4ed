package cli

import (
	"context"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/server"
)

func TestIssuerCommands(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	env := map[string]string{"SATCHEL_PASSWORD": testPassword, "SATCHEL_DATA": data}
	if code, out, errs := runCLI(t, env, "issuer", "create", "--slug", "hmp-example", "--name", "HMP Example Education"); code != 0 || !strings.Contains(out, "did:web:") {
		t.Fatalf("issuer create: %d %q %q", code, out, errs)
	}
	if code, _, errs := runCLI(t, env, "account", "create", "--kind", "issuer", "--org", "nowhere", "--username", "x1", "--display-name", "X"); code != 1 || !strings.Contains(errs, "no issuer called") {
		t.Fatalf("staff of an unknown issuer: %d %q", code, errs)
	}
	runCLI(t, env, "account", "create", "--kind", "issuer", "--org", "hmp-example", "--username", "tutor", "--display-name", "A Tutor")
	if code, _, errs := runCLI(t, env, "account", "create", "--kind", "issuer", "--org", "hmp-example", "--org-admin", "--username", "boss", "--display-name", "The Boss"); code != 0 || !strings.Contains(errs, "is an admin of hmp-example") {
		t.Fatalf("an organisation's admin: %d %q", code, errs)
	}
	if code, _, errs := runCLI(t, env, "account", "create", "--kind", "helper", "--org-admin", "--username", "x2", "--display-name", "X"); code == 0 || !strings.Contains(errs, "--org-admin needs --org") {
		t.Fatalf("--org-admin without --org: %d %q", code, errs)
	}
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
	if a, err := b.Accounts.Get(ctx, "boss"); err != nil || !a.OrgAdmin || a.Org != "hmp-example" {
		t.Fatalf("boss: %v %+v", err, a)
	}
	if a, err := b.Accounts.Get(ctx, "tutor"); err != nil || a.OrgAdmin {
		t.Fatalf("tutor: %v %+v", err, a)
	}

	jo, tutor := newUser(t, testPassword), newUser(t, testPassword)
	jo.must("login", "--server", base, "--username", "jo")
	tutor.must("login", "--server", base, "--username", "tutor")
	out := jo.must("enrol", "hmp-example")
	code := strings.TrimSpace(out[strings.LastIndex(out, " ")+1:])
	if !strings.Contains(jo.must("enrol", "--list"), code) {
		t.Fatal("enrolment not listed")
	}
	tutor.must("issue", "qualification", "--to", code, "--course", "English", "--level", "Level 1", "--start", "2025-01-06", "--end", "2025-06-27", "--outcome", "Achieved", "--establishment", "HMP Example", "--accredited")
	ls := jo.must("ls", "inbox/")
	if !strings.Contains(ls, "qualification-English") {
		t.Fatalf("inbox: %q", ls)
	}
	name := ls[strings.Index(ls, "qualification-English"):]
	name = name[:strings.IndexAny(name, " \t\n")]
	if out := jo.must("file", "inbox/"+name); !strings.Contains(out, "qualifications/"+name) {
		t.Fatalf("file: %q", out)
	}
	if ls := jo.must("ls", "qualifications/"); !strings.Contains(ls, name) {
		t.Fatalf("qualifications/: %q", ls)
	}
	if ls := jo.must("ls", "inbox/"); strings.Contains(ls, name) {
		t.Fatalf("still in the inbox: %q", ls)
	}
	csv := filepath.Join(t.TempDir(), "rows.csv")
	os.WriteFile(csv, []byte("enrolment,course_name,level,learning_start,learning_end,outcome,establishment\n"+code+",Maths,Entry 3,2025-01-06,2025-06-27,Achieved,HMP Example\nnobody,Art,Level 1,2025-01-06,2025-06-27,Achieved,HMP Example\n"), 0o600)
	c, stdout, errs := tutor.run("issue", "csv", csv)
	if c != 1 || !strings.Contains(stdout, "row 1: issued") || !strings.Contains(stdout, "row 2: NOT issued") || !strings.Contains(errs, "1 issued, 1 not issued") {
		t.Fatalf("issue csv: %d %q %q", c, stdout, errs)
	}
	if c, _, errs := jo.run("issue", "qualification", "--to", code, "--course", "X"); c != 1 || !strings.Contains(errs, "not an issuer") {
		t.Fatalf("a leaver issuing: %d %q", c, errs)
	}
	jo.must("enrol", "--withdraw", "hmp-example")
	if c, _, _ := tutor.run("issue", "qualification", "--to", code, "--course", "English", "--level", "Level 1", "--start", "2025-01-06", "--end", "2025-06-27", "--outcome", "Achieved", "--establishment", "HMP Example"); c != 1 {
		t.Fatal("issued after the enrolment was withdrawn")
	}
}
