package verifier_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/issuer"
	"github.com/satchel-project/satchel/limits"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/pod/podtest"
	"github.com/satchel-project/satchel/verifier"
)

// A share link is limited per client address and per link: three a minute
// here. Four addresses opening one link are stopped at the fourth, and so
// is one address trying four links.
func TestShareLinkRateLimits(t *testing.T) {
	t.Parallel()
	v, svc, id := previewSetup(t)
	m := mux.NewRouter()
	(&verifier.Handler{Verifier: v, Limit: limits.NewRate(limits.NewMemory(), 3), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}).Routes(m)
	g, err := svc.Create(context.Background(), consent.NewGrant{Pod: id, SharedBy: "Jo", Recipient: consent.Recipient{Name: "Acme", Kind: consent.Landlord},
		Purpose: "tenancy-application", Items: []consent.Item{{Path: "documents/licence.pdf"}}})
	if err != nil {
		t.Fatal(err)
	}
	get := func(addr, path string) int {
		r := httptest.NewRequest("GET", path, nil)
		r.RemoteAddr = addr + ":4000"
		w := httptest.NewRecorder()
		m.ServeHTTP(w, r)
		return w.Code
	}
	for i, addr := range []string{"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"} {
		code := get(addr, "/s/"+g.Token+"/grant")
		if want := map[bool]int{true: 200, false: 429}[i < 3]; code != want {
			t.Errorf("address %d of 4 asking for one link: %d, want %d", i+1, code, want)
		}
	}
	for i := range 4 {
		code := get("198.51.100.7", "/s/"+strings.Repeat(string(rune('A'+i)), 22)+"/grant")
		if want := map[bool]int{true: 410, false: 429}[i < 3]; code != want {
			t.Errorf("link %d of 4 from one address: %d, want %d", i+1, code, want)
		}
	}
}

// The verify API takes a grant up to consent.MaxCredentialBytes in its JSON
// envelope (answering that it is not valid), and refuses a larger body.
func TestVerifyAPIBodyLimit(t *testing.T) {
	t.Parallel()
	ts, _, _ := apiSetup(t, 0)
	big, _ := json.Marshal(map[string]string{"credential": strings.Repeat("a", consent.MaxCredentialBytes)})
	if code, r := post(t, ts, "application/json", string(big)); code != 200 || r.Valid {
		t.Errorf("a grant of the largest size: %d %+v, want 200 and not valid", code, r)
	}
	bigger, _ := json.Marshal(map[string]string{"credential": strings.Repeat("a", consent.MaxCredentialBytes+1100)})
	if code, _ := post(t, ts, "application/json", string(bigger)); code != http.StatusRequestEntityTooLarge {
		t.Errorf("a larger body: %d, want 413", code)
	}
}

// With an issuer service, the verify API checks a qualification credential
// given as verifiableCredential and names its issuer; a credential that was
// altered is not valid.
func TestVerifyAPIQualification(t *testing.T) {
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
	vc, _, err := is.Issue(ctx, "hmp-example", e.ID, issuer.Qualification{CourseName: "Functional Skills English", Level: "Level 1",
		LearningStart: "2025-01-06", LearningEnd: "2025-06-27", Outcome: "Achieved", Establishment: "HMP Example"})
	if err != nil {
		t.Fatal(err)
	}
	m := mux.NewRouter()
	(&verifier.Handler{Verifier: verifier.New(svc, pods, is), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}).Routes(m)
	ts := httptest.NewServer(m)
	defer ts.Close()
	send := func(vc map[string]any) (int, map[string]any) {
		b, _ := json.Marshal(map[string]any{"verifiableCredential": vc})
		resp, err := http.Post(ts.URL+"/api/v1/verify", "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	if code, out := send(vc); code != 200 || out["valid"] != true || out["issuerName"] != "HMP Example Education" || out["issuerKnown"] != true {
		t.Errorf("an issued qualification: %d %v", code, out)
	}
	vc["credentialSubject"].(map[string]any)["outcome"] = "Distinction"
	if code, out := send(vc); code != 200 || out["valid"] != false {
		t.Errorf("an altered qualification: %d %v", code, out)
	}
}

// A record shared whole is served as it was stored, byte for byte, when
// it holds no relative reference; absolute ids are never rewritten, and
// the share page shows the whole of it.
func TestWholeRecordShared(t *testing.T) {
	t.Parallel()
	v, svc, id := previewSetup(t)
	ctx := context.Background()
	rec := []byte(`{"@context": "https://w3id.org/satchel/v1", "id": "urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e",
  "type": "AddressHistory", "entries": [ {"id": "https://example.org/e/1", "type": "AddressHistoryEntry",
  "address": {"type": "PostalAddress", "streetAddress": "9 Absolute Way", "addressLocality": "Leeds"}, "from": "2020-01-01"} ]}`)
	if _, _, err := v.Pods.Put(ctx, id, "housing/absolute.jsonld", "application/ld+json", int64(len(rec)), bytes.NewReader(rec), pod.Preconditions{}); err != nil {
		t.Fatal(err)
	}
	g, err := svc.Create(ctx, consent.NewGrant{Pod: id, SharedBy: "Jo", Recipient: consent.Recipient{Name: "Acme", Kind: consent.Landlord},
		Purpose: "tenancy-application", Items: []consent.Item{{Path: "housing/absolute.jsonld"}, {Path: "housing/address-history.jsonld"}}})
	if err != nil {
		t.Fatal(err)
	}
	m := mux.NewRouter()
	(&verifier.Handler{Verifier: v, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}).Routes(m)
	ts := httptest.NewServer(m)
	defer ts.Close()
	page := fetch(t, ts, "GET", "/s/"+g.Token, nil)
	for _, want := range []string{"9 Absolute Way", "14 Example Road", "Flat 2, 8 Park Row"} {
		if page.code != 200 || !strings.Contains(page.body, want) {
			t.Errorf("the share page of whole records lacks %q (%d)", want, page.code)
		}
	}
	r := fetch(t, ts, "GET", "/s/"+g.Token+"/items/housing/absolute.jsonld", nil)
	if r.code != 200 || r.body != string(rec) {
		t.Errorf("a whole record with absolute ids: %d\n%s\nwant it byte for byte", r.code, r.body)
	}
	r = fetch(t, ts, "GET", "/s/"+g.Token+"/items/housing/address-history.jsonld", nil)
	if r.code != 200 || !strings.Contains(r.body, "14 Example Road") || strings.Contains(r.body, `"#current"`) || strings.Contains(r.body, g.Token) {
		t.Errorf("a whole record with relative ids: %d\n%s", r.code, r.body)
	}
}
