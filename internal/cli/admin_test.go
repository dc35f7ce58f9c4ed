package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestAdminCommands(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	env := map[string]string{"SATCHEL_PASSWORD": "correct-horse-battery", "SATCHEL_DATA": data}
	_, out, _ := runCLI(t, env, "account", "create", "--username", "jo", "--display-name", "Jo")
	podID := strings.TrimSuffix(strings.TrimSpace(out[strings.Index(out, "/pods/")+len("/pods/"):]), "/")

	// The leaver's pod and the state spaces of accounts, consent, issuers,
	// the web pages, limits, the evaluation and onboarding.
	if code, out, errs := runCLI(t, env, "keys", "rotate"); code != 0 || !strings.Contains(out, "Rewrapped 8 pod keys") {
		t.Fatalf("keys rotate: %d %q %q", code, out, errs)
	}
	if code, _, errs := runCLI(t, env, "pod", "erase", podID); code != 2 || !strings.Contains(errs, "--yes") {
		t.Fatalf("erase without --yes: %d %q", code, errs)
	}
	if code, _, errs := runCLI(t, env, "pod", "erase", "not-a-pod", "--yes"); code != 2 || !strings.Contains(errs, "not a pod ID") {
		t.Fatalf("erase of a bad ID: %d %q", code, errs)
	}
	if code, out, errs := runCLI(t, env, "pod", "erase", podID, "--yes"); code != 0 || !strings.Contains(out, "Erased pod") {
		t.Fatalf("erase: %d %q %q", code, out, errs)
	}
	if code, _, errs := runCLI(t, env, "account", "delete", "--username", "jo"); code != 2 || !strings.Contains(errs, "--yes") {
		t.Fatalf("delete without --yes: %d %q", code, errs)
	}
	if code, out, errs := runCLI(t, env, "account", "delete", "--username", "jo", "--yes"); code != 0 || !strings.Contains(out, "Deleted") {
		t.Fatalf("account delete: %d %q %q", code, out, errs)
	}
	if code, _, errs := runCLI(t, env, "account", "delete", "--username", "jo", "--yes"); code != 1 || !strings.Contains(errs, "no account called") {
		t.Fatalf("second delete: %d %q", code, errs)
	}
	// The username is free again.
	if code, _, errs := runCLI(t, env, "account", "create", "--username", "jo", "--display-name", "Jo"); code != 0 {
		t.Fatalf("re-create: %d %q", code, errs)
	}
}

func TestMigrateCopiesCiphertext(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	other := filepath.Join(t.TempDir(), "other")
	env := map[string]string{"SATCHEL_PASSWORD": "correct-horse-battery", "SATCHEL_DATA": data}
	runCLI(t, env, "account", "create", "--username", "jo", "--display-name", "Jo")
	code, out, errs := runCLI(t, env, "migrate", "--from", "fs", "--to", "fs:"+other)
	if code != 0 || !strings.Contains(out, "Nothing was decrypted") {
		t.Fatalf("migrate: %d %q %q", code, out, errs)
	}
	// The copy works with the same keys: the account is there.
	moved := map[string]string{"SATCHEL_PASSWORD": "x-password-1", "SATCHEL_DATA": data, "SATCHEL_STORAGE": "fs:" + other}
	if code, _, errs := runCLI(t, moved, "account", "create", "--username", "jo", "--display-name", "Jo"); code != 1 || !strings.Contains(errs, "already taken") {
		t.Fatalf("account in the migrated store: %d %q", code, errs)
	}
	if code, _, errs := runCLI(t, env, "migrate", "--from", "fs", "--to", "fs"); code != 2 {
		t.Fatalf("migrate onto itself: %d %q", code, errs)
	}
	if code, _, errs := runCLI(t, env, "migrate", "--from", "fs", "--to", "ftp://x"); code != 1 || !strings.Contains(errs, "storage must be") {
		t.Fatalf("migrate to a bad store: %d %q", code, errs)
	}
}
