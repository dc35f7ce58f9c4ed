package server_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	podpkg "github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/server"
)

const record = `{"@context":"https://w3id.org/satchel/v1","type":"IdentityDocument","documentType":"prison-id-card","documentNumber":"A1234BC","holder":{"type":"Person","name":"Jo Bloggs","birthDate":"1990-04-23"}}`

// record2 is another version of record.
var record2 = strings.Replace(record, "A1234BC", "B5678CD", 1)

func members(t *testing.T, r response) []string {
	t.Helper()
	var doc struct {
		Graph []struct {
			ID       string              `json:"@id"`
			Contains []map[string]string `json:"ldp:contains"`
		} `json:"@graph"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatalf("listing is not JSON-LD: %v: %s", err, r.body)
	}
	var out []string
	for _, c := range doc.Graph[0].Contains {
		out = append(out, c["@id"])
	}
	return out
}

func TestNewPodHasStandardContainers(t *testing.T) {
	s := newTestServer(t)
	pod, tok := s.leaver("jo")
	r := s.do("GET", pod, tok, nil)
	expect(t, r, http.StatusOK)
	got := fmt.Sprint(members(t, r))
	for _, c := range []string{"identity/", "housing/", "qualifications/", "finance/", "documents/", "inbox/"} {
		if !strings.Contains(got, pod+c) {
			t.Errorf("pod root does not contain %s: %s", c, got)
		}
		expect(t, s.do("GET", pod+c, tok, nil), http.StatusOK)
	}
	if !strings.Contains(r.header.Get("Link"), `<http://www.w3.org/ns/pim/space#Storage>; rel="type"`) {
		t.Errorf("root Link lacks pim:Storage: %s", r.header.Get("Link"))
	}
}

func TestRecordRoundTripAndHeaders(t *testing.T) {
	s := newTestServer(t)
	pod, tok := s.leaver("jo")
	url := pod + "identity/name.jsonld"
	r := s.do("PUT", url, tok, strings.NewReader(record), "Content-Type", "application/ld+json")
	expect(t, r, http.StatusCreated)
	etag := r.header.Get("ETag")
	if etag == "" || r.header.Get("Location") != url {
		t.Fatalf("201 headers: %v", r.header)
	}
	g := s.do("GET", url, tok, nil)
	expect(t, g, http.StatusOK)
	if string(g.body) != record || g.header.Get("Content-Type") != "application/ld+json" || g.header.Get("ETag") != etag {
		t.Fatalf("GET returned %q %v", g.body, g.header)
	}
	link := g.header.Get("Link")
	if !strings.Contains(link, `<http://www.w3.org/ns/ldp#Resource>; rel="type"`) || !strings.Contains(link, `<`+url+`.meta>; rel="describedby"`) {
		t.Fatalf("Link: %s", link)
	}
	if !strings.Contains(g.header.Get("Allow"), "PUT") || g.header.Get("Accept-Put") == "" {
		t.Fatalf("Allow %q Accept-Put %q", g.header.Get("Allow"), g.header.Get("Accept-Put"))
	}
	h := s.do("HEAD", url, tok, nil)
	expect(t, h, http.StatusOK)
	if h.header.Get("Content-Length") != fmt.Sprint(len(record)) || len(h.body) != 0 {
		t.Fatalf("HEAD: %v %q", h.header, h.body)
	}
	d := s.do("GET", url+".meta", tok, nil)
	expect(t, d, http.StatusOK)
	if !strings.Contains(string(d.body), `"stat:size":`+fmt.Sprint(len(record))) {
		t.Fatalf("description: %s", d.body)
	}
	l := s.do("GET", pod+"identity/", tok, nil)
	if fmt.Sprint(members(t, l)) != "["+url+"]" {
		t.Fatalf("listing: %s", l.body)
	}
	tt := s.do("GET", pod+"identity/", tok, nil, "Accept", "text/turtle")
	if tt.header.Get("Content-Type") != "text/turtle" || !strings.Contains(string(tt.body), "ldp:contains <"+url+">") {
		t.Fatalf("turtle listing: %s", tt.body)
	}
}

