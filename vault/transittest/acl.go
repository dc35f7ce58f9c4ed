package transittest

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
)

// A policy is what Vault's ACL policies say, reduced to what the emulator
// enforces: for each path pattern, its capabilities. Patterns are Vault's:
// an exact path, a path ending in the glob "*" (any suffix), and "+" for
// exactly one path segment.
type policy map[string]map[string]bool // pattern → capability set

// capabilities Vault knows; the emulator checks create, read, update,
// delete, list and deny, and accepts sudo and patch.
var knownCaps = map[string]bool{"create": true, "read": true, "update": true, "patch": true,
	"delete": true, "list": true, "sudo": true, "deny": true}

// defaultPolicy is the part of Vault's built-in "default" policy that
// concerns a token's own lifetime.
const defaultPolicy = `
path "auth/token/lookup-self" { capabilities = ["read"] }
path "auth/token/renew-self" { capabilities = ["update"] }
path "auth/token/revoke-self" { capabilities = ["update"] }
`

// parsePolicy reads a policy written in HCL as Vault's documentation
// writes them: path "PATTERN" { capabilities = ["..."] } blocks, with #,
// // and /* */ comments. Anything else (parameter constraints, the old
// "policy = ..." form) is refused as not emulated.
func parsePolicy(src string) (policy, error) {
	toks, err := lexHCL(src)
	if err != nil {
		return nil, err
	}
	p := policy{}
	next := func() string {
		if len(toks) == 0 {
			return ""
		}
		t := toks[0]
		toks = toks[1:]
		return t
	}
	expect := func(want string) error {
		if got := next(); got != want {
			return fmt.Errorf("policy: expected %s, found %q", want, got)
		}
		return nil
	}
	for len(toks) > 0 {
		if t := next(); t != "path" {
			return nil, fmt.Errorf("policy: expected path, found %q", t)
		}
		pat := next()
		if !strings.HasPrefix(pat, `"`) {
			return nil, fmt.Errorf("policy: path needs a quoted pattern, found %q", pat)
		}
		pat = strings.TrimPrefix(strings.Trim(pat, `"`), "/")
		if err := expect("{"); err != nil {
			return nil, err
		}
		caps := p[pat]
		if caps == nil {
			caps = map[string]bool{}
			p[pat] = caps
		}
		for {
			t := next()
			if t == "}" {
				break
			}
			if t != "capabilities" {
				return nil, fmt.Errorf("policy: %q in a path block is not emulated (only capabilities)", t)
			}
			if err := expect("="); err != nil {
				return nil, err
			}
			if err := expect("["); err != nil {
				return nil, err
			}
			for {
				c := next()
				if c == "]" {
					break
				}
				if c == "," {
					continue
				}
				name := strings.Trim(c, `"`)
				if !strings.HasPrefix(c, `"`) || !knownCaps[name] {
					return nil, fmt.Errorf("policy: %s is not a capability", c)
				}
				caps[name] = true
			}
		}
	}
	return p, nil
}

// lexHCL splits src into quoted strings, identifiers and punctuation.
func lexHCL(src string) ([]string, error) {
	var toks []string
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '#' || strings.HasPrefix(src[i:], "//"):
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case strings.HasPrefix(src[i:], "/*"):
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return nil, fmt.Errorf("policy: unclosed comment")
			}
			i += end + 4
		case unicode.IsSpace(rune(c)):
			i++
		case strings.ContainsRune("{}[]=,", rune(c)):
			toks = append(toks, string(c))
			i++
		case c == '"':
			end := strings.IndexByte(src[i+1:], '"')
			if end < 0 {
				return nil, fmt.Errorf("policy: unclosed string")
			}
			toks = append(toks, src[i:i+end+2])
			i += end + 2
		default:
			j := i
			for j < len(src) && (src[j] == '_' || src[j] == '-' || unicode.IsLetter(rune(src[j])) || unicode.IsDigit(rune(src[j]))) {
				j++
			}
			if j == i {
				return nil, fmt.Errorf("policy: unexpected %q", c)
			}
			toks = append(toks, src[i:j])
			i = j
		}
	}
	return toks, nil
}

// matches reports whether pattern covers path.
func matches(pattern, path string) bool {
	glob := strings.HasSuffix(pattern, "*")
	pat := strings.TrimSuffix(pattern, "*")
	if !strings.Contains(pat, "+") {
		if glob {
			return strings.HasPrefix(path, pat)
		}
		return path == pat
	}
	ps, xs := strings.Split(pat, "/"), strings.Split(path, "/")
	if len(xs) < len(ps) || (!glob && len(xs) != len(ps)) {
		return false
	}
	for i, seg := range ps {
		last := i == len(ps)-1
		switch {
		case seg == "+":
			if xs[i] == "" {
				return false
			}
		case last && glob:
			// The glob may run on past this segment.
			return strings.HasPrefix(strings.Join(xs[i:], "/"), seg)
		case seg != xs[i]:
			return false
		}
	}
	return true
}

// lessSpecific reports whether pattern a has lower priority than b, by
// Vault's documented rules (concepts/policies, "Priority matching"), in
// order: the first + or * occurs earlier in a; a ends in * and b does
// not; a has more + segments; a is shorter; a is smaller
// lexicographically. An exact path has no wildcard, so it beats any other.
func lessSpecific(a, b string) bool {
	wild := func(s string) int {
		if i := strings.IndexAny(s, "+*"); i >= 0 {
			return i
		}
		return len(s) + 1
	}
	if wa, wb := wild(a), wild(b); wa != wb {
		return wa < wb
	}
	if ga, gb := strings.HasSuffix(a, "*"), strings.HasSuffix(b, "*"); ga != gb {
		return ga
	}
	if pa, pb := strings.Count(a, "+"), strings.Count(b, "+"); pa != pb {
		return pa > pb
	}
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// allowed reports whether policies grant capability on path. As in Vault,
// the rules of every policy are merged by pattern, and only the most
// specific pattern that matches the path counts: a broader pattern's
// capabilities do not add to it. "deny" on that pattern refuses all.
func allowed(policies []policy, path, capability string) bool {
	merged := map[string]map[string]bool{}
	for _, p := range policies {
		for pat, caps := range p {
			if matches(pat, path) {
				if merged[pat] == nil {
					merged[pat] = map[string]bool{}
				}
				for c := range caps {
					merged[pat][c] = true
				}
			}
		}
	}
	if len(merged) == 0 {
		return false
	}
	pats := make([]string, 0, len(merged))
	for pat := range merged {
		pats = append(pats, pat)
	}
	sort.Slice(pats, func(i, j int) bool { return lessSpecific(pats[j], pats[i]) })
	caps := merged[pats[0]]
	return !caps["deny"] && caps[capability]
}
