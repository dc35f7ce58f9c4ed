package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestRecordsAreValidatedOnWrite(t *testing.T) {
	s := newTestServer(t)
	pod, tok := s.leaver("jo")
	ld := []string{"Content-Type", "application/ld+json"}
	for name, c := range map[string]struct {
		path, doc, says string
	}{
		"bad date":       {"identity/a.jsonld", strings.Replace(record, "1990-04-23", "23/04/1990", 1), "Date of birth must be a date like 1990-04-23."},
		"remote context": {"identity/a.jsonld", strings.Replace(record, `"https://w3id.org/satchel/v1"`, `"https://evil.example/ctx"`, 1), "https://evil.example/ctx"},
		"wrong place":    {"housing/a.jsonld", record, "belongs in identity/"},
		"not JSON-LD":    {"identity/a.jsonld", `{"name":"Jo"}`, "not a JSON-LD record"},
		"unknown field":  {"identity/a.jsonld", strings.Replace(record, `"documentType"`, `"shoeSize":"9","documentType"`, 1), `"shoeSize" is not a field`},
	} {
		r := s.do("PUT", pod+c.path, tok, strings.NewReader(c.doc), ld...)
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422: %s", name, r.status, r.body)
			continue
		}
		p := r.problem(t)
		probs, _ := p["problems"].([]any)
		if detail, _ := p["detail"].(string); len(probs) == 0 || !strings.Contains(detail, c.says) {
			t.Errorf("%s: problem %s does not say %q", name, r.body, c.says)
		}
		expect(t, s.do("GET", pod+c.path, tok, nil), http.StatusNotFound)
	}
	// POST is checked the same way.
	r := s.do("POST", pod+"housing/", tok, strings.NewReader(record), append(ld, "Slug", "card")...)
	expect(t, r, http.StatusUnprocessableEntity)
}

func TestRecordsNegotiateRDF(t *testing.T) {
	s := newTestServer(t)
	pod, tok := s.leaver("jo")
	url := pod + "identity/card.jsonld"
	expect(t, s.do("PUT", url, tok, strings.NewReader(record), "Content-Type", "application/ld+json"), http.StatusCreated)
	for accept, want := range map[string]string{
		"text/turtle":                                  `satchel:documentType "prison-id-card"`,
		"application/n-quads":                          `<https://w3id.org/satchel#documentType> "prison-id-card" .`,
		"application/ld+json":                          record,
		"text/turtle;q=0.9, application/ld+json":       record,
		"application/ld+json;q=0.5, text/turtle;q=0.8": "@prefix satchel:",
	} {
		r := s.do("GET", url, tok, nil, "Accept", accept)
		expect(t, r, http.StatusOK)
		if !strings.Contains(string(r.body), want) {
			t.Errorf("Accept %s: body %s lacks %q", accept, r.body, want)
		}
		if !strings.Contains(r.header.Get("Vary"), "Accept") {
			t.Errorf("Accept %s: no Vary: Accept", accept)
		}
	}
	if ct := s.do("GET", url, tok, nil, "Accept", "text/turtle").header.Get("Content-Type"); ct != "text/turtle" {
		t.Errorf("Turtle served as %q", ct)
	}
}

func TestContextAndSchemasAreServed(t *testing.T) {
	s := newTestServer(t)
	r := s.do("GET", s.url+"/ns/satchel/v1", "", nil)
	expect(t, r, http.StatusOK)
	var ctx map[string]any
	if json.Unmarshal(r.body, &ctx) != nil || ctx["@context"] == nil || r.header.Get("Content-Type") != "application/ld+json" {
		t.Fatalf("context: %s %s", r.header.Get("Content-Type"), r.body)
	}
	idx := s.do("GET", s.url+"/schemas/", "", nil)
	expect(t, idx, http.StatusOK)
	if !strings.Contains(string(idx.body), s.url+"/schemas/address-history.json") {
		t.Fatalf("schema index: %s", idx.body)
	}
	sch := s.do("GET", s.url+"/schemas/address-history.json", "", nil)
	expect(t, sch, http.StatusOK)
	if !strings.Contains(string(sch.body), `"$id": "https://w3id.org/satchel/schemas/address-history.json"`) {
		t.Fatalf("schema: %s", sch.body)
	}
	expect(t, s.do("GET", s.url+"/schemas/nothing.json", "", nil), http.StatusNotFound)
	expect(t, s.do("GET", s.url+"/schemas/..%2fcontext%2fv1.jsonld", "", nil), http.StatusNotFound)
}
