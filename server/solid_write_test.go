package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
)

// Solid clients write records as Turtle and change them with N3 Patch or
// SPARQL Update (issue 14, item 5).

const turtlePrefixes = `@prefix satchel: <https://w3id.org/satchel#> .
@prefix schema: <https://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
`

// cardTurtle is an identity record, as a Solid client writes it.
const cardTurtle = turtlePrefixes + `
<#card> a satchel:IdentityDocument ;
    satchel:documentType "passport" ;
    satchel:documentNumber "A1234BC" ;
    satchel:holder [ a schema:Person ; schema:name "Jo Bloggs" ; schema:birthDate "1990-04-23"^^xsd:date ] .
`

// cardJSON is cardTurtle as the JSON-LD record it stands for.
const cardJSON = `{"@context":"https://w3id.org/satchel/v1","documentNumber":"A1234BC","documentType":"passport","holder":{"birthDate":"1990-04-23","name":"Jo Bloggs","type":"Person"},"id":"#card","type":"IdentityDocument"}`

func sameJSON(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("not JSON: %s", got)
	}
	json.Unmarshal([]byte(want), &w)
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	if string(gb) != string(wb) {
		t.Fatalf("record is\n%s\nwant\n%s", gb, wb)
	}
}

func TestTurtleIsStoredAsARecord(t *testing.T) {
	s := newTestServer(t)
	pod, tok := s.leaver("jo")
	for _, path := range []string{"identity/card.jsonld", "identity/card"} {
		r := s.do("PUT", pod+path, tok, strings.NewReader(cardTurtle), "Content-Type", "text/turtle")
		expect(t, r, http.StatusCreated)
		got := s.do("GET", pod+path, tok, nil)
		expect(t, got, http.StatusOK)
		if ct := got.header.Get("Content-Type"); ct != "application/ld+json" {
			t.Fatalf("%s stored as %q", path, ct)
		}
		sameJSON(t, got.body, cardJSON)
		if etag := r.header.Get("ETag"); etag == "" || etag != got.header.Get("ETag") {
			t.Fatalf("PUT ETag %q, GET ETag %q", etag, got.header.Get("ETag"))
		}
	}
	// Turtle negotiation gives back the same statements.
	ttl := s.do("GET", pod+"identity/card.jsonld", tok, nil, "Accept", "text/turtle")
	expect(t, ttl, http.StatusOK)
	if !strings.Contains(string(ttl.body), `satchel:documentType "passport"`) {
		t.Fatalf("as Turtle: %s", ttl.body)
	}
	// Replacing with Turtle is checked the same way, and a client can send
	// back what it read.
	expect(t, s.do("PUT", pod+"identity/card.jsonld", tok, strings.NewReader(string(ttl.body)), "Content-Type", "text/turtle"), http.StatusNoContent)
	sameJSON(t, s.do("GET", pod+"identity/card.jsonld", tok, nil).body, cardJSON)

	// POST of Turtle to a container makes a record named after the slug;
	// relative IRIs stay relative to where it is stored.
	doc := turtlePrefixes + `<#letter> a schema:DigitalDocument ; satchel:title "Licence conditions" ; satchel:file <letter.pdf> .`
	r := s.do("POST", pod+"documents/", tok, strings.NewReader(doc), "Content-Type", "text/turtle", "Slug", "letter-record")
	expect(t, r, http.StatusCreated)
	loc := r.header.Get("Location")
	if !strings.HasSuffix(loc, "/documents/letter-record.jsonld") {
		t.Fatalf("Location %q", loc)
	}
	sameJSON(t, s.do("GET", loc, tok, nil).body, `{"@context":"https://w3id.org/satchel/v1","id":"#letter","type":"Document","title":"Licence conditions","file":"letter.pdf"}`)

	// Accept-Put says Turtle is welcome.
	if ap := s.do("OPTIONS", pod+"identity/x.jsonld", "", nil).header.Get("Accept-Put"); !strings.Contains(ap, "text/turtle") {
		t.Fatalf("Accept-Put %q", ap)
	}
}

