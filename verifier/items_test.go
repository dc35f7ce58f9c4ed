package verifier_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/verifier"
)

type got struct {
	code int
	hdr  http.Header
	body string
}

func fetch(t *testing.T, ts *httptest.Server, method, path string, hdr map[string]string) got {
	t.Helper()
	req, _ := http.NewRequest(method, ts.URL+path, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return got{resp.StatusCode, resp.Header, string(b)}
}

// A share of the current address serves that address and nothing else of
// the record, with no id that would carry the link's token into a graph;
// what was not shared is 404 "not shared", a container or a bad path 400.
// A shared PDF is served sandboxed, inline or as a download. After the
// share is withdrawn, every item answers 410.
func TestSharedItems(t *testing.T) {
	t.Parallel()
	v, svc, id := previewSetup(t)
	ctx := context.Background()
	m := mux.NewRouter()
	(&verifier.Handler{Verifier: v, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}).Routes(m)
	ts := httptest.NewServer(m)
	defer ts.Close()
	g, err := svc.Create(ctx, consent.NewGrant{
		Pod: id, SharedBy: "Jo Bloggs", Recipient: consent.Recipient{Name: "Acme Lettings", Kind: consent.Landlord},
		Purpose: "tenancy-application",
		Items: []consent.Item{
			{Path: "housing/address-history.jsonld", Fields: []string{"/entries/#current/address"}},
			{Path: "documents/licence.pdf"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	items := "/s/" + g.Token + "/items/"
	r := fetch(t, ts, "GET", items+"housing/address-history.jsonld", nil)
	if r.code != 200 || r.hdr.Get("Content-Type") != "application/ld+json" || !strings.Contains(r.body, "8 Park Row") {
		t.Fatalf("the shared address: %d %s", r.code, r.body)
	}
	for _, hidden := range []string{"14 Example Road", "HMP Example", "Mill Lane", g.Token, `"#current"`} {
		if strings.Contains(r.body, hidden) {
			t.Errorf("the shared address holds %q:\n%s", hidden, r.body)
		}
	}
	if r.hdr.Get("Cache-Control") != "no-store" || r.hdr.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("item headers: %v", r.hdr)
	}
	pdf := fetch(t, ts, "GET", items+"documents/licence.pdf", nil)
	if pdf.code != 200 || pdf.hdr.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf.body, "%PDF") ||
		!strings.HasPrefix(pdf.hdr.Get("Content-Security-Policy"), "sandbox") || !strings.HasPrefix(pdf.hdr.Get("Content-Disposition"), "inline") {
		t.Errorf("the shared PDF: %d %v", pdf.code, pdf.hdr)
	}
	if d := fetch(t, ts, "GET", items+"documents/licence.pdf?download=1", nil); d.code != 200 || !strings.HasPrefix(d.hdr.Get("Content-Disposition"), "attachment") {
		t.Errorf("the PDF as a download: %d %v", d.code, d.hdr)
	}
	for path, want := range map[string]int{
		"documents/other.pdf": 404,
		"documents/":          400,
		"identity/passport":   404,
	} {
		if r := fetch(t, ts, "GET", items+path, nil); r.code != want || strings.Contains(r.body, "Park Row") {
			t.Errorf("%s: %d, want %d", path, r.code, want)
		}
	}
	if r := fetch(t, ts, "GET", "/s/AAAAAAAAAAAAAAAAAAAAAA/items/documents/licence.pdf", nil); r.code != 410 || strings.HasPrefix(r.body, "%PDF") {
		t.Errorf("an item through an unknown link: %d", r.code)
	}
	if err := svc.Revoke(ctx, id, g.ID); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"documents/licence.pdf", "housing/address-history.jsonld"} {
		if r := fetch(t, ts, "GET", items+p, nil); r.code != 410 || strings.Contains(r.body, "Park Row") || strings.HasPrefix(r.body, "%PDF") {
			t.Errorf("%s after withdrawal: %d", p, r.code)
		}
	}
}

// A chat app's link preview, a prefetch and a HEAD request get a neutral
// page (200, nothing shared in it) and use no view: a one-view link still
// opens for the person afterwards.
func TestLinkPreviewsUseNoView(t *testing.T) {
	t.Parallel()
	ts, svc, id := apiSetup(t, 0)
	g := share(t, svc, id, 1)
	for name, c := range map[string]struct {
		method string
		hdr    map[string]string
	}{
		"WhatsApp":  {"GET", map[string]string{"User-Agent": "WhatsApp/2.23"}},
		"Slack":     {"GET", map[string]string{"User-Agent": "Slackbot-LinkExpanding 1.0"}},
		"prefetch":  {"GET", map[string]string{"Sec-Purpose": "prefetch"}},
		"HEAD":      {"HEAD", nil},
		"item, bot": {"GET", map[string]string{"User-Agent": "facebookexternalhit/1.1"}},
	} {
		path := "/s/" + g.Token
		if name == "item, bot" {
			path += "/items/documents/a.pdf"
		}
		r := fetch(t, ts, c.method, path, c.hdr)
		if r.code != 200 || strings.Contains(r.body, "Acme") || strings.HasPrefix(r.body, "%PDF") {
			t.Errorf("%s: %d %s", name, r.code, r.body)
		}
	}
	if r := fetch(t, ts, "GET", "/s/"+g.Token, nil); r.code != 200 || !strings.Contains(r.body, "Acme") {
		t.Errorf("the person's own opening after the previews: %d", r.code)
	}
	if code, res := post(t, ts, "application/json", `{"token": "`+g.Token+`"}`); code != 200 || res.Status != "used-up" {
		t.Errorf("after the one opening: %d %+v, want used-up", code, res)
	}
}

// The signed grant behind a link is given to machine verifiers while the
// share works, and refused with its status once it has ended or for an
// unknown link, without the credential.
func TestGrantEndpoint(t *testing.T) {
	t.Parallel()
	ts, svc, id := apiSetup(t, 0)
	g := share(t, svc, id, 0)
	r := fetch(t, ts, "GET", "/s/"+g.Token+"/grant", nil)
	if r.code != 200 || r.hdr.Get("Content-Type") != consent.CredentialType || r.body != g.Credential {
		t.Errorf("the grant of a working share: %d %q", r.code, r.hdr.Get("Content-Type"))
	}
	if r := fetch(t, ts, "GET", "/s/"+g.Token, map[string]string{"Accept": consent.CredentialType}); r.code != 200 || r.body != g.Credential {
		t.Errorf("the share link asked for %s: %d", consent.CredentialType, r.code)
	}
	if r := fetch(t, ts, "GET", "/s/AAAAAAAAAAAAAAAAAAAAAA/grant", nil); r.code != 410 || !strings.Contains(r.body, "unknown-link") || strings.Contains(r.body, "withdrawn") {
		t.Errorf("the grant of an unknown link: %d %s", r.code, r.body)
	}
	if err := svc.Revoke(context.Background(), id, g.ID); err != nil {
		t.Fatal(err)
	}
	if r := fetch(t, ts, "GET", "/s/"+g.Token+"/grant", nil); r.code != 410 || !strings.Contains(r.body, "revoked") || strings.Contains(r.body, "eyJ") {
		t.Errorf("the grant of a withdrawn share: %d %s", r.code, r.body)
	}
}
