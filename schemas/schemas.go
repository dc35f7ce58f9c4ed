// Package schemas holds what makes a Satchel record readable by anyone: the
// JSON-LD context (https://w3id.org/satchel/v1), a JSON Schema for each
// record type, and the W3C contexts that credentials need, all embedded in
// the binary. It validates records (JSON Schema, then JSON-LD expansion with
// a loader that never touches the network), converts them to other RDF
// forms, and addresses single fields of a record with JSON Pointers.
package schemas

import (
	"embed"
	"io/fs"
	"path"
	"sort"
	"strings"
)

//go:embed context/*.jsonld json/*.schema.json w3c/*.jsonld
var files embed.FS

// ContextURL is the stable URL of Satchel's JSON-LD context.
const ContextURL = "https://w3id.org/satchel/v1"

// ConsentContextURL is the JSON-LD context of Satchel's access grants: the
// GConsent terms Solid access grants use, and a few of Satchel's own.
const ConsentContextURL = "https://w3id.org/satchel/consent/v1"

// Namespace is the IRI prefix of Satchel's own terms.
const Namespace = "https://w3id.org/satchel#"

// SchemaBase is where record schemas are named; each type's schema is
// SchemaBase + its file name, e.g. identity-document.json.
const SchemaBase = "https://w3id.org/satchel/schemas/"

// Contexts maps every context URL the offline loader knows to its embedded
// file. Nothing else is ever loaded.
var Contexts = map[string]string{
	ContextURL:                                    "context/v1.jsonld",
	ConsentContextURL:                             "context/consent-v1.jsonld",
	"https://www.w3.org/ns/credentials/v2":        "w3c/credentials-v2.jsonld",
	"https://w3id.org/security/data-integrity/v2": "w3c/data-integrity-v2.jsonld",
	UndefinedTermsURL:                             "w3c/undefined-terms-v2.jsonld",
}

// UndefinedTermsURL is the W3C context that maps terms no other context
// defines to https://www.w3.org/ns/credentials/undefined-term#, so that a
// credential using it expands and canonicalises without losing them.
const UndefinedTermsURL = "https://www.w3.org/ns/credentials/undefined-terms/v2"

// Type describes one kind of record.
type Type struct {
	// Name is the record's "type" value, e.g. "IdentityDocument".
	Name string
	// Title is what a person calls it, e.g. "Identity document".
	Title string
	// Schema is the schema's file name under SchemaBase.
	Schema string
	// Containers are the pod containers (paths relative to the pod root)
	// this kind of record belongs in, or below.
	Containers []string
	// Credential is the type of the Verifiable Credential an organisation
	// signs with a record of this kind as its subject
	// ("CustodyPeriodCredential"); "" if none does.
	Credential string
	// SignedOnly kinds are only ever an organisation's word: a pod keeps
	// one only as the subject of a signed credential, never on its own.
	SignedOnly bool
	// Period says the kind is a stretch of the address history (from, to,
	// an address), which the five-year summary counts as covered.
	Period bool
}

// Types lists every record type, by Name.
var Types = map[string]Type{
	"IdentityDocument":        {Name: "IdentityDocument", Title: "Identity document", Schema: "identity-document.json", Containers: []string{"identity/"}},
	"BirthCertificate":        {Name: "BirthCertificate", Title: "Birth certificate", Schema: "birth-certificate.json", Containers: []string{"identity/"}},
	"NationalInsuranceNumber": {Name: "NationalInsuranceNumber", Title: "National Insurance number", Schema: "national-insurance-number.json", Containers: []string{"identity/", "finance/"}},
	"AddressHistory":          {Name: "AddressHistory", Title: "Address history", Schema: "address-history.json", Containers: []string{"housing/"}},
	"Qualification":           {Name: "Qualification", Title: "Qualification", Schema: "qualification.json", Containers: []string{"qualifications/"}, Credential: "QualificationCredential"},
	"BankAccount":             {Name: "BankAccount", Title: "Bank account", Schema: "bank-account.json", Containers: []string{"finance/"}},
	"Document":                {Name: "Document", Title: "Document", Schema: "document.json", Containers: []string{"documents/", "identity/", "housing/", "qualifications/", "finance/"}},
	"CustodyPeriod":           {Name: "CustodyPeriod", Title: "Custody period", Schema: "custody-period.json", Containers: []string{"housing/"}, Credential: "CustodyPeriodCredential", SignedOnly: true, Period: true},
	"AccommodationStay":       {Name: "AccommodationStay", Title: "Stay in a hostel or approved premises", Schema: "accommodation-stay.json", Containers: []string{"housing/"}, Credential: "AccommodationStayCredential", SignedOnly: true, Period: true},
	"ReleaseDocument":         {Name: "ReleaseDocument", Title: "Release document", Schema: "release-document.json", Containers: []string{"documents/"}, Credential: "ReleaseDocumentCredential", SignedOnly: true},
}

// SubjectType is the record kind of a signed credential's subject (its
// credentialSubject's "type"), if Satchel knows it; a credential of an
// unknown kind is read as a qualification, the first kind issued.
func SubjectType(vc map[string]any) Type {
	subj, _ := vc["credentialSubject"].(map[string]any)
	name, _ := subj["type"].(string)
	if t, ok := Types[name]; ok && t.Credential != "" {
		return t
	}
	return Types["Qualification"]
}

// TypeNames returns the record type names in order.
func TypeNames() []string {
	names := make([]string, 0, len(Types))
	for n := range Types {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// File returns an embedded file: a context by its path in Contexts, or a
// schema by its file name ("identity-document.json", "common.json").
func File(name string) ([]byte, bool) {
	if !strings.Contains(name, "/") {
		name = "json/" + strings.TrimSuffix(name, ".json") + ".schema.json"
	}
	b, err := fs.ReadFile(files, path.Clean(name))
	return b, err == nil
}

// SchemaFiles lists the schema file names (as under SchemaBase).
func SchemaFiles() []string {
	entries, _ := fs.ReadDir(files, "json")
	var out []string
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(e.Name(), ".schema.json")+".json")
	}
	return out
}

// BelongsIn reports whether a record of type t may be stored at path p
// (relative to the pod root).
func (t Type) BelongsIn(p string) bool {
	for _, c := range t.Containers {
		if strings.HasPrefix(p, c) {
			return true
		}
	}
	return false
}

// ProblemList lists the problems, for a 422 response.
func (e *Invalid) ProblemList() any { return e.Problems }

// ProblemList lists the one problem, for a 422 response.
func (e *ErrRemoteContext) ProblemList() any {
	return []Problem{{Pointer: "/@context", Message: e.Error()}}
}

// Check is Validate for pod.Handler.CheckRecord.
func Check(data []byte, path string) error {
	_, err := Validate(data, path)
	return err
}