func TestTurtleBadInputChangesNothing(t *testing.T) {
	s := newTestServer(t)
	pod, tok := s.leaver("jo")
	url := pod + "identity/card.jsonld"
	expect(t, s.do("PUT", url, tok, strings.NewReader(record), "Content-Type", "application/ld+json"), http.StatusCreated)
	before := s.do("GET", url, tok, nil)

	// Anything that reaches this server is a fetch the parser made.
	var hits atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		fmt.Fprint(w, `{"@context":{}}`)
	}))
	defer elsewhere.Close()
	other, _ := s.leaver("lee")

	many := strings.Repeat(`"x", `, 100000)
	deep := strings.Repeat("[ schema:name ", 30) + `"x"` + strings.Repeat(" ]", 30)
	for name, c := range map[string]struct {
		body   string
		status int
		says   string
	}{
		"term outside the context": {strings.Replace(cardTurtle, `satchel:documentType "passport" ;`, `satchel:documentType "passport" ; schema:shoeSize "9" ;`, 1),
			422, "The field https://schema.org/shoeSize is not a term"},
		"type outside the context": {strings.Replace(cardTurtle, "a schema:Person", "a schema:Organization", 1),
			422, "https://schema.org/Organization"},
		"date as a plain string": {strings.Replace(cardTurtle, `"1990-04-23"^^xsd:date`, `"1990-04-23"`, 1),
			422, "The field birthDate (https://schema.org/birthDate) has the wrong kind of value"},
		"remote @base": {"@base <" + elsewhere.URL + "/ctx/> .\n" + cardTurtle,
			422, elsewhere.URL + "/ctx/#card"},
		"relative @base to another record": {"@base <../housing/history.jsonld> .\n" + cardTurtle,
			422, "/housing/history.jsonld#card"},
		"prefix pointing at another site": {"@prefix ev: <" + elsewhere.URL + "/> .\n" + strings.Replace(cardTurtle, `satchel:documentNumber "A1234BC" ;`, `satchel:documentNumber "A1234BC" ; satchel:scan ev:passport.pdf ;`, 1),
			422, elsewhere.URL + "/passport.pdf"},
		"prefix pointing at another pod": {"@prefix o: <" + other + "documents/> .\n" + strings.Replace(cardTurtle, `satchel:documentNumber "A1234BC" ;`, `satchel:documentNumber "A1234BC" ; satchel:scan o:secret.pdf ;`, 1),
			422, other + "documents/secret.pdf"},
		"dot segments out of the pod": {strings.Replace(cardTurtle, `satchel:documentNumber "A1234BC" ;`, `satchel:documentNumber "A1234BC" ; satchel:scan <`+pod+`../`+podIDOf(s, other)+`/documents/secret.pdf> ;`, 1),
			422, other + "documents/secret.pdf"},
		"100,000 triples": {turtlePrefixes + `<#card> schema:name ` + many + `"x" .`, 400, "more than 10000 statements"},
		"nested 30 deep":  {turtlePrefixes + `<#card> schema:name ` + deep + ` .`, 400, "nested more than"},
		"not Turtle":      {`<#card> a {`, 400, "not valid RDF"},
		"not a record":    {turtlePrefixes + `<#me> schema:name "Jo" .`, 422, "kind of record Satchel keeps"},
		"two things":      {cardTurtle + `<#other> schema:name "Jo" .`, 422, "unconnected things"},
	} {
		r := s.do("PUT", url, tok, strings.NewReader(c.body), "Content-Type", "text/turtle")
		if r.status != c.status {
			t.Errorf("%s: status %d, want %d: %s", name, r.status, c.status, r.body)
			continue
		}
		p := r.problem(t)
		if d, _ := p["detail"].(string); !strings.Contains(d, c.says) {
			t.Errorf("%s: problem %s does not say %q", name, r.body, c.says)
		}
		if c.status == 422 {
			if probs, _ := p["problems"].([]any); len(probs) == 0 {
				t.Errorf("%s: no problems listed: %s", name, r.body)
			}
		}
		after := s.do("GET", url, tok, nil)
		if string(after.body) != string(before.body) || after.header.Get("ETag") != before.header.Get("ETag") {
			t.Errorf("%s: the record changed to %s", name, after.body)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("reading Turtle made %d requests to an address the body named", n)
	}
	// Over the record limit: refused before it is read.
	big := turtlePrefixes + `<#card> schema:name "` + strings.Repeat("x", 1<<20) + `" .`
	expect(t, s.do("PUT", url, tok, strings.NewReader(big), "Content-Type", "text/turtle"), http.StatusRequestEntityTooLarge)
	// A refused new record leaves nothing behind.
	expect(t, s.do("PUT", pod+"identity/new.jsonld", tok, strings.NewReader(`<#card> a {`), "Content-Type", "text/turtle"), http.StatusBadRequest)
	expect(t, s.do("GET", pod+"identity/new.jsonld", tok, nil), http.StatusNotFound)
}

