package pod

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzParsePath checks the promises ParsePath makes about every path it
// accepts, whatever a client sends: nothing that could name something
// outside the pod or be read two ways, within the length limits, and the
// same path again when it is escaped for a URL and parsed back.
func FuzzParsePath(f *testing.F) {
	for _, s := range []string{
		"", "housing/", "housing/lease.pdf", "documents/my%20scan.pdf", "documents/caf%C3%A9.txt",
		"a/b/c/", "documents/...txt", "documents/letter.pdf.meta", "identity/passport%3Bscan.png",
		"inbox/qualification-Functional%20Skills%20English.jsonld", "a%2Bb/c+d", "%E2%80%AE/rtl",
		// Hostile: traversal, encodings of it, separators, controls.
		"..", ".", "a/..", "a/../b", "%2e%2e/x", "%2E%2E/", "a/%2E/b", ".%2e/", "a//b", "/a", "a/",
		"a%2fb", "a%2Fb", "a%5Cb", "a\\b", "a%00b", "a%0Ab", "a%0d%0a", "%7F", "%C2%85", "%ff",
		"%c0%ae%c0%ae/", "%EF%BF%BD", "a%zz", "%", "a%2", "%252e%252e/", "..%2f", "..\\", "a%09b",
		strings.Repeat("a/", 17), strings.Repeat("a/", 16), strings.Repeat("x", 256), strings.Repeat("x", 255),
		strings.Repeat("%41", 1025), strings.Repeat(strings.Repeat("y", 200)+"/", 6),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, escaped string) {
		p, err := ParsePath(escaped)
		if err != nil {
			if p != "" {
				t.Fatalf("ParsePath(%q) = %q with error %v", escaped, p, err)
			}
			return
		}
		checkAcceptedPath(t, escaped, p)
		again, err := ParsePath(p.Escaped())
		if err != nil || again != p {
			t.Fatalf("ParsePath(%q) = %q, but its Escaped() %q parses as %q, %v", escaped, p, p.Escaped(), again, err)
		}
		// Escaping is canonical: the escaped form of the round trip is the same.
		if again.Escaped() != p.Escaped() {
			t.Fatalf("%q escapes as %q and then %q", p, p.Escaped(), again.Escaped())
		}
		// The parts agree with the whole.
		if p.IsContainer() != (p == "" || strings.HasSuffix(string(p), "/")) {
			t.Fatalf("%q: IsContainer = %v", p, p.IsContainer())
		}
		if p != "" && p.Parent().Child(p.Name()) != p {
			t.Fatalf("%q: Parent %q + Name %q does not give it back", p, p.Parent(), p.Name())
		}
	})
}

func checkAcceptedPath(t *testing.T, escaped string, p Path) {
	t.Helper()
	if len(p) > MaxPathBytes {
		t.Fatalf("ParsePath(%q) accepted %d bytes, over %d", escaped, len(p), MaxPathBytes)
	}
	if p == "" {
		if escaped != "" {
			t.Fatalf("ParsePath(%q) gave the root", escaped)
		}
		return
	}
	if !utf8.ValidString(string(p)) {
		t.Fatalf("ParsePath(%q) = %q, not UTF-8", escaped, p)
	}
	segs := strings.Split(strings.TrimSuffix(string(p), "/"), "/")
	if len(segs) > MaxDepth {
		t.Fatalf("ParsePath(%q) accepted %d levels, over %d", escaped, len(segs), MaxDepth)
	}
	for _, s := range segs {
		if s == "" || s == "." || s == ".." {
			t.Fatalf("ParsePath(%q) = %q, with a segment %q", escaped, p, s)
		}
		if len(s) > MaxSegmentBytes {
			t.Fatalf("ParsePath(%q) accepted a segment of %d bytes", escaped, len(s))
		}
		for _, r := range s {
			if r == '\\' || r == 0 || unicode.IsControl(r) || r == utf8.RuneError {
				t.Fatalf("ParsePath(%q) = %q, holding %U", escaped, p, r)
			}
		}
	}
}
