package transit

import (
	_ "embed"
	"strings"
)

//go:embed policy.hcl
var policyHCL string

// Policy returns the Vault policy (HCL) that a token needs to serve as
// Satchel's custodian with Transit mounted at mount and keys named with
// prefix; "" means the defaults, "transit" and "satchel-". It grants what
// Satchel does and no more; see policy.hcl.
func Policy(mount, prefix string) string {
	if mount == "" {
		mount = "transit"
	}
	if prefix == "" {
		prefix = "satchel-"
	}
	mount = strings.Trim(mount, "/")
	var b strings.Builder
	for _, line := range strings.SplitAfter(policyHCL, "\n") {
		if rest, ok := strings.CutPrefix(line, `path "transit/`); ok {
			line = `path "` + mount + "/" + strings.Replace(rest, "satchel-", prefix, 1)
		}
		b.WriteString(line)
	}
	return b.String()
}
