package schemas

import (
	"fmt"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// explain turns a JSON Schema validation error into plain sentences, one per
// field, using the "title" and "x-hint" each schema gives its properties.
func explain(ve *jsonschema.ValidationError, root string) *Invalid {
	var ps []Problem
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		ps = append(ps, problemsFor(e, root)...)
	}
	walk(ve)
	if len(ps) == 0 {
		ps = []Problem{{"", "This record does not match its schema."}}
	}
	return &Invalid{sortProblems(ps)}
}

func problemsFor(e *jsonschema.ValidationError, root string) []Problem {
	loc := e.InstanceLocation
	ptr := Pointer(loc)
	title, hint := describe(root, loc)
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		var out []Problem
		for _, m := range k.Missing {
			t, _ := describe(root, append(append([]string{}, loc...), m))
			out = append(out, Problem{Pointer(append(append([]string{}, loc...), m)), t + " is missing."})
		}
		return out
	case *kind.AdditionalProperties:
		var out []Problem
		for _, p := range k.Properties {
			out = append(out, Problem{Pointer(append(append([]string{}, loc...), p)),
				fmt.Sprintf("%q is not a field Satchel knows here: remove it or check its spelling (unknown fields are refused so that nothing is silently lost).", p)})
		}
		return out
	case *kind.Type:
		if hint == "" {
			hint = "must be " + strings.Join(k.Want, " or ")
		}
	case *kind.Enum:
		if hint == "" {
			hint = fmt.Sprintf("must be one of %v", k.Want)
		}
	case *kind.Const:
		if hint == "" {
			hint = fmt.Sprintf("must be %v", k.Want)
		}
	case *kind.MaxItems:
		hint = fmt.Sprintf("has too many entries (at most %d)", k.Want)
	case *kind.MinItems:
		hint = fmt.Sprintf("needs at least %d entries", k.Want)
	}
	if hint == "" {
		hint = "is not right"
	}
	return []Problem{{ptr, title + " " + hint + "."}}
}

// describe finds the title and hint of the field at instance location loc
// in the schema root, following $ref as needed.
func describe(root string, loc []string) (title, hint string) {
	base := root
	node, _ := compiled.raw[root].(map[string]any)
	title = "The record"
	for i := 0; ; i++ {
		t, h, resolved, rbase := resolve(node, base)
		if t != "" {
			title = t
		}
		hint = h
		if i == len(loc) {
			break
		}
		base = rbase
		seg := loc[i]
		if props, ok := resolved["properties"].(map[string]any); ok {
			if child, ok := props[seg].(map[string]any); ok {
				node = child
				title = fmt.Sprintf("%q", seg)
				continue
			}
		}
		if items, ok := resolved["items"].(map[string]any); ok {
			node = items
			continue
		}
		return fmt.Sprintf("%q", loc[len(loc)-1]), ""
	}
	return title, hint
}

// resolve reads title and x-hint from node and, through $ref, from what it
// refers to (the referring node's words win).
func resolve(node map[string]any, base string) (title, hint string, out map[string]any, outBase string) {
	out, outBase = node, base
	title, _ = node["title"].(string)
	hint, _ = node["x-hint"].(string)
	for depth := 0; depth < 8; depth++ {
		ref, ok := out["$ref"].(string)
		if !ok {
			break
		}
		docURL, frag, _ := strings.Cut(ref, "#")
		if docURL == "" {
			docURL = outBase
		} else {
			docURL = SchemaBase + docURL
		}
		target, _ := compiled.raw[docURL].(map[string]any)
		for _, seg := range strings.Split(strings.TrimPrefix(frag, "/"), "/") {
			if seg == "" {
				continue
			}
			target, _ = target[seg].(map[string]any)
		}
		if target == nil {
			break
		}
		out, outBase = target, docURL
		if title == "" {
			title, _ = out["title"].(string)
		}
		if hint == "" {
			hint, _ = out["x-hint"].(string)
		}
	}
	return title, hint, out, outBase
}

// Title is what a person calls the field at instance location loc of a
// record of type typeName ("Date of birth" for holder/birthDate of an
// IdentityDocument), from the schemas' titles; for a field the schema does
// not name, the field's own name.
func Title(typeName string, loc []string) string {
	compiled.once.Do(compile)
	t, ok := Types[typeName]
	if !ok || compiled.err != nil {
		if len(loc) == 0 {
			return "Record"
		}
		return loc[len(loc)-1]
	}
	title, _ := describe(SchemaBase+t.Schema, loc)
	return strings.Trim(title, `"`)
}
