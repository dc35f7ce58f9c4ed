package cli

import (
	"strings"
	"testing"
)

func TestHelpersCommands(t *testing.T) {
	base := testServer(t, 25<<20)
	jo := newUser(t, testPassword)
	jo.must("login", "--server", base, "--username", "jo")
	sam := newUser(t, testPassword)
	sam.must("login", "--server", base, "--username", "sam.support")

	if out := sam.must("helpers", "chosen"); !strings.Contains(out, "Nobody has chosen you") {
		t.Fatalf("chosen before: %q", out)
	}
	out := jo.must("helpers", "add", "sam.support", "--can", "view,share")
	if !strings.Contains(out, "Sam Support (sam.support) can now see your records and documents and share on your behalf") {
		t.Fatalf("add: %q", out)
	}
	if out := jo.must("helpers", "list"); !strings.Contains(out, "Sam Support (sam.support) can see your records") {
		t.Fatalf("list: %q", out)
	}
	out = sam.must("helpers", "chosen")
	if !strings.Contains(out, "Jo Bloggs chose you to see your records and documents and share on your behalf") {
		t.Fatalf("chosen: %q", out)
	}
	// The helper can read the pod through its URL.
	podURL := out[strings.Index(out, "http"):]
	podURL = strings.TrimSpace(podURL)
	if ls := sam.must("ls", podURL); !strings.Contains(ls, "documents/") {
		t.Fatalf("helper ls: %q", ls)
	}
	jo.must("helpers", "remove", "sam.support")
	if code, _, errs := sam.run("ls", podURL); code == 0 {
		t.Fatalf("helper still reads the pod after removal: %q", errs)
	}
	for _, bad := range [][]string{
		{"helpers", "add", "sam.support", "--can", "delete"},
		{"helpers", "add"},
		{"helpers", "frobnicate"},
	} {
		if code, _, errs := jo.run(bad...); code != 2 {
			t.Errorf("%v: exit %d %q", bad, code, errs)
		}
	}
	if code, _, errs := jo.run("helpers", "add", "nobody-here", "--can", "view"); code != 1 || !strings.Contains(errs, "no helper called") {
		t.Errorf("unknown helper: %d %q", code, errs)
	}
}
