package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
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
	goKey := regexp.MustCompile(`(?:Key|Label|Heading|Empty|Body|Text): +"([a-z][a-z0-9.-]+\.[a-z0-9.-]+)"|text\("([a-z][a-z0-9.-]*\.[a-z0-9.-]+)"|flash\([^"]*"([a-z][a-z0-9.-]*\.[a-z0-9.-]+)"|key = "([a-z][a-z0-9.-]*\.[a-z0-9.-]+)"|"(?:Heading|Body)": +"([^"]+)"|return "(kind\.[a-z-]+)"`)
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range goKey.FindAllStringSubmatch(string(b), -1) {
			for _, k := range m[1:] {
				if k != "" {
					keys[k] = true
				}
			}
		}
	}
	return keys
}

// dynamic are keys built at run time from a prefix.
var dynamic = []string{"weekday.", "month.", "status."}

func TestCatalogue(t *testing.T) {
	used := usedKeys(t)
	if len(used) < 200 {
		t.Fatalf("found only %d keys in use: the scan is broken", len(used))
	}
	for lang, cat := range catalogues {
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
			t.Errorf("%s catalogue lacks %d keys: %s", lang, len(missing), strings.Join(missing, ", "))
		}
		if len(unused) > 0 {
			t.Errorf("%s catalogue has %d keys nothing uses: %s", lang, len(unused), strings.Join(unused, ", "))
		}
		for _, k := range []string{"weekday.0", "weekday.6", "month.1", "month.12", "status.active", "status.revoked", "status.expired", "status.used-up", "status.scheduled"} {
			if _, ok := cat[k]; !ok {
				t.Errorf("%s catalogue lacks %s", lang, k)
			}
		}
	}
}

func TestDatesInWords(t *testing.T) {
	at := time.Date(2024, 12, 3, 14, 15, 0, 0, time.UTC) // London is on GMT in December
	if got, want := english.dateTime(at), "Tuesday 3 December 2024 at 2:15pm"; got != want {
		t.Errorf("dateTime = %q, want %q", got, want)
	}
	summer := time.Date(2025, 7, 1, 13, 5, 0, 0, time.UTC) // BST: an hour ahead
	if got, want := english.dateTime(summer), "Tuesday 1 July 2025 at 2:05pm"; got != want {
		t.Errorf("dateTime = %q, want %q", got, want)
	}
	if got, want := english.monthYear(at), "December 2024"; got != want {
		t.Errorf("monthYear = %q, want %q", got, want)
	}
	if got := english.text("no.such.key"); got != "[no.such.key]" {
		t.Errorf("a missing key shows as %q", got)
	}
}

// TestEveryPageParses renders nothing but makes sure each page template
// has the blocks the layout needs.
func TestEveryPageParses(t *testing.T) {
	for lang, set := range pages {
		for name, tm := range set {
			for _, block := range []string{"layout", "title", "content"} {
				if tm.Lookup(block) == nil {
					t.Errorf("%s page %s has no %q", lang, name, block)
				}
			}
		}
	}
}
