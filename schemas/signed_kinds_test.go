package schemas

import (
	"reflect"
	"strings"
	"testing"
)

// The kinds only organisations sign: their subjects are checked by their
// schemas, their custody-revealing fields are marked, and a pod refuses
// one that nobody signed.
func TestSignedOnlyKinds(t *testing.T) {
	hmp := map[string]any{"type": "PostalAddress", "streetAddress": "1 Prison Road", "addressLocality": "Leeds"}
	custody := map[string]any{"type": "CustodyPeriod", "name": "Jo Bloggs", "establishment": "HMP Example", "address": hmp, "from": "2023-02-01", "to": "2025-01-31"}
	if err := ValidateSubject("CustodyPeriod", custody); err != nil {
		t.Fatalf("custody period: %v", err)
	}
	// Still in custody: the schema allows an open end.
	open := map[string]any{"type": "CustodyPeriod", "establishment": "HMP Example", "from": "2023-02-01"}
	if err := ValidateSubject("CustodyPeriod", open); err != nil {
		t.Fatalf("open custody period: %v", err)
	}
	err := ValidateSubject("CustodyPeriod", map[string]any{"type": "CustodyPeriod", "establishment": "HMP Example", "from": "01/02/2023"})
	if err == nil || !strings.Contains(err.Error(), "1990-04-23") {
		t.Fatalf("a date in the wrong form: %v", err)
	}
	stay := map[string]any{"type": "AccommodationStay", "accommodationKind": "approved-premises", "provider": "Example House", "address": map[string]any{"type": "PostalAddress", "addressLocality": "Leeds"}, "from": "2025-02-01"}
	if err := ValidateSubject("AccommodationStay", stay); err != nil {
		t.Fatalf("stay: %v", err)
	}
	if err := ValidateSubject("AccommodationStay", map[string]any{"type": "AccommodationStay", "accommodationKind": "custody", "address": hmp, "from": "2025-02-01"}); err == nil {
		t.Fatal("a stay of kind custody was accepted")
	}
	release := map[string]any{"type": "ReleaseDocument", "releaseDate": "2025-01-31", "establishment": "HMP Example"}
	if err := ValidateSubject("ReleaseDocument", release); err != nil {
		t.Fatalf("release: %v", err)
	}

	for _, c := range []struct {
		typ  string
		doc  map[string]any
		want []string
	}{
		{"CustodyPeriod", custody, []string{"/address", "/establishment", "/from", "/to"}},
		{"AccommodationStay", stay, []string{"/accommodationKind", "/address", "/provider"}},
		{"AccommodationStay", map[string]any{"type": "AccommodationStay", "accommodationKind": "hostel", "address": map[string]any{"addressLocality": "Leeds"}, "from": "2025-02-01"}, nil},
		{"ReleaseDocument", release, []string{"/establishment", "/releaseDate"}},
	} {
		if got := RevealsCustody(c.typ, c.doc); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: RevealsCustody = %q, want %q", c.typ, got, c.want)
		}
	}

	unsigned := `{"@context":"https://w3id.org/satchel/v1","type":"CustodyPeriod","establishment":"HMP Example","from":"2023-02-01"}`
	if _, err := Validate([]byte(unsigned), "housing/custody.jsonld"); err == nil || !strings.Contains(err.Error(), "comes only signed") {
		t.Fatalf("an unsigned custody period: %v", err)
	}
	if got := SubjectType(map[string]any{"credentialSubject": custody}); got.Name != "CustodyPeriod" || !got.Period {
		t.Fatalf("SubjectType = %+v", got)
	}
	if got := SubjectType(map[string]any{"credentialSubject": map[string]any{"type": "BankAccount"}}); got.Name != "Qualification" {
		t.Fatalf("SubjectType of an unknown kind = %+v", got)
	}
}
