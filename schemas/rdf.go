package schemas

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/piprate/json-gold/ld"
)

// Media types a record can be served as.
const (
	TypeJSONLD = "application/ld+json"
	TypeTurtle = "text/turtle"
	TypeNQuads = "application/n-quads"
)

// ToRDF converts a JSON-LD document to Turtle or N-Quads, resolving
// relative IRIs against base (the record's URL). Only the offline loader
// is used.
func ToRDF(doc any, base, mediaType string) ([]byte, error) {
	opts := Options()
	opts.Base = base
	out, err := ld.NewJsonLdProcessor().ToRDF(doc, opts)
	if err != nil {
		return nil, jsonldError(err)
	}
	ds, ok := out.(*ld.RDFDataset)
	if !ok {
		return nil, errors.New("json-gold returned no dataset")
	}
	switch mediaType {
	case TypeNQuads:
		s, err := (&ld.NQuadRDFSerializer{}).Serialize(ds)
		if err != nil {
			return nil, err
		}
		lines := strings.SplitAfter(s.(string), "\n")
		sort.Strings(lines)
		return []byte(strings.Join(lines, "")), nil
	case TypeTurtle:
		return turtle(ds)
	}
	return nil, fmt.Errorf("cannot serialise RDF as %s", mediaType)
}

var prefixes = []struct{ name, iri string }{
	{"rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"},
	{"satchel", Namespace},
	{"schema", "https://schema.org/"},
	{"xsd", "http://www.w3.org/2001/XMLSchema#"},
}

// turtle writes the default graph of ds as Turtle. Named graphs cannot be
// written in Turtle, so a dataset with any is refused.
func turtle(ds *ld.RDFDataset) ([]byte, error) {
	for name, quads := range ds.Graphs {
		if name != "@default" && len(quads) > 0 {
			return nil, errors.New("this record holds named graphs, which Turtle cannot express: ask for application/n-quads")
		}
	}
	quads := append([]*ld.Quad(nil), ds.Graphs["@default"]...)
	sort.SliceStable(quads, func(i, j int) bool {
		a, b := quads[i], quads[j]
		if a.Subject.GetValue() != b.Subject.GetValue() {
			return a.Subject.GetValue() < b.Subject.GetValue()
		}
		return a.Predicate.GetValue() < b.Predicate.GetValue()
	})
	var b strings.Builder
	for _, p := range prefixes {
		fmt.Fprintf(&b, "@prefix %s: <%s> .\n", p.name, p.iri)
	}
	var subj, pred string
	for _, q := range quads {
		s, p := term(q.Subject), term(q.Predicate)
		if p == "rdf:type" {
			p = "a"
		}
		switch {
		case s != subj:
			if subj != "" {
				b.WriteString(" .\n")
			}
			fmt.Fprintf(&b, "\n%s %s %s", s, p, term(q.Object))
		case p != pred:
			fmt.Fprintf(&b, ";\n    %s %s", p, term(q.Object))
		default:
			fmt.Fprintf(&b, ", %s", term(q.Object))
		}
		subj, pred = s, p
	}
	if subj != "" {
		b.WriteString(" .\n")
	}
	return []byte(b.String()), nil
}

func term(n ld.Node) string {
	switch v := n.(type) {
	case ld.IRI:
		return iri(v.Value)
	case *ld.IRI:
		return iri(v.Value)
	case ld.BlankNode:
		return v.Attribute
	case *ld.BlankNode:
		return v.Attribute
	case ld.Literal:
		return literal(v)
	case *ld.Literal:
		return literal(*v)
	}
	return `""`
}

func iri(s string) string {
	for _, p := range prefixes {
		if local, ok := strings.CutPrefix(s, p.iri); ok && local != "" && safeLocal(local) {
			return p.name + ":" + local
		}
	}
	return "<" + strings.NewReplacer(">", "%3E", "<", "%3C", `"`, "%22", " ", "%20", `\`, "%5C").Replace(s) + ">"
}

func safeLocal(s string) bool {
	for i, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || (c == '-' && i > 0)) {
			return false
		}
	}
	return true
}

func literal(l ld.Literal) string {
	q := `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "\t", `\t`).Replace(l.Value) + `"`
	switch {
	case l.Language != "":
		return q + "@" + l.Language
	case l.Datatype == "" || l.Datatype == "http://www.w3.org/2001/XMLSchema#string":
		return q
	default:
		return q + "^^" + iri(l.Datatype)
	}
}
