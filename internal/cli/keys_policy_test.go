package cli

import (
	"strings"
	"testing"
)

func TestKeysPolicy(t *testing.T) {
	code, out, errs := runCLI(t, nil, "keys", "policy")
	if code != 0 {
		t.Fatalf("keys policy: %d %q", code, errs)
	}
	for _, want := range []string{
		`path "transit/keys/satchel-*"`, `path "transit/keys/satchel-pod-*"`, `"update", "delete"`,
		`path "transit/encrypt/satchel-pod-*"`, `"create", "update"`, `path "transit/sign/satchel-signing-*"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the policy lacks %s:\n%s", want, out)
		}
	}
	code, out, _ = runCLI(t, nil, "keys", "policy", "--keys", "vault://vault.internal/kms?prefix=s1-")
	if code != 0 || !strings.Contains(out, `path "kms/keys/s1-pod-*"`) || strings.Contains(out, `path "transit/`) {
		t.Fatalf("keys policy for another mount: %d\n%s", code, out)
	}
	if code, _, errs := runCLI(t, nil, "keys", "policy", "--keys", "local"); code == 0 || !strings.Contains(errs, "Vault Transit") {
		t.Fatalf("keys policy for local keys: %d %q", code, errs)
	}
}
