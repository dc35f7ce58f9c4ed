package dataintegrity

import (
	"math"
	"regexp"
	"strings"
	"sync"

	"github.com/piprate/json-gold/ld"
)

// maxDepth bounds the nesting of a document, so that no document makes
// json-gold's recursion deep.
const maxDepth = 64

// maxSafeInteger is 2^53: beyond it a JSON number is not held exactly by a
// float64, and json-gold's test for an integer (a round trip through
// int64) no longer agrees with JavaScript's Number.isInteger, so the
// canonical form of the number would differ between implementations.
const maxSafeInteger = 1 << 53

// unescaped reports a character that canonical N-Quads (RDFC-1.0, RDF 1.2
// N-Quads §canonical form) escapes but that verifiers built on json-gold's
// canonicalization (v0.9.1, Satchel's own before package rdfc) write raw.
//
// Canonical N-Quads escapes, inside a literal, U+0008 as \b, U+0009 as \t,
// U+000A as \n, U+000C as \f, U+000D as \r, '"' and '\', and writes the
// other characters of U+0000–U+001F and U+007F as \u00XX (upper-case hex);
// package rdfc does so. json-gold's escape function (serialize_nquads.go)
// handles only '\', '"', \n, \r and \t, so such a credential would verify
// here and fail in those verifiers. Such documents are refused.
func unescaped(r rune) bool {
	return (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f
}

// checkJSON walks a normalized document: depth, no
// character json-gold-based verifiers would write differently, in keys and values alike (a key can
// become an IRI), and numbers JavaScript and Go agree on.
func checkJSON(v any, depth int) error {
	if depth > maxDepth {
		return fail("canonicalization", ErrTooDeep, "the document is nested more than %d levels deep", maxDepth)
	}
	switch x := v.(type) {
	case string:
		return checkString(x)
	case float64:
		if math.Abs(x) >= maxSafeInteger {
			return fail("canonicalization", nil, "the number %g is too large to be signed exactly; write it as a string", x)
		}
	case []any:
		for _, e := range x {
			if err := checkJSON(e, depth+1); err != nil {
				return err
			}
		}
	case map[string]any:
		for k, e := range x {
			if err := checkString(k); err != nil {
				return err
			}
			if err := checkJSON(e, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkString refuses a string with a character json-gold cannot escape.
// Invalid UTF-8 cannot reach it: normalize's json.Marshal has replaced it
// with U+FFFD, in the copy that is both signed and returned.
func checkString(s string) error {
	for _, r := range s {
		if unescaped(r) {
			return fail("canonicalization", ErrControlCharacter, "the text %s holds the control character U+%04X, which cannot be signed in canonical form; remove it", describe(s), r)
		}
	}
	return nil
}

// validLanguage is the language tag syntax json-gold keeps; it silently
// drops a statement with any other tag.
var validLanguage = regexp.MustCompile(`^[a-zA-Z]+(-[a-zA-Z0-9]+)*$`)

// checkExpanded refuses what json-gold's conversion to RDF would silently
// drop, or write in a form other implementations do not: relative or
// malformed IRIs (a node with a relative "id" loses every statement about
// it), blank-node properties, language tags it rejects, @direction (not
// kept in RDF), @index (not RDF at all) and JSON literals (canonicalised
// differently).
func checkExpanded(v any) error {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if err := checkExpanded(e); err != nil {
				return err
			}
		}
	case map[string]any:
		_, isValue := x["@value"]
		for k, e := range x {
			if err := checkMember(k, e, isValue); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkMember(key string, v any, isValue bool) error {
	switch key {
	case "@id":
		s, _ := v.(string)
		return checkIRI(s, true)
	case "@type":
		if isValue {
			s, _ := v.(string)
			if s == "@json" || s == ld.RDFJSONLiteral {
				return fail("canonicalization", nil, "JSON literals (@json) are not supported in signed documents")
			}
			return checkIRI(s, false)
		}
		types, _ := v.([]any)
		if s, ok := v.(string); ok {
			types = []any{s}
		}
		for _, t := range types {
			s, _ := t.(string)
			if err := checkIRI(s, true); err != nil {
				return err
			}
		}
		return nil
	case "@language":
		if s, _ := v.(string); !validLanguage.MatchString(s) {
			return fail("canonicalization", nil, "the language tag %s is not well formed", describe(s))
		}
		return nil
	case "@direction", "@index":
		return fail("canonicalization", nil, "%s is not carried into RDF, so it would not be signed; remove it", key)
	case "@value":
		return nil
	}
	if !strings.HasPrefix(key, "@") {
		if err := checkIRI(key, false); err != nil {
			return err
		}
	}
	return checkExpanded(v)
}

// checkIRI refuses an IRI json-gold would drop (relative; http(s) failing
// its URL test) or that canonical N-Quads cannot hold (characters outside
// IRIREF). Blank node identifiers are allowed where blank is.
func checkIRI(s string, blank bool) error {
	if strings.HasPrefix(s, "_:") {
		if blank {
			return nil
		}
		return fail("canonicalization", ErrInvalidIRI, "%s is a blank node where an IRI is needed", describe(s))
	}
	if goodIRI(s) {
		return nil
	}
	if s == "" || !ld.IsAbsoluteIri(s) {
		return fail("canonicalization", ErrInvalidIRI, "%s is not an absolute IRI (a relative \"id\" or an undefined type is not signed)", describe(s))
	}
	if strings.ContainsAny(s, "<>\"{}|^`\\") || strings.ContainsFunc(s, func(r rune) bool { return r <= 0x20 }) {
		return fail("canonicalization", ErrInvalidIRI, "%s holds a character an IRI cannot", describe(s))
	}
	return fail("canonicalization", ErrInvalidIRI, "%s is not a well-formed URL", describe(s))
}

// iris remembers the IRIs found good: json-gold's tests for an absolute
// IRI (url.Parse) and a URL (a slow regular expression, two fifths of a
// canonicalisation before) cost more than the rest of the check, and
// credentials repeat the same vocabulary IRIs. It holds at most 4,096
// IRIs of at most 256 bytes, so no document can make it grow without
// bound.
var iris = struct {
	sync.RWMutex
	ok map[string]bool
}{ok: map[string]bool{}}

// goodIRI reports whether s is an absolute IRI that canonical N-Quads can
// hold and, for http(s), a URL json-gold keeps.
func goodIRI(s string) bool {
	iris.RLock()
	ok, seen := iris.ok[s]
	iris.RUnlock()
	if seen {
		return ok
	}
	ok = s != "" && ld.IsAbsoluteIri(s) &&
		!strings.ContainsAny(s, "<>\"{}|^`\\") && !strings.ContainsFunc(s, func(r rune) bool { return r <= 0x20 }) &&
		(!(strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")) || ld.IsURL(s))
	if len(s) <= 256 {
		iris.Lock()
		if len(iris.ok) < 4096 {
			iris.ok[s] = ok
		}
		iris.Unlock()
	}
	return ok
}
