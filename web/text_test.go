package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/satchel-project/satchel/web/lang"
)

// usedKeys finds every catalogue key the templates and handlers name.
func usedKeys(t *testing.T) map[string]bool {
	t.Helper()
	keys := map[string]bool{}
	tmpl := []*regexp.Regexp{
		regexp.MustCompile(`[{(]-?\s*t\s+"([^"]+)"`),
		regexp.MustCompile(`"(?:Label|Legend|Hint|Heading|Body|Text)"\s+"([^"]+)"`),
	}
	err := fs.WalkDir(templateFiles, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := templateFiles.ReadFile(p)
		for _, re := range tmpl {
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				keys[m[1]] = true
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	goKey := regexp.MustCompile(`(?:Key|Label|Heading|Empty|Body|Text|Check|Words): +"([a-z][a-z0-9.-]+\.[a-z0-9.-]+)"|[Tt]ext\("([a-z][a-z0-9.-]*\.[a-z0-9.-]+)"|flash\([^"]*"([a-z][a-z0-9.-]*\.[a-z0-9.-]+)"|key = "([a-z][a-z0-9.-]*\.[a-z0-9.-]+)"|"(?:Heading|Body)": +"([^"]+)"|return "(kind\.[a-z-]+)"`)
	verifierKey := regexp.MustCompile(`"(verifier\.[a-z0-9.-]+)"`)
	files, _ := filepath.Glob("*.go")
	more, _ := filepath.Glob("lang/*.go")
	files = append(files, more...)
	// The recipient's page (package verifier) takes its words from the
	// same catalogue; its template is a Go string.
	verifier, _ := filepath.Glob("../verifier/*.go")
	files = append(files, verifier...)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, re := range tmpl {
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				keys[m[1]] = true
			}
		}
		for _, m := range goKey.FindAllStringSubmatch(string(b), -1) {
			for _, k := range m[1:] {
				// "verifier.kind." + kind is a prefix: see dynamic.
				if k != "" && !strings.HasSuffix(k, ".") {
					keys[k] = true
				}
			}
		}
		// Every "verifier.…" string in package verifier is a key.
		for _, m := range verifierKey.FindAllStringSubmatch(string(b), -1) {
			if !strings.HasSuffix(m[1], ".") {
				keys[m[1]] = true
			}
		}
	}
	return keys
}

// dynamic are keys built at run time from a prefix.
var dynamic = []string{"weekday.", "month.", "status.", "code.", "verifier.kind.", "verifier.purpose."}

func TestCatalogue(t *testing.T) {
	used := usedKeys(t)
	if len(used) < 200 {
		t.Fatalf("found only %d keys in use: the scan is broken", len(used))
	}
	for code, cat := range lang.Catalogues {
		var missing, unused []string
		for k := range used {
			if _, ok := cat[k]; !ok {
				missing = append(missing, k)
			}
		}
	next:
		for k := range cat {
			if used[k] {
				continue
			}
			for _, p := range dynamic {
				if strings.HasPrefix(k, p) {
					continue next
				}
			}
			unused = append(unused, k)
		}
		sort.Strings(missing)
		sort.Strings(unused)
		if len(missing) > 0 {
			t.Errorf("%s catalogue lacks %d keys: %s", code, len(missing), strings.Join(missing, ", "))
		}
		if len(unused) > 0 {
			t.Errorf("%s catalogue has %d keys nothing uses: %s", code, len(unused), strings.Join(unused, ", "))
		}
		for _, k := range []string{"weekday.0", "weekday.6", "month.1", "month.12", "status.active", "status.revoked", "status.expired", "status.used-up", "status.scheduled"} {
			if _, ok := cat[k]; !ok {
				t.Errorf("%s catalogue lacks %s", code, k)
			}
		}
	}
}

// TestEveryPageParses renders nothing but makes sure each page template
// has the blocks the layout needs.
func TestEveryPageParses(t *testing.T) {
	for code, set := range pages {
		for name, tm := range set {
			for _, block := range []string{"layout", "title", "content"} {
				if tm.Lookup(block) == nil {
					t.Errorf("%s page %s has no %q", code, name, block)
				}
			}
		}
	}
}

func TestGroupRepeats(t *testing.T) {
	got := group([]string{"a", "a", "b", "a", "a", "a"})
	want := []logLine{{"a", 2}, {"b", 1}, {"a", 3}}
	if len(got) != len(want) {
		t.Fatalf("group = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("group = %v, want %v", got, want)
		}
	}
}
