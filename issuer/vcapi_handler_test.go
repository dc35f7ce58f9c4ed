package issuer_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/satchel-project/satchel/credentials/dataintegrity"
	"github.com/satchel-project/satchel/credentials/presentation"
	"github.com/satchel-project/satchel/schemas"
)

func unsigned(issuer any) map[string]any {
	vc := map[string]any{
		"@context":          []any{"https://www.w3.org/ns/credentials/v2", schemas.ContextURL},
		"type":              []any{"VerifiableCredential", "QualificationCredential"},
		"validFrom":         "2026-01-01T00:00:00Z",
		"credentialSubject": map[string]any{"type": "Qualification", "title": "Functional Skills English", "level": "Level 1"},
	}
	if issuer != nil {
		vc["issuer"] = issuer
	}
	return vc
}

func body(k string, v any) string { b, _ := json.Marshal(map[string]any{k: v}); return string(b) }

// VC-API issue: staff sign as their own organisation only; nobody else
// signs at all. VC-API verify: 200 for a good credential, 400 with the
// failed checks for an altered one, 422 for an envelope it cannot read.
func TestVCAPIIssueAndVerify(t *testing.T) {
	a := newAPI(t)
	for who, want := range map[string]int{"": 401, "jo": 403, "helper": 403} {
		if code, _ := a.do(who, "POST", "/credentials/issue", "application/json", body("credential", unsigned(nil))); code != want {
			t.Errorf("issue as %q: %d, want %d", who, code, want)
		}
	}
	if code, m := a.do("acme", "POST", "/credentials/issue", "application/json", body("credential", unsigned(a.s.DID("hmp-example")))); code != 403 || !strings.Contains(toJSON(m), "other-issuer") {
		t.Errorf("acme signing as hmp: %d %v, want 403", code, m)
	}
	if code, _ := a.do("acme", "POST", "/credentials/issue", "application/json", `{"credential": 5}`); code != 400 {
		t.Errorf("issue of a number: %d, want 400", code)
	}
	code, out := a.do("acme", "POST", "/credentials/issue", "application/json", body("credential", unsigned(nil)))
	vc, _ := out["verifiableCredential"].(map[string]any)
	if code != 201 || vc == nil {
		t.Fatalf("issue as acme staff: %d %v", code, out)
	}

	code, res := a.do("", "POST", "/credentials/verify", "application/json", body("verifiableCredential", vc))
	if code != 200 || res["verified"] != true || len(res["errors"].([]any)) != 0 || !strings.Contains(toJSON(res["checks"]), "proof") {
		t.Errorf("verify the issued credential: %d %v", code, res)
	}
	altered := unsigned(nil)
	json.Unmarshal([]byte(toJSON(vc)), &altered)
	altered["credentialSubject"].(map[string]any)["level"] = "Level 3"
	code, res = a.do("", "POST", "/credentials/verify", "application/json", body("verifiableCredential", altered))
	if code != 400 || res["verified"] != false || !strings.Contains(toJSON(res["errors"]), "proof") {
		t.Errorf("verify an altered credential: %d %v", code, res)
	}
	for name, env := range map[string]string{
		"not a data URL": "https://example.org/vc",
		"another type":   "data:application/json,{}",
		"not a JWS":      "data:application/vc+jwt,notajws",
		"no grants here": "data:application/vc+jwt,eyJh.eyJi.c2ln",
	} {
		vc := map[string]any{"@context": []any{"https://www.w3.org/ns/credentials/v2"}, "type": "EnvelopedVerifiableCredential", "id": env}
		if code, _ := a.do("", "POST", "/credentials/verify", "application/json", body("verifiableCredential", vc)); code != 422 {
			t.Errorf("envelope %s: %d, want 422", name, code)
		}
	}
	if code, _ := a.do("", "POST", "/credentials/verify", "application/json", `{}`); code != 400 {
		t.Errorf("verify with no credential: %d, want 400", code)
	}
}

// VC-API presentations: the holder's proof must carry the verifier's
// challenge and domain, and every credential inside must verify.
func TestVCAPIVerifyPresentation(t *testing.T) {
	a := newAPI(t)
	_, out := a.do("hmp", "POST", "/credentials/issue", "application/json", body("credential", unsigned(nil)))
	vc, _ := out["verifiableCredential"].(map[string]any)
	pub, priv, _ := ed25519.GenerateKey(nil)
	did := dataintegrity.DIDKey(pub)
	vm := did + "#" + strings.TrimPrefix(did, "did:key:")
	asked := presentation.Options{Challenge: "c-123", Domain: "landlord.example"}
	vp := func(creds ...any) map[string]any {
		return map[string]any{"@context": []any{"https://www.w3.org/ns/credentials/v2"}, "type": []any{"VerifiablePresentation"}, "holder": did, "verifiableCredential": creds}
	}
	signed, err := presentation.Sign(vp(vc), priv, vm, time.Now(), asked, dataintegrity.Options{Loader: schemas.DefaultLoader})
	if err != nil {
		t.Fatal(err)
	}
	req := func(vp map[string]any, challenge string) string {
		b, _ := json.Marshal(map[string]any{"verifiablePresentation": vp, "options": map[string]string{"challenge": challenge, "domain": asked.Domain}})
		return string(b)
	}
	code, res := a.do("", "POST", "/presentations/verify", "application/json", req(signed, asked.Challenge))
	if code != 200 || res["verified"] != true || !strings.Contains(toJSON(res["checks"]), "credentials") || !strings.Contains(toJSON(res["checks"]), "challenge") {
		t.Errorf("a good presentation: %d %v", code, res)
	}
	if code, res := a.do("", "POST", "/presentations/verify", "application/json", req(signed, "another")); code != 400 || res["verified"] != false {
		t.Errorf("a presentation made for another challenge: %d %v", code, res)
	}
	if code, res := a.do("", "POST", "/presentations/verify", "application/json", req(vp(vc), "")); code != 400 || len(res["warnings"].([]any)) == 0 {
		t.Errorf("a presentation without a holder proof or challenge: %d %v", code, res)
	}
	if err := a.s.Revoke(context.Background(), "hmp-example", issuedID(vc)); err != nil {
		t.Fatal(err)
	}
	if code, res := a.do("", "POST", "/presentations/verify", "application/json", req(signed, asked.Challenge)); code != 400 || !strings.Contains(toJSON(res["errors"]), "credential 1: revocation") {
		t.Errorf("a presentation of a withdrawn credential: %d %v", code, res)
	}
	many := make([]any, 21)
	for i := range many {
		many[i] = vc
	}
	for name, b := range map[string]string{
		"21 credentials":   req(vp(many...), ""),
		"a string inside":  req(vp("x"), ""),
		"a number as list": `{"verifiablePresentation": {"verifiableCredential": 5}}`,
		"no presentation":  `{}`,
	} {
		if code, _ := a.do("", "POST", "/presentations/verify", "application/json", b); code != 400 {
			t.Errorf("%s: %d, want 400", name, code)
		}
	}
	env := map[string]any{"type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt,nope"}
	if code, _ := a.do("", "POST", "/presentations/verify", "application/json", req(vp(env), "")); code != 422 {
		t.Errorf("a presentation holding an unreadable envelope: %d, want 422", code)
	}
}

// issuedID is the record ID of a credential issued through the VC-API:
// the UUID of its urn:uuid id.
func issuedID(vc map[string]any) string {
	id, _ := vc["id"].(string)
	return strings.TrimPrefix(id, "urn:uuid:")
}