// n3Patch wraps a where, deletes and inserts into a Solid N3 Patch.
func n3Patch(where, deletes, inserts string) string {
	b := turtlePrefixes + "@prefix solid: <http://www.w3.org/ns/solid/terms#> .\n_:patch a solid:InsertDeletePatch"
	for _, part := range []struct{ name, body string }{{"where", where}, {"deletes", deletes}, {"inserts", inserts}} {
		if part.body != "" {
			b += ";\n  solid:" + part.name + " { " + part.body + " }"
		}
	}
	return b + " .\n"
}

func TestPatchChangesARecord(t *testing.T) {
	s := newTestServer(t)
	pod, tok := leaverWithHistory(t, s)
	url := pod + "identity/card.jsonld"
	expect(t, s.do("PUT", url, tok, strings.NewReader(cardTurtle), "Content-Type", "text/turtle"), http.StatusCreated)

	// Records advertise both patch formats.
	for _, r := range []response{s.do("GET", url, tok, nil), s.do("OPTIONS", url, "", nil)} {
		if ap := r.header.Get("Accept-Patch"); ap != "text/n3, application/sparql-update" {
			t.Fatalf("Accept-Patch %q", ap)
		}
		if !strings.Contains(r.header.Get("Allow"), "PATCH") {
			t.Fatalf("Allow %q", r.header.Get("Allow"))
		}
	}

	// SPARQL Update as @inrupt/solid-client sends it.
	sparql := `DELETE DATA {<` + url + `#card> <https://w3id.org/satchel#documentType> "passport".}; INSERT DATA {<` + url + `#card> <https://w3id.org/satchel#documentType> "driving-licence".};`
	r := s.do("PATCH", url, tok, strings.NewReader(sparql), "Content-Type", "application/sparql-update")
	expect(t, r, http.StatusNoContent)
	got := s.do("GET", url, tok, nil)
	sameJSON(t, got.body, strings.Replace(cardJSON, "passport", "driving-licence", 1))
	if r.header.Get("ETag") != got.header.Get("ETag") {
		t.Fatalf("PATCH ETag %q, GET ETag %q", r.header.Get("ETag"), got.header.Get("ETag"))
	}

	// N3 Patch: a where clause binds the holder, a blank node.
	n3 := n3Patch(`<#card> satchel:holder ?h . ?h schema:name "Jo Bloggs" .`, `?h schema:name "Jo Bloggs" .`, `?h schema:name "Jo Smith" .`)
	expect(t, s.do("PATCH", url, tok, strings.NewReader(n3), "Content-Type", "text/n3", "If-Match", got.header.Get("ETag")), http.StatusNoContent)
	sameJSON(t, s.do("GET", url, tok, nil).body, strings.Replace(strings.Replace(cardJSON, "passport", "driving-licence", 1), "Jo Bloggs", "Jo Smith", 1))

	// The address history keeps its order through a patch.
	hist := pod + "housing/history.jsonld"
	before := s.do("GET", hist, tok, nil)
	var old struct{ Entries []struct{ ID string } }
	json.Unmarshal(before.body, &old)
	n3 = n3Patch(`<#current> schema:address ?a . ?a schema:postalCode ?pc .`, `?a schema:postalCode ?pc .`, `?a schema:postalCode "LS2 8AA" .`)
	expect(t, s.do("PATCH", hist, tok, strings.NewReader(n3), "Content-Type", "text/n3"), http.StatusNoContent)
	after := s.do("GET", hist, tok, nil)
	var now struct{ Entries []struct{ ID string } }
	json.Unmarshal(after.body, &now)
	if fmt.Sprint(now.Entries) != fmt.Sprint(old.Entries) || !strings.Contains(string(after.body), `"LS2 8AA"`) {
		t.Fatalf("after the patch: %s\nbefore: %s", after.body, before.body)
	}

	// A patch may create a record, as the Solid Protocol says.
	create := `INSERT DATA { <#q> a <https://w3id.org/satchel#Qualification>; <https://w3id.org/satchel#title> "Level 2 Food Hygiene" }`
	r = s.do("PATCH", pod+"qualifications/food.jsonld", tok, strings.NewReader(create), "Content-Type", "application/sparql-update")
	expect(t, r, http.StatusCreated)
	sameJSON(t, s.do("GET", pod+"qualifications/food.jsonld", tok, nil).body, `{"@context":"https://w3id.org/satchel/v1","id":"#q","type":"Qualification","title":"Level 2 Food Hygiene"}`)
}