func TestConditionalRequests(t *testing.T) {
	s := newTestServer(t)
	pod, tok := s.leaver("jo")
	url := pod + "identity/card.jsonld"
	ct := []string{"Content-Type", "application/ld+json"}
	r := s.do("PUT", url, tok, strings.NewReader(record), ct...)
	etag := r.header.Get("ETag")
	expect(t, s.do("PUT", url, tok, strings.NewReader(record), append(ct, "If-None-Match", "*")...), http.StatusPreconditionFailed)
	expect(t, s.do("PUT", url, tok, strings.NewReader(record2), append(ct, "If-Match", `"stale"`)...), http.StatusPreconditionFailed)
	expect(t, s.do("GET", url, tok, nil, "If-None-Match", etag), http.StatusNotModified)
	r = s.do("PUT", url, tok, strings.NewReader(record2), append(ct, "If-Match", etag)...)
	expect(t, r, http.StatusNoContent)
	if r.header.Get("ETag") == etag {
		t.Fatal("ETag did not change")
	}
	expect(t, s.do("DELETE", url, tok, nil, "If-Match", etag), http.StatusPreconditionFailed)
	expect(t, s.do("PUT", pod+"identity/new.jsonld", tok, strings.NewReader(record), append(ct, "If-Match", "*")...), http.StatusPreconditionFailed)
	expect(t, s.do("GET", pod+"identity/new.jsonld", tok, nil), http.StatusNotFound)
	if g := s.do("GET", url, tok, nil); string(g.body) != record2 {
		t.Fatalf("after failed preconditions: %s", g.body)
	}
}

func TestPostWithSlugAndContainers(t *testing.T) {
	s := newTestServer(t)
	pod, tok := s.leaver("jo")
	pdf := "%PDF-1.4\n% a letter\n"
	r := s.do("POST", pod+"documents/", tok, strings.NewReader(pdf), "Content-Type", "application/pdf", "Slug", "Probation letter")
	expect(t, r, http.StatusCreated)
	loc := r.header.Get("Location")
	if loc != pod+"documents/Probation-letter.pdf" {
		t.Fatalf("Location %q", loc)
	}
	r2 := s.do("POST", pod+"documents/", tok, strings.NewReader(pdf), "Content-Type", "application/pdf", "Slug", "Probation letter")
	expect(t, r2, http.StatusCreated)
	if r2.header.Get("Location") == loc {
		t.Fatal("second POST with the same Slug overwrote the first")
	}
	if g := s.do("GET", loc, tok, nil); string(g.body) != pdf {
		t.Fatalf("GET %s: %q", loc, g.body)
	}
	c := s.do("POST", pod+"documents/", tok, nil, "Slug", "letters", "Link", `<http://www.w3.org/ns/ldp#BasicContainer>; rel="type"`)
	expect(t, c, http.StatusCreated)
	if c.header.Get("Location") != pod+"documents/letters/" {
		t.Fatalf("container Location %q", c.header.Get("Location"))
	}
	// PUT creates intermediate containers.
	expect(t, s.do("PUT", pod+"documents/a/b/c.txt", tok, strings.NewReader("hello"), "Content-Type", "text/plain"), http.StatusCreated)
	if got := fmt.Sprint(members(t, s.do("GET", pod+"documents/a/", tok, nil))); got != "["+pod+"documents/a/b/]" {
		t.Fatalf("documents/a/ = %s", got)
	}
	// A file and a folder cannot share a name.
	expect(t, s.do("PUT", pod+"documents/a", tok, strings.NewReader("x"), "Content-Type", "text/plain"), http.StatusConflict)
	// PUT of an empty body to a new container path creates it; with
	// If-None-Match: * a second time, it is refused.
	expect(t, s.do("PUT", pod+"finance/statements/", tok, nil, "If-None-Match", "*"), http.StatusCreated)
	expect(t, s.do("PUT", pod+"finance/statements/", tok, nil, "If-None-Match", "*"), http.StatusPreconditionFailed)
	expect(t, s.do("PUT", pod+"finance/statements/", tok, nil), http.StatusNoContent)
	expect(t, s.do("PUT", pod+"finance/other/", tok, nil, "If-Match", "*"), http.StatusPreconditionFailed)
	expect(t, s.do("GET", pod+"finance/other/", tok, nil), http.StatusNotFound)
}

