package dataintegrity

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/piprate/json-gold/ld"
	"github.com/satchel-project/satchel/schemas"
)

func wantErr(t *testing.T, err, target error) {
	t.Helper()
	wantCheck(t, err, "canonicalization")
	if !errors.Is(err, target) {
		t.Fatalf("got %v, want %v", err, target)
	}
}

// withSubjects returns the vector credential with n extra subjects without
// an id: n more blank nodes.
func withSubjects(t *testing.T, n int) map[string]any {
	doc := readJSON(t, "credential.json")
	subjects := []any{doc["credentialSubject"]}
	for i := range n {
		subjects = append(subjects, map[string]any{"alumniOf": fmt.Sprintf("School %d", i)})
	}
	doc["credentialSubject"] = subjects
	return doc
}

func TestBlankNodeLimit(t *testing.T) {
	opt := Options{Loader: newTestLoader(t), MaxBlankNodes: 10}
	if _, err := Canonicalize(withSubjects(t, 10), opt); err != nil {
		t.Fatalf("10 blank nodes: %v", err)
	}
	_, err := Canonicalize(withSubjects(t, 11), opt)
	wantErr(t, err, ErrTooManyBlankNodes)
	// The default is 1,000.
	opt.MaxBlankNodes = 0
	_, err = Canonicalize(withSubjects(t, DefaultMaxBlankNodes+1), opt)
	wantErr(t, err, ErrTooManyBlankNodes)
}

func TestSizeLimit(t *testing.T) {
	doc := qualification()
	doc["credentialSubject"].(map[string]any)["title"] = strings.Repeat("x", DefaultMaxBytes)
	_, err := Canonicalize(doc, Options{})
	wantErr(t, err, ErrTooLarge)
	key, vm := newKey(t)
	_, err = Sign(doc, key, vm, time.Now(), "", Options{})
	wantErr(t, err, ErrTooLarge)
	_, err = Verify(doc, ResolveDIDKey, Options{})
	wantErr(t, err, ErrTooLarge)
	if _, err := Canonicalize(qualification(), Options{MaxBytes: 100}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("MaxBytes 100: %v", err)
	}
}

func TestDepthLimit(t *testing.T) {
	doc := qualification()
	var v any = "deep"
	for range maxDepth + 1 {
		v = []any{v}
	}
	doc["credentialSubject"].(map[string]any)["title"] = v
	_, err := Canonicalize(doc, Options{})
	wantErr(t, err, ErrTooDeep)
}

func TestTimeout(t *testing.T) {
	// ~900 blank nodes take milliseconds; a microsecond is not enough.
	_, err := Canonicalize(withSubjects(t, 900), Options{Loader: newTestLoader(t), Timeout: time.Microsecond})
	wantErr(t, err, ErrTimeout)
}

