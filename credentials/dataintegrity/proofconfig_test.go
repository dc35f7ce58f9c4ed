package dataintegrity

import (
	"context"
	"testing"

	"github.com/satchel-project/satchel/schemas"
)

// TestProofConfigTemplates: the canonical form of a proof configuration
// made from a template is byte for byte what json-gold and rdfc make, for
// every context list, purpose and kind of verification method, and the
// template is used for the usual shapes.
func TestProofConfigTemplates(t *testing.T) {
	v2 := "https://www.w3.org/ns/credentials/v2"
	contextLists := []any{
		v2,
		[]any{v2, schemas.ContextURL},
		[]any{v2, "https://w3id.org/security/data-integrity/v2"},
		[]any{v2, schemas.UndefinedTermsURL, schemas.ContextURL},
	}
	methods := []string{
		"did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
		"did:web:satchel.example:issuers:hmp-example#key-1",
		"https://issuer.example/keys/1",
		"http://issuer.example/keys/2",
		"urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e",
		"did:example:123#key-0",
	}
	created := []string{"2023-02-24T23:36:38Z", "2026-11-30T09:00:00.123+01:00", "2000-01-01T00:00:00-05:30"}
	opt := Options{}.withDefaults()
	templated := 0
	for _, c := range contextLists {
		for _, purpose := range []string{AssertionMethod, "authentication"} {
			for _, vm := range methods {
				for _, cr := range created {
					doc := map[string]any{"@context": c, "type": ProofType, "cryptosuite": Cryptosuite,
						"created": cr, "verificationMethod": vm, "proofPurpose": purpose}
					want, err := rdfcanon(context.Background(), doc, opt)
					if err != nil {
						t.Fatal(err)
					}
					got, ok := fastProofConfig(context.Background(), doc, opt)
					if !ok {
						continue
					}
					templated++
					if string(got) != string(want) {
						t.Errorf("%v %s %s %s:\ntemplate gives\n%s\njson-gold and rdfc give\n%s", c, purpose, vm, cr, got, want)
					}
				}
			}
		}
	}
	if want := len(contextLists) * 2 * len(methods) * len(created); templated != want {
		t.Errorf("%d of %d proof configurations were templated", templated, want)
	}

	// Other shapes take the ordinary path.
	for _, doc := range []map[string]any{
		{"@context": v2, "type": ProofType, "cryptosuite": Cryptosuite, "created": "2023-02-24T23:36:38Z", "verificationMethod": "did:key:z6Mk#a", "proofPurpose": AssertionMethod, "expires": "2030-01-01T00:00:00Z"},
		{"@context": v2, "type": ProofType, "cryptosuite": "ecdsa-rdfc-2019", "created": "2023-02-24T23:36:38Z", "verificationMethod": "did:key:z6Mk#a", "proofPurpose": AssertionMethod},
		{"@context": v2, "type": ProofType, "cryptosuite": Cryptosuite, "created": "2023-02-24T23:36:38Z", "verificationMethod": "_:b0", "proofPurpose": AssertionMethod},
		{"@context": v2, "type": ProofType, "cryptosuite": Cryptosuite, "created": "2023-02-24T23:36:38\"Z", "verificationMethod": "did:key:z6Mk#a", "proofPurpose": AssertionMethod},
		{"@context": []any{v2, v2}, "type": ProofType, "cryptosuite": Cryptosuite, "created": "2023-02-24T23:36:38Z", "verificationMethod": "did:key:z6Mk#a", "proofPurpose": AssertionMethod},
		{"@context": v2, "type": ProofType, "cryptosuite": Cryptosuite, "created": "2023-02-24T23:36:38Z", "verificationMethod": "sec:key", "proofPurpose": AssertionMethod},
	} {
		if _, ok := fastProofConfig(context.Background(), doc, opt); ok {
			t.Errorf("templated: %v", doc)
		}
	}
}