func TestDelete(t *testing.T) {
	s := newTestServer(t)
	pod, tok := s.leaver("jo")
	expect(t, s.do("PUT", pod+"documents/old/x.txt", tok, strings.NewReader("x"), "Content-Type", "text/plain"), http.StatusCreated)
	r := s.do("DELETE", pod+"documents/old/", tok, nil)
	expect(t, r, http.StatusConflict)
	r.problem(t)
	expect(t, s.do("DELETE", pod+"documents/old/x.txt", tok, nil), http.StatusNoContent)
	expect(t, s.do("GET", pod+"documents/old/x.txt", tok, nil), http.StatusNotFound)
	expect(t, s.do("DELETE", pod+"documents/old/", tok, nil), http.StatusNoContent)
	if m := members(t, s.do("GET", pod+"documents/", tok, nil)); len(m) != 0 {
		t.Fatalf("documents/ still lists %v", m)
	}
	root := s.do("DELETE", pod, tok, nil)
	expect(t, root, http.StatusMethodNotAllowed)
	if strings.Contains(root.header.Get("Allow"), "DELETE") {
		t.Fatal("root Allow includes DELETE")
	}
	expect(t, s.do("DELETE", pod+"inbox/", tok, nil), http.StatusMethodNotAllowed)
	expect(t, s.do("DELETE", pod+"documents/never.txt", tok, nil), http.StatusNotFound)
}

func TestOnlyTheOwnerGetsIn(t *testing.T) {
	s := newTestServer(t)
	joPod, joTok := s.leaver("jo")
	_, samTok := s.leaver("sam")
	expect(t, s.do("PUT", joPod+"identity/id.jsonld", joTok, strings.NewReader(record), "Content-Type", "application/ld+json"), http.StatusCreated)

	missing := s.do("GET", s.url+"/pods/aaaaaaaaaaaaaaaaaaaaaaaaaa/identity/id.jsonld", samTok, nil)
	for _, method := range []string{"GET", "HEAD", "DELETE"} {
		for _, u := range []string{joPod, joPod + "identity/id.jsonld", joPod + "identity/none"} {
			r := s.do(method, u, samTok, nil)
			if r.status != http.StatusNotFound {
				t.Errorf("%s %s with another leaver's token: %d", method, u, r.status)
			}
			if method == "GET" && withoutRequestID(r.body) != withoutRequestID(missing.body) {
				t.Errorf("other pod answers differently from a missing pod:\n%s\n%s", r.body, missing.body)
			}
		}
	}
	expect(t, s.do("PUT", joPod+"identity/evil.jsonld", samTok, strings.NewReader(record), "Content-Type", "application/ld+json"), http.StatusNotFound)
	expect(t, s.do("GET", joPod+"identity/evil.jsonld", joTok, nil), http.StatusNotFound)
	if g := s.do("GET", joPod+"identity/id.jsonld", joTok, nil); string(g.body) != record {
		t.Fatal("owner's record changed")
	}
	expect(t, s.do("GET", joPod, "", nil), http.StatusUnauthorized)
}

func TestBadPaths(t *testing.T) {
	s := newTestServer(t)
	pod, tok := s.leaver("jo")
	before := snapshot(t, s.data)
	for _, p := range []string{
		"identity/../housing/x.txt",
		"identity/%2e%2e/housing/x.txt",
		"identity/%2E%2E/x.txt",
		"..",
		"identity/a%2Fb.txt",
		"identity/a%5Cb.txt",
		"identity/a%00b.txt",
		"identity//x.txt",
		"identity/./x.txt",
		"identity/%ff.txt",
	} {
		r := s.do("PUT", pod+p, tok, strings.NewReader("x"), "Content-Type", "text/plain")
		if r.status != http.StatusBadRequest {
			t.Errorf("PUT %s: %d, want 400", p, r.status)
			continue
		}
		r.problem(t)
	}
	long := s.do("GET", pod+strings.Repeat("a/", 600)+"x", tok, nil)
	expect(t, long, http.StatusRequestURITooLong)
	huge := s.do("GET", pod, tok, nil, "X-Padding", strings.Repeat("a", 64<<10))
	expect(t, huge, http.StatusRequestHeaderFieldsTooLarge)
	if after := snapshot(t, s.data); after != before {
		t.Fatal("refused requests changed the data directory")
	}
}

