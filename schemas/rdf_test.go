package schemas

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRecordAsTurtleAndNQuads(t *testing.T) {
	var doc any
	json.Unmarshal([]byte(goodID), &doc)
	base := "https://pods.example/pods/abc/identity/card.jsonld"
	ttl, err := ToRDF(doc, base, TypeTurtle)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"@prefix satchel: <https://w3id.org/satchel#> .",
		"a satchel:IdentityDocument",
		`satchel:documentType "prison-id-card"`,
		`schema:birthDate "1990-04-23"^^xsd:date`,
		"satchel:scan <https://pods.example/pods/abc/documents/id-card.png>",
	} {
		if !strings.Contains(string(ttl), want) {
			t.Errorf("Turtle lacks %q:\n%s", want, ttl)
		}
	}
	nq, err := ToRDF(doc, base, TypeNQuads)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(nq), `<https://schema.org/birthDate> "1990-04-23"^^<http://www.w3.org/2001/XMLSchema#date> .`) {
		t.Errorf("N-Quads:\n%s", nq)
	}
}
