package dataintegrity

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/piprate/json-gold/ld"
	"github.com/satchel-project/satchel/schemas"
)

const examplesContextURL = "https://www.w3.org/ns/credentials/examples/v2"

// testLoader serves the W3C examples context from testdata and leaves
// everything else to Satchel's offline loader, which refuses what it does
// not hold. It records what it was asked for.
type testLoader struct {
	examples any
	mu       sync.Mutex
	asked    []string
}

func newTestLoader(t testing.TB) *testLoader {
	t.Helper()
	var ctx any
	if err := json.Unmarshal(readFile(t, "credentials-examples-v2.jsonld"), &ctx); err != nil {
		t.Fatal(err)
	}
	return &testLoader{examples: ctx}
}

func (l *testLoader) LoadDocument(u string) (*ld.RemoteDocument, error) {
	l.mu.Lock()
	l.asked = append(l.asked, u)
	l.mu.Unlock()
	if u == examplesContextURL {
		return &ld.RemoteDocument{DocumentURL: u, Document: l.examples}, nil
	}
	return schemas.DefaultLoader.LoadDocument(u)
}

func (l *testLoader) wasAsked(u string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, a := range l.asked {
		if a == u {
			return true
		}
	}
	return false
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readJSON(t testing.TB, name string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(readFile(t, name), &m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

// vectorKey is the key pair of VC-DI-EDDSA B.1, Example 7. The secret key
// is a multibase base58-btc multicodec ed25519-priv (0x8026) seed.
func vectorKey(t testing.TB) ed25519.PrivateKey {
	t.Helper()
	var kp struct{ PublicKeyMultibase, SecretKeyMultibase string }
	if err := json.Unmarshal(readFile(t, "key-pair.json"), &kp); err != nil {
		t.Fatal(err)
	}
	b, err := decodeMultibase58(kp.SecretKeyMultibase, 64)
	if err != nil || len(b) != 2+ed25519.SeedSize || b[0] != 0x80 || b[1] != 0x26 {
		t.Fatalf("secret key: %x %v", b, err)
	}
	key := ed25519.NewKeyFromSeed(b[2:])
	pub, err := ParseMultikeyEd25519(kp.PublicKeyMultibase)
	if err != nil {
		t.Fatal(err)
	}
	if !pub.Equal(key.Public()) {
		t.Fatal("the vector's secret key does not give its public key")
	}
	return key
}

// vectorCreated is the created time of the vector's proof.
var vectorCreated = time.Date(2023, 2, 24, 23, 36, 38, 0, time.UTC)

// newKey returns a fresh Ed25519 key and its did:key verification method.
func newKey(t testing.TB) (ed25519.PrivateKey, string) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return priv, DIDKey(pub) + "#" + MultikeyEd25519(pub)
}

// qualification is a credential as Satchel's issuer makes one: the W3C
// and Satchel contexts, only terms they define.
func qualification() map[string]any {
	return map[string]any{
		"@context": []any{"https://www.w3.org/ns/credentials/v2", schemas.ContextURL},
		"id":       "urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e",
		"type":     []any{"VerifiableCredential", "QualificationCredential"},
		"issuer": map[string]any{
			"id":   "did:web:satchel.example:issuers:hmp-example",
			"name": "HMP Example (fictional) Education Department",
		},
		"validFrom": "2024-03-01T09:30:00Z",
		"credentialSubject": map[string]any{
			"id":            "urn:satchel:enrolment:5b0f7c1e",
			"type":          "Qualification",
			"name":          "Alex Example",
			"title":         "Functional Skills Qualification in English",
			"courseCode":    "FS-ENG-L1",
			"accredited":    true,
			"level":         "Level 1",
			"awardingBody":  "Pearson Edexcel",
			"learningStart": "2023-09-04",
			"learningEnd":   "2024-02-23",
			"outcome":       "Achieved",
			"grade":         "Pass",
			"studiedAt":     "HMP Example (fictional) Education Department",
		},
		"credentialStatus": map[string]any{
			"id":                   "https://satchel.example/issuers/hmp-example/status#4711",
			"type":                 "BitstringStatusListEntry",
			"statusPurpose":        "revocation",
			"statusListIndex":      "4711",
			"statusListCredential": "https://satchel.example/issuers/hmp-example/status",
		},
	}
}

// clone deep-copies a JSON document.
func clone(t testing.TB, doc map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// wantCheck fails unless err is an *Error for check.
func wantCheck(t testing.TB, err error, check string) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v (%T), want an *Error for %q", err, err, check)
	}
	if e.Check != check {
		t.Fatalf("got check %q (%v), want %q", e.Check, err, check)
	}
	return e
}
