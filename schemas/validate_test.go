package schemas

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

const goodID = `{
  "@context": "https://w3id.org/satchel/v1",
  "type": "IdentityDocument",
  "documentType": "prison-id-card",
  "documentNumber": "A1234BC",
  "issuingAuthority": "HMP Example",
  "issueDate": "2025-01-10",
  "holder": {"type": "Person", "name": "Jo Bloggs", "birthDate": "1990-04-23"},
  "scan": "../documents/id-card.png"
}`

func TestValidRecordsPass(t *testing.T) {
	for path, doc := range map[string]string{
		"identity/card.jsonld": goodID,
		"housing/history.jsonld": `{"@context":"https://w3id.org/satchel/v1","type":"AddressHistory","entries":[
			{"id":"#hostel","type":"AddressHistoryEntry","address":{"type":"PostalAddress","streetAddress":"1 High St","addressLocality":"Leeds","postalCode":"LS1 1AA"},"from":"2021-01-01","to":"2022-06-30","accommodationKind":"hostel",
			 "reference":{"type":"Person","name":"A Manager","telephone":"0113 496 0000"}}]}`,
		"finance/bank.jsonld": `{"@context":"https://w3id.org/satchel/v1","type":"BankAccount","bankName":"Example Bank","accountHolder":"Jo Bloggs","sortCode":"12-34-56","accountNumber":"12345678"}`,
		"finance/ni.jsonld":   `{"@context":"https://w3id.org/satchel/v1","type":"NationalInsuranceNumber","niNumber":"AB 12 34 56 C"}`,
	} {
		r, err := Validate([]byte(doc), path)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if r.Type.Name == "" {
			t.Errorf("%s: no type", path)
		}
	}
}

func problems(t *testing.T, doc, path string) string {
	t.Helper()
	_, err := Validate([]byte(doc), path)
	var inv *Invalid
	if !errors.As(err, &inv) {
		t.Fatalf("Validate(%s) = %v, want *Invalid", path, err)
	}
	return inv.Error()
}

func TestProblemsAreNamedInPlainWords(t *testing.T) {
	bad := strings.Replace(goodID, `"birthDate": "1990-04-23"`, `"birthDate": "23/04/1990"`, 1)
	bad = strings.Replace(bad, `"documentType": "prison-id-card"`, `"documentType": "library-card"`, 1)
	got := problems(t, bad, "identity/card.jsonld")
	for _, want := range []string{
		"Date of birth must be a date like 1990-04-23.",
		"Kind of document must be one of passport, driving-licence, prison-id-card or other.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problems %q lack %q", got, want)
		}
	}
	missing := problems(t, `{"@context":"https://w3id.org/satchel/v1","type":"BankAccount","bankName":"B","accountHolder":"J","sortCode":"123456"}`, "finance/b.jsonld")
	for _, want := range []string{"Account number is missing.", "Sort code must be six digits like 12-34-56."} {
		if !strings.Contains(missing, want) {
			t.Errorf("problems %q lack %q", missing, want)
		}
	}
}

func TestBadRecords(t *testing.T) {
	for name, c := range map[string]struct{ doc, path, want string }{
		"malformed":     {`{"@context": `, "identity/x", "not valid JSON"},
		"not JSON-LD":   {`{"name":"Jo"}`, "identity/x", "not a JSON-LD record"},
		"array":         {`[1,2]`, "identity/x", "one JSON object"},
		"wrong place":   {goodID, "housing/x", "belongs in identity/"},
		"unknown type":  {`{"@context":"https://w3id.org/satchel/v1","type":"Pet"}`, "identity/x", "must name a kind of record"},
		"extra field":   {strings.Replace(goodID, `"scan"`, `"favouriteColour": "blue", "scan"`, 1), "identity/x", `"favouriteColour" is not a field`},
		"redefinition":  {strings.Replace(goodID, `"@context": "https://w3id.org/satchel/v1"`, `"@context": ["https://w3id.org/satchel/v1", {"name": "http://evil.example/name"}]`, 1), "identity/x", "@context"},
		"deep":          {`{"@context":"https://w3id.org/satchel/v1","a":` + strings.Repeat(`[`, 40) + strings.Repeat(`]`, 40) + `}`, "identity/x", "nested too deeply"},
		"huge":          {`{"@context":"https://w3id.org/satchel/v1","a":[` + strings.Repeat(`1,`, 6000) + `1]}`, "identity/x", "too large"},
		"trailing data": {goodID + `{}`, "identity/x", "after its closing bracket"},
	} {
		_, err := Validate([]byte(c.doc), c.path)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error saying %q", name, err, c.want)
		}
	}
}

func TestRemoteContextsAreNeverFetched(t *testing.T) {
	for _, ctx := range []string{`"https://evil.example/ctx"`, `["https://w3id.org/satchel/v1", "http://127.0.0.1:1/x"]`, `{"@import": "https://evil.example/ctx"}`} {
		doc := strings.Replace(goodID, `"https://w3id.org/satchel/v1"`, ctx, 1)
		_, err := Validate([]byte(doc), "identity/x")
		var rc *ErrRemoteContext
		if !errors.As(err, &rc) {
			t.Errorf("context %s: %v, want *ErrRemoteContext", ctx, err)
		}
	}
	// The loader itself refuses, even when called directly by json-gold.
	if _, err := Expand(map[string]any{"@context": "https://evil.example/ctx", "https://schema.org/name": "x"}); err == nil {
		t.Fatal("Expand loaded a remote context")
	}
}

func TestProtectedTermsCannotBeRedefined(t *testing.T) {
	doc := map[string]any{
		"@context": []any{ContextURL, map[string]any{"name": "http://evil.example/name"}},
		"name":     "Jo",
	}
	_, err := Expand(doc)
	if err == nil || !strings.Contains(err.Error(), "change the meaning") {
		t.Fatalf("Expand of a redefinition: %v", err)
	}
}

func TestW3CContextsAreUnchanged(t *testing.T) {
	for name, want := range map[string]string{
		"w3c/credentials-v2.jsonld":    "8a9f494a89ecc51db093e90e84713e07e84d6d9204364a9b3c7868b21751236f",
		"w3c/data-integrity-v2.jsonld": "0f77743daf5b4e8fc067fc5ba5b21044283053aa717fc6b0219843bed3b00363",
	} {
		b, _ := File(name)
		sum := sha256.Sum256(b)
		if hex.EncodeToString(sum[:]) != want {
			t.Errorf("%s changed", name)
		}
	}
}
