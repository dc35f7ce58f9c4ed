package static

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func get(t *testing.T, method, target string, header map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	Handler().ServeHTTP(w, r)
	return w
}

func TestStylesheet(t *testing.T) {
	w := get(t, "GET", Stylesheet, nil)
	if w.Code != http.StatusOK {
		t.Fatalf("GET %s: %d", Stylesheet, w.Code)
	}
	h := w.Header()
	if got := h.Get("Content-Type"); got != "text/css; charset=utf-8" {
		t.Errorf("Content-Type %q", got)
	}
	if got := h.Get("Cache-Control"); got != "public, max-age=86400" {
		t.Errorf("Cache-Control %q", got)
	}
	if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options %q", got)
	}
	css := w.Body.String()
	if got := h.Get("Content-Length"); got != strconv.Itoa(len(css)) {
		t.Errorf("Content-Length %q for %d bytes", got, len(css))
	}
	sum := sha256.Sum256(w.Body.Bytes())
	if got, want := h.Get("ETag"), `"`+hex.EncodeToString(sum[:])+`"`; got != want {
		t.Errorf("ETag %s, want %s", got, want)
	}
	for _, want := range []string{".govuk-button", ".govuk-service-navigation", ".app-preview", ".app-qr", ".app-thing-image", ".app-share-link", "@media print"} {
		if !strings.Contains(css, want) {
			t.Errorf("satchel.css has no %s", want)
		}
	}
	// Satchel is not on GOV.UK: no GDS Transport, and no font files.
	for _, banned := range []string{"GDS Transport", "@font-face", ".woff", "/fonts/"} {
		if strings.Contains(css, banned) {
			t.Errorf("satchel.css contains %q", banned)
		}
	}
	if !strings.Contains(css, "font-family:arial,sans-serif") {
		t.Error("satchel.css does not set Arial as the font")
	}
}

// Every file the stylesheet refers to is served, except the crest that
// .govuk-footer__copyright-logo draws: Satchel's pages must not use that
// class (the crest is for GOV.UK services only), so the file is not shipped.
func TestStylesheetURLs(t *testing.T) {
	css := get(t, "GET", Stylesheet, nil).Body.String()
	urls := regexp.MustCompile(`url\(["']?([^"')]+)`).FindAllStringSubmatch(css, -1)
	for _, m := range urls {
		u := m[1]
		if strings.HasPrefix(u, "data:") || u == Prefix+"images/govuk-crest.svg" {
			continue
		}
		if w := get(t, "GET", u, nil); w.Code != http.StatusOK {
			t.Errorf("satchel.css refers to %s, which gives %d", u, w.Code)
		}
	}
}

func TestScripts(t *testing.T) {
	w := get(t, "GET", Script, nil)
	if w.Code != http.StatusOK {
		t.Fatalf("GET %s: %d", Script, w.Code)
	}
	if got := w.Header().Get("Content-Type"); got != "text/javascript; charset=utf-8" {
		t.Errorf("app.js Content-Type %q", got)
	}
	app := w.Body.String()
	for _, want := range []string{"from './govuk-frontend.min.js'", "initAll()", "govuk-frontend-supported", "data-copy-from", "data-print"} {
		if !strings.Contains(app, want) {
			t.Errorf("app.js has no %s", want)
		}
	}
	// app.js imports initAll from GOV.UK Frontend's module.
	w = get(t, "GET", GOVUKFrontendScript, nil)
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "text/javascript; charset=utf-8" {
		t.Fatalf("GET %s: %d %s", GOVUKFrontendScript, w.Code, w.Header().Get("Content-Type"))
	}
	if !regexp.MustCompile(`export\{[^}]*\binitAll\b`).MatchString(w.Body.String()) {
		t.Error("govuk-frontend.min.js does not export initAll")
	}
}

func TestIcons(t *testing.T) {
	for path, want := range map[string]string{Favicon: "image/svg+xml", FaviconICO: "image/x-icon"} {
		w := get(t, "GET", path, nil)
		if w.Code != http.StatusOK || w.Header().Get("Content-Type") != want {
			t.Errorf("GET %s: %d %q, want 200 %q", path, w.Code, w.Header().Get("Content-Type"), want)
		}
	}
}

