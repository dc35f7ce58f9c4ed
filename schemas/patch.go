package schemas

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/piprate/json-gold/ld"
)

// Media types of the patches PatchRecord applies.
const (
	TypeN3           = "text/n3"
	TypeSPARQLUpdate = "application/sparql-update"
)

const solidNS = "http://www.w3.org/ns/solid/terms#"

// maxMatchSteps bounds the search for an N3 Patch's where clause.
const maxMatchSteps = 200000

// PatchConflict is the error for a patch that does not fit the record as
// it is now: its where clause matches nothing or more than once, or it
// deletes a statement the record does not hold. The Solid Protocol answers
// it with 409.
type PatchConflict struct{ Msg string }

func (e *PatchConflict) Error() string { return e.Msg }

// Conflict is the sentence to show a person.
func (e *PatchConflict) Conflict() string { return e.Msg }

// PatchRecord applies patch, an N3 Patch (TypeN3, the Solid Protocol's
// solid:InsertDeletePatch) or SPARQL Update (TypeSPARQLUpdate: INSERT DATA
// and DELETE DATA only, as Solid clients send), to the RDF of record (nil
// for a record not yet written), and returns the changed record as
// Satchel's JSON-LD. base is the record's URL and scope its pod's URL, as
// for RecordFromTurtle. The result still has to pass Validate.
func PatchRecord(record []byte, base, scope, mediaType string, patch []byte) ([]byte, error) {
	var old map[string]any
	var graph []Triple
	if record != nil {
		if err := json.Unmarshal(record, &old); err != nil {
			return nil, invalid("", "The stored record cannot be read, so it cannot be patched; replace it with PUT.")
		}
		if old["@context"] != ContextURL {
			return nil, invalid("/@context", "Only Satchel records (with \"@context\": %q alone) can be patched; a signed credential cannot be changed.", ContextURL)
		}
		var err error
		if graph, err = recordTriples(old, base); err != nil {
			return nil, err
		}
	}
	var err error
	switch mediaType {
	case TypeN3:
		graph, err = applyN3(graph, patch, base)
	case TypeSPARQLUpdate:
		graph, err = applySPARQL(graph, patch, base)
	default:
		err = fmt.Errorf("unsupported patch type %s", mediaType)
	}
	if err != nil {
		return nil, err
	}
	doc, err := recordFromTriples(graph, base, scope)
	if err != nil {
		return nil, err
	}
	if old != nil {
		keepOrder(doc, old)
	}
	return json.Marshal(doc)
}

// recordTriples is the default graph of a record, by json-gold.
func recordTriples(doc map[string]any, base string) ([]Triple, error) {
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
	var ts []Triple
	for _, q := range ds.Graphs["@default"] {
		ts = append(ts, Triple{fromLD(q.Subject), fromLD(q.Predicate), fromLD(q.Object)})
	}
	return ts, nil
}

func fromLD(n ld.Node) Term {
	switch v := n.(type) {
	case ld.IRI:
		return Term{Kind: IRI, Value: v.Value}
	case *ld.IRI:
		return Term{Kind: IRI, Value: v.Value}
	case ld.BlankNode:
		return Term{Kind: BlankNode, Value: v.Attribute}
	case *ld.BlankNode:
		return Term{Kind: BlankNode, Value: v.Attribute}
	case ld.Literal:
		return literalTerm(v)
	case *ld.Literal:
		return literalTerm(*v)
	}
	return Term{}
}

func literalTerm(l ld.Literal) Term {
	t := Term{Kind: Literal, Value: l.Value, Datatype: l.Datatype, Lang: l.Language}
	if t.Datatype == "" {
		t.Datatype = xsdString
	}
	if t.Lang != "" {
		t.Datatype = rdfLang
	}
	return t
}

