package schemas

import (
	"errors"
	"strings"
	"testing"
)

const testBase = "http://pod.example/pods/p/identity/card.jsonld"

func TestParseTurtle(t *testing.T) {
	iri := func(s string) Term { return Term{Kind: IRI, Value: s} }
	str := func(s string) Term { return Term{Kind: Literal, Value: s, Datatype: xsdString} }
	for name, c := range map[string]struct {
		in   string
		want []Triple
	}{
		"relative IRIs and a": {`<#a> a <T> .`, []Triple{{iri(testBase + "#a"), iri(rdfType), iri("http://pod.example/pods/p/identity/T")}}},
		"prefixes both ways": {"@prefix s: <https://schema.org/> .\nPREFIX x: <http://x.example/ns#>\n<> s:name x:y .",
			[]Triple{{iri(testBase), iri("https://schema.org/name"), iri("http://x.example/ns#y")}}},
		"base moves": {"@base <http://other.example/dir/> . <a/../b> <p> <#c> .",
			[]Triple{{iri("http://other.example/dir/b"), iri("http://other.example/dir/p"), iri("http://other.example/dir/#c")}}},
		"absolute dot segments": {`<http://pod.example/pods/p/../q/x> <http://p.example/> "v" .`,
			[]Triple{{iri("http://pod.example/pods/q/x"), iri("http://p.example/"), str("v")}}},
		"strings": {`<#a> <p> "t\"ab\u00e9\n", 'single', """long "quoted"
line""", '''x''' .`, []Triple{
			{iri(testBase + "#a"), iri("http://pod.example/pods/p/identity/p"), str("t\"abé\n")},
			{iri(testBase + "#a"), iri("http://pod.example/pods/p/identity/p"), str("single")},
			{iri(testBase + "#a"), iri("http://pod.example/pods/p/identity/p"), str("long \"quoted\"\nline")},
			{iri(testBase + "#a"), iri("http://pod.example/pods/p/identity/p"), str("x")},
		}},
		"typed, tagged, numbers, booleans": {`@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . <#a> <p> "1990-04-23"^^xsd:date, "hi"@EN-gb, 12, -1.5, 2e3, true .`, []Triple{
			{iri(testBase + "#a"), iri("http://pod.example/pods/p/identity/p"), Term{Kind: Literal, Value: "1990-04-23", Datatype: xsdNS + "date"}},
			{iri(testBase + "#a"), iri("http://pod.example/pods/p/identity/p"), Term{Kind: Literal, Value: "hi", Datatype: rdfLang, Lang: "en-gb"}},
			{iri(testBase + "#a"), iri("http://pod.example/pods/p/identity/p"), Term{Kind: Literal, Value: "12", Datatype: xsdInteger}},
			{iri(testBase + "#a"), iri("http://pod.example/pods/p/identity/p"), Term{Kind: Literal, Value: "-1.5", Datatype: xsdDecimal}},
			{iri(testBase + "#a"), iri("http://pod.example/pods/p/identity/p"), Term{Kind: Literal, Value: "2e3", Datatype: xsdDouble}},
			{iri(testBase + "#a"), iri("http://pod.example/pods/p/identity/p"), Term{Kind: Literal, Value: "true", Datatype: xsdBoolean}},
		}},
		"blank nodes, comments, trailing ;": {"# a comment\n_:x <p> [ <q> _:x ] ; . # another", []Triple{
			{Term{Kind: BlankNode, Value: "_:n2"}, iri("http://pod.example/pods/p/identity/q"), Term{Kind: BlankNode, Value: "_:n1"}},
			{Term{Kind: BlankNode, Value: "_:n1"}, iri("http://pod.example/pods/p/identity/p"), Term{Kind: BlankNode, Value: "_:n2"}},
		}},
		"collection": {`<#a> <p> ( "x" ) .`, []Triple{
			{Term{Kind: BlankNode, Value: "_:n1"}, iri(rdfFirst), str("x")},
			{Term{Kind: BlankNode, Value: "_:n1"}, iri(rdfRest), iri(rdfNil)},
			{iri(testBase + "#a"), iri("http://pod.example/pods/p/identity/p"), Term{Kind: BlankNode, Value: "_:n1"}},
		}},
	} {
		got, err := ParseTurtle([]byte(c.in), testBase)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(got) != len(c.want) {
			t.Errorf("%s: got %v, want %v", name, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: triple %d is %+v, want %+v", name, i, got[i], c.want[i])
			}
		}
	}
}

func TestParseTurtleRefuses(t *testing.T) {
	for name, c := range map[string]struct{ in, says string }{
		"undeclared prefix": {`<#a> s:name "x" .`, `prefix "s:" is not declared`},
		"no dot":            {`<#a> <p> "x"`, `expected '.'`},
		"open string":       {`<#a> <p> "x .`, "not closed"},
		"open IRI":          {`<#a> <p> <x .`, "not closed"},
		"variables":         {`?x <p> "x" .`, "expected an IRI"},
		"formulas":          {`<#a> <p> { <b> <c> <d> } .`, "expected an IRI"},
		"too many":          {`<#a> <p> ` + strings.Repeat(`1, `, MaxTriples) + `1 .`, "more than 10000 statements"},
		"too deep":          {`<#a> <p> ` + strings.Repeat(`[ <p> `, MaxRDFNesting+1) + `1` + strings.Repeat(` ]`, MaxRDFNesting+1) + ` .`, "nested more than"},
		"too deep lists":    {`<#a> <p> ` + strings.Repeat(`( `, MaxRDFNesting+1) + strings.Repeat(` )`, MaxRDFNesting+1) + ` .`, "nested more than"},
		"too big":           {`<#a> <p> "` + strings.Repeat("x", MaxRDFBytes) + `" .`, "larger than"},
		"not UTF-8":         {"<#a> <p> \"\xff\" .", "not UTF-8"},
		"bad escape":        {`<#a> <p> "\q" .`, "unknown escape"},
	} {
		_, err := ParseTurtle([]byte(c.in), testBase)
		var se *SyntaxError
		if !errors.As(err, &se) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: error %v, want a SyntaxError saying %q", name, err, c.says)
		}
	}
}

// FuzzParseTurtle checks that no text makes the parser panic, run away or
// go past its limits.
func FuzzParseTurtle(f *testing.F) {
	f.Add(`@prefix s: <https://schema.org/> . <#a> a s:Person ; s:name "Jo"@en, """x""" ; s:knows [ s:name 'y' ], ( 1 2.0 3e1 true ) .`)
	f.Add(`@base <http://x/> . _:b <p> <../q> .`)
	f.Add(`PREFIX : <#> :a :b :c .`)
	f.Fuzz(func(t *testing.T, in string) {
		ts, err := ParseTurtle([]byte(in), testBase)
		if err == nil && len(ts) > MaxTriples {
			t.Fatalf("%d triples", len(ts))
		}
		// N3 and SPARQL Update go through the same reader.
		applyN3(nil, []byte(in), testBase)
		applySPARQL(nil, []byte(in), testBase)
	})
}
