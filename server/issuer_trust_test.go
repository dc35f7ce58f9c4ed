package server_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/satchel-project/satchel/credentials/dataintegrity"
	"github.com/satchel-project/satchel/issuer"
	"github.com/satchel-project/satchel/server"
)

const hmpName = "HMP Example - Education Department"

// forgedQualification is a qualification credential signed with a key of
// the forger's own (did:key) that calls itself issuer name.
func forgedQualification(t *testing.T, name string) map[string]any {
	t.Helper()
	pub, priv, _ := ed25519.GenerateKey(nil)
	did := dataintegrity.DIDKey(pub)
	return signQualification(t, did, name, priv, did+"#"+strings.TrimPrefix(did, "did:key:"), nil)
}

func signQualification(t *testing.T, did, name string, priv ed25519.PrivateKey, vm string, extra map[string]any) map[string]any {
	t.Helper()
	vc := map[string]any{
		"@context":          []any{"https://www.w3.org/ns/credentials/v2", "https://w3id.org/satchel/v1"},
		"type":              []any{"VerifiableCredential", "QualificationCredential"},
		"issuer":            map[string]any{"id": did, "name": name},
		"validFrom":         "2025-07-01T00:00:00Z",
		"credentialSubject": map[string]any{"type": "Qualification", "title": "Functional Skills English", "level": "Level 1", "outcome": "Achieved"},
	}
	for k, v := range extra {
		vc[k] = v
	}
	out, err := dataintegrity.Sign(vc, priv, vm, time.Now(), "assertionMethod", dataintegrity.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sharedCredential files vc in a new leaver's qualifications/ and shares
// it with an employer; it returns the share page's text.
func sharedCredential(t *testing.T, s *testServer, vc map[string]any) string {
	t.Helper()
	pod, tok := s.leaver("jo")
	expect(t, s.do("PUT", pod+"qualifications/english.jsonld", tok, strings.NewReader(string(mustJSON(vc))), "Content-Type", "application/ld+json"), http.StatusCreated)
	g, r := s.share(tok, `{"recipient":{"name":"Acme Jobs","kind":"employer"},"purpose":"job-application","items":[{"path":"qualifications/english.jsonld"}]}`)
	expect(t, r, http.StatusCreated)
	page := s.do("GET", g.ShareURL, "", nil)
	expect(t, page, http.StatusOK)
	return string(page.body)
}

type verifyAnswer struct {
	Valid      bool
	IssuerName string
	Checks     []struct {
		Check  string
		Passed bool
		Reason string
	}
}

func (s *testServer) verifyVC(t *testing.T, vc map[string]any) (verifyAnswer, response) {
	t.Helper()
	r := s.do("POST", s.url+"/api/v1/verify", "", strings.NewReader(`{"verifiableCredential":`+string(mustJSON(vc))+`}`), "Content-Type", "application/json")
	var a verifyAnswer
	if err := json.Unmarshal(r.body, &a); err != nil {
		t.Fatalf("verify: %d %s", r.status, r.body)
	}
	return a, r
}

func (a verifyAnswer) failed(check, why string) bool {
	for _, c := range a.Checks {
		if c.Check == check && !c.Passed && strings.Contains(c.Reason, why) {
			return true
		}
	}
	return false
}

// Finding 1: a credential signed with any did:key that calls itself a
// registered organisation is shown as the leaver's own word, and the verify
// APIs do not call it valid or name the organisation.
func TestForgedIssuerIsNotShownAsTheOrganisation(t *testing.T) {
	s := newTestServer(t)
	if _, err := s.b.Issuers.CreateOrg(context.Background(), "hmp-example-education", hmpName); err != nil {
		t.Fatal(err)
	}
	vc := forgedQualification(t, hmpName)
	page := sharedCredential(t, s, vc)
	for _, bad := range []string{"Issued and signed by", hmpName, "Signature checked"} {
		if strings.Contains(page, bad) {
			t.Errorf("the share page of a forged credential says %q", bad)
		}
	}
	if !strings.Contains(page, "Signed by a key Satchel does not know — treat it as entered by Test jo") {
		t.Errorf("the share page does not say the key is unknown:\n%s", page)
	}
	a, r := s.verifyVC(t, vc)
	if a.Valid || a.IssuerName != "" || strings.Contains(string(r.body), hmpName) || !a.failed("issuer-known", issuer.ReasonUnknownIssuer) {
		t.Fatalf("/api/v1/verify of a forged credential: %s", r.body)
	}
	vcapi := s.do("POST", s.url+"/credentials/verify", "", strings.NewReader(`{"verifiableCredential":`+string(mustJSON(vc))+`}`), "Content-Type", "application/json")
	if vcapi.status != http.StatusBadRequest || !strings.Contains(string(vcapi.body), `"issuerKnown":false`) || strings.Contains(string(vcapi.body), hmpName) {
		t.Fatalf("/credentials/verify of a forged credential: %d %s", vcapi.status, vcapi.body)
	}
}

// Finding 1: staff of one organisation cannot sign in another's name
// through the VC-API; what they sign carries their own organisation's
// registered identifier and name, with a way to withdraw it.
func TestStaffSignOnlyAsTheirOwnOrganisation(t *testing.T) {
	s := newTestServer(t)
	staff, _, _, _ := issuerSetup(t, s) // staff of hmp-example-education
	ctx := context.Background()
	if _, err := s.b.Issuers.CreateOrg(ctx, "acme-training", "Acme Training"); err != nil {
		t.Fatal(err)
	}
	unsigned := func(iss any) string {
		vc := map[string]any{
			"@context":          []any{"https://www.w3.org/ns/credentials/v2", "https://w3id.org/satchel/v1"},
			"type":              []any{"VerifiableCredential", "QualificationCredential"},
			"credentialSubject": map[string]any{"type": "Qualification", "title": "Forklift", "level": "Level 2"},
		}
		if iss != nil {
			vc["issuer"] = iss
		}
		return `{"credential":` + string(mustJSON(vc)) + `}`
	}
	own, other := s.b.Issuers.DID("hmp-example-education"), s.b.Issuers.DID("acme-training")
	for _, iss := range []any{other, map[string]any{"id": other, "name": "Acme Training"}, map[string]any{"id": own, "name": "Acme Training"}, map[string]any{"name": "Acme Training"}} {
		r := s.do("POST", s.url+"/credentials/issue", staff, strings.NewReader(unsigned(iss)), "Content-Type", "application/json")
		if r.status != http.StatusForbidden || r.header.Get("Content-Type") != "application/problem+json" || strings.Contains(string(r.body), "proofValue") {
			t.Errorf("issuing as %v: %d %s", iss, r.status, r.body)
		}
	}
	r := s.do("POST", s.url+"/credentials/issue", staff, strings.NewReader(unsigned(nil)), "Content-Type", "application/json")
	expect(t, r, http.StatusCreated)
	var out struct {
		VC map[string]any `json:"verifiableCredential"`
	}
	json.Unmarshal(r.body, &out)
	vc := out.VC
	if iss, _ := vc["issuer"].(map[string]any); iss["id"] != own || iss["name"] != hmpName || vc["credentialStatus"] == nil {
		t.Fatalf("signed: %s", r.body)
	}
	if a, r := s.verifyVC(t, vc); !a.Valid || a.IssuerName != hmpName {
		t.Fatalf("verify what staff signed: %s", r.body)
	}
}

// Finding 8: verifying a credential that names an organisation nobody
// registered makes no signing key, and its DID document, page and status
// list are not found.
func TestVerifyingAGhostIssuerCreatesNoKey(t *testing.T) {
	s := newTestServer(t)
	keys := func() []string {
		m, _ := filepath.Glob(filepath.Join(s.data, "keys", "signing-*"))
		return m
	}
	before := keys()
	ghost := s.b.Issuers.DID("ghost")
	_, priv, _ := ed25519.GenerateKey(nil)
	a, r := s.verifyVC(t, signQualification(t, ghost, hmpName, priv, ghost+"#k", nil))
	for _, p := range []string{"/issuers/ghost/did.json", "/issuers/ghost", "/issuers/ghost/status"} {
		expect(t, s.do("GET", s.url+p, "", nil), http.StatusNotFound)
	}
	if _, err := os.Stat(filepath.Join(s.data, "keys", "signing-issuer-ghost.key")); err == nil {
		t.Error("a signing key was made for ghost")
	}
	if after := keys(); len(after) != len(before) {
		t.Errorf("signing keys before %v, after %v", before, after)
	}
	if a.Valid || strings.Contains(string(r.body), hmpName) {
		t.Errorf("verify: %s", r.body)
	}
}

// Finding 10: dates that are not XML Schema dateTimeStamps make a
// credential invalid, with a reason; and staff cannot issue them.
func TestCredentialDatesMustBeDateTimeStamps(t *testing.T) {
	s := newTestServer(t)
	staff, _, _, _ := issuerSetup(t, s)
	for _, date := range []string{"2020-01-01", "2020-01-01T00:00:00z"} {
		r := s.do("POST", s.url+"/credentials/issue", staff, strings.NewReader(`{"credential":{"@context":["https://www.w3.org/ns/credentials/v2","https://w3id.org/satchel/v1"],
 "type":["VerifiableCredential","QualificationCredential"],"validFrom":"`+date+`","credentialSubject":{"type":"Qualification","title":"Forklift"}}}`), "Content-Type", "application/json")
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), "validFrom") {
			t.Errorf("issuing with validFrom %s: %d %s", date, r.status, r.body)
		}
	}
	_, priv, _ := ed25519.GenerateKey(nil)
	for field, date := range map[string]string{"validFrom": "2020-01-01", "validUntil": "2099-01-01T00:00:00z"} {
		did := dataintegrity.DIDKey(priv.Public().(ed25519.PublicKey))
		vc := signQualification(t, did, "", priv, did+"#"+strings.TrimPrefix(did, "did:key:"), map[string]any{field: date})
		a, r := s.verifyVC(t, vc)
		check := map[string]string{"validFrom": "not-before", "validUntil": "expiry"}[field]
		if a.Valid || !a.failed(check, "is not a valid date") {
			t.Errorf("%s %s: %s", field, date, r.body)
		}
	}
}

