package dataintegrity

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// A document of exactly MaxBytes (as JSON) is accepted; one byte less of
// allowance refuses it.
func TestSizeLimitEdge(t *testing.T) {
	doc := qualification()
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Canonicalize(doc, Options{MaxBytes: len(b)}); err != nil {
		t.Errorf("a document of exactly MaxBytes was refused: %v", err)
	}
	_, err = Canonicalize(doc, Options{MaxBytes: len(b) - 1})
	wantErr(t, err, ErrTooLarge)
}

// Nesting is allowed down to maxDepth levels, and refused one level deeper.
func TestDepthLimitEdge(t *testing.T) {
	nested := func(levels int) map[string]any {
		// The document is level 0, credentialSubject 1, its title 2.
		var v any = "deep"
		for range levels - 2 {
			v = []any{v}
		}
		doc := qualification()
		doc["credentialSubject"].(map[string]any)["title"] = v
		return doc
	}
	if _, err := Canonicalize(nested(maxDepth), Options{}); errors.Is(err, ErrTooDeep) {
		t.Errorf("a value %d levels deep was refused as too deep: %v", maxDepth, err)
	}
	_, err := Canonicalize(nested(maxDepth+1), Options{})
	wantErr(t, err, ErrTooDeep)
}

// 2^53 - 1 is the largest integer signed as a number; 2^53 is refused, as
// other implementations would canonicalise it differently.
func TestLargestSafeInteger(t *testing.T) {
	opt := Options{Loader: newTestLoader(t)}
	for _, c := range []struct {
		n  float64
		ok bool
	}{{1<<53 - 1, true}, {-(1<<53 - 1), true}, {1 << 53, false}, {-(1 << 53), false}} {
		doc := readJSON(t, "credential.json")
		doc["credentialSubject"].(map[string]any)["rank"] = c.n
		_, err := Canonicalize(doc, opt)
		if c.ok && err != nil {
			t.Errorf("rank %.0f: %v", c.n, err)
		}
		if !c.ok {
			if e := wantCheck(t, err, "canonicalization"); !strings.Contains(e.Reason, "too large to be signed exactly") {
				t.Errorf("rank %.0f: reason %q, want it to say the number is too large", c.n, e.Reason)
			}
		}
	}
}

// Each kind of bad IRI is refused with a reason that says what is wrong
// with it, including a space in an IRI that is not a URL.
func TestBadIRIReasons(t *testing.T) {
	opt := Options{Loader: newTestLoader(t)}
	for _, c := range []struct{ iri, reason string }{
		{"urn:x:a b", "holds a character an IRI cannot"},
		{"urn:x:<angle>", "holds a character an IRI cannot"},
		{"abcdefgh", "is not an absolute IRI"},
		{"https://vc..example/issuers/5678", "is not a well-formed URL"},
	} {
		doc := readJSON(t, "credential.json")
		doc["credentialSubject"].(map[string]any)["id"] = c.iri
		_, err := Canonicalize(doc, opt)
		if !errors.Is(err, ErrInvalidIRI) {
			t.Errorf("id %q: got %v, want ErrInvalidIRI", c.iri, err)
			continue
		}
		if e := wantCheck(t, err, "canonicalization"); !strings.Contains(e.Reason, c.reason) {
			t.Errorf("id %q: reason %q, want %q", c.iri, e.Reason, c.reason)
		}
	}
}
