package issuer_test

import (
	"crypto/ed25519"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/satchel-project/satchel/credentials/dataintegrity"
	"github.com/satchel-project/satchel/credentials/presentation"
	"github.com/satchel-project/satchel/schemas"
)

// A presentation may hold up to 20 credentials, as a list or one on its
// own, or none: each is verified (twenty, unsigned here, are each answered
// for), and "credentials" is among the checks only when there were some;
// "domain" only when one was asked for.
func TestVCAPIPresentationSizes(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	_, out := a.do("hmp", "POST", "/credentials/issue", "application/json", body("credential", unsigned(nil)))
	vc, _ := out["verifiableCredential"].(map[string]any)
	pub, priv, _ := ed25519.GenerateKey(nil)
	did := dataintegrity.DIDKey(pub)
	vm := did + "#" + strings.TrimPrefix(did, "did:key:")
	send := func(creds any, opt presentation.Options) (int, map[string]any) {
		vp := map[string]any{"@context": []any{"https://www.w3.org/ns/credentials/v2"}, "type": []any{"VerifiablePresentation"}, "holder": did}
		if creds != nil {
			vp["verifiableCredential"] = creds
		}
		signed, err := presentation.Sign(vp, priv, vm, time.Now(), opt, dataintegrity.Options{Loader: schemas.DefaultLoader})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(map[string]any{"verifiablePresentation": signed, "options": map[string]string{"challenge": opt.Challenge, "domain": opt.Domain}})
		return a.do("", "POST", "/presentations/verify", "application/json", string(b))
	}
	twenty := make([]any, 20)
	for i := range twenty {
		twenty[i] = vc
	}
	withDomain := presentation.Options{Challenge: "c-1", Domain: "landlord.example"}
	for name, c := range map[string]struct {
		creds any
		opt   presentation.Options
		want  string // the checks
	}{
		"one on its own": {vc, presentation.Options{Challenge: "c-2"}, `["holder-proof","challenge","credentials"]`},
		"none":           {nil, withDomain, `["holder-proof","challenge","domain"]`},
	} {
		code, res := send(c.creds, c.opt)
		if code != 200 || res["verified"] != true || toJSON(res["checks"]) != c.want {
			t.Errorf("%s: %d %v, want 200 and checks %s", name, code, res, c.want)
		}
	}
	b, _ := json.Marshal(map[string]any{"verifiablePresentation": map[string]any{"@context": []any{"https://www.w3.org/ns/credentials/v2"},
		"type": []any{"VerifiablePresentation"}, "verifiableCredential": twenty}})
	code, res := a.do("", "POST", "/presentations/verify", "application/json", string(b))
	if results, _ := res["satchel"].([]any); code != 400 || len(results) != 20 || !strings.Contains(toJSON(res["checks"]), "credentials") {
		t.Errorf("twenty credentials, no holder proof: %d, %d answered, %v", code, len(results), res["checks"])
	}
}

// A presentation holding a credential that cannot be read says which, by
// its place in the list, counting from 1.
func TestVCAPIPresentationNamesTheUnreadableCredential(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	_, out := a.do("hmp", "POST", "/credentials/issue", "application/json", body("credential", unsigned(nil)))
	vc, _ := out["verifiableCredential"].(map[string]any)
	env := map[string]any{"type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt,nope"}
	b, _ := json.Marshal(map[string]any{"verifiablePresentation": map[string]any{"@context": []any{"https://www.w3.org/ns/credentials/v2"},
		"type": []any{"VerifiablePresentation"}, "verifiableCredential": []any{vc, env}}})
	code, res := a.do("", "POST", "/presentations/verify", "application/json", string(b))
	if d, _ := res["detail"].(string); code != 422 || !strings.HasPrefix(d, "Credential 2: ") {
		t.Errorf("the second credential unreadable: %d %v", code, res)
	}
}
