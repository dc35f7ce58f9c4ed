package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestUnclaimedExpire(t *testing.T) {
	env := map[string]string{"SATCHEL_DATA": filepath.Join(t.TempDir(), "data")}
	if code, out, errs := runCLI(t, env, "unclaimed", "expire"); code != 0 || !strings.Contains(out, "Erased 0 unclaimed pods") {
		t.Fatalf("unclaimed expire: %d %q %q", code, out, errs)
	}
	if code, _, errs := runCLI(t, env, "unclaimed"); code != 2 || !strings.Contains(errs, "satchel unclaimed expire") {
		t.Fatalf("unclaimed alone: %d %q", code, errs)
	}
}