func TestBadUploads(t *testing.T) {
	s := newTestServer(t, func(c *server.Config) { c.MaxUpload = 1 << 20 })
	pod, tok := s.leaver("jo")
	url := pod + "documents/x.pdf"
	expect(t, s.do("PUT", url, tok, strings.NewReader("%PDF-1.4\n")), http.StatusBadRequest)
	expect(t, s.do("PUT", url, tok, strings.NewReader("<html>"), "Content-Type", "text/html"), http.StatusUnsupportedMediaType)
	expect(t, s.do("PUT", url, tok, strings.NewReader("\x89PNG\r\n\x1a\n...."), "Content-Type", "application/pdf"), http.StatusUnsupportedMediaType)
	expect(t, s.do("PUT", pod+"identity/x.jsonld", tok, strings.NewReader(`{"a":`), "Content-Type", "application/ld+json"), http.StatusBadRequest)
	expect(t, s.do("PUT", pod+"identity/x.json", tok, strings.NewReader(`{"a":`), "Content-Type", "application/json"), http.StatusBadRequest)
	expect(t, s.do("PUT", pod+"identity/x.jsonld", tok, strings.NewReader(`"just a string"`), "Content-Type", "application/ld+json"), http.StatusBadRequest)
	expect(t, s.do("PUT", pod+"documents/", tok, strings.NewReader("%PDF-1.4\n"), "Content-Type", "application/pdf"), http.StatusConflict)
	expect(t, s.do("PUT", url+".meta", tok, strings.NewReader("x"), "Content-Type", "text/plain"), http.StatusMethodNotAllowed)

	// No Content-Length: the body arrives chunked.
	expect(t, s.do("PUT", url, tok, io.MultiReader(strings.NewReader("%PDF-1.4\n")), "Content-Type", "application/pdf"), http.StatusLengthRequired)

	before := snapshot(t, s.data)
	big := bytes.Repeat([]byte("a"), 2<<20)
	copy(big, "%PDF-1.4\n")
	r := s.do("PUT", url, tok, bytes.NewReader(big), "Content-Type", "application/pdf")
	expect(t, r, http.StatusRequestEntityTooLarge)
	r.problem(t)
	expect(t, s.do("GET", url, tok, nil), http.StatusNotFound)
	if after := snapshot(t, s.data); after != before {
		t.Fatal("a refused upload left something behind")
	}
}

func TestTruncatedUploadKeepsOldVersion(t *testing.T) {
	s := newTestServer(t)
	pod, tok := s.leaver("jo")
	url := pod + "documents/licence.pdf"
	old := "%PDF-1.4\nthe old version\n"
	expect(t, s.do("PUT", url, tok, strings.NewReader(old), "Content-Type", "application/pdf"), http.StatusCreated)
	before := snapshot(t, s.data)

	conn, err := net.Dial("tcp", strings.TrimPrefix(s.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	path := strings.TrimPrefix(url, s.url)
	fmt.Fprintf(conn, "PUT %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/pdf\r\nContent-Length: 300000\r\n\r\n%%PDF-1.4\n", path, tok)
	conn.Write(bytes.Repeat([]byte("n"), 100000))
	conn.(*net.TCPConn).CloseWrite()
	io.ReadAll(conn) // the server answers (or closes) once it sees the body end early
	conn.Close()

	if g := s.do("GET", url, tok, nil); g.status != http.StatusOK || string(g.body) != old {
		t.Fatalf("after a truncated upload: %d %q", g.status, g.body)
	}
	if after := snapshot(t, s.data); after != before {
		t.Fatal("a truncated upload changed stored objects")
	}
}

func TestDocumentsStreamBothWays(t *testing.T) {
	s := newTestServer(t)
	pod, tok := s.leaver("jo")
	for name, magic := range map[string]string{
		"scan.pdf":   "%PDF-1.7\n",
		"photo.jpg":  "\xff\xd8\xff\xe0",
		"photo.png":  "\x89PNG\r\n\x1a\n",
		"photo.heic": "\x00\x00\x00\x18ftypheic",
	} {
		data := make([]byte, 3<<20+12345)
		rand.Read(data)
		copy(data, magic)
		ct := map[string]string{".pdf": "application/pdf", ".jpg": "image/jpeg", ".png": "image/png", ".heic": "image/heic"}[filepath.Ext(name)]
		expect(t, s.do("PUT", pod+"documents/"+name, tok, bytes.NewReader(data), "Content-Type", ct), http.StatusCreated)
		g := s.do("GET", pod+"documents/"+name, tok, nil)
		if !bytes.Equal(g.body, data) || g.header.Get("Content-Type") != ct {
			t.Fatalf("%s: got %d bytes of %s back, want %d of %s", name, len(g.body), g.header.Get("Content-Type"), len(data), ct)
		}
		if g.header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(g.header.Get("Content-Security-Policy"), "sandbox") {
			t.Fatalf("%s served without nosniff and sandbox", name)
		}
	}
}

func TestCORS(t *testing.T) {
	s := newTestServer(t)
	pod, tok := s.leaver("jo")
	pre := s.do("OPTIONS", pod+"identity/", "", nil, "Origin", "https://app.example", "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "authorization, content-type")
	expect(t, pre, http.StatusNoContent)
	if pre.header.Get("Access-Control-Allow-Origin") != "https://app.example" ||
		!strings.Contains(pre.header.Get("Access-Control-Allow-Methods"), "PUT") ||
		!strings.Contains(pre.header.Get("Access-Control-Allow-Headers"), "authorization") ||
		pre.header.Get("Accept-Post") == "" {
		t.Fatalf("preflight headers: %v", pre.header)
	}
	g := s.do("GET", pod, tok, nil, "Origin", "https://app.example")
	if g.header.Get("Access-Control-Allow-Origin") != "https://app.example" || !strings.Contains(g.header.Get("Access-Control-Expose-Headers"), "Link") {
		t.Fatalf("GET CORS headers: %v", g.header)
	}
}

// snapshot lists every file under dir with its size and modification time.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			fmt.Fprintf(&b, "%s %d %d\n", p, fi.Size(), fi.ModTime().UnixNano())
		}
		return nil
	})
	return b.String()
}