func TestRefusedPatchesChangeNothing(t *testing.T) {
	s := newTestServer(t)
	pod, tok := leaverWithHistory(t, s)
	url := pod + "housing/history.jsonld"
	before := s.do("GET", url, tok, nil)
	expect(t, before, http.StatusOK)
	for name, c := range map[string]struct {
		ct, body string
		headers  []string
		status   int
		says     string
	}{
		"where matches twice": {"text/n3", n3Patch(`?e satchel:accommodationKind ?k .`, "", `?e satchel:provider "P" .`), nil,
			409, "matches more than one place"},
		"where matches nothing": {"text/n3", n3Patch(`?e schema:address ?a . ?a schema:addressLocality "Atlantis" .`, "", `?a schema:postalCode "LS1 1AA" .`), nil,
			409, "matches nothing"},
		"deletes what is not there": {"application/sparql-update", `DELETE DATA { <#current> <https://w3id.org/satchel#provider> "Nobody" }`, nil,
			409, "does not hold"},
		"breaks the schema": {"text/n3", n3Patch(`<#current> satchel:accommodationKind ?k .`, `<#current> satchel:accommodationKind ?k .`, `<#current> satchel:accommodationKind "castle" .`), nil,
			422, "Kind of place"},
		"term outside the context": {"application/sparql-update", `INSERT DATA { <#current> <https://schema.org/shoeSize> "9" }`, nil,
			422, "https://schema.org/shoeSize"},
		"removes a required field": {"application/sparql-update", `DELETE DATA { <#current> <https://schema.org/startDate> "2024-01-15"^^<http://www.w3.org/2001/XMLSchema#date> }`, nil,
			422, ""},
		"links outside the pod": {"application/sparql-update", `INSERT DATA { <#current> <https://w3id.org/satchel#scan> <http://elsewhere.example/x.pdf> }`, nil,
			422, "http://elsewhere.example/x.pdf"},
		"unbound variable": {"text/n3", n3Patch(`<#current> satchel:accommodationKind ?k .`, "", `?x satchel:provider "P" .`), nil,
			422, "?x"},
		"blank node in where": {"text/n3", n3Patch(`_:e satchel:accommodationKind "hostel" .`, "", ""), nil,
			422, "blank nodes"},
		"not an InsertDeletePatch": {"text/n3", turtlePrefixes + `<#current> satchel:provider "P" .`, nil,
			422, "solid:InsertDeletePatch"},
		"SPARQL beyond INSERT DATA": {"application/sparql-update", `DELETE WHERE { ?s ?p ?o }`, nil,
			422, "INSERT DATA"},
		"SPARQL syntax":   {"application/sparql-update", `INSERT DATA { <#current> `, nil, 400, "not valid RDF"},
		"N3 syntax":       {"text/n3", `_:p a <x> ; <y> { `, nil, 400, "not valid RDF"},
		"wrong type":      {"application/json", `{}`, nil, 415, "N3 Patch"},
		"stale If-Match":  {"text/n3", n3Patch("", "", `<#current> satchel:provider "P" .`), []string{"If-Match", `"stale"`}, 412, ""},
		"If-None-Match *": {"text/n3", n3Patch("", "", `<#current> satchel:provider "P" .`), []string{"If-None-Match", "*"}, 412, ""},
	} {
		r := s.do("PATCH", url, tok, strings.NewReader(c.body), append([]string{"Content-Type", c.ct}, c.headers...)...)
		if r.status != c.status {
			t.Errorf("%s: status %d, want %d: %s", name, r.status, c.status, r.body)
			continue
		}
		p := r.problem(t)
		if d, _ := json.Marshal(p); !strings.Contains(string(d), c.says) {
			t.Errorf("%s: problem %s does not say %q", name, r.body, c.says)
		}
		if c.status == 415 && r.header.Get("Accept-Patch") == "" {
			t.Errorf("%s: no Accept-Patch", name)
		}
		after := s.do("GET", url, tok, nil)
		if string(after.body) != string(before.body) || after.header.Get("ETag") != before.header.Get("ETag") {
			t.Errorf("%s: the record changed to %s", name, after.body)
		}
	}
	// Files that are not records are not patched.
	expect(t, s.do("PUT", pod+"documents/letter.pdf", tok, strings.NewReader("%PDF-1.4\n"), "Content-Type", "application/pdf"), http.StatusCreated)
	r := s.do("PATCH", pod+"documents/letter.pdf", tok, strings.NewReader(`INSERT DATA { <#a> <#b> "c" }`), "Content-Type", "application/sparql-update")
	expect(t, r, http.StatusMethodNotAllowed)
	if strings.Contains(r.header.Get("Allow"), "PATCH") {
		t.Fatalf("Allow %q on a file", r.header.Get("Allow"))
	}
	if got := s.do("GET", pod+"documents/letter.pdf", tok, nil); string(got.body) != "%PDF-1.4\n" {
		t.Fatalf("the file changed: %q", got.body)
	}
}

