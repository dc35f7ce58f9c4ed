package dataintegrity

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/piprate/json-gold/ld"
	"github.com/satchel-project/satchel/credentials/rdfc"
)

// toRDF is JSON-LD 1.1's Deserialize JSON-LD to RDF for an expanded
// document that checkExpanded accepted: the statements json-gold's ToRDF
// makes, without its node map, and without its check of every IRI against
// a regular expression (more than half of a verification), which
// checkExpanded has done once per IRI already. It returns the quads and the
// number of blank nodes; blank nodes are named b0, b1 … in order of
// appearance, the document's own labels included, which canonicalization
// renames anyway.
//
// The node map is not needed: a dataset is a set, and rdfc drops the
// statements a node described twice would repeat.
func toRDF(expanded []any) ([]rdfc.Quad, int) {
	c := &converter{labels: map[string]rdfc.Term{}}
	for _, e := range expanded {
		c.element(e, rdfc.Term{})
	}
	return c.quads, c.blanks
}

type converter struct {
	quads  []rdfc.Quad
	labels map[string]rdfc.Term
	blanks int
}

var (
	rdfType  = rdfc.Term{Kind: rdfc.IRI, Value: ld.RDFType}
	rdfFirst = rdfc.Term{Kind: rdfc.IRI, Value: ld.RDFFirst}
	rdfRest  = rdfc.Term{Kind: rdfc.IRI, Value: ld.RDFRest}
	rdfNil   = rdfc.Term{Kind: rdfc.IRI, Value: ld.RDFNil}
)

// fresh is a new blank node.
func (c *converter) fresh() rdfc.Term {
	t := rdfc.Term{Kind: rdfc.BlankNode, Value: "b" + strconv.Itoa(c.blanks)}
	c.blanks++
	return t
}

// id is the term for an @id: a blank node (the same for the same label) or
// an IRI.
func (c *converter) id(s string) rdfc.Term {
	if !strings.HasPrefix(s, "_:") {
		return rdfc.Term{Kind: rdfc.IRI, Value: s}
	}
	t, ok := c.labels[s]
	if !ok {
		t = c.fresh()
		c.labels[s] = t
	}
	return t
}

// element converts a top-level element: a node object, or a list whose
// nodes are kept but which, with no subject, makes no statement; a value
// on its own makes none either.
func (c *converter) element(e any, graph rdfc.Term) {
	m, ok := e.(map[string]any)
	if !ok {
		return
	}
	if _, isValue := m["@value"]; isValue {
		return
	}
	if list, isList := m["@list"].([]any); isList {
		for _, item := range list {
			c.element(item, graph)
		}
		return
	}
	c.node(m, graph)
}

// node converts a node object in graph and returns its subject.
func (c *converter) node(m map[string]any, graph rdfc.Term) rdfc.Term {
	var subject rdfc.Term
	if s, ok := m["@id"].(string); ok {
		subject = c.id(s)
	} else {
		subject = c.fresh()
	}
	for key, v := range m {
		values, _ := v.([]any)
		switch key {
		case "@id", "@index":
		case "@type":
			if s, ok := v.(string); ok {
				values = []any{s}
			}
			for _, t := range values {
				if s, ok := t.(string); ok {
					c.add(subject, rdfType, c.id(s), graph)
				}
			}
		case "@graph":
			for _, e := range values {
				c.element(e, subject)
			}
		case "@included":
			for _, e := range values {
				c.element(e, graph)
			}
		case "@reverse":
			rev, _ := v.(map[string]any)
			for p, rv := range rev {
				if strings.HasPrefix(p, "_:") {
					continue
				}
				items, _ := rv.([]any)
				for _, item := range items {
					if n, ok := item.(map[string]any); ok {
						c.add(c.node(n, graph), rdfc.Term{Kind: rdfc.IRI, Value: p}, subject, graph)
					}
				}
			}
		default:
			if strings.HasPrefix(key, "@") || strings.HasPrefix(key, "_:") {
				continue
			}
			predicate := rdfc.Term{Kind: rdfc.IRI, Value: key}
			for _, item := range values {
				if o, ok := c.object(item, graph); ok {
					c.add(subject, predicate, o, graph)
				}
			}
		}
	}
	return subject
}

// object converts a property's value: a value object to a literal, a list
// object to its list, a node object to its subject.
func (c *converter) object(item any, graph rdfc.Term) (rdfc.Term, bool) {
	m, ok := item.(map[string]any)
	if !ok {
		return rdfc.Term{}, false
	}
	if v, isValue := m["@value"]; isValue {
		return literal(v, m), true
	}
	if list, isList := m["@list"].([]any); isList {
		return c.list(list, graph), true
	}
	return c.node(m, graph), true
}

// list is the List Conversion algorithm.
func (c *converter) list(items []any, graph rdfc.Term) rdfc.Term {
	if len(items) == 0 {
		return rdfNil
	}
	head := c.fresh()
	node := head
	for i, item := range items {
		if o, ok := c.object(item, graph); ok {
			c.add(node, rdfFirst, o, graph)
		}
		next := rdfNil
		if i < len(items)-1 {
			next = c.fresh()
		}
		c.add(node, rdfRest, next, graph)
		node = next
	}
	return head
}

func (c *converter) add(s, p, o, g rdfc.Term) {
	c.quads = append(c.quads, rdfc.Quad{Subject: s, Predicate: p, Object: o, Graph: g})
}

// literal converts a value object as json-gold does: booleans and numbers
// to xsd:boolean, xsd:integer (a float64 that is an integer) or xsd:double
// in canonical form, unless the value object gives a datatype.
func literal(v any, m map[string]any) rdfc.Term {
	datatype, _ := m["@type"].(string)
	lang, _ := m["@language"].(string)
	t := rdfc.Term{Kind: rdfc.Literal}
	switch x := v.(type) {
	case bool:
		t.Value, t.Datatype = strconv.FormatBool(x), ld.XSDBoolean
	case float64:
		if x != float64(int64(x)) || datatype == ld.XSDDouble {
			t.Value, t.Datatype = ld.GetCanonicalDouble(x), ld.XSDDouble
		} else {
			t.Value, t.Datatype = strconv.FormatInt(int64(x), 10), ld.XSDInteger
		}
	case json.Number:
		f, _ := x.Float64()
		return literal(f, m)
	case string:
		t.Value = x
		if lang != "" && datatype == "" {
			t.Language = lang
			return t
		}
	}
	if datatype != "" {
		t.Datatype = datatype
	}
	if t.Datatype == ld.XSDString {
		t.Datatype = ""
	}
	return t
}
