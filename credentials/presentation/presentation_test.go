package presentation

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/satchel-project/satchel/credentials/dataintegrity"
)

func holder(t *testing.T) (ed25519.PrivateKey, string) {
	_, priv, _ := ed25519.GenerateKey(nil)
	did := dataintegrity.DIDKey(priv.Public().(ed25519.PublicKey))
	return priv, did
}

func vpOf(did string) map[string]any {
	return map[string]any{
		"@context": []any{"https://www.w3.org/ns/credentials/v2"},
		"type":     []any{"VerifiablePresentation"},
		"holder":   did,
	}
}

func check(t *testing.T, err error) string {
	t.Helper()
	var de *dataintegrity.Error
	if !errors.As(err, &de) {
		t.Fatalf("want a *dataintegrity.Error, got %v", err)
	}
	return de.Check
}

func TestHolderProof(t *testing.T) {
	priv, did := holder(t)
	vm := did + "#" + strings.TrimPrefix(did, "did:key:")
	asked := Options{Challenge: "c-123", Domain: "verifier.example"}
	signed, err := Sign(vpOf(did), priv, vm, time.Now(), asked, dataintegrity.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := Verify(signed, asked, dataintegrity.ResolveDIDKey, dataintegrity.Options{})
	if err != nil || p.VerificationMethod != vm || p.Challenge != "c-123" {
		t.Fatalf("a good holder proof: %v %+v", err, p)
	}

	for _, c := range []struct {
		name  string
		vp    map[string]any
		asked Options
		check string
	}{
		{"wrong challenge", signed, Options{Challenge: "c-999", Domain: "verifier.example"}, CheckChallenge},
		{"wrong domain", signed, Options{Challenge: "c-123", Domain: "evil.example"}, CheckDomain},
		{"no holder proof", vpOf(did), asked, CheckHolderProof},
	} {
		_, err := Verify(c.vp, c.asked, dataintegrity.ResolveDIDKey, dataintegrity.Options{})
		if got := check(t, err); got != c.check {
			t.Errorf("%s: check %q (%v), want %q", c.name, got, err, c.check)
		}
	}

	// Changed after signing.
	changed := map[string]any{}
	for k, v := range signed {
		changed[k] = v
	}
	changed["id"] = "urn:uuid:3c7e6f3a-2b1d-4e5f-8a9b-0c1d2e3f4a5b"
	if got := check(t, func() error {
		_, err := Verify(changed, asked, dataintegrity.ResolveDIDKey, dataintegrity.Options{})
		return err
	}()); got != "signature" {
		t.Errorf("changed: %s", got)
	}

	// Signed by someone other than the holder it names.
	other, otherDID := holder(t)
	byOther, _ := Sign(vpOf(did), other, otherDID+"#"+strings.TrimPrefix(otherDID, "did:key:"), time.Now(), asked, dataintegrity.Options{})
	if got := check(t, func() error {
		_, err := Verify(byOther, asked, dataintegrity.ResolveDIDKey, dataintegrity.Options{})
		return err
	}()); got != CheckHolder {
		t.Errorf("signed by another: %s", got)
	}

	// An issuer's kind of proof (assertionMethod) is not a holder's.
	asserted, err := dataintegrity.Sign(vpOf(did), priv, vm, time.Now(), dataintegrity.AssertionMethod, dataintegrity.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := check(t, func() error {
		_, err := Verify(asserted, asked, dataintegrity.ResolveDIDKey, dataintegrity.Options{})
		return err
	}()); got != CheckProofPurpose {
		t.Errorf("assertionMethod proof: %s", got)
	}
}

func TestBase58RoundTrip(t *testing.T) {
	for _, b := range [][]byte{{0, 0, 1, 2}, {255, 254}, make([]byte, 64)} {
		got, err := base58Decode(base58Encode(b))
		if err != nil || string(got) != string(b) {
			t.Errorf("%x: %x %v", b, got, err)
		}
	}
}

// A presentation signed by Digital Bazaar's implementation (the W3C VC 2.0
// suite's own) verifies: the credentials inside are canonicalized as named
// graphs, as every other implementation does; and one changed credential
// breaks the holder's signature.
func TestPresentationFromDigitalBazaarVerifies(t *testing.T) {
	b, err := os.ReadFile("testdata/digitalbazaar-vp.json")
	if err != nil {
		t.Fatal(err)
	}
	var req struct {
		VP      map[string]any `json:"verifiablePresentation"`
		Options Options        `json:"options"`
	}
	if err := json.Unmarshal(b, &req); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(req.VP, req.Options, dataintegrity.ResolveDIDKey, dataintegrity.Options{}); err != nil {
		t.Fatalf("Digital Bazaar's presentation: %v", err)
	}
	vcs := req.VP["verifiableCredential"].([]any)
	vcs[0].(map[string]any)["credentialSubject"] = map[string]any{"id": "did:example:someone-else"}
	if got := check(t, func() error {
		_, err := Verify(req.VP, req.Options, dataintegrity.ResolveDIDKey, dataintegrity.Options{})
		return err
	}()); got != "signature" {
		t.Errorf("a credential changed inside: %s", got)
	}
}
