package server_test

import (
	"crypto/ed25519"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/satchel-project/satchel/credentials/dataintegrity"
	"github.com/satchel-project/satchel/credentials/presentation"
	"github.com/satchel-project/satchel/schemas"
)

// vcapiAnswer is what the VC-API's verify endpoints answer.
type vcapiAnswer struct {
	Verified bool     `json:"verified"`
	Checks   []string `json:"checks"`
	Errors   []string `json:"errors"`
	Warnings []string `json:"warnings"`
}

func (s *testServer) vcapi(t *testing.T, path string, body any) (vcapiAnswer, response) {
	t.Helper()
	r := s.do("POST", s.url+path, "", strings.NewReader(string(mustJSON(body))), "Content-Type", "application/json")
	var a vcapiAnswer
	json.Unmarshal(r.body, &a)
	return a, r
}

// staffIssue issues vc through the VC-API as staff and returns what it
// answered.
func (s *testServer) staffIssue(t *testing.T, staff string, vc map[string]any) (map[string]any, response) {
	t.Helper()
	r := s.do("POST", s.url+"/credentials/issue", staff, strings.NewReader(`{"credential":`+string(mustJSON(vc))+`,"options":{}}`), "Content-Type", "application/json")
	var out struct {
		VC map[string]any `json:"verifiableCredential"`
	}
	json.Unmarshal(r.body, &out)
	return out.VC, r
}

func unsignedQualification(contexts ...any) map[string]any {
	return map[string]any{
		"@context":          append([]any{"https://www.w3.org/ns/credentials/v2", schemas.ContextURL}, contexts...),
		"type":              []any{"VerifiableCredential", "QualificationCredential"},
		"credentialSubject": map[string]any{"type": "Qualification", "title": "Forklift", "level": "Level 2"},
	}
}

// POST /credentials/issue answers 201 {"verifiableCredential": …}, as the
// VC-API says, and what it holds verifies.
func TestVCAPIIssueAnswersAVerifiableCredential(t *testing.T) {
	s := newTestServer(t)
	staff, _, _, _ := issuerSetup(t, s)
	vc, r := s.staffIssue(t, staff, unsignedQualification())
	expect(t, r, http.StatusCreated)
	if vc == nil || vc["proof"] == nil || vc["credentialSubject"] == nil {
		t.Fatalf("no verifiableCredential with a proof: %s", r.body)
	}
	a, r := s.vcapi(t, "/credentials/verify", map[string]any{"verifiableCredential": vc})
	if r.status != http.StatusOK || !a.Verified || len(a.Errors) != 0 {
		t.Fatalf("verify what was issued: %d %s", r.status, r.body)
	}
}

// The W3C undefined-terms context is one the offline loader holds: a
// credential naming it is issued and verifies.
func TestUndefinedTermsContextIsAccepted(t *testing.T) {
	s := newTestServer(t)
	staff, _, _, _ := issuerSetup(t, s)
	vc, r := s.staffIssue(t, staff, unsignedQualification(schemas.UndefinedTermsURL))
	expect(t, r, http.StatusCreated)
	if a, r := s.vcapi(t, "/credentials/verify", map[string]any{"verifiableCredential": vc}); !a.Verified {
		t.Fatalf("verify: %d %s", r.status, r.body)
	}
}

// The consent context that grants name is served, as the Satchel context
// is.
func TestConsentContextIsServed(t *testing.T) {
	s := newTestServer(t)
	r := s.do("GET", s.url+"/ns/satchel/consent/v1", "", nil)
	expect(t, r, http.StatusOK)
	want, _ := schemas.File(schemas.Contexts[schemas.ConsentContextURL])
	if r.header.Get("Content-Type") != "application/ld+json" || string(r.body) != string(want) {
		t.Fatalf("consent context: %s %.80s", r.header.Get("Content-Type"), r.body)
	}
}

