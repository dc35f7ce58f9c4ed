package schemas

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// fuzzPlaces are where a fuzzed record is said to be stored: every standard
// container, and places no record belongs.
var fuzzPlaces = []string{
	"identity/card.jsonld", "housing/history.jsonld", "qualifications/course.jsonld", "finance/bank.jsonld",
	"documents/letter.jsonld", "inbox/credential.jsonld", "access-log/2025.jsonld", "record.jsonld",
}

const fuzzCredential = `{"@context":["https://www.w3.org/ns/credentials/v2","https://w3id.org/satchel/v1"],
 "id":"urn:uuid:1b9c4a0e-0f6e-4f0a-9d4e-6f3c2f0b6a11","type":["VerifiableCredential","QualificationCredential"],
 "issuer":{"id":"did:web:satchel.example:issuers:hmp-example","name":"HMP Example Education"},"validFrom":"2025-06-30T09:00:00Z",
 "credentialSubject":{"id":"urn:satchel:enrolment:e1","type":"Qualification","name":"Jo Bloggs","title":"Functional Skills English","level":"Level 1"},
 "proof":{"type":"DataIntegrityProof","cryptosuite":"eddsa-rdfc-2022","verificationMethod":"did:web:satchel.example:issuers:hmp-example#k1","proofPurpose":"assertionMethod","proofValue":"z3FXQ"}}`

// FuzzValidate checks that Validate never panics and keeps its bounds
// whatever a client sends: every record it accepts is one JSON object
// within MaxDepth and MaxValues, names only contexts Satchel holds, and is
// still valid, as the same type, after a JSON round trip; every record it
// refuses gets a reason a person can read.
//
// The 1 MiB bound on a record's bytes is the callers' (pod.MaxRecord,
// enforced before a body is read); inputs here stay far below it.
func FuzzValidate(f *testing.F) {
	seeds := []string{
		goodID, history, fuzzCredential,
		`{"@context":"https://w3id.org/satchel/v1","type":"BankAccount","bankName":"Example Bank","accountHolder":"Jo Bloggs","sortCode":"12-34-56","accountNumber":"12345678"}`,
		`{"@context":"https://w3id.org/satchel/v1","type":"NationalInsuranceNumber","niNumber":"AB 12 34 56 C"}`,
		`{"@context":"https://w3id.org/satchel/v1","type":"Qualification","title":"Functional Skills English","level":"Level 1","awardingBody":"Pearson","dateAwarded":"2025-06-27"}`,
		`{"@context":"https://w3id.org/satchel/v1","type":"Document","title":"Licence conditions","documentKind":"licence-conditions","file":"licence.pdf","date":"2025-02-01"}`,
		`{"@context":"https://w3id.org/satchel/v1","type":"BirthCertificate","form":"short","name":"Jo Bloggs","birthDate":"1990-04-23"}`,
		// Hostile: contexts from elsewhere, in every place a context can hide.
		`{"@context":"https://evil.example/ctx","type":"BankAccount"}`,
		`{"@context":["https://w3id.org/satchel/v1",{"@import":"http://127.0.0.1:1/x"}],"type":"BankAccount"}`,
		`{"@context":["https://w3id.org/satchel/v1",{"note":{"@id":"http://x.example/n","@context":"https://evil.example/scoped"}}],"type":"BankAccount","note":{"a":1}}`,
		`{"@context":"https://w3id.org/satchel/v1","type":"AddressHistory","entries":[{"@context":"https://evil.example/embedded","id":"#a"}]}`,
		`{"@context":["https://w3id.org/satchel/v1",{"name":"http://evil.example/name"}],"type":"BankAccount"}`,
		`{"@context":[{"@vocab":"http://evil.example/"},"https://w3id.org/satchel/v1"],"type":"NationalInsuranceNumber","niNumber":"AB 12 34 56 C","x":1}`,
		`{"@context":["https://w3id.org/satchel/v1",{"@protected":false,"type":"@id"}],"type":"BankAccount"}`,
		`{"@context":null,"type":"BankAccount"}`, `{"@context":{},"type":"Document"}`, `{"@context":[[["https://w3id.org/satchel/v1"]]]}`,
		// Hostile: shapes and sizes.
		`{"@context":"https://w3id.org/satchel/v1","a":` + strings.Repeat(`[`, 30) + strings.Repeat(`]`, 30) + `}`,
		`{"@context":"https://w3id.org/satchel/v1","a":` + strings.Repeat(`{"a":`, 23) + `1` + strings.Repeat(`}`, 23) + `}`,
		`{"@context":"https://w3id.org/satchel/v1","a":[` + strings.Repeat(`1,`, 5100) + `1]}`,
		`[1,2]`, `"x"`, `null`, ``, `{`, `{"@context":"https://w3id.org/satchel/v1"}{}`, "\xef\xbb\xbf{}",
		`{"@context":"https://w3id.org/satchel/v1","type":"BankAccount","type":"IdentityDocument"}`,
		`{"@context":"https://w3id.org/satchel/v1","type":"NationalInsuranceNumber","niNumber":"AB 12 34 56 C\u0000"}`,
		`{"@context":"https://w3id.org/satchel/v1","type":"NationalInsuranceNumber","niNumber":1e999}`,
		`{"@context":"https://w3id.org/satchel/v1","type":["VerifiableCredential"],"proof":{}}`,
		`{"@context":"https://w3id.org/satchel/v1","type":["VerifiableCredential"],"proof":{"@context":"https://evil.example/p"}}`,
		"{\"@context\":\"https://w3id.org/satchel/v1\",\"type\":\"BankAccount\",\"bankName\":\"\xff\xfe\"}",
	}
	for i, s := range seeds {
		f.Add([]byte(s), uint8(i))
	}
	f.Fuzz(func(t *testing.T, data []byte, place uint8) {
		path := fuzzPlaces[int(place)%len(fuzzPlaces)]
		r, err := Validate(data, path)
		if err != nil {
			checkRefusal(t, data, err)
			return
		}
		if r == nil || r.Doc == nil || r.Type.Name == "" {
			t.Fatalf("Validate(%q) accepted it with no record: %+v", data, r)
		}
		if d := depth(r.Doc); d > MaxDepth {
			t.Fatalf("Validate(%q) accepted a record %d levels deep", data, d)
		}
		if n := countValues(r.Doc); n > MaxValues {
			t.Fatalf("Validate(%q) accepted a record of %d values", data, n)
		}
		if u, ok := unknownContext(r.Doc); ok {
			t.Fatalf("Validate(%q) accepted a record naming the context %q", data, u)
		}
		again, err := json.Marshal(r.Doc)
		if err != nil {
			t.Fatalf("accepted record does not marshal: %v", err)
		}
		r2, err := Validate(again, path)
		if err != nil {
			t.Fatalf("Validate(%q) accepted it, but not after a round trip as %q: %v", data, again, err)
		}
		if r2.Type.Name != r.Type.Name {
			t.Fatalf("type %s became %s after a round trip", r.Type.Name, r2.Type.Name)
		}
	})
}

