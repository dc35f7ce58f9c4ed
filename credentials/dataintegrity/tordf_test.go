package dataintegrity

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/piprate/json-gold/ld"
	"github.com/satchel-project/satchel/credentials/rdfc"
)

// dataset converts json-gold's RDF dataset to rdfc's quads, graph by
// graph in order of name, and counts its distinct blank nodes.
func dataset(ds *ld.RDFDataset) ([]rdfc.Quad, int) {
	names := make([]string, 0, len(ds.Graphs))
	n := 0
	for name, quads := range ds.Graphs {
		names = append(names, name)
		n += len(quads)
	}
	slices.Sort(names)
	out := make([]rdfc.Quad, 0, n)
	blanks := map[string]struct{}{}
	term := func(n ld.Node) rdfc.Term {
		switch x := n.(type) {
		case ld.IRI:
			return rdfc.Term{Kind: rdfc.IRI, Value: x.Value}
		case ld.BlankNode:
			blanks[x.Attribute] = struct{}{}
			return rdfc.Term{Kind: rdfc.BlankNode, Value: strings.TrimPrefix(x.Attribute, "_:")}
		case ld.Literal:
			t := rdfc.Term{Kind: rdfc.Literal, Value: x.Value, Language: x.Language}
			if x.Language == "" && x.Datatype != ld.XSDString {
				t.Datatype = x.Datatype
			}
			return t
		}
		return rdfc.Term{}
	}
	for _, name := range names {
		var g rdfc.Term
		switch {
		case name == "@default":
		case strings.HasPrefix(name, "_:"):
			g = term(ld.NewBlankNode(name))
		default:
			g = rdfc.Term{Kind: rdfc.IRI, Value: name}
		}
		for _, q := range ds.Graphs[name] {
			out = append(out, rdfc.Quad{Subject: term(q.Subject), Predicate: term(q.Predicate), Object: term(q.Object), Graph: g})
		}
	}
	return out, len(blanks)
}

// viaJSONGold is the canonical form the way it was made before toRDF:
// json-gold's own conversion to RDF, then rdfc.
func viaJSONGold(t *testing.T, expanded []any, o *ld.JsonLdOptions) []byte {
	t.Helper()
	ds, err := ld.NewJsonLdApi().ToRDF(expanded, o)
	if err != nil {
		t.Fatal(err)
	}
	quads, _ := dataset(ds)
	out, err := rdfc.Canonicalize(context.Background(), quads, rdfc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sameAsJSONGold checks that toRDF gives the dataset json-gold's ToRDF
// gives, compared in canonical form; it reports false for a document
// checkExpanded refuses.
func sameAsJSONGold(t *testing.T, doc any, o *ld.JsonLdOptions) bool {
	t.Helper()
	expanded, err := ld.NewJsonLdProcessor().Expand(doc, o)
	if err != nil || checkExpanded(expanded) != nil {
		return false
	}
	want := viaJSONGold(t, expanded, o)
	quads, _ := toRDF(expanded)
	got, err := rdfc.Canonicalize(context.Background(), quads, rdfc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("toRDF differs from json-gold's ToRDF:\ngot\n%s\nwant\n%s", got, want)
	}
	return true
}

// TestToRDFMatchesJSONGold: Satchel's conversion to RDF gives the
// statements json-gold's does, for the credentials of these tests and for
// documents using what JSON-LD offers beyond them (lists, lists of lists,
// named graphs, reverse properties, included nodes, reused blank node
// labels, numbers, booleans, language tags, datatypes).
func TestToRDFMatchesJSONGold(t *testing.T) {
	o := ld.NewJsonLdOptions("")
	o.DocumentLoader = newTestLoader(t)
	o.ProcessingMode = ld.JsonLd_1_1
	o.SafeMode = true
	signed, _ := signedQualification(t)
	docs := []any{
		readJSON(t, "credential.json"), readJSON(t, "signed-credential.json"),
		qualification(), signed, withSubjects(t, 5),
	}
	var extra []any
	if err := json.Unmarshal([]byte(`[
	  {"@context": {"@vocab": "http://example.org/", "list": {"@container": "@list"}, "knows": {"@type": "@id"},
	     "g": {"@container": "@graph"}, "parent": {"@reverse": "http://example.org/child"}},
	   "@id": "http://example.org/a", "@type": ["Thing", "_:t"],
	   "list": [1, 2.5, true, "x", {"@value": "y", "@language": "en-GB"}, [1, [2, 3]], [], {"name": "in list"}],
	   "count": 12, "ratio": 1.0E25, "exact": {"@value": 3, "@type": "http://www.w3.org/2001/XMLSchema#double"},
	   "typed": {"@value": "2020-01-01", "@type": "http://www.w3.org/2001/XMLSchema#date"},
	   "knows": ["_:x", "_:x", "http://example.org/b"],
	   "g": {"@id": "_:x", "name": "in a graph", "inner": {"g": {"name": "deeper"}}},
	   "parent": {"@id": "http://example.org/p", "name": "parent"},
	   "@included": [{"@id": "_:x", "name": "included"}],
	   "same": [{"name": "twin"}, {"name": "twin"}]},
	  {"@context": {"@vocab": "http://example.org/"},
	   "@graph": [{"@id": "http://example.org/n", "@graph": [{"name": "named"}]}, {"name": "top"}]}
	]`), &extra); err != nil {
		t.Fatal(err)
	}
	docs = append(docs, extra...)
	for i, doc := range docs {
		if !sameAsJSONGold(t, doc, o) {
			t.Errorf("document %d was not expanded or was refused", i)
		}
	}
}

// TestToRDFSuite compares toRDF with json-gold's ToRDF over the JSON-LD
// toRdf test suite, when JSONLD_TORDF_DIR names its directory (json-gold's
// module holds a copy in ld/testdata/toRdf).
func TestToRDFSuite(t *testing.T) {
	dir := os.Getenv("JSONLD_TORDF_DIR")
	if dir == "" {
		t.Skip("JSONLD_TORDF_DIR not set")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*-in.jsonld"))
	compared := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if json.Unmarshal(b, &doc) != nil {
			continue
		}
		o := ld.NewJsonLdOptions("https://w3c.github.io/json-ld-api/tests/toRdf/" + filepath.Base(f))
		o.DocumentLoader = ld.NewDefaultDocumentLoader(nil)
		o.ProcessingMode = ld.JsonLd_1_1
		func() {
			defer func() { recover() }()
			t.Run(filepath.Base(f), func(t *testing.T) {
				if sameAsJSONGold(t, doc, o) {
					compared++
				}
			})
		}()
	}
	t.Logf("compared %d of %d documents", compared, len(files))
}
