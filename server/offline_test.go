package server_test

import (
	"net/http"
	"os/exec"
	"strings"
	"testing"
)

// TestOfflineVerificationScript runs examples/verify-offline/verify.sh, which
// uses only curl, openssl and python3, against a real server: a third party
// can verify a share without Satchel's code.
func TestOfflineVerificationScript(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "openssl", "python3"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	s := newTestServer(t)
	_, tok := leaverWithHistory(t, s)
	g, r := s.share(tok, currentAddressOnly)
	expect(t, r, http.StatusCreated)
	run := func() (string, int) {
		out, err := exec.Command("bash", "../examples/verify-offline/verify.sh", g.ShareURL).CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return string(out), code
	}
	out, code := run()
	if code != 0 || !strings.Contains(out, "VALID") || !strings.Contains(out, "not withdrawn") || !strings.Contains(out, "Acme Lettings") {
		t.Fatalf("verify.sh exit %d:\n%s", code, out)
	}
	expect(t, s.do("POST", s.url+"/api/v1/grants/"+g.ID+"/revoke", tok, nil), http.StatusNoContent)
	out, code = run()
	if code != 3 || !strings.Contains(out, "WITHDRAWN") {
		t.Fatalf("verify.sh after withdrawal: exit %d:\n%s", code, out)
	}
}