// A presentation is verified with its holder's proof: the verifier's
// challenge and domain must be the ones signed; without a holder's proof
// it is refused. Each refusal names its check.
func TestPresentationHolderProofChallengeAndDomain(t *testing.T) {
	s := newTestServer(t)
	staff, _, _, _ := issuerSetup(t, s)
	vc, r := s.staffIssue(t, staff, unsignedQualification())
	expect(t, r, http.StatusCreated)

	_, priv, _ := ed25519.GenerateKey(nil)
	did := dataintegrity.DIDKey(priv.Public().(ed25519.PublicKey))
	vm := did + "#" + strings.TrimPrefix(did, "did:key:")
	vp := map[string]any{
		"@context":             []any{"https://www.w3.org/ns/credentials/v2"},
		"type":                 []any{"VerifiablePresentation"},
		"holder":               did,
		"verifiableCredential": []any{vc},
	}
	asked := presentation.Options{Challenge: "u8d3f-challenge", Domain: "landlord.example"}
	signed, err := presentation.Sign(vp, priv, vm, time.Now(), asked, dataintegrity.Options{})
	if err != nil {
		t.Fatal(err)
	}
	body := func(vp map[string]any, challenge, domain string) map[string]any {
		return map[string]any{"verifiablePresentation": vp, "options": map[string]any{"challenge": challenge, "domain": domain}}
	}

	a, r := s.vcapi(t, "/presentations/verify", body(signed, asked.Challenge, asked.Domain))
	if r.status != http.StatusOK || !a.Verified || strings.Join(a.Checks, ",") != "holder-proof,challenge,domain,credentials" {
		t.Fatalf("a good presentation: %d %s", r.status, r.body)
	}
	for _, c := range []struct {
		name, challenge, domain string
		vp                      map[string]any
		want                    string
	}{
		{"a wrong challenge", "another-challenge", asked.Domain, signed, "challenge: the holder's proof was made for the challenge"},
		{"a wrong domain", asked.Challenge, "evil.example", signed, "domain: the holder's proof was made for \"landlord.example\""},
		{"no holder proof", asked.Challenge, asked.Domain, vp, "holder-proof: the presentation has no proof of its holder"},
	} {
		a, r := s.vcapi(t, "/presentations/verify", body(c.vp, c.challenge, c.domain))
		if r.status != http.StatusBadRequest || a.Verified || len(a.Errors) == 0 || !strings.HasPrefix(a.Errors[0], c.want) {
			t.Errorf("%s: %d %s", c.name, r.status, r.body)
		}
	}
}

// A grant, enveloped as the VC Data Model says (a data: URL holding the
// JWS), verifies at /credentials/verify against the service's published
// keys; an envelope that holds no JWS is refused with the reason.
func TestEnvelopedGrantVerifies(t *testing.T) {
	s := newTestServer(t)
	_, tok := leaverWithHistory(t, s)
	g, r := s.share(tok, currentAddressOnly)
	expect(t, r, http.StatusCreated)
	envelope := func(id string) map[string]any {
		return map[string]any{"verifiableCredential": map[string]any{
			"@context": "https://www.w3.org/ns/credentials/v2", "type": "EnvelopedVerifiableCredential", "id": id,
		}}
	}
	a, r := s.vcapi(t, "/credentials/verify", envelope("data:application/vc+jwt,"+g.Credential))
	if r.status != http.StatusOK || !a.Verified || !strings.Contains(strings.Join(a.Checks, ","), "signature") {
		t.Fatalf("an enveloped grant: %d %s", r.status, r.body)
	}
	// One character changed in the signature: it no longer verifies.
	forged := g.Credential[:len(g.Credential)-2] + map[bool]string{true: "A", false: "B"}[g.Credential[len(g.Credential)-2] != 'A'] + g.Credential[len(g.Credential)-1:]
	if a, r := s.vcapi(t, "/credentials/verify", envelope("data:application/vc+jwt,"+forged)); r.status != http.StatusBadRequest || a.Verified {
		t.Errorf("a forged enveloped grant: %d %s", r.status, r.body)
	}
	for _, id := range []string{"data:application/vc+jwt,not a JWS at all", "data:application/vc+jwt,", "https://example.org/credential", "data:application/vc+sd-jwt," + g.Credential} {
		r := s.do("POST", s.url+"/credentials/verify", "", strings.NewReader(string(mustJSON(envelope(id)))), "Content-Type", "application/json")
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("envelope %.40q: %d %s", id, r.status, r.body)
			continue
		}
		if d, _ := r.problem(t)["detail"].(string); !strings.Contains(d, "JWS") && !strings.Contains(d, "data: URL") && !strings.Contains(d, "vc+jwt only") {
			t.Errorf("envelope %.40q: reason %q", id, d)
		}
	}
}

