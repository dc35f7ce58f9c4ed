package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// --trusted-issuers and SATCHEL_TRUSTED_ISSUERS reach the server's
// configuration; a list that is not did:web=Name is a usage error.
func TestTrustedIssuersFlag(t *testing.T) {
	env := map[string]string{"SATCHEL_DATA": filepath.Join(t.TempDir(), "d")}
	for _, c := range []struct {
		args []string
		env  string
		says string
	}{
		{[]string{"serve", "--trusted-issuers", "did:key:z6Mk=Someone"}, "", "only did:web"},
		{[]string{"serve", "--trusted-issuers", "did:web:college.example.org"}, "", "did:web:HOST...=Name"},
		{[]string{"serve"}, "did:web:college.example.org:..=Up", "not plain words"},
	} {
		e := map[string]string{"SATCHEL_DATA": env["SATCHEL_DATA"], "SATCHEL_TRUSTED_ISSUERS": c.env}
		code, _, errs := runCLI(t, e, c.args...)
		if code != 2 || !strings.Contains(errs, "--trusted-issuers") || !strings.Contains(errs, c.says) {
			t.Errorf("%v (env %q): exit %d, stderr %q; want a usage error saying %q", c.args, c.env, code, errs, c.says)
		}
	}
	var f serverFlags
	f.maxUpload, f.keyCache, f.trustedIssuers = "1MiB", "5m", "did:web:college.example.org=Example College; did:web:example.com%3A8443:issuers:x=X"
	cfg, err := f.config(&Env{Getenv: func(string) string { return "" }, Stderr: new(strings.Builder)})
	if err != nil || len(cfg.TrustedIssuers) != 2 || cfg.TrustedIssuers[0].Name != "Example College" {
		t.Fatalf("config: %+v %v", cfg.TrustedIssuers, err)
	}
}
