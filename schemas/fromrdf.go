package schemas

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/piprate/json-gold/ld"
)

// RecordFromTurtle reads a record written as Turtle (as Solid clients
// write datasets) and returns it as Satchel's JSON-LD, compact against
// https://w3id.org/satchel/v1. base is the record's URL; scope is the URL
// of the pod it is stored in. The record must describe itself (base and
// its #fragments) and link only to resources inside scope, whatever @base
// or @prefix the text declares; every predicate and type must be a term of
// Satchel's context. The result still has to pass Validate.
func RecordFromTurtle(data []byte, base, scope string) ([]byte, error) {
	triples, err := ParseTurtle(data, base)
	if err != nil {
		return nil, err
	}
	doc, err := recordFromTriples(triples, base, scope)
	if err != nil {
		return nil, err
	}
	return json.Marshal(doc)
}

// recordFromTriples turns the triples of one record into a compact JSON-LD
// record: the one thing no other thing refers to is the record, and every
// thing referred to exactly once is nested where it is referred to.
func recordFromTriples(triples []Triple, base, scope string) (map[string]any, error) {
	doc, _, _ := strings.Cut(base, "#")
	var probs []Problem
	outside := func(iri, what string) {
		probs = append(probs, Problem{"", fmt.Sprintf("This %s <%s>, which is outside this record: a record can only describe itself and link to files in your pod. Check any @base or @prefix.", what, iri)})
	}
	type node struct {
		id    string
		types []any
		props map[string][]any
		order []string
		blank bool
	}
	nodes := map[string]*node{}
	var subjects []string
	refs := map[string]int{}
	for _, t := range triples {
		s := t.S.Value
		if t.S.Kind == IRI && s != doc && !strings.HasPrefix(s, doc+"#") {
			outside(s, "describes")
			continue
		}
		if t.S.Kind != IRI && t.S.Kind != BlankNode || t.P.Kind != IRI {
			probs = append(probs, Problem{"", "A record cannot hold variables or formulas."})
			continue
		}
		n := nodes[s]
		if n == nil {
			n = &node{id: s, props: map[string][]any{}, blank: t.S.Kind == BlankNode}
			nodes[s] = n
			subjects = append(subjects, s)
		}
		if t.P.Value == rdfType {
			if t.O.Kind != IRI {
				probs = append(probs, Problem{"/type", "A type must be one of Satchel's record types."})
				continue
			}
			n.types = append(n.types, t.O.Value)
			continue
		}
		var v any
		switch t.O.Kind {
		case IRI:
			if !strings.HasPrefix(t.O.Value, scope) {
				outside(t.O.Value, "links to")
				continue
			}
			v = map[string]any{"@id": t.O.Value}
			refs[t.O.Value]++
		case BlankNode:
			v = map[string]any{"@id": t.O.Value}
			refs[t.O.Value]++
		case Literal:
			lit := map[string]any{"@value": t.O.Value}
			switch {
			case t.O.Lang != "":
				lit["@language"] = t.O.Lang
			case t.O.Datatype != xsdString:
				lit["@type"] = t.O.Datatype
			}
			v = lit
		default:
			probs = append(probs, Problem{"", "A record cannot hold variables or formulas."})
			continue
		}
		if _, seen := n.props[t.P.Value]; !seen {
			n.order = append(n.order, t.P.Value)
		}
		n.props[t.P.Value] = append(n.props[t.P.Value], v)
	}
	if len(probs) > 0 {
		return nil, &Invalid{probs}
	}
	var roots []string
	for _, s := range subjects {
		if refs[s] == 0 {
			roots = append(roots, s)
		}
	}
	if len(roots) != 1 {
		if len(subjects) == 0 {
			return nil, invalid("", "This holds no statements: a record needs at least its type.")
		}
		return nil, invalid("", "A record describes one thing (with the things inside it); this describes %d unconnected things. Connect them to the record or leave them out.", max(len(roots), 2))
	}
	placed := map[string]bool{}
	var build func(id string) (map[string]any, error)
	build = func(id string) (map[string]any, error) {
		n := nodes[id]
		placed[id] = true
		out := map[string]any{}
		if !n.blank {
			out["@id"] = n.id
		}
		if len(n.types) > 0 {
			out["@type"] = n.types
		}
		for _, pr := range n.order {
			var vals []any
			for _, v := range n.props[pr] {
				ref, isRef := v.(map[string]any)["@id"].(string)
				if child, ok := nodes[ref]; isRef && ok {
					if refs[ref] > 1 || placed[ref] {
						return nil, invalid("", "Something in this record is referred to more than once or inside itself (%s); each part of a record belongs in one place.", name(child.id, child.blank))
					}
					c, err := build(ref)
					if err != nil {
						return nil, err
					}
					v = c
				} else if isRef && strings.HasPrefix(ref, "_:") {
					v = map[string]any{}
				}
				vals = append(vals, v)
			}
			out[pr] = vals
		}
		return out, nil
	}
	tree, err := build(roots[0])
	if err != nil {
		return nil, err
	}
	for _, s := range subjects {
		if !placed[s] {
			return nil, invalid("", "Something in this record (%s) is not connected to it; each part of a record belongs in one place.", name(s, nodes[s].blank))
		}
	}
	return compactRecord(tree, base)
}

