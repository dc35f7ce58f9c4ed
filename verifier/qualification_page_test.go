package verifier_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/credentials/dataintegrity"
	"github.com/satchel-project/satchel/issuer"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/pod/podtest"
	"github.com/satchel-project/satchel/schemas"
	"github.com/satchel-project/satchel/verifier"
)

// A qualification shared on its own is shown to the recipient with its
// fields in words and who vouches for it: the registered issuer's name
// while its signature checks out, "withdrawn" once the issuer withdraws it,
// a warning for one altered after signing, and, for one signed by a key
// Satchel does not know, the word of the person who shared it.
func TestSharedQualificationPage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pods, cust := podtest.New(t)
	signer, _ := cust.Signer(ctx, "grants")
	svc, err := consent.Open(ctx, pods, signer, "https://satchel.example.org")
	if err != nil {
		t.Fatal(err)
	}
	is, err := issuer.Open(ctx, pods, cust, "https://satchel.example.org", issuer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := is.CreateOrg(ctx, "hmp-example", "HMP Example Education"); err != nil {
		t.Fatal(err)
	}
	id, _ := pods.CreatePod(ctx)
	e, err := is.Enrol(ctx, id, "hmp-example", "Jo")
	if err != nil {
		t.Fatal(err)
	}
	vc, rec, err := is.Issue(ctx, "hmp-example", e.ID, issuer.Qualification{CourseName: "Functional Skills English", Level: "Level 1", Accredited: true,
		LearningStart: "2025-01-06", LearningEnd: "2025-06-27", Outcome: "Achieved", Establishment: "HMP Example"})
	if err != nil {
		t.Fatal(err)
	}
	altered := map[string]any{}
	b, _ := json.Marshal(vc)
	json.Unmarshal(b, &altered)
	altered["credentialSubject"].(map[string]any)["outcome"] = "Distinction"
	pub, priv, _ := ed25519.GenerateKey(nil)
	did := dataintegrity.DIDKey(pub)
	own := map[string]any{
		"@context":          []any{"https://www.w3.org/ns/credentials/v2", schemas.ContextURL},
		"type":              []any{"VerifiableCredential", "QualificationCredential"},
		"issuer":            map[string]any{"id": did, "name": "HMP Example Education"},
		"validFrom":         "2026-01-01T00:00:00Z",
		"credentialSubject": map[string]any{"type": "Qualification", "title": "Forklift Licence", "level": "Level 2"},
	}
	own, err = dataintegrity.Sign(own, priv, did+"#"+strings.TrimPrefix(did, "did:key:"), time.Now(), "assertionMethod", dataintegrity.Options{Loader: schemas.DefaultLoader})
	if err != nil {
		t.Fatal(err)
	}
	for p, doc := range map[pod.Path]map[string]any{"qualifications/fse.jsonld": vc, "qualifications/altered.jsonld": altered, "qualifications/own.jsonld": own} {
		b, _ := json.Marshal(doc)
		if _, _, err := pods.Put(ctx, id, p, "application/ld+json", int64(len(b)), bytes.NewReader(b), pod.Preconditions{}); err != nil {
			t.Fatal(err)
		}
	}
	m := mux.NewRouter()
	(&verifier.Handler{Verifier: verifier.New(svc, pods, is), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}).Routes(m)
	ts := httptest.NewServer(m)
	defer ts.Close()
	open := func(p pod.Path) string {
		t.Helper()
		g, err := svc.Create(ctx, consent.NewGrant{Pod: id, SharedBy: "Jo Bloggs", Recipient: consent.Recipient{Name: "Acme", Kind: consent.Employer},
			Purpose: "job-application", Items: []consent.Item{{Path: p}}})
		if err != nil {
			t.Fatal(err)
		}
		r := fetch(t, ts, "GET", "/s/"+g.Token, nil)
		if r.code != 200 {
			t.Fatalf("%s: share page %d", p, r.code)
		}
		return html.UnescapeString(r.body)
	}
	page := open("qualifications/fse.jsonld")
	for _, want := range []string{"Qualification: Functional Skills English", "Issued and signed by HMP Example Education. Signature checked, not withdrawn.",
		"Level 1", "Achieved", "6 January 2025", "27 June 2025", "Yes"} {
		if !strings.Contains(page, want) {
			t.Errorf("the qualification's page lacks %q", want)
		}
	}
	page = open("qualifications/altered.jsonld")
	if !strings.Contains(page, "Check with the issuer before you rely on it") && !strings.Contains(page, "Do not rely on this record") ||
		strings.Contains(page, "Signature checked, not withdrawn") {
		t.Errorf("an altered qualification is not flagged:\n%s", page)
	}
	page = open("qualifications/own.jsonld")
	if !strings.Contains(page, "treat it as entered by Jo Bloggs") || strings.Contains(page, "Issued and signed by HMP Example Education") {
		t.Errorf("a qualification signed by an unknown key is shown as the organisation's:\n%s", page)
	}
	if err := is.Revoke(ctx, "hmp-example", rec.ID); err != nil {
		t.Fatal(err)
	}
	page = open("qualifications/fse.jsonld")
	if !strings.Contains(page, "Withdrawn by the issuer, HMP Example Education. Do not rely on it.") {
		t.Errorf("a withdrawn qualification is not shown as withdrawn")
	}
}