// Every control character json-gold writes raw is refused, anywhere in
// the document; the three it escapes are signed.
func TestControlCharacters(t *testing.T) {
	for r := rune(0); r < 0x80; r++ {
		if r >= 0x20 && r != 0x7f {
			continue
		}
		doc := qualification()
		doc["credentialSubject"].(map[string]any)["name"] = "Alex" + string(r) + "Example"
		_, err := Canonicalize(doc, Options{})
		switch r {
		case '\t', '\n', '\r':
			if err != nil {
				t.Errorf("U+%04X: %v", r, err)
			}
		default:
			if !errors.Is(err, ErrControlCharacter) {
				t.Errorf("U+%04X: got %v, want a refusal", r, err)
			}
		}
	}
	doc := qualification()
	doc["credentialSubject"].(map[string]any)["name"] = "tab\tnewline\nreturn\r\"quote\" back\\slash"
	out, err := Canonicalize(doc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := `"tab\tnewline\nreturn\r\"quote\" back\\slash"`; !strings.Contains(string(out), want) {
		t.Fatalf("escaped literal %s not in\n%s", want, out)
	}
	// In a key, and in an IRI, too.
	doc = qualification()
	doc["credentialSubject"].(map[string]any)["id"] = "urn:x:\u001b[31m"
	if _, err := Canonicalize(doc, Options{}); !errors.Is(err, ErrControlCharacter) {
		t.Fatalf("IRI with ESC: %v", err)
	}
	doc = qualification()
	doc["credentialSubject"].(map[string]any)["na\u007fme"] = "x"
	if _, err := Canonicalize(doc, Options{}); !errors.Is(err, ErrControlCharacter) {
		t.Fatalf("key with DEL: %v", err)
	}
	doc = qualification()
	doc["credentialSubject"].(map[string]any)["name"] = "bad \xff utf-8"
	if out, err := Canonicalize(doc, Options{}); err != nil || !strings.Contains(string(out), "bad \uFFFD utf-8") {
		t.Fatalf("invalid UTF-8 is not signed as U+FFFD: %v", err)
	}
}

// TestJSONGoldEscaping records the finding behind unescaped: which of
// U+0000–U+001F, U+007F, '"' and '\' json-gold v0.9.1 escapes in N-Quads.
// If json-gold changes, this test says so.
func TestJSONGoldEscaping(t *testing.T) {
	o := ld.NewJsonLdOptions("")
	o.Algorithm = ld.AlgorithmURDNA2015
	o.Format = "application/n-quads"
	for r := rune(0); r < 0x80; r++ {
		if r >= 0x20 && r != 0x7f && r != '"' && r != '\\' {
			continue
		}
		ds := ld.NewRDFDataset()
		lit := ld.NewLiteral("a"+string(r)+"b", "", "")
		ds.Graphs["@default"] = []*ld.Quad{ld.NewQuad(ld.NewIRI("urn:s"), ld.NewIRI("urn:p"), lit, "@default")}
		out, err := ld.NewJsonLdApi().Normalize(ds, o)
		if err != nil {
			t.Fatal(err)
		}
		raw := strings.Contains(out.(string), "a"+string(r)+"b")
		if raw != unescaped(r) {
			t.Errorf("U+%04X: json-gold writes it raw: %v; refused: %v", r, raw, unescaped(r))
		}
	}
}

// TestJSONGoldNormalizeDropsUndefinedTerms records why rdfc does not call
// JsonLdProcessor.Normalize: with SafeMode set it still drops an undefined
// term without a word, because it leaves SafeMode out of the options it
// converts to RDF with. Canonicalize refuses the same document.
func TestJSONGoldNormalizeDropsUndefinedTerms(t *testing.T) {
	doc := map[string]any{
		"@context":          []any{"https://www.w3.org/ns/credentials/v2"},
		"type":              []any{"VerifiableCredential"},
		"issuer":            "did:example:issuer",
		"credentialSubject": map[string]any{"id": "did:example:subject", "degree": "BSc"},
	}
	o := ld.NewJsonLdOptions("")
	o.DocumentLoader = schemas.DefaultLoader
	o.SafeMode = true
	o.Algorithm = ld.AlgorithmURDNA2015
	o.Format = "application/n-quads"
	out, err := ld.NewJsonLdProcessor().Normalize(doc, o)
	if err != nil || strings.Contains(out.(string), "BSc") {
		t.Logf("json-gold's Normalize now refuses or keeps undefined terms (%v); rdfc could use it", err)
	}
	_, err = Canonicalize(doc, Options{})
	var le *ld.JsonLdError
	if wantCheck(t, err, "canonicalization"); !errors.As(err, &le) || le.Code != ld.InvalidProperty {
		t.Fatalf("got %v, want json-gold's invalid property", err)
	}
}

// Statements json-gold would drop on the way to RDF are refused, so that
// nothing shown is unsigned.
func TestDroppedStatementsRefused(t *testing.T) {
	opt := Options{Loader: newTestLoader(t)}
	cases := map[string]func(d map[string]any){
		"relative subject id": func(d map[string]any) { d["credentialSubject"].(map[string]any)["id"] = "abcdefgh" },
		"relative issuer":     func(d map[string]any) { d["issuer"] = "/issuers/5678" },
		"blank-node property": func(d map[string]any) { d["_:p"] = "x" },
		"bad language tag": func(d map[string]any) {
			d["name"] = map[string]any{"@value": "Alumni Credential", "@language": "en_GB"}
		},
		"direction": func(d map[string]any) {
			d["name"] = map[string]any{"@value": "Alumni Credential", "@language": "en", "@direction": "rtl"}
		},
		"URL json-gold rejects": func(d map[string]any) { d["issuer"] = "https://vc..example/issuers/5678" },
		"IRI with a space":      func(d map[string]any) { d["issuer"] = "https://vc example/issuers/5678" },
		"IRI with a quote":      func(d map[string]any) { d["issuer"] = `urn:x:"quoted"` },
		"JSON literal": func(d map[string]any) {
			d["@context"] = append(d["@context"].([]any), map[string]any{"data": map[string]any{"@id": "https://example.org/data", "@type": "@json"}})
			d["data"] = map[string]any{"a": 1}
		},
		"index": func(d map[string]any) {
			d["@context"] = append(d["@context"].([]any), map[string]any{"byLang": map[string]any{"@id": "https://example.org/byLang", "@container": "@index"}})
			d["byLang"] = map[string]any{"en": "x"}
		},
		"huge integer": func(d map[string]any) { d["credentialSubject"].(map[string]any)["rank"] = 1e20 },
	}
	for name, change := range cases {
		t.Run(name, func(t *testing.T) {
			doc := readJSON(t, "credential.json")
			change(doc)
			_, err := Canonicalize(doc, opt)
			wantCheck(t, err, "canonicalization")
			t.Log(err)
		})
	}
	doc := readJSON(t, "credential.json")
	doc["name"] = map[string]any{"@value": "Alumni Credential", "@language": "en-GB"}
	doc["credentialSubject"].(map[string]any)["rank"] = 3.25
	if _, err := Canonicalize(doc, opt); err != nil {
		t.Fatalf("a language tag and a number: %v", err)
	}
}