// applySPARQL applies INSERT DATA and DELETE DATA operations, in order.
// A statement to delete that the record does not hold is a conflict: the
// client's copy is out of date.
func applySPARQL(graph []Triple, patch []byte, base string) ([]Triple, error) {
	p, err := newParser(patch, base, "SPARQL Update")
	if err != nil {
		return nil, err
	}
	ops := 0
	for {
		for {
			ok, err := p.directive()
			if err != nil {
				return nil, err
			}
			if !ok {
				break
			}
		}
		if p.peek() == 0 {
			break
		}
		var insert bool
		switch {
		case p.keyword("INSERT", true):
			insert = true
		case p.keyword("DELETE", true):
		default:
			return nil, unsupportedUpdate()
		}
		if !p.keyword("DATA", true) {
			return nil, unsupportedUpdate()
		}
		block, err := p.block()
		if err != nil {
			return nil, err
		}
		if insert {
			graph = insertTriples(graph, block)
		} else {
			for _, t := range block {
				if t.S.Kind == BlankNode || t.O.Kind == BlankNode {
					return nil, invalid("", "DELETE DATA cannot name a thing without a name (a blank node); use an N3 Patch with a where clause.")
				}
			}
			if graph, err = deleteTriples(graph, block); err != nil {
				return nil, err
			}
		}
		ops++
		if !p.eat(';') {
			break
		}
	}
	if p.peek() != 0 {
		return nil, p.errorf("expected ';' between operations")
	}
	if ops == 0 {
		return nil, invalid("", "This SPARQL Update holds no INSERT DATA or DELETE DATA.")
	}
	return graph, nil
}

func unsupportedUpdate() error {
	return invalid("", "Only SPARQL Update's INSERT DATA { … } and DELETE DATA { … } are supported here (or an N3 Patch, as text/n3).")
}

// block reads { triples } with no variables.
func (p *rdfParser) block() ([]Triple, error) {
	if err := p.expect('{'); err != nil {
		return nil, err
	}
	var in []Triple
	for !p.eat('}') {
		if p.peek() == 0 {
			return nil, p.errorf("a block is not closed with '}'")
		}
		if err := p.triples(&in); err != nil {
			return nil, err
		}
		if p.peek() != '}' {
			if err := p.expect('.'); err != nil {
				return nil, err
			}
		}
	}
	return in, nil
}

// applyN3 applies a Solid N3 Patch: one solid:InsertDeletePatch with
// optional solid:where, solid:deletes and solid:inserts formulas.
func applyN3(graph []Triple, patch []byte, base string) ([]Triple, error) {
	p, err := newParser(patch, base, "N3")
	if err != nil {
		return nil, err
	}
	p.n3 = true
	if err := p.document(); err != nil {
		return nil, err
	}
	var patchNode *Term
	for _, t := range p.out {
		if t.P.Value == rdfType && t.O.Value == solidNS+"InsertDeletePatch" {
			if patchNode != nil && *patchNode != t.S {
				return nil, invalid("", "An N3 Patch holds exactly one solid:InsertDeletePatch; this holds more.")
			}
			s := t.S
			patchNode = &s
		}
	}
	if patchNode == nil {
		return nil, invalid("", "An N3 Patch must hold one resource of type solid:InsertDeletePatch.")
	}
	parts := map[string][]Triple{}
	for _, t := range p.out {
		if t.S != *patchNode || t.P.Value == rdfType {
			continue
		}
		switch t.P.Value {
		case solidNS + "where", solidNS + "inserts", solidNS + "deletes":
		default:
			return nil, invalid("", "An N3 Patch may only say solid:where, solid:inserts and solid:deletes; it says <%s>.", t.P.Value)
		}
		if t.O.Kind != Formula {
			return nil, invalid("", "solid:where, solid:inserts and solid:deletes each take a formula in { }.")
		}
		key := strings.TrimPrefix(t.P.Value, solidNS)
		if _, dup := parts[key]; dup {
			return nil, invalid("", "An N3 Patch has at most one solid:%s.", key)
		}
		parts[key] = p.formulas[t.O.Value]
	}
	where, deletes, inserts := parts["where"], parts["deletes"], parts["inserts"]
	bound := map[string]bool{}
	for _, t := range where {
		for _, x := range []Term{t.S, t.P, t.O} {
			switch x.Kind {
			case Variable:
				bound[x.Value] = true
			case BlankNode:
				return nil, invalid("", "An N3 Patch's where clause cannot hold blank nodes; use variables (?x).")
			case Formula:
				return nil, invalid("", "An N3 Patch cannot nest formulas.")
			}
		}
	}
	for name, ts := range map[string][]Triple{"deletes": deletes, "inserts": inserts} {
		for _, t := range ts {
			for _, x := range []Term{t.S, t.P, t.O} {
				switch {
				case x.Kind == Variable && !bound[x.Value]:
					return nil, invalid("", "The variable ?%s in solid:%s does not appear in solid:where.", x.Value, name)
				case x.Kind == BlankNode && name == "deletes":
					return nil, invalid("", "An N3 Patch's deletes cannot hold blank nodes; use variables bound in solid:where.")
				case x.Kind == Formula:
					return nil, invalid("", "An N3 Patch cannot nest formulas.")
				}
			}
		}
	}
	binding := map[string]Term{}
	if len(where) > 0 {
		sols, err := match(graph, where)
		if err != nil {
			return nil, err
		}
		switch len(sols) {
		case 0:
			return nil, &PatchConflict{"The patch's where clause matches nothing in this record: it may have changed since you read it. Load it again and retry."}
		case 1:
			binding = sols[0]
		default:
			return nil, &PatchConflict{"The patch's where clause matches more than one place in this record; it must pick out exactly one. Make it more specific."}
		}
	}
	if graph, err = deleteTriples(graph, substitute(deletes, binding)); err != nil {
		return nil, err
	}
	return insertTriples(graph, substitute(inserts, binding)), nil
}