// Two credentials to the same leaver from the same issuer share no
// identifier that is about the leaver: not the subject's id, not the
// enrolment code, not the credential's id.
func TestCredentialsToOneLeaverShareNoIdentifier(t *testing.T) {
	s := newTestServer(t)
	staff, _, _, enrolment := issuerSetup(t, s)
	var vcs []map[string]any
	for i := 0; i < 2; i++ {
		r := s.do("POST", s.url+"/api/v1/issuers/hmp-example-education/issue", staff, strings.NewReader(`{"enrolment":"`+enrolment+`","qualification":`+qualification+`}`), "Content-Type", "application/json")
		expect(t, r, http.StatusCreated)
		var out struct {
			VC map[string]any `json:"verifiableCredential"`
		}
		json.Unmarshal(r.body, &out)
		vcs = append(vcs, out.VC)
	}
	ids := func(vc map[string]any) map[string]bool {
		out := map[string]bool{}
		subj, _ := vc["credentialSubject"].(map[string]any)
		for _, v := range []any{vc["id"], subj["id"]} {
			if s, _ := v.(string); s != "" {
				out[s] = true
			}
		}
		return out
	}
	a, b := ids(vcs[0]), ids(vcs[1])
	for id := range a {
		if b[id] {
			t.Errorf("both credentials carry %s", id)
		}
	}
	for _, vc := range vcs {
		if strings.Contains(string(mustJSON(vc)), enrolment) {
			t.Errorf("a credential carries the enrolment code: %s", mustJSON(vc))
		}
	}
}

