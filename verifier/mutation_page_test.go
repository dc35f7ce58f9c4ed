package verifier_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/web/lang"
)

// The share page says when the link ends and what each check found with
// dates in words, in London time, never as timestamps; a link with a view
// limit says how long its items can be read as part of one visit, and one
// without says nothing of it.
func TestSharePageDatesAndWindowInWords(t *testing.T) {
	t.Parallel()
	ts, svc, id := apiSetup(t, 0)
	for _, maxViews := range []int{0, 1, 2} {
		g := share(t, svc, id, maxViews)
		r := fetch(t, ts, "GET", "/s/"+g.Token, nil)
		if r.code != 200 {
			t.Fatalf("max %d: %d", maxViews, r.code)
		}
		page := htmlUnescape(r.body)
		if regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d`).MatchString(page) {
			t.Errorf("max %d: the page shows a timestamp:\n%s", maxViews, page)
		}
		until := lang.English.DateTime(g.Expires)
		if !strings.Contains(page, "valid until "+until) || !strings.Contains(page, "in use since "+lang.English.DateTime(g.NotBefore)) {
			t.Errorf("max %d: the checks do not give the dates in words (%s)", maxViews, until)
		}
		window := strings.Contains(page, "For the next 10 minutes you can view and download the items below")
		if window != (maxViews > 0) {
			t.Errorf("max %d: says the visit's window: %v", maxViews, window)
		}
	}
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&#39;", "'", "&amp;", "&", "&lt;", "<", "&gt;", ">", "&#34;", `"`, "&quot;", `"`).Replace(s)
}

// A link preview of the share or of one of its items is the same neutral
// page: it asks for the link to be opened in a browser, and links to the
// share's page, not to the item; a HEAD request gets no page at all.
func TestLinkPreviewPageLinksToTheShare(t *testing.T) {
	t.Parallel()
	ts, svc, id := apiSetup(t, 0)
	g := share(t, svc, id, 1)
	for _, p := range []string{"/s/" + g.Token, "/s/" + g.Token + "/items/documents/a.pdf"} {
		r := fetch(t, ts, "GET", p, map[string]string{"User-Agent": "WhatsApp/2.23"})
		if r.code != 200 || !strings.Contains(r.body, "open this link in a web browser") || !strings.Contains(r.body, `href="/s/`+g.Token+`">Open what was shared`) || strings.Contains(r.body, "/items/") {
			t.Errorf("preview of %s: %d\n%s", p, r.code, r.body)
		}
		if h := fetch(t, ts, "HEAD", p, nil); h.code != 200 || h.body != "" || !strings.HasPrefix(h.hdr.Get("Content-Type"), "text/html") {
			t.Errorf("HEAD %s: %d %q", p, h.code, h.body)
		}
	}
	// A refused item's page offers the other language for the share's
	// page, not for the item.
	if err := svc.Revoke(context.Background(), id, g.ID); err != nil {
		t.Fatal(err)
	}
	r := fetch(t, ts, "GET", "/s/"+g.Token+"/items/documents/a.pdf", nil)
	if r.code != 410 || !strings.Contains(r.body, "back=%2Fs%2F"+g.Token+"&amp;") || strings.Contains(r.body, "%2Fitems") {
		t.Errorf("a withdrawn item's page: %d\n%s", r.code, r.body)
	}
}

// A preview of a share without a view limit shows no views check: the
// share page of such a link has none either.
func TestPreviewOfAShareWithoutAViewLimit(t *testing.T) {
	t.Parallel()
	v, svc, id := previewSetup(t)
	ctx := context.Background()
	g := currentAddressGrant(id)
	out, err := v.Preview(ctx, g, nil)
	if err != nil {
		t.Fatal(err)
	}
	made, err := svc.Create(ctx, consent.NewGrant{Pod: g.Pod, SharedBy: g.SharedBy, Recipient: g.Recipient, Purpose: g.Purpose, Items: g.Items})
	if err != nil {
		t.Fatal(err)
	}
	res, _, _, err := v.VerifyToken(ctx, made.Token)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(out), "<li>Passed: "); n != len(res.Checks) || strings.Contains(string(out), "times allowed") {
		t.Errorf("preview shows %d checks, the share page %d:\n%s", n, len(res.Checks), out)
	}
}

// Within one share, a reference to one file is one urn:uuid wherever it is
// written and however (relative to each record); the same relative
// reference in two records names two things, so two ids. Nothing of the
// link's token is in either.
func TestShareIDsFollowWhatReferencesMean(t *testing.T) {
	t.Parallel()
	w := newSignedWorld(t)
	w.put("documents/scan.pdf", "application/pdf", []byte("%PDF-1.4\n"))
	w.putJSON("documents/scan.jsonld", map[string]any{"@context": "https://w3id.org/satchel/v1", "id": "#doc", "type": "Document", "title": "Scan", "file": "scan.pdf"})
	w.putJSON("housing/note.jsonld", map[string]any{"@context": "https://w3id.org/satchel/v1", "id": "#doc", "type": "Document", "title": "Same file", "file": "../documents/scan.pdf"})
	g, err := w.svc.Create(w.ctx, consent.NewGrant{Pod: w.id, SharedBy: "Jo", Recipient: consent.Recipient{Name: "Acme", Kind: consent.Employer},
		Purpose: "job-application", Items: []consent.Item{{Path: "documents/scan.jsonld"}, {Path: "housing/note.jsonld"}}})
	if err != nil {
		t.Fatal(err)
	}
	read := func(p pod.Path) map[string]any {
		r := fetch(t, w.server, "GET", "/s/"+g.Token+"/items/"+string(p), nil)
		var doc map[string]any
		if err := json.Unmarshal([]byte(r.body), &doc); r.code != 200 || err != nil || strings.Contains(r.body, g.Token) {
			t.Fatalf("%s: %d %s", p, r.code, r.body)
		}
		return doc
	}
	a, b := read("documents/scan.jsonld"), read("housing/note.jsonld")
	if a["file"] != b["file"] || !strings.HasPrefix(a["file"].(string), "urn:uuid:") {
		t.Errorf("one file, two ids: %v and %v", a["file"], b["file"])
	}
	if a["id"] == b["id"] || !strings.HasPrefix(a["id"].(string), "urn:uuid:") {
		t.Errorf("two records, one id: %v and %v", a["id"], b["id"])
	}
}