func substitute(ts []Triple, b map[string]Term) []Triple {
	out := make([]Triple, len(ts))
	sub := func(x Term) Term {
		if x.Kind == Variable {
			return b[x.Value]
		}
		return x
	}
	for i, t := range ts {
		out[i] = Triple{sub(t.S), sub(t.P), sub(t.O)}
	}
	return out
}

// match finds the bindings of the variables in pattern that make every
// pattern triple a triple of graph; it stops at two.
func match(graph []Triple, pattern []Triple) ([]map[string]Term, error) {
	var sols []map[string]Term
	steps := 0
	var walk func(i int, b map[string]Term) error
	walk = func(i int, b map[string]Term) error {
		if len(sols) > 1 {
			return nil
		}
		if i == len(pattern) {
			c := make(map[string]Term, len(b))
			for k, v := range b {
				c[k] = v
			}
			sols = append(sols, c)
			return nil
		}
		pt := pattern[i]
		for _, t := range graph {
			steps++
			if steps > maxMatchSteps {
				return invalid("", "This patch's where clause is too complex to check; make it more specific.")
			}
			var added []string
			ok := true
			for _, pair := range [3][2]Term{{pt.S, t.S}, {pt.P, t.P}, {pt.O, t.O}} {
				pat, val := pair[0], pair[1]
				if pat.Kind != Variable {
					ok = pat == val
				} else if have, set := b[pat.Value]; set {
					ok = have == val
				} else {
					b[pat.Value] = val
					added = append(added, pat.Value)
				}
				if !ok {
					break
				}
			}
			if ok {
				if err := walk(i+1, b); err != nil {
					return err
				}
			}
			for _, v := range added {
				delete(b, v)
			}
			if len(sols) > 1 {
				return nil
			}
		}
		return nil
	}
	err := walk(0, map[string]Term{})
	return sols, err
}

func deleteTriples(graph, del []Triple) ([]Triple, error) {
	for _, d := range del {
		i := indexOf(graph, d)
		if i < 0 {
			return nil, &PatchConflict{"The patch deletes something this record does not hold: it may have changed since you read it. Load it again and retry."}
		}
		graph = append(graph[:i:i], graph[i+1:]...)
	}
	return graph, nil
}

func insertTriples(graph, ins []Triple) []Triple {
	for _, t := range ins {
		if indexOf(graph, t) < 0 {
			graph = append(graph, t)
		}
	}
	return graph
}

func indexOf(graph []Triple, t Triple) int {
	for i, g := range graph {
		if g == t {
			return i
		}
	}
	return -1
}

// keepOrder puts the elements of arrays in doc in the order they had in
// old, matched by id, with new ones last: RDF has no order, a person's
// list of addresses does.
func keepOrder(doc, old map[string]any) {
	for k, v := range doc {
		switch nv := v.(type) {
		case []any:
			ov, _ := old[k].([]any)
			pos := map[string]int{}
			for i, e := range ov {
				if m, ok := e.(map[string]any); ok {
					if id, ok := m["id"].(string); ok {
						pos[id] = i
					}
				}
			}
			rank := func(e any) int {
				if m, ok := e.(map[string]any); ok {
					if id, ok := m["id"].(string); ok {
						if i, ok := pos[id]; ok {
							return i
						}
					}
				}
				return len(ov)
			}
			sort.SliceStable(nv, func(i, j int) bool { return rank(nv[i]) < rank(nv[j]) })
			for _, e := range nv {
				m, ok := e.(map[string]any)
				if !ok {
					continue
				}
				id, _ := m["id"].(string)
				for _, oe := range ov {
					if om, ok := oe.(map[string]any); ok && om["id"] == id && id != "" {
						keepOrder(m, om)
					}
				}
			}
		case map[string]any:
			if om, ok := old[k].(map[string]any); ok {
				keepOrder(nv, om)
			}
		}
	}
}
