package pod

import "testing"

func TestParsePath(t *testing.T) {
	good := map[string]Path{
		"":                        "",
		"housing/":                "housing/",
		"housing/lease.pdf":       "housing/lease.pdf",
		"documents/my%20scan.pdf": "documents/my scan.pdf",
		"documents/caf%C3%A9.txt": "documents/café.txt",
		"a/b/c/":                  "a/b/c/",
		"documents/...txt":        "documents/...txt",
	}
	for in, want := range good {
		got, err := ParsePath(in)
		if err != nil || got != want {
			t.Errorf("ParsePath(%q) = %q, %v; want %q", in, got, err, want)
		}
		if got.Escaped() != in && in != "documents/caf%C3%A9.txt" {
			t.Errorf("Escaped(%q) = %q, want %q", got, got.Escaped(), in)
		}
	}
	bad := []string{"..", "a/..", "a/../b", "%2e%2e/x", "a/%2E/b", "a//b", "/a", "a%2fb", "a%5Cb", "a\\b", "a%00b", "a%0Ab", "%ff", "a%zz"}
	for _, in := range bad {
		if p, err := ParsePath(in); err == nil {
			t.Errorf("ParsePath(%q) = %q, want an error", in, p)
		}
	}
}

func TestPathParts(t *testing.T) {
	for _, c := range []struct {
		p              Path
		parent, name   string
		container, dsc bool
	}{
		{"", "", "", true, false},
		{"housing/", "", "housing/", true, false},
		{"housing/a.pdf", "housing/", "a.pdf", false, false},
		{"housing/a.pdf.meta", "housing/", "a.pdf.meta", false, true},
		{"a/b/", "a/", "b/", true, false},
	} {
		if string(c.p.Parent()) != c.parent || c.p.Name() != c.name || c.p.IsContainer() != c.container || c.p.IsDescription() != c.dsc {
			t.Errorf("%q: parent %q name %q container %v description %v", c.p, c.p.Parent(), c.p.Name(), c.p.IsContainer(), c.p.IsDescription())
		}
	}
}

func TestSlugName(t *testing.T) {
	for slug, want := range map[string]string{
		"Probation letter": "Probation-letter.pdf",
		"../../etc/passwd": "etcpasswd.pdf",
		"letter.pdf":       "letter.pdf",
		"x.meta":           "x.pdf",
	} {
		if got := slugName(slug, "application/pdf"); got != want {
			t.Errorf("slugName(%q) = %q, want %q", slug, got, want)
		}
	}
	if got := slugName("", "application/pdf"); len(got) < 8 {
		t.Errorf("empty slug gave %q", got)
	}
}
