package schemas

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

// The undefined-terms context is the W3C's, unchanged (w3c/SOURCE.md), and
// the loader holds it.
func TestUndefinedTermsContextIsTheW3Cs(t *testing.T) {
	b, ok := File(Contexts[UndefinedTermsURL])
	sum := sha256.Sum256(b)
	if !ok || hex.EncodeToString(sum[:]) != "82dab514ba44eb18f5d1b0f638c5e140c6a556fbfb5089601bdc0fa5eb8b2581" {
		t.Fatalf("w3c/undefined-terms-v2.jsonld is missing or changed")
	}
	doc := map[string]any{"@context": []any{"https://www.w3.org/ns/credentials/v2", UndefinedTermsURL}, "type": "VerifiableCredential"}
	if _, err := Expand(doc); err != nil {
		t.Fatalf("expand with the undefined-terms context: %v", err)
	}
}
