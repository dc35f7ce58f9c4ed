package dataintegrity

import (
	"context"
	"crypto/ed25519"
	"strings"
	"testing"
	"time"
)

// signWithExpiry signs doc as Sign does, with an "expires" in the proof
// options (which Sign does not write, but other issuers do).
func signWithExpiry(t *testing.T, doc map[string]any, expires string) map[string]any {
	t.Helper()
	key, vm := newKey(t)
	opt := Options{}.withDefaults()
	unsecured, err := normalize(doc, opt.MaxBytes)
	if err != nil {
		t.Fatal(err)
	}
	options := map[string]any{
		"type": ProofType, "cryptosuite": Cryptosuite, "created": "2024-03-01T09:30:00Z",
		"verificationMethod": vm, "proofPurpose": AssertionMethod, "expires": expires,
	}
	data, err := hashDocument(context.Background(), unsecured, proofConfig(options, unsecured["@context"]), opt)
	if err != nil {
		t.Fatal(err)
	}
	options["proofValue"] = "z" + base58Encode(ed25519.Sign(key, data))
	unsecured["proof"] = options
	return unsecured
}

// A proof that expires later verifies; one that has expired, or whose
// expires is not a dateTime, is refused and says which.
func TestProofExpires(t *testing.T) {
	future := time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)
	if _, err := Verify(signWithExpiry(t, qualification(), future), ResolveDIDKey, Options{}); err != nil {
		t.Errorf("a proof that expires tomorrow: %v", err)
	}
	for _, c := range []struct{ expires, reason string }{
		{"2020-01-01T00:00:00Z", "expired"},
		{"tomorrow", "not a dateTime"},
	} {
		_, err := Verify(signWithExpiry(t, qualification(), c.expires), ResolveDIDKey, Options{})
		if e := wantCheck(t, err, "proof-format"); !strings.Contains(e.Reason, c.reason) {
			t.Errorf("expires %q: %q, want it to say %q", c.expires, e.Reason, c.reason)
		}
	}
}
