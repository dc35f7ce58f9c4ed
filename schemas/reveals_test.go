package schemas

import (
	"encoding/json"
	"os"
	"reflect"
	"testing"
)

func exampleRecord(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile("../examples/pod/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestRevealsCustody(t *testing.T) {
	for _, c := range []struct {
		typ, file string
		want      []string
	}{
		// The prison's own entry whole; approved premises by its kind,
		// and its address and provider beside it; a hostel's key worker
		// and the family home tell nothing.
		{"AddressHistory", "housing/address-history.jsonld", []string{
			"/entries/#custody/accommodationKind", "/entries/#custody/address",
			"/entries/#approved-premises/accommodationKind", "/entries/#approved-premises/address", "/entries/#approved-premises/provider",
		}},
		{"IdentityDocument", "identity/id-card.jsonld", []string{"/documentNumber", "/documentType", "/issuingAuthority"}},
		{"Qualification", "qualifications/functional-skills-english.jsonld", []string{"/studiedAt"}},
		{"Document", "documents/licence-conditions.jsonld", []string{"/description", "/documentKind", "/issuedBy"}},
		{"BankAccount", "finance/bank-account.jsonld", nil},
	} {
		got := RevealsCustody(c.typ, exampleRecord(t, c.file))
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: RevealsCustody = %q, want %q", c.file, got, c.want)
		}
		for _, p := range got {
			if _, err := Resolve(exampleRecord(t, c.file), p); err != nil {
				t.Errorf("%s: %s names nothing: %v", c.file, p, err)
			}
		}
	}
	passport := map[string]any{"type": "IdentityDocument", "documentType": "passport", "documentNumber": "123456789",
		"issuingAuthority": "HM Passport Office", "holder": map[string]any{"name": "Jo Bloggs"}}
	if got := RevealsCustody("IdentityDocument", passport); got != nil {
		t.Errorf("a passport reveals %q", got)
	}
}

func TestNamesAPrison(t *testing.T) {
	for s, want := range map[string]bool{
		"HMP Leeds": true, "HM Prison and Probation Service": true, "hmyoi Wetherby": true, "Young Offender Institution": true,
		"National Probation Service": true, "Leeds City Council": false, "Hampton Court": false, "HMPO": false,
	} {
		if got := NamesAPrison(s); got != want {
			t.Errorf("NamesAPrison(%q) = %v", s, got)
		}
	}
}