// What a share serves of a record holds no share token in any id, nor in
// the RDF a client makes of it (relative ids resolve against the item's
// address, which holds the token): whole records and shared fields alike.
func TestSharedRecordsHoldNoShareTokenInTheirIDs(t *testing.T) {
	s := newTestServer(t)
	pod, tok := leaverWithHistory(t, s)
	expect(t, s.do("PUT", pod+"documents/letter.pdf", tok, strings.NewReader("%PDF-1.4\n"), "Content-Type", "application/pdf"), http.StatusCreated)
	doc := `{"@context":"https://w3id.org/satchel/v1","id":"#document","type":"Document","title":"Letter","documentKind":"other","file":"letter.pdf"}`
	expect(t, s.do("PUT", pod+"documents/letter.jsonld", tok, strings.NewReader(doc), "Content-Type", "application/ld+json"), http.StatusCreated)
	g, r := s.share(tok, `{"recipient":{"name":"Acme Lettings","kind":"landlord"},"purpose":"tenancy-application","items":[
	 {"path":"housing/history.jsonld"},{"path":"documents/letter.jsonld"}]}`)
	expect(t, r, http.StatusCreated)
	fields, r := s.share(tok, currentAddressOnly)
	expect(t, r, http.StatusCreated)

	for _, c := range []struct{ link, item string }{
		{g.ShareURL, "housing/history.jsonld"}, {g.ShareURL, "documents/letter.jsonld"}, {fields.ShareURL, "housing/history.jsonld"},
	} {
		token := c.link[strings.LastIndex(c.link, "/")+1:]
		itemURL := c.link + "/items/" + c.item
		r := s.do("GET", itemURL, "", nil)
		expect(t, r, http.StatusOK)
		var served map[string]any
		if err := json.Unmarshal(r.body, &served); err != nil {
			t.Fatalf("%s: %s", c.item, r.body)
		}
		var walk func(v any)
		walk = func(v any) {
			switch x := v.(type) {
			case map[string]any:
				for k, e := range x {
					if id, ok := e.(string); ok && (k == "id" || k == "@id") {
						if u, err := url.Parse(id); err != nil || u.Scheme == "" {
							t.Errorf("%s: a relative id %q, which resolves against the share link", c.item, id)
						}
					}
					walk(e)
				}
			case []any:
				for _, e := range x {
					walk(e)
				}
			}
		}
		walk(served)
		// The RDF any JSON-LD client makes of it, with the item's address
		// as its base.
		for _, mt := range []string{schemas.TypeNQuads, schemas.TypeTurtle} {
			rdf, err := schemas.ToRDF(served, s.b.Config.BaseURL+"/s/"+token+"/items/"+c.item, mt)
			if err != nil {
				t.Fatalf("%s as %s: %v", c.item, mt, err)
			}
			if strings.Contains(string(rdf), token) {
				t.Errorf("%s as %s holds the share token:\n%s", c.item, mt, rdf)
			}
			if !strings.Contains(string(rdf), "urn:uuid:") {
				t.Errorf("%s as %s: no per-share ids:\n%s", c.item, mt, rdf)
			}
		}
	}

	// The same record in the same share keeps its ids (one subject per
	// entry), and another share gives other ids.
	get := func(link string) string {
		return string(s.do("GET", link+"/items/housing/history.jsonld", "", nil).body)
	}
	if get(g.ShareURL) != get(g.ShareURL) {
		t.Error("ids change from one read of a share to the next")
	}
	other, _ := s.share(tok, `{"recipient":{"name":"Acme Bank","kind":"bank"},"purpose":"open-bank-account","items":[{"path":"housing/history.jsonld"}]}`)
	var a, b struct{ Entries []struct{ ID string } }
	json.Unmarshal([]byte(get(g.ShareURL)), &a)
	json.Unmarshal([]byte(get(other.ShareURL)), &b)
	if len(a.Entries) != 2 || len(b.Entries) != 2 || a.Entries[0].ID == "" || a.Entries[0].ID == b.Entries[0].ID || a.Entries[0].ID == a.Entries[1].ID {
		t.Errorf("the entries' ids in two shares: %+v and %+v", a.Entries, b.Entries)
	}
}

// What VC Data Model 2.0 forbids is refused before anything is signed
// (422, with the reason), rather than signed for a verifier to refuse.
func TestIssueRefusesWhatTheDataModelForbids(t *testing.T) {
	s := newTestServer(t)
	staff, _, _, _ := issuerSetup(t, s)
	for name, c := range map[string]struct {
		field string
		value any
		want  string
	}{
		"a null issuer":                     {"issuer", nil, "issuer is null"},
		"no credentialSubject":              {"credentialSubject", "", "no credentialSubject"},
		"an empty credentialSubject":        {"credentialSubject", map[string]any{}, "is empty"},
		"evidence without a type":           {"evidence", map[string]any{"id": "https://example.org/e/1"}, "evidence must say its type"},
		"a credentialSchema without a type": {"credentialSchema", map[string]any{"id": "https://example.org/s.json"}, "credentialSchema must say its type"},
		"relatedResource as strings":        {"relatedResource", []any{"https://example.org/r"}, "relatedResource must be"},
		"relatedResource without a digest":  {"relatedResource", []any{map[string]any{"id": "https://example.org/r"}}, "digest"},
	} {
		vc := unsignedQualification()
		vc[c.field] = c.value
		if c.value == "" {
			delete(vc, c.field)
		}
		_, r := s.staffIssue(t, staff, vc)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), c.want) || strings.Contains(string(r.body), "proofValue") {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}
}