func name(id string, blank bool) string {
	if blank {
		return "a thing without a name"
	}
	return "<" + id + ">"
}

// compactRecord compacts an expanded record against Satchel's context and
// refuses anything the context has no term for, naming it.
func compactRecord(expanded map[string]any, base string) (map[string]any, error) {
	opts := Options()
	opts.Base = base
	out, err := ld.NewJsonLdProcessor().Compact(expanded, ContextURL, opts)
	if err != nil {
		return nil, jsonldError(err)
	}
	out["@context"] = ContextURL
	if probs := unknownTerms(out, nil); len(probs) > 0 {
		return nil, &Invalid{sortProblems(probs)}
	}
	return out, nil
}

// contextTerms are the terms of Satchel's context, with the IRI each
// stands for.
var contextTerms = sync.OnceValue(func() map[string]string {
	b, _ := File(Contexts[ContextURL])
	var doc struct {
		Context map[string]any `json:"@context"`
	}
	json.Unmarshal(b, &doc)
	prefixes := map[string]string{}
	for k, v := range doc.Context {
		if s, ok := v.(string); ok && (strings.HasSuffix(s, "#") || strings.HasSuffix(s, "/")) {
			prefixes[k] = s
		}
	}
	terms := map[string]string{}
	for k, v := range doc.Context {
		if strings.HasPrefix(k, "@") || prefixes[k] != "" {
			continue
		}
		iri, _ := v.(string)
		if m, ok := v.(map[string]any); ok {
			iri, _ = m["@id"].(string)
		}
		if pfx, local, ok := strings.Cut(iri, ":"); ok && prefixes[pfx] != "" {
			iri = prefixes[pfx] + local
		}
		terms[k] = iri
	}
	return terms
})

// expandName turns a compact IRI ("schema:foo") back into the IRI it
// stands for, to name it to a person.
func expandName(s string) string {
	for _, p := range prefixes {
		if local, ok := strings.CutPrefix(s, p.name+":"); ok {
			return p.iri + local
		}
	}
	return s
}

// unknownTerms lists every key and type in a compacted record that is not
// a term of Satchel's context.
func unknownTerms(v any, path []string) []Problem {
	terms := contextTerms()
	var probs []Problem
	switch x := v.(type) {
	case []any:
		for i, e := range x {
			probs = append(probs, unknownTerms(e, append(path, fmt.Sprint(i)))...)
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			ptr := Pointer(append(path, k))
			switch {
			case k == "@context" && len(path) == 0, k == "id":
			case k == "type":
				types, ok := x[k].([]any)
				if !ok {
					types = []any{x[k]}
				}
				for _, t := range types {
					if s, _ := t.(string); terms[s] == "" {
						probs = append(probs, Problem{ptr, fmt.Sprintf("The type %s is not one Satchel knows.", expandName(fmt.Sprint(t)))})
					}
				}
			case k == "@value":
				// A literal that no term's datatype fits: named by its key.
				return []Problem{{Pointer(path), fmt.Sprintf("The value %q of %s has a datatype or language that Satchel does not keep there (dates are written \"1990-04-23\"^^xsd:date, text as a plain string).", x[k], strings.Join(lastSeg(path), ""))}}
			case terms[k] == "" && termFor(expandName(k)) != "":
				probs = append(probs, Problem{ptr, fmt.Sprintf("The field %s (%s) has the wrong kind of value here: dates are written \"1990-04-23\"^^xsd:date, links as <…>, text as a plain string, and each field holds one value.", termFor(expandName(k)), expandName(k))})
			case terms[k] == "":
				probs = append(probs, Problem{ptr, fmt.Sprintf("The field %s is not a term Satchel records use (https://w3id.org/satchel/v1); leave it out or use one of the record's own fields.", expandName(k))})
			default:
				probs = append(probs, unknownTerms(x[k], append(path, k))...)
			}
		}
	}
	return probs
}

func lastSeg(path []string) []string {
	for i := len(path) - 1; i >= 0; i-- {
		if !isIndex(path[i]) {
			return []string{path[i]}
		}
	}
	return nil
}

func isIndex(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// termFor is the term of Satchel's context that stands for iri, or "".
func termFor(iri string) string {
	for t, i := range contextTerms() {
		if i == iri {
			return t
		}
	}
	return ""
}
