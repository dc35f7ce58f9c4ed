package web

import (
	"strings"
	"testing"
	"unicode"
)

func TestZipNames(t *testing.T) {
	z := newZipNames("summary.txt")
	for _, tt := range []struct{ path, want string }{
		{"documents/id-card.png", "documents/id-card.png"},
		{"housing/address-history.jsonld", "housing/address-history.jsonld"},
		{"summary.txt", "summary (2).txt"},
		{"C:/Windows/system.ini", "C_/Windows/system.ini"},
		{"documents/C:x.pdf", "documents/C_x.pdf"},
		{"documents/letter.pdf:hidden", "documents/letter.pdf_hidden"},
		{"documents/back\\slash.pdf", "documents/back_slash.pdf"},
		{"documents/CON", "documents/_CON"},
		{"documents/con.txt", "documents/_con.txt"},
		{"documents/Nul.tar.gz", "documents/_Nul.tar.gz"},
		{"documents/com1.pdf", "documents/_com1.pdf"},
		{"documents/LPT9", "documents/_LPT9"},
		{"documents/COM¹.pdf", "documents/_COM¹.pdf"},
		{"documents/aux .pdf", "documents/_aux .pdf"},
		{"documents/CONSOLE.pdf", "documents/CONSOLE.pdf"},
		{"documents/COM10.pdf", "documents/COM10.pdf"},
		{"documents/trailing. . ", "documents/trailing"},
		{"documents/...", "documents/_"},
		{"documents/..", "documents/_ (2)"},
		{"/etc/passwd", "etc/passwd"},
		{"documents/tab\there.pdf", "documents/tab_here.pdf"},
		{"documents/gnp.\u202eexe", "documents/gnp._exe"},
		{"documents/what?<>|*\".pdf", "documents/what______.pdf"},
		// The same name once made safe, or but for case or Unicode
		// normalisation, is numbered.
		{"documents/Report.pdf", "documents/Report.pdf"},
		{"documents/report.PDF", "documents/report (2).PDF"},
		{"documents/C_x.pdf", "documents/C_x (2).pdf"},
		{"documents/caf\u00e9", "documents/caf\u00e9"},
		{"documents/cafe\u0301", "documents/cafe\u0301 (2)"},
		// A file and a folder of one name; a folder keeps one name.
		{"documents/folder", "documents/folder"},
		{"documents/folder/a.pdf", "documents/folder (2)/a.pdf"},
		{"documents/folder/b.pdf", "documents/folder (2)/b.pdf"},
		{"Documents/c.pdf", "Documents (2)/c.pdf"},
	} {
		got := z.name(tt.path)
		if got != tt.want {
			t.Errorf("name(%q) = %q, want %q", tt.path, got, tt.want)
		}
		checkZipName(t, got)
	}
}

// checkZipName fails t if name is not safe to unpack on Windows, macOS and
// Unix.
func checkZipName(t *testing.T, name string) {
	t.Helper()
	if name == "" || strings.HasPrefix(name, "/") || strings.ContainsAny(name, `\:<>"|?*`) {
		t.Errorf("unsafe entry name %q", name)
		return
	}
	for _, seg := range strings.Split(name, "/") {
		if seg == "" || seg == "." || seg == ".." || strings.HasSuffix(seg, ".") || strings.HasSuffix(seg, " ") || isDeviceName(seg) {
			t.Errorf("unsafe entry name %q (%q)", name, seg)
		}
		for _, r := range seg {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				t.Errorf("entry name %q has the character %U", name, r)
			}
		}
	}
}
