package server_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/verifier"
)

const oneView = `{"recipient":{"name":"Acme Lettings","kind":"landlord"},"purpose":"tenancy-application","maxViews":1,
 "items":[{"path":"housing/history.jsonld","fields":["/entries/#current/address"]},{"path":"documents/licence.pdf"}]}`

const licence = "%PDF-1.4\nlicence"

// oneViewShare makes a leaver with an address history and a document, and
// shares both through a one-view link.
func oneViewShare(t *testing.T, s *testServer) (grantResp, string) {
	t.Helper()
	pod, tok := leaverWithHistory(t, s)
	expect(t, s.do("PUT", pod+"documents/licence.pdf", tok, strings.NewReader(licence), "Content-Type", "application/pdf"), http.StatusCreated)
	g, r := s.share(tok, oneView)
	expect(t, r, http.StatusCreated)
	return g, tok
}

// logLine is an access-log entry as the API gives it.
type logLine struct {
	Resource string `json:"resource"`
	Views    int    `json:"views"`
	View     bool   `json:"view"` // this use used up a view
}

// accessLog is the leaver's access log: its entries, and how many of
// them used up a view.
func accessLog(t *testing.T, s *testServer, tok string) ([]logLine, int) {
	t.Helper()
	var log struct{ Entries []logLine }
	r := s.do("GET", s.url+"/api/v1/log", tok, nil)
	expect(t, r, http.StatusOK)
	if err := json.Unmarshal(r.body, &log); err != nil {
		t.Fatal(err)
	}
	views := 0
	for _, e := range log.Entries {
		if e.View {
			views++
		}
	}
	return log.Entries, views
}

// TestOneViewIsOneOpening: a one-view link shows its page and, for a while
// after, its items, as one view; a second opening is refused.
func TestOneViewIsOneOpening(t *testing.T) {
	s := newTestServer(t)
	g, tok := oneViewShare(t, s)

	page := s.do("GET", g.ShareURL, "", nil)
	expect(t, page, http.StatusOK)
	if !strings.Contains(string(page.body), "2 Park Row") || !strings.Contains(string(page.body), "10 minutes") {
		t.Fatalf("page: %s", page.body)
	}
	for i := 0; i < 2; i++ {
		doc := s.do("GET", g.ShareURL+"/items/documents/licence.pdf", "", nil)
		if doc.status != http.StatusOK || string(doc.body) != licence {
			t.Fatalf("document %d after opening the page: %d %s", i, doc.status, doc.body)
		}
	}
	expect(t, s.do("GET", g.ShareURL+"/items/documents/licence.pdf?download=1", "", nil), http.StatusOK)
	rec := s.do("GET", g.ShareURL+"/items/housing/history.jsonld", "", nil)
	if rec.status != http.StatusOK || !strings.Contains(string(rec.body), "LS1 5AB") {
		t.Fatalf("record after opening the page: %d %s", rec.status, rec.body)
	}
	// The signed grant the page links to, as part of the same opening.
	expect(t, s.do("GET", g.ShareURL+"/grant", "", nil), http.StatusOK)

	entries, views := accessLog(t, s, tok)
	if len(entries) != 5 || views != 1 {
		t.Fatalf("access log: %d entries, %d views, want 5 and 1: %+v", len(entries), views, entries)
	}
	again := s.do("GET", g.ShareURL, "", nil)
	expect(t, again, http.StatusGone)
	if !strings.Contains(string(again.body), "used as many times") || strings.Contains(string(again.body), "Park Row") {
		t.Fatalf("second opening: %s", again.body)
	}
	if _, views := accessLog(t, s, tok); views != 1 {
		t.Fatalf("%d views after a refused opening", views)
	}
	// The verify API says it is used up (1 view of 1), and no more.
	res, r := verify(s, `{"token":"`+g.ShareURL+`"}`, "application/json")
	expect(t, r, http.StatusOK)
	if c, _ := checkNamed(res, "views"); res.Valid || res.Status != "used-up" || c.Passed || res.Grant != nil || strings.Contains(string(r.body), "Acme") {
		t.Fatalf("verify a used-up link: %s", r.body)
	}
}

