package verifier_test

import (
	"bytes"
	"context"
	"html"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/limits"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/pod/podtest"
	"github.com/satchel-project/satchel/verifier"
)

// previewSetup is a pod holding the example address history and a PDF, and
// a verifier over it.
func previewSetup(t *testing.T) (*verifier.Verifier, *consent.Service, pod.PodID) {
	t.Helper()
	ctx := context.Background()
	pods, cust := podtest.New(t)
	signer, _ := cust.Signer(ctx, "grants")
	svc, err := consent.Open(ctx, pods, signer, "https://satchel.example.org")
	if err != nil {
		t.Fatal(err)
	}
	id, err := pods.CreatePod(ctx)
	if err != nil {
		t.Fatal(err)
	}
	history, err := os.ReadFile("../examples/pod/housing/address-history.jsonld")
	if err != nil {
		t.Fatal(err)
	}
	for p, body := range map[pod.Path][]byte{"housing/address-history.jsonld": history, "documents/licence.pdf": []byte("%PDF-1.4\n")} {
		ct := "application/ld+json"
		if strings.HasSuffix(string(p), ".pdf") {
			ct = "application/pdf"
		}
		if _, _, err := pods.Put(ctx, id, p, ct, int64(len(body)), bytes.NewReader(body), pod.Preconditions{}); err != nil {
			t.Fatal(err)
		}
	}
	return verifier.New(svc, pods, nil), svc, id
}

func currentAddressGrant(id pod.PodID) consent.Grant {
	return consent.Grant{
		Pod: id, SharedBy: "Jo Bloggs", Recipient: consent.Recipient{Name: "Acme Lettings", Kind: consent.Landlord},
		Purpose: "tenancy-application",
		Items:   []consent.Item{{Path: "housing/address-history.jsonld", Fields: []string{"/entries/#current/address"}}},
	}
}

// TestPreviewShowsOnlyWhatWillBeShared: the preview of a share of the
// current address shows that address and the recipient, not earlier
// addresses, links nowhere under /s/, and logs no view.
func TestPreviewShowsOnlyWhatWillBeShared(t *testing.T) {
	t.Parallel()
	v, svc, id := previewSetup(t)
	ctx := context.Background()
	out, err := v.Preview(ctx, currentAddressGrant(id), func(p pod.Path) string { return "/my/file/" + p.Escaped() })
	if err != nil {
		t.Fatal(err)
	}
	page := string(out)
	for _, want := range []string{"Flat 2, 8 Park Row", "LS1 9ZZ", "Acme Lettings", "Jo Bloggs has shared some records with you",
		"This link is valid, and Jo Bloggs shared these with you.", "Satchel has not checked that these documents are genuine", "not a Right to Rent check", "Entered by Jo Bloggs.",
		"download the signed grant", "Passed: not withdrawn"} {
		if !strings.Contains(page, want) {
			t.Errorf("preview lacks %q:\n%s", want, page)
		}
	}
	for _, earlier := range []string{"14 Example Road", "HMP Example", "Example House", "Mill Lane", "Sam Keyworker"} {
		if strings.Contains(page, earlier) {
			t.Errorf("preview shows %q, which is not shared", earlier)
		}
	}
	if strings.Contains(page, "/s/") || strings.Contains(page, `href="/grant"`) {
		t.Errorf("preview links to a share link:\n%s", page)
	}
	if strings.Contains(page, "<h1") || !strings.Contains(page, `<h3 class="govuk-heading-l">`) {
		t.Errorf("preview headings do not start at h3:\n%s", page)
	}
	log, err := svc.Log(ctx, id)
	if err != nil || len(log) != 0 {
		t.Fatalf("the preview was logged: %+v, %v", log, err)
	}
}

