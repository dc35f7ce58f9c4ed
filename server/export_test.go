package server_test

import (
	"archive/zip"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode"
)

// TestExportNamesAreSafeToUnpack: names a leaver (or a client acting for
// them) gave files through the API come out of "download everything" as
// names that no extractor, on Windows or elsewhere, turns into a path
// outside the folder, a device, a hidden stream or an overwrite.
func TestExportNamesAreSafeToUnpack(t *testing.T) {
	s := newTestServer(t)
	podURL, tok := s.leaver("jo")
	hostile := []string{
		"documents/CON.pdf",
		"documents/aux",
		"documents/C:evil.pdf",
		"documents/letter.pdf:hidden",
		"documents/.. ",
		"documents/trailing.",
		"documents/what?.pdf",
		"documents/Report.pdf",
		"documents/report.pdf",
		"documents/gnp.\u202efdp",
	}
	contents := map[string]string{}
	for i, name := range hostile {
		var esc []string
		for _, seg := range strings.Split(name, "/") {
			esc = append(esc, url.PathEscape(seg))
		}
		body := fmt.Sprintf("%%PDF-1.4\n%% file %d\n", i)
		expect(t, s.do("PUT", podURL+strings.Join(esc, "/"), tok, strings.NewReader(body), "Content-Type", "application/pdf"), http.StatusCreated)
		contents[body] = name
	}

	b := s.signedIn(t, "jo", webPassword, "/my")
	dl := b.get("/my/data/download").want(http.StatusOK)
	z, err := zip.NewReader(strings.NewReader(dl.body), int64(len(dl.body)))
	if err != nil {
		t.Fatalf("download is not a zip: %v", err)
	}
	seen := map[string]string{}
	for _, f := range z.File {
		if err := unsafeEntryName(f.Name); err != nil {
			t.Errorf("entry %q: %v", f.Name, err)
		}
		if other, ok := seen[strings.ToLower(f.Name)]; ok {
			t.Errorf("entries %q and %q are one file on Windows and macOS", other, f.Name)
		}
		seen[strings.ToLower(f.Name)] = f.Name
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		delete(contents, string(data))
	}
	for _, name := range contents {
		t.Errorf("the file stored as %q is not in the download", name)
	}
	if _, ok := seen["summary.txt"]; !ok {
		t.Error("no summary.txt")
	}
}

// unsafeEntryName says what is wrong with a zip entry's name, if anything.
func unsafeEntryName(name string) error {
	if strings.HasPrefix(name, "/") || strings.ContainsAny(name, `\:<>"|?*`) {
		return fmt.Errorf("an absolute path, a drive, a stream or a character Windows refuses")
	}
	for _, seg := range strings.Split(name, "/") {
		if seg == "" || seg == "." || seg == ".." || strings.HasSuffix(seg, ".") || strings.HasSuffix(seg, " ") {
			return fmt.Errorf("the part %q is empty, a dot name or ends in a dot or space", seg)
		}
		stem, _, _ := strings.Cut(seg, ".")
		switch strings.ToUpper(strings.TrimSpace(stem)) {
		case "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
			"LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9":
			return fmt.Errorf("the part %q is a Windows device", seg)
		}
		for _, r := range seg {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				return fmt.Errorf("the part %q has the character %U", seg, r)
			}
		}
	}
	return nil
}