// TestItemsWithoutOpeningUseViews: an item read with no opening of the
// page uses a view, so a one-view link cannot be used again and again
// through its items.
func TestItemsWithoutOpeningUseViews(t *testing.T) {
	s := newTestServer(t)
	g, tok := oneViewShare(t, s)
	doc := s.do("GET", g.ShareURL+"/items/documents/licence.pdf", "", nil)
	if doc.status != http.StatusOK || string(doc.body) != licence {
		t.Fatalf("first read: %d %s", doc.status, doc.body)
	}
	doc = s.do("GET", g.ShareURL+"/items/documents/licence.pdf", "", nil)
	expect(t, doc, http.StatusGone)
	if strings.Contains(string(doc.body), "licence") {
		t.Fatalf("second read: %s", doc.body)
	}
	expect(t, s.do("GET", g.ShareURL, "", nil), http.StatusGone)
	if entries, views := accessLog(t, s, tok); len(entries) != 1 || views != 1 {
		t.Fatalf("access log: %+v", entries)
	}
}

// TestPreviewsAndHeadUseNoView: HEAD requests, link previews and prefetches
// get a page that shows nothing shared, and never use the view up.
func TestPreviewsAndHeadUseNoView(t *testing.T) {
	s := newTestServer(t)
	g, tok := oneViewShare(t, s)
	doc := g.ShareURL + "/items/documents/licence.pdf"
	for _, c := range []struct {
		method, url string
		headers     []string
	}{
		{"HEAD", g.ShareURL, nil},
		{"HEAD", doc, nil},
		{"GET", g.ShareURL, []string{"User-Agent", "WhatsApp/2.23.20.0 A"}},
		{"GET", g.ShareURL, []string{"User-Agent", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"}},
		{"GET", g.ShareURL, []string{"User-Agent", "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"}},
		{"GET", g.ShareURL, []string{"User-Agent", "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)"}},
		{"GET", g.ShareURL, []string{"Sec-Purpose", "prefetch;prerender"}},
		{"GET", g.ShareURL, []string{"Purpose", "prefetch"}},
		{"GET", doc, []string{"User-Agent", "TelegramBot (like TwitterBot)"}},
	} {
		r := s.do(c.method, c.url, "", nil, c.headers...)
		body := string(r.body)
		if r.status != http.StatusOK || strings.Contains(body, "Park Row") || strings.Contains(body, "licence") || strings.Contains(body, "Acme") || strings.Contains(body, "Test jo") {
			t.Fatalf("%s %s %v: %d %s", c.method, c.url, c.headers, r.status, body)
		}
		if c.method == "GET" && !strings.Contains(body, "open this link in a web browser") {
			t.Fatalf("%s %v: the neutral page does not say what to do: %s", c.url, c.headers, body)
		}
	}
	// Nor does the verify API.
	if res, r := verify(s, `{"token":"`+g.ShareURL+`"}`, "application/json"); !res.Valid || res.Grant == nil {
		t.Fatalf("verify before the opening: %s", r.body)
	}
	if entries, _ := accessLog(t, s, tok); len(entries) != 0 {
		t.Fatalf("previews were logged: %+v", entries)
	}
	// The person still has their one view.
	page := s.do("GET", g.ShareURL, "", nil, "User-Agent", "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36")
	if page.status != http.StatusOK || !strings.Contains(string(page.body), "2 Park Row") {
		t.Fatalf("the page after previews: %d", page.status)
	}
	if _, views := accessLog(t, s, tok); views != 1 {
		t.Fatalf("%d views", views)
	}
}

// TestEndedLinksShowOnlyTheirStatus: a withdrawn or used-up link no
// longer gives out the signed grant, and the verify API says only its
// status; an unknown link stays unknown, not withdrawn.
func TestEndedLinksShowOnlyTheirStatus(t *testing.T) {
	s := newTestServer(t)
	g, tok := oneViewShare(t, s)
	token := g.ShareURL[strings.LastIndex(g.ShareURL, "/")+1:]
	expect(t, s.do("POST", s.url+"/api/v1/grants/"+g.ID+"/revoke", tok, nil), http.StatusNoContent)

	for _, c := range []struct{ url, accept string }{
		{g.ShareURL + "/grant", ""},
		{g.ShareURL, "application/vc+jwt"},
	} {
		r := s.do("GET", c.url, "", nil, "Accept", c.accept)
		expect(t, r, http.StatusGone)
		if p := r.problem(t); !strings.Contains(p["detail"].(string), "withdrawn") || strings.Contains(string(r.body), "eyJ") {
			t.Fatalf("grant of a withdrawn link: %s", r.body)
		}
	}
	for _, c := range []struct{ body, contentType string }{
		{`{"token":"` + token + `"}`, "application/json"},
		{g.Credential, "application/vc+jwt"},
	} {
		res, r := verify(s, c.body, c.contentType)
		expect(t, r, http.StatusOK)
		var raw map[string]any
		json.Unmarshal(r.body, &raw)
		if _, has := raw["grant"]; has || res.Valid || res.Status != "revoked" || len(res.Checks) == 0 || strings.Contains(string(r.body), "Acme") || strings.Contains(string(r.body), "housing") {
			t.Fatalf("verify a withdrawn link (%s): %s", c.contentType, r.body)
		}
	}

	// Used up by reading an item with no opening: the grant is refused
	// with the reason, and the verify API says used-up and no more.
	used, r := s.share(tok, oneView)
	expect(t, r, http.StatusCreated)
	expect(t, s.do("GET", used.ShareURL+"/items/documents/licence.pdf", "", nil), http.StatusOK)
	r = s.do("GET", used.ShareURL+"/grant", "", nil)
	expect(t, r, http.StatusGone)
	if p := r.problem(t); !strings.Contains(p["detail"].(string), "used as many times") {
		t.Fatalf("grant of a used-up link: %s", r.body)
	}
	res, r := verify(s, `{"token":"`+used.ShareURL+`"}`, "application/json")
	if res.Valid || res.Status != "used-up" || res.Grant != nil || strings.Contains(string(r.body), "Acme") {
		t.Fatalf("verify a used-up link: %s", r.body)
	}

	// An unknown link: the page as for a withdrawn one, the grant refused,
	// and the verify API says unknown (never withdrawn).
	last := token[len(token)-1]
	flip := "A"
	if last == 'A' {
		flip = "B"
	}
	unknown := token[:len(token)-1] + flip
	withdrawn := s.do("GET", g.ShareURL, "", nil)
	page := s.do("GET", s.url+"/s/"+unknown, "", nil)
	expect(t, withdrawn, http.StatusGone)
	expect(t, page, http.StatusGone)
	if !strings.Contains(string(page.body), "This link does not work") || withdrawn.header.Get("Content-Type") != page.header.Get("Content-Type") {
		t.Fatalf("unknown link page: %s", page.body)
	}
	r = s.do("GET", s.url+"/s/"+unknown+"/grant", "", nil)
	expect(t, r, http.StatusGone)
	r.problem(t)
	res, r = verify(s, `{"token":"`+unknown+`"}`, "application/json")
	if c, _ := checkNamed(res, "link"); res.Valid || res.Status != "unknown" || c.Passed || res.Grant != nil || strings.Contains(string(r.body), "withdrawn") {
		t.Fatalf("verify an unknown link: %s", r.body)
	}
	if _, ok := checkNamed(res, "revocation"); ok {
		t.Fatalf("an unknown link has a revocation check: %s", r.body)
	}
}

// TestRefusalsTakeTheFloor: a link that does not work answers no sooner
// than the handler's refusal floor, whether unknown or withdrawn, page,
// item or grant; and the server's own floor is at least 50 ms.
func TestRefusalsTakeTheFloor(t *testing.T) {
	s := newTestServer(t)
	g, tok := oneViewShare(t, s)
	expect(t, s.do("POST", s.url+"/api/v1/grants/"+g.ID+"/revoke", tok, nil), http.StatusNoContent)
	token := g.ShareURL[strings.LastIndex(g.ShareURL, "/")+1:]
	unknown := "AAAAAAAAAAAAAAAAAAAAAA"
	if token == unknown {
		unknown = "BBBBBBBBBBBBBBBBBBBBBB"
	}

	const floor = 200 * time.Millisecond
	r := mux.NewRouter()
	r.SkipClean(true)
	r.UseEncodedPath()
	(&verifier.Handler{Verifier: s.b.Verifier, RefusalFloor: floor, Log: slog.New(slog.NewTextHandler(testLog{t}, nil))}).Routes(r)
	ts := httptest.NewServer(r)
	t.Cleanup(ts.Close)
	slow := &testServer{t: t, url: ts.URL, b: s.b}

	timed := func(s *testServer, path string, least time.Duration) {
		t.Helper()
		start := time.Now()
		r := s.do("GET", s.url+path, "", nil)
		if took := time.Since(start); took < least {
			t.Errorf("GET %s refused in %v, want at least %v", path, took, least)
		}
		expect(t, r, http.StatusGone)
	}
	for _, tk := range []string{unknown, token} {
		for _, p := range []string{"/s/" + tk, "/s/" + tk + "/items/documents/licence.pdf", "/s/" + tk + "/grant"} {
			timed(slow, p, floor)
		}
	}
	timed(s, "/s/"+unknown, 50*time.Millisecond)
	timed(s, "/s/"+token, 50*time.Millisecond)
}
