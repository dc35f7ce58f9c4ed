package cli

import (
	"strings"
	"testing"

	"github.com/satchel-project/satchel/examples"
)

func TestExamplesLoad(t *testing.T) {
	base := testServer(t, 25<<20)
	u := newUser(t, testPassword)
	if code, _, errs := u.run("examples", "load"); code != 1 || !strings.Contains(errs, "not signed in") {
		t.Fatalf("examples load before login: %d %q", code, errs)
	}
	u.must("login", "--server", base, "--username", "jo")
	out := u.must("examples", "load")
	if n := strings.Count(out, "\n"); n != len(examples.Files()) {
		t.Fatalf("loaded %d files, want %d:\n%s", n, len(examples.Files()), out)
	}
	ls := u.must("ls", "housing/")
	if !strings.Contains(ls, "address-history.jsonld") {
		t.Fatalf("ls housing/: %s", ls)
	}
	got := u.must("get", "qualifications/forklift-truck.jsonld")
	if !strings.Contains(got, "Counterbalance Forklift Truck Operator") {
		t.Fatalf("get: %s", got)
	}
	// Loading again replaces the same files.
	u.must("examples", "load")
}
