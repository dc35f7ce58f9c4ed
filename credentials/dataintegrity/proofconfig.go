package dataintegrity

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/piprate/json-gold/ld"
)

// A proof configuration (the proof options with the document's @context)
// has the same few keys every time, and only two of its values differ from
// one proof to the next: created and verificationMethod. Expanding it with
// json-gold costs as much as a quarter of a verification (the type-scoped
// context of DataIntegrityProof and the property-scoped context of
// proofPurpose are processed anew each time), so its canonical form is made
// once per shape with json-gold and package rdfc, with stand-in values, and
// the values are then put in place of the stand-ins.
//
// This is exact, not an approximation: json-gold copies a created string
// into its typed literal, and an absolute IRI whose scheme is not a term
// of the active context into its IRI, whatever follows the scheme; the
// stand-ins share the scheme (and the "//" after it, or its absence) of
// the value they stand for, and a template is kept only if each stand-in
// appears exactly once in json-gold's output and a second pair of
// stand-ins, put in place, gives exactly what json-gold gives for them. The
// proof node is the document's only blank node (always _:c14n0), and the
// lines are sorted again after the values are put in. Anything else — another
// key, a value that is not a plain string of the expected kind — takes the
// ordinary path.

// templateKey is what a proof configuration's canonical form depends on,
// apart from the two values put in.
type templateKey struct {
	loader              ld.DocumentLoader
	urls                string // the @context's URLs
	typ, suite, purpose string
	scheme              string // the verification method's, with "//" if it follows
}

// templates holds a template for each shape seen: at most the context
// lists the loader can process (contextURLs allows no repeats), times two
// purposes and four schemes.
var templates = struct {
	sync.RWMutex
	m map[templateKey]*template
}{m: map[templateKey]*template{}}

// template is a canonical proof configuration made with the stand-ins;
// nil in the map means the shape cannot be templated.
type template struct{ canonical string }

const (
	standInCreated  = "1999-12-31T23:59:58Z"
	standInCreated2 = "2001-02-03T04:05:06Z"
	standInMethod   = "satchel-stand-in-verification-method-1"
	standInMethod2  = "satchel-stand-in-verification-method-2"
)

// templateSchemes are the verification method schemes templated.
var templateSchemes = map[string]bool{"did:": true, "https://": true, "http://": true, "urn:": true}

var proofConfigKeys = []string{"@context", "created", "cryptosuite", "proofPurpose", "type", "verificationMethod"}

// fastProofConfig returns the canonical form of doc if it is a proof
// configuration of a shape with a template; ok is false otherwise.
func fastProofConfig(ctx context.Context, doc map[string]any, opt Options) (out []byte, ok bool) {
	if len(doc) != len(proofConfigKeys) {
		return nil, false
	}
	for _, k := range proofConfigKeys {
		if _, has := doc[k]; !has {
			return nil, false
		}
	}
	urls, isURLs := contextURLs(doc["@context"])
	typ, _ := doc["type"].(string)
	suite, _ := doc["cryptosuite"].(string)
	purpose, _ := doc["proofPurpose"].(string)
	created, _ := doc["created"].(string)
	vm, _ := doc["verificationMethod"].(string)
	scheme, rest, _ := strings.Cut(vm, ":")
	if strings.HasPrefix(rest, "//") {
		scheme += "://"
	} else {
		scheme += ":"
	}
	// Only the shapes Satchel and other issuers use are templated, so that
	// no one can fill the table with shapes of their own.
	if !isURLs || !hashable(opt.Loader) || typ != ProofType || suite != Cryptosuite ||
		(purpose != AssertionMethod && purpose != "authentication") || !templateSchemes[scheme] ||
		!plainDateTime(created) || !goodIRI(vm) || contexts.get(doc["@context"], jsonldOptions(opt)) == nil {
		return nil, false
	}
	key := templateKey{opt.Loader, urls, typ, suite, purpose, scheme}
	templates.RLock()
	t, seen := templates.m[key]
	templates.RUnlock()
	if !seen {
		t = makeTemplate(ctx, doc, scheme, opt)
		if ctx.Err() != nil {
			return nil, false // not known either way: not kept
		}
		templates.Lock()
		templates.m[key] = t
		templates.Unlock()
	}
	if t == nil {
		return nil, false
	}
	return []byte(fill(t.canonical, scheme+standInMethod, standInCreated, vm, created)), true
}

// plainDateTime reports a string of the characters of an XML Schema
// dateTime, none of which canonical N-Quads escapes.
func plainDateTime(s string) bool {
	return s != "" && len(s) <= 64 && !strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r == ':' || r == '.' || r == '+' || r == '-')
	})
}

// makeTemplate canonicalizes doc's shape with json-gold and rdfc, with the
// stand-ins for created and verificationMethod, and checks the template
// with a second pair of stand-ins; nil if the shape cannot be templated.
func makeTemplate(ctx context.Context, doc map[string]any, scheme string, opt Options) *template {
	with := func(created, method string) (string, bool) {
		d := make(map[string]any, len(doc))
		for k, v := range doc {
			d[k] = v
		}
		d["created"], d["verificationMethod"] = created, scheme+method
		out, err := rdfcanon(ctx, d, opt)
		return string(out), err == nil
	}
	canonical, ok := with(standInCreated, standInMethod)
	if !ok || strings.Count(canonical, `"`+standInCreated+`"`) != 1 || strings.Count(canonical, "<"+scheme+standInMethod+">") != 1 ||
		strings.Count(canonical, standInCreated) != 1 || strings.Count(canonical, standInMethod) != 1 {
		return nil
	}
	check, ok := with(standInCreated2, standInMethod2)
	if !ok || fill(canonical, scheme+standInMethod, standInCreated, scheme+standInMethod2, standInCreated2) != check {
		return nil
	}
	return &template{canonical}
}

// fill puts the values in place of the stand-ins and sorts the lines
// again, as canonical N-Quads are sorted.
func fill(canonical, methodStandIn, createdStandIn, method, created string) string {
	s := strings.Replace(canonical, "<"+methodStandIn+">", "<"+method+">", 1)
	s = strings.Replace(s, `"`+createdStandIn+`"`, `"`+created+`"`, 1)
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	slices.Sort(lines)
	return strings.Join(lines, "")
}