func TestNotFound(t *testing.T) {
	for _, path := range []string{
		"/assets/nothing.css",
		"/assets/",
		"/assets/images",
		"/assets/images/",
		"/assets/images/govuk-crest.svg",
		"/assets/fonts/bold-b542beb274-v2.woff2",
		"/assets/static.go",
		"/assets/../static.go",
		"/assets/satchel.css/",
		"/satchel.css",
		"/ASSETS/satchel.css",
	} {
		w := get(t, "GET", path, nil)
		if w.Code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, w.Code)
		}
		if strings.Contains(w.Body.String(), ".govuk-") || w.Header().Get("ETag") != "" {
			t.Errorf("GET %s served a file", path)
		}
	}
}

func TestNotModified(t *testing.T) {
	etag := get(t, "GET", Stylesheet, nil).Header().Get("ETag")
	for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
		w := get(t, "GET", Stylesheet, map[string]string{"If-None-Match": inm})
		if w.Code != http.StatusNotModified {
			t.Errorf("If-None-Match: %s gave %d, want 304", inm, w.Code)
		}
		if w.Body.Len() != 0 {
			t.Errorf("304 with a %d-byte body", w.Body.Len())
		}
		if w.Header().Get("ETag") != etag {
			t.Errorf("304 with ETag %q", w.Header().Get("ETag"))
		}
	}
	// Another file's tag does not match.
	other := get(t, "GET", Script, nil).Header().Get("ETag")
	if other == etag {
		t.Fatal("app.js and satchel.css have the same ETag")
	}
	if w := get(t, "GET", Stylesheet, map[string]string{"If-None-Match": other}); w.Code != http.StatusOK {
		t.Errorf("If-None-Match with app.js's tag gave %d for satchel.css, want 200", w.Code)
	}
}

func TestHead(t *testing.T) {
	full := get(t, "GET", Script, nil)
	w := get(t, "HEAD", Script, nil)
	if w.Code != http.StatusOK || w.Body.Len() != 0 {
		t.Errorf("HEAD %s: %d with %d bytes", Script, w.Code, w.Body.Len())
	}
	if got, want := w.Header().Get("Content-Length"), strconv.Itoa(full.Body.Len()); got != want {
		t.Errorf("HEAD Content-Length %s, want %s", got, want)
	}
}

func TestMethodNotAllowed(t *testing.T) {
	for _, method := range []string{"POST", "PUT", "DELETE", "PATCH"} {
		w := get(t, method, Stylesheet, nil)
		if w.Code != http.StatusMethodNotAllowed {
			t.Errorf("%s %s: %d, want 405", method, Stylesheet, w.Code)
		}
		if got := w.Header().Get("Allow"); got != "GET, HEAD" {
			t.Errorf("%s: Allow %q", method, got)
		}
		if strings.Contains(w.Body.String(), ".govuk-") {
			t.Errorf("%s served the stylesheet", method)
		}
	}
}

func TestGzip(t *testing.T) {
	plain := get(t, "GET", Stylesheet, nil)
	for _, ae := range []string{"gzip", "br, gzip;q=0.8", "GZIP"} {
		w := get(t, "GET", Stylesheet, map[string]string{"Accept-Encoding": ae})
		if w.Header().Get("Content-Encoding") != "gzip" || !strings.Contains(w.Header().Get("Vary"), "Accept-Encoding") {
			t.Fatalf("Accept-Encoding %q: Content-Encoding %q, Vary %q", ae, w.Header().Get("Content-Encoding"), w.Header().Get("Vary"))
		}
		sent := w.Body.Len()
		zr, err := gzip.NewReader(w.Body)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(got, plain.Body.Bytes()) {
			t.Fatalf("gunzipped stylesheet differs from the plain one (%v)", err)
		}
		if n, _ := strconv.Atoi(w.Header().Get("Content-Length")); n != sent || n > plain.Body.Len()/4 {
			t.Errorf("gzipped Content-Length %d, body %d, plain %d", n, sent, plain.Body.Len())
		}
	}
	for _, ae := range []string{"", "br", "gzip;q=0", "identity"} {
		w := get(t, "GET", Stylesheet, map[string]string{"Accept-Encoding": ae})
		if w.Header().Get("Content-Encoding") != "" || !bytes.Equal(w.Body.Bytes(), plain.Body.Bytes()) {
			t.Errorf("Accept-Encoding %q: got Content-Encoding %q", ae, w.Header().Get("Content-Encoding"))
		}
	}
	if w := get(t, "GET", FaviconICO, map[string]string{"Accept-Encoding": "gzip"}); w.Header().Get("Content-Encoding") != "" {
		t.Error("the .ico is gzipped")
	}
}