// An issuer on another server that the operator trusts (Config.
// TrustedIssuers, --trusted-issuers) is shown by the operator's name for
// it, never the credential's.
func TestTrustedIssuerElsewhereOnTheSharePage(t *testing.T) {
	_, priv, _ := ed25519.GenerateKey(nil)
	var did string
	far := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/did.json" {
			http.NotFound(w, r)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"id": did, "verificationMethod": []any{map[string]any{
			"id": did + "#k", "type": "Multikey", "controller": did, "publicKeyMultibase": dataintegrity.MultikeyEd25519(priv.Public().(ed25519.PublicKey)),
		}}, "assertionMethod": []any{did + "#k"}})
	}))
	defer far.Close()
	did = "did:web:" + strings.ReplaceAll(far.Listener.Addr().String(), ":", "%3A")
	trusted, err := issuer.ParseTrusted(did + "=Example College")
	if err != nil {
		t.Fatal(err)
	}
	s := newTestServer(t, func(c *server.Config) { c.TrustedIssuers, c.IssuerClient = trusted, far.Client() })
	// Without a status entry: known, but flagged.
	page := sharedCredential(t, s, signQualification(t, did, hmpName, priv, did+"#k", nil))
	if !strings.Contains(page, "Issued and signed by Example College, but the issuer gave no way to withdraw this credential") || strings.Contains(page, hmpName) {
		t.Fatalf("share page of a trusted issuer's credential:\n%s", page)
	}
	a, r := s.verifyVC(t, signQualification(t, did, hmpName, priv, did+"#k", nil))
	if a.Valid || a.IssuerName != "Example College" || !a.failed("revocation", issuer.ReasonNoStatus) {
		t.Fatalf("verify: %s", r.body)
	}
}
