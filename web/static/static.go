// Package static holds the leaver pages' and verifier page's styles, scripts
// and icons, built by scripts/assets from the pinned govuk-frontend package
// and embedded in the binary.
//
// satchel.css, govuk-frontend.min.js and images/ are scripts/assets' output
// (run it after changing web/assets, and commit the result; scripts/test
// checks they match), as is upload.js, copied from web/assets as it is.
// app.js is written by hand. Handler serves them all
// under Prefix.
package static

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/satchel-project/satchel/internal/problem"
)

// Prefix is the URL path under which Handler serves the files; mount it
// there, for example router.PathPrefix(static.Prefix).Handler(static.Handler()).
// GOV.UK Frontend's stylesheet expects its assets here ($govuk-assets-path
// in web/assets/satchel.scss).
const Prefix = "/assets/"

// The addresses pages link to.
const (
	// Stylesheet is GOV.UK Frontend and Satchel's own styles:
	// <link rel="stylesheet" href="/assets/satchel.css">.
	Stylesheet = Prefix + "satchel.css"
	// Script is Satchel's script, an ES module that loads GOV.UK Frontend:
	// <script type="module" src="/assets/app.js"></script>.
	Script = Prefix + "app.js"
	// GOVUKFrontendScript is GOV.UK Frontend's script. Script imports it;
	// pages need not link it, though they may preload it with
	// <link rel="modulepreload" href="/assets/govuk-frontend.min.js">.
	GOVUKFrontendScript = Prefix + "govuk-frontend.min.js"
	// Favicon is Satchel's icon for browsers that take SVG:
	// <link rel="icon" sizes="any" href="/assets/images/favicon.svg" type="image/svg+xml">.
	Favicon = Prefix + "images/favicon.svg"
	// FaviconICO is the same icon at 16, 32 and 48 pixels for the rest:
	// <link rel="icon" sizes="48x48" href="/assets/images/favicon.ico">.
	FaviconICO = Prefix + "images/favicon.ico"
)

//go:embed satchel.css govuk-frontend.min.js app.js share.js images/favicon.ico images/favicon.svg
//go:embed upload.js
var embedded embed.FS

// contentTypes gives the Content-Type of each kind of file embedded. A file
// of another kind stops the program at start-up (see load), so that a file
// is never served with a guessed type.
var contentTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".svg": "image/svg+xml",
	".ico": "image/x-icon",
}

type file struct {
	body        []byte
	contentType string
	etag        string // quoted, strong
	length      string
	// gz is body gzipped (nil where that does not help), for clients that
	// accept it: the stylesheet goes from about 139 KB to 16 KB, which
	// matters on a cheap phone's mobile data.
	gz       []byte
	gzLength string
}

// files maps a name relative to Prefix ("images/favicon.svg") to its file.
var files = load(embedded)

func load(fsys fs.FS) map[string]file {
	m := map[string]file{}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		ct, ok := contentTypes[path.Ext(name)]
		if !ok {
			panic("static: no Content-Type for " + name)
		}
		sum := sha256.Sum256(body)
		f := file{
			body:        body,
			contentType: ct,
			etag:        `"` + hex.EncodeToString(sum[:]) + `"`,
			length:      strconv.Itoa(len(body)),
		}
		if strings.HasPrefix(ct, "text/") || ct == "image/svg+xml" {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			zw.Write(body)
			zw.Close()
			if buf.Len() < len(body) {
				f.gz, f.gzLength = buf.Bytes(), strconv.Itoa(buf.Len())
			}
		}
		m[name] = f
		return nil
	})
	if err != nil {
		panic("static: " + err.Error())
	}
	return m
}

// Handler serves the embedded files under Prefix to GET and HEAD, with a
// day's caching and a strong ETag (the file's SHA-256) that If-None-Match
// can match for a 304. Any other method gets 405; any other path, a
// directory included, gets 404.
func Handler() http.Handler {
	return http.HandlerFunc(serve)
}

func serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		problem.Write(w, http.StatusMethodNotAllowed, "method-not-allowed", "This address does not support "+r.Method+".")
		return
	}
	name, ok := strings.CutPrefix(r.URL.Path, Prefix)
	f, found := files[name]
	if !ok || !found {
		problem.Write(w, http.StatusNotFound, "not-found", "There is nothing at this address.")
		return
	}
	h := w.Header()
	h.Set("ETag", f.etag)
	h.Set("Cache-Control", "public, max-age=86400")
	h.Set("X-Content-Type-Options", "nosniff")
	if noneMatch(r.Header.Values("If-None-Match"), f.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", f.contentType)
	body, length := f.body, f.length
	if f.gz != nil {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r.Header.Values("Accept-Encoding")) {
			body, length = f.gz, f.gzLength
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("Content-Length", length)
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		w.Write(body)
	}
}

// acceptsGzip reports whether Accept-Encoding values allow gzip (and do
// not refuse it with q=0).
func acceptsGzip(values []string) bool {
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
				continue
			}
			q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}

// noneMatch reports whether an If-None-Match header names etag, or is "*".
// If-None-Match compares weakly (RFC 9110 section 13.1.2), so W/"x" matches
// "x".
func noneMatch(headers []string, etag string) bool {
	for _, header := range headers {
		for tag := range strings.SplitSeq(header, ",") {
			tag = strings.TrimSpace(tag)
			if tag == "*" || strings.TrimPrefix(tag, "W/") == etag {
				return true
			}
		}
	}
	return false
}
