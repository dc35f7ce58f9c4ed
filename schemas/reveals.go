package schemas

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// What tells a reader that the person has been in prison. The schemas mark
// it on their fields with "x-reveals-custody", in one of these forms:
//
//	"x-reveals-custody": true                                  the field always does
//	"x-reveals-custody": {"values": ["custody", ...]}          when it holds one of these values
//	"x-reveals-custody": {"ifNamesAPrison": true}              when its words name a prison or probation
//	"x-reveals-custody": {"ifBesideOne": true}                 when another field of the same object does
//
// (the last two may be given together). So the address of an entry whose
// kind is "custody" tells, as does the number on a prison ID card, while
// the same fields of a family home do not. The share wizard names each such
// field before anything is shared, so the leaver can leave it out.

// prisonWords are words that name a prison, a young offender institution
// or the probation service, in any case.
var prisonWords = regexp.MustCompile(`(?i)\b(?:hmp|hmyoi|hmpps|yoi)\b|\bprison|\bprobation|\byoung offender`)

// NamesAPrison reports whether any text in v names a prison or probation
// ("HMP Leeds", "HM Prison and Probation Service").
func NamesAPrison(v any) bool {
	switch x := v.(type) {
	case string:
		return prisonWords.MatchString(x)
	case map[string]any:
		for k, c := range x {
			if k != "id" && k != "type" && k != "@context" && NamesAPrison(c) {
				return true
			}
		}
	case []any:
		for _, c := range x {
			if NamesAPrison(c) {
				return true
			}
		}
	}
	return false
}

// RevealsCustody lists the fields of doc, a record of type typeName, that
// would tell whoever reads them that the person has been in prison or on
// licence, as the schemas mark them. Each is a JSON Pointer into doc as
// stored, naming list elements by their "id" where they have one
// ("/entries/#custody/address"), in the order of the record's fields
// (sorted by name, lists in order). A record of a type Satchel does not
// know reveals nothing that Satchel can tell.
func RevealsCustody(typeName string, doc map[string]any) []string {
	compiled.once.Do(compile)
	t, ok := Types[typeName]
	if !ok || compiled.err != nil {
		return nil
	}
	root, _ := compiled.raw[SchemaBase+t.Schema].(map[string]any)
	var out []string
	reveals(root, SchemaBase+t.Schema, doc, "", &out)
	return out
}

// custodyMark is a field's "x-reveals-custody".
type custodyMark struct {
	always, namesPrison, besideOne bool
	values                         []any
}

func markOf(node map[string]any) custodyMark {
	var m custodyMark
	switch x := node["x-reveals-custody"].(type) {
	case bool:
		m.always = x
	case map[string]any:
		m.namesPrison, _ = x["ifNamesAPrison"].(bool)
		m.besideOne, _ = x["ifBesideOne"].(bool)
		m.values, _ = x["values"].([]any)
	}
	return m
}

// own reports whether v, a field's value, reveals custody by its mark
// alone.
func (m custodyMark) own(v any) bool {
	if m.always || (m.namesPrison && NamesAPrison(v)) {
		return true
	}
	for _, w := range m.values {
		if w == v {
			return true
		}
	}
	return false
}

// reveals appends to out the pointers of the fields within v (at pointer
// ptr, described by the schema node at base) that reveal custody, and
// reports whether there were any.
func reveals(node map[string]any, base string, v any, ptr string, out *[]string) bool {
	_, _, res, rbase := resolve(node, base)
	switch x := v.(type) {
	case map[string]any:
		props, _ := res["properties"].(map[string]any)
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		found := map[string][]string{}
		some := false
		for _, k := range keys {
			child, _ := props[k].(map[string]any)
			if child == nil {
				continue
			}
			p := ptr + "/" + escapeSegment(k)
			if markOf(child).own(x[k]) {
				found[k] = []string{p}
			} else {
				var sub []string
				if reveals(child, rbase, x[k], p, &sub) {
					found[k] = sub
				}
			}
			some = some || found[k] != nil
		}
		if !some {
			return false
		}
		for _, k := range keys {
			child, _ := props[k].(map[string]any)
			if found[k] == nil && child != nil && markOf(child).besideOne {
				found[k] = []string{ptr + "/" + escapeSegment(k)}
			}
			*out = append(*out, found[k]...)
		}
		return true
	case []any:
		items, _ := res["items"].(map[string]any)
		if items == nil {
			return false
		}
		some := false
		for i, e := range x {
			seg := strconv.Itoa(i)
			if m, ok := e.(map[string]any); ok {
				if id, _ := m["id"].(string); strings.HasPrefix(id, "#") && !strings.ContainsAny(id, "/~") {
					seg = id
				}
			}
			if reveals(items, rbase, e, ptr+"/"+seg, out) {
				some = true
			}
		}
		return some
	}
	return false
}

func escapeSegment(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

// IsLink reports whether a field of that name is, in Satchel's schemas, a
// link to a file in the pod ("file", "scan").
func IsLink(field string) bool { return linkNames()[field] }