// checkRefusal checks that a refusal is one a client can be told about:
// problems in plain words, or the context that was not loaded.
func checkRefusal(t *testing.T, data []byte, err error) {
	t.Helper()
	var inv *Invalid
	var rc *ErrRemoteContext
	switch {
	case errors.As(err, &inv):
		if len(inv.Problems) == 0 {
			t.Fatalf("Validate(%q): *Invalid with no problems", data)
		}
		for _, p := range inv.Problems {
			if strings.TrimSpace(p.Message) == "" {
				t.Fatalf("Validate(%q): a problem at %q with no message", data, p.Pointer)
			}
		}
	case errors.As(err, &rc):
		if _, known := Contexts[rc.URL]; known {
			t.Fatalf("Validate(%q): a context Satchel holds, %q, reported as remote", data, rc.URL)
		}
	default:
		t.Fatalf("Validate(%q) = %T %v, want *Invalid or *ErrRemoteContext", data, err, err)
	}
}

// depth is how deeply v's objects and arrays nest: 1 for {} or [].
func depth(v any) int {
	d := 0
	switch c := v.(type) {
	case map[string]any:
		for _, x := range c {
			d = max(d, depth(x))
		}
	case []any:
		for _, x := range c {
			d = max(d, depth(x))
		}
	default:
		return 0
	}
	return d + 1
}

// countValues counts v's JSON values: objects, arrays and scalars.
func countValues(v any) int {
	n := 1
	switch c := v.(type) {
	case map[string]any:
		for _, x := range c {
			n += countValues(x)
		}
	case []any:
		for _, x := range c {
			n += countValues(x)
		}
	}
	return n
}

// unknownContext finds a context reference anywhere in v (a document's own
// "@context", an embedded one, a scoped one in a term definition, an
// "@import") that Satchel does not hold.
func unknownContext(v any) (string, bool) {
	switch c := v.(type) {
	case map[string]any:
		for k, x := range c {
			if k == "@context" {
				if u, ok := unknownRef(x); ok {
					return u, true
				}
			}
			if u, ok := unknownContext(x); ok {
				return u, true
			}
		}
	case []any:
		for _, x := range c {
			if u, ok := unknownContext(x); ok {
				return u, true
			}
		}
	}
	return "", false
}

func unknownRef(ctx any) (string, bool) {
	switch c := ctx.(type) {
	case string:
		if _, ok := Contexts[c]; !ok {
			return c, true
		}
	case []any:
		for _, x := range c {
			if u, ok := unknownRef(x); ok {
				return u, true
			}
		}
	case map[string]any:
		if imp, ok := c["@import"]; ok {
			return unknownRef(imp)
		}
	}
	return "", false
}