func TestOnlyTheOwnerPatches(t *testing.T) {
	s := newTestServer(t)
	pod, tok := leaverWithHistory(t, s)
	url := pod + "housing/history.jsonld"
	before := s.do("GET", url, tok, nil)
	patch := `INSERT DATA { <#current> <https://w3id.org/satchel#provider> "Someone else" }`
	_, lee := s.leaver("lee")
	for _, c := range []struct {
		who    string
		tok    string
		status int
	}{
		{"nobody", "", http.StatusUnauthorized},
		{"another leaver", lee, http.StatusNotFound},
		{"helper who may view", s.helperWith(t, tok, "viewer", `"view"`), http.StatusForbidden},
		{"helper who may add", s.helperWith(t, tok, "adder", `"view","add"`), http.StatusForbidden},
		{"helper who may do all", s.helperWith(t, tok, "all", `"view","add","share","reset"`), http.StatusForbidden},
	} {
		r := s.do("PATCH", url, c.tok, strings.NewReader(patch), "Content-Type", "application/sparql-update")
		if r.status != c.status {
			t.Errorf("%s: %d, want %d: %s", c.who, r.status, c.status, r.body)
		}
		// Also where nothing exists yet: a patch cannot create for them.
		if r := s.do("PATCH", pod+"documents/new.jsonld", c.tok, strings.NewReader(patch), "Content-Type", "application/sparql-update"); r.status != c.status {
			t.Errorf("%s creating: %d, want %d: %s", c.who, r.status, c.status, r.body)
		}
	}
	if after := s.do("GET", url, tok, nil); string(after.body) != string(before.body) {
		t.Fatalf("the record changed: %s", after.body)
	}
	expect(t, s.do("GET", pod+"documents/new.jsonld", tok, nil), http.StatusNotFound)
}

func (s *testServer) helperWith(t *testing.T, ownerTok, name, rights string) string {
	tok := s.helper(name, "Helper "+name)
	s.choose(t, ownerTok, name, rights)
	return tok
}

func TestListingsGiveModifiedToTheMillisecond(t *testing.T) {
	s := newTestServer(t)
	pod, tok := s.leaver("jo")
	expect(t, s.do("PUT", pod+"identity/card.jsonld", tok, strings.NewReader(record), "Content-Type", "application/ld+json"), http.StatusCreated)
	ms := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)
	ld := s.do("GET", pod+"identity/", tok, nil)
	expect(t, ld, http.StatusOK)
	var doc struct {
		Graph []struct {
			Modified struct {
				Value string `json:"@value"`
			} `json:"dcterms:modified"`
		} `json:"@graph"`
	}
	if err := json.Unmarshal(ld.body, &doc); err != nil || len(doc.Graph) != 2 {
		t.Fatalf("listing: %s", ld.body)
	}
	for _, n := range doc.Graph {
		if !ms.MatchString(n.Modified.Value) {
			t.Errorf("JSON-LD dcterms:modified %q is not to the millisecond", n.Modified.Value)
		}
	}
	ttl := s.do("GET", pod+"identity/", tok, nil, "Accept", "text/turtle")
	found := regexp.MustCompile(`dcterms:modified "([^"]*)"\^\^xsd:dateTime`).FindAllStringSubmatch(string(ttl.body), -1)
	if len(found) != 2 {
		t.Fatalf("Turtle listing: %s", ttl.body)
	}
	for _, m := range found {
		if !ms.MatchString(m[1]) {
			t.Errorf("Turtle dcterms:modified %q is not to the millisecond", m[1])
		}
	}
	desc := s.do("GET", pod+"identity/card.jsonld.meta", tok, nil)
	if !regexp.MustCompile(`"@value":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"`).Match(desc.body) {
		t.Errorf("description: %s", desc.body)
	}
}