// TestConcurrentPostsWithOneSlug: a leaver taps "upload" twice, or two
// helpers add letters at once. Every POST gets its own name; none is lost
// and none fails.
func TestConcurrentPostsWithOneSlug(t *testing.T) {
	s := newTestServer(t)
	pod, tok := s.leaver("jo")
	const n = 20
	var wg sync.WaitGroup
	locs := make(chan string, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := s.do("POST", pod+"documents/", tok, strings.NewReader(fmt.Sprint("letter ", i)), "Content-Type", "text/plain", "Slug", "letter")
			if r.status != http.StatusCreated {
				t.Errorf("POST %d: %d %s", i, r.status, r.body)
			}
			locs <- r.header.Get("Location")
		}(i)
	}
	wg.Wait()
	close(locs)
	seen := map[string]bool{}
	for l := range locs {
		seen[l] = true
	}
	if len(seen) != n || len(members(t, s.do("GET", pod+"documents/", tok, nil))) != n {
		t.Fatalf("%d distinct locations and %d members, want %d", len(seen), len(members(t, s.do("GET", pod+"documents/", tok, nil))), n)
	}
}

func TestAccessLogIsReadOnly(t *testing.T) {
	s := newTestServer(t)
	podURL, tok := s.leaver("jo")
	id := strings.Split(strings.TrimPrefix(podURL, s.url+"/pods/"), "/")[0]
	p, err := s.b.Pods.AppendLog(context.Background(), podpkg.PodID(id), []byte(`{"what":"a view"}`))
	if err != nil {
		t.Fatal(err)
	}
	url := podURL + p.Escaped()
	if g := s.do("GET", url, tok, nil); g.status != 200 || string(g.body) != `{"what":"a view"}` {
		t.Fatalf("reading the log entry: %d %s", g.status, g.body)
	}
	for _, r := range []response{
		s.do("PUT", url, tok, strings.NewReader(`{"what":"nothing"}`), "Content-Type", "application/json"),
		s.do("DELETE", url, tok, nil),
		s.do("POST", podURL+"access-log/", tok, strings.NewReader(`{}`), "Content-Type", "application/json"),
		s.do("DELETE", podURL+"access-log/", tok, nil),
	} {
		if r.status != http.StatusMethodNotAllowed {
			t.Fatalf("changing the log: %d %s", r.status, r.body)
		}
	}
	if g := s.do("GET", url, tok, nil); string(g.body) != `{"what":"a view"}` {
		t.Fatal("the log entry changed")
	}
	if m := members(t, s.do("GET", podURL+"access-log/", tok, nil)); len(m) != 1 {
		t.Fatalf("access-log/ lists %v", m)
	}
}