// TestPreviewDocumentsLinkToTheLeaversCopy: a shared document's buttons
// go where docURL says.
func TestPreviewDocumentsLinkToTheLeaversCopy(t *testing.T) {
	t.Parallel()
	v, svc, id := previewSetup(t)
	ctx := context.Background()
	g := currentAddressGrant(id)
	g.Items = []consent.Item{{Path: "documents/"}}
	out, err := v.Preview(ctx, g, func(p pod.Path) string { return "/my/file/" + p.Escaped() })
	if err != nil {
		t.Fatal(err)
	}
	page := string(out)
	if !strings.Contains(page, `href="/my/file/documents/licence.pdf"`) || !strings.Contains(page, "View PDF document") || strings.Contains(page, "/s/") {
		t.Fatalf("document buttons:\n%s", page)
	}
	if out, _ = v.Preview(ctx, g, nil); strings.Contains(string(out), "View PDF document") {
		t.Fatalf("buttons without docURL:\n%s", out)
	}
	if log, _ := svc.Log(ctx, id); len(log) != 0 {
		t.Fatalf("the preview was logged: %+v", log)
	}
	g.Purpose = "no-such-purpose"
	if _, err := v.Preview(ctx, g, nil); err == nil {
		t.Fatal("a grant that cannot be made was previewed")
	}
}

// TestPreviewChecksMatchTheSharePage: the checks in the preview are those
// the share page shows when the same grant is made and first opened.
func TestPreviewChecksMatchTheSharePage(t *testing.T) {
	t.Parallel()
	v, svc, id := previewSetup(t)
	ctx := context.Background()
	g := currentAddressGrant(id)
	g.NotBefore = time.Now().UTC().Truncate(time.Second).Add(-time.Minute)
	g.Expires = g.NotBefore.Add(7 * 24 * time.Hour)
	g.MaxViews = 3
	out, err := v.Preview(ctx, g, nil)
	if err != nil {
		t.Fatal(err)
	}
	made, err := svc.Create(ctx, consent.NewGrant{Pod: g.Pod, SharedBy: g.SharedBy, Recipient: g.Recipient, Purpose: g.Purpose,
		Items: g.Items, NotBefore: g.NotBefore, Expires: g.Expires, MaxViews: g.MaxViews})
	if err != nil {
		t.Fatal(err)
	}
	res, _, _, err := v.VerifyToken(ctx, made.Token)
	if err != nil || !res.Valid {
		t.Fatalf("VerifyToken = %+v, %v", res, err)
	}
	page := string(out)
	for _, c := range res.Checks {
		want := "Passed: " + html.EscapeString(verifier.ReasonInWords(c))
		if c.Check == "issuer-key" {
			want = want[:strings.Index(want, " (")]
		}
		if !strings.Contains(page, want) {
			t.Errorf("preview lacks check %s %q", c.Check, want)
		}
	}
	if n := strings.Count(page, "<li>Passed: "); n != len(res.Checks) {
		t.Errorf("preview shows %d checks, the share page %d", n, len(res.Checks))
	}
}

// TestSharePageLoadsNoInlineCode: the share page uses the shared
// stylesheet and script, has no inline style or script, and its policy
// allows no inline code; its main content is the preview's, with links.
func TestSharePageLoadsNoInlineCode(t *testing.T) {
	t.Parallel()
	v, svc, id := previewSetup(t)
	ctx := context.Background()
	g := currentAddressGrant(id)
	made, err := svc.Create(ctx, consent.NewGrant{Pod: g.Pod, SharedBy: g.SharedBy, Recipient: g.Recipient, Purpose: g.Purpose, Items: g.Items})
	if err != nil {
		t.Fatal(err)
	}
	r := mux.NewRouter()
	(&verifier.Handler{Verifier: v, Limit: limits.NewRate(limits.NewMemory(), 100), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}).Routes(r)
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest("GET", "/s/"+made.Token, nil))
	page := rec.Body.String()
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, page)
	}
	for _, want := range []string{`<link rel="stylesheet" href="/assets/satchel.css">`, `<script type="module" src="/assets/app.js"></script>`,
		`<html lang="en" class="govuk-template">`, `<main class="govuk-main-wrapper" id="main-content">`, `href="#main-content"`,
		`<h1 class="govuk-heading-l">Jo Bloggs has shared some records with you</h1>`, `href="/s/` + made.Token + `/grant"`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(page, "<style") || strings.Count(page, "<script") != 1 || strings.Contains(page, " style=") || strings.Count(page, "<main") != 1 {
		t.Errorf("inline style or script, or not one main:\n%s", page)
	}
	csp := rec.Header().Get("Content-Security-Policy")
	if strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "style-src 'self'") || !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("CSP %q", csp)
	}
}
