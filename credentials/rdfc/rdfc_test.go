package rdfc

import (
	"context"
	"crypto/sha512"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// manifestEntry is a test of the W3C rdf-canon suite
// (testdata/rdf-canon/manifest.jsonld).
type manifestEntry struct {
	ID             string `json:"id"`
	Type           string `json:"type"`
	Name           string `json:"name"`
	Complexity     string `json:"computationalComplexity"`
	HashAlgorithm  string `json:"hashAlgorithm"`
	Action, Result string
}

func manifest(t *testing.T) []manifestEntry {
	t.Helper()
	b, err := os.ReadFile("testdata/rdf-canon/manifest.jsonld")
	if err != nil {
		t.Fatal(err)
	}
	var m struct{ Entries []manifestEntry }
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Entries) < 80 {
		t.Fatalf("the manifest has %d tests; expected the whole suite", len(m.Entries))
	}
	return m.Entries
}

func readQuads(t *testing.T, name string) []Quad {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata/rdf-canon", name))
	if err != nil {
		t.Fatal(err)
	}
	qs, err := parseNQuads(string(b))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return qs
}

func options(e manifestEntry) Options {
	var o Options
	if e.HashAlgorithm == "SHA384" {
		o.Hash = sha512.New384
	}
	return o
}

// TestW3CSuite runs every test of the W3C RDF Dataset Canonicalization
// test suite with the default budget: the canonical N-Quads and the issued
// identifiers as the suite gives them, and the poison graph refused.
func TestW3CSuite(t *testing.T) {
	counts := map[string]int{}
	for _, e := range manifest(t) {
		t.Run(strings.TrimPrefix(e.ID, "#")+" "+e.Name, func(t *testing.T) {
			in := readQuads(t, e.Action)
			switch e.Type {
			case "rdfc:RDFC10EvalTest":
				got, err := Canonicalize(context.Background(), in, options(e))
				if err != nil {
					t.Fatal(err)
				}
				want, err := os.ReadFile(filepath.Join("testdata/rdf-canon", e.Result))
				if err != nil {
					t.Fatal(err)
				}
				if string(got) != string(want) {
					t.Errorf("got\n%s\nwant\n%s", got, want)
				}
			case "rdfc:RDFC10MapTest":
				got, err := IssuedIdentifiers(context.Background(), in, options(e))
				if err != nil {
					t.Fatal(err)
				}
				b, err := os.ReadFile(filepath.Join("testdata/rdf-canon", e.Result))
				if err != nil {
					t.Fatal(err)
				}
				var want map[string]string
				if err := json.Unmarshal(b, &want); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("issued %v, want %v", got, want)
				}
			case "rdfc:RDFC10NegativeEvalTest":
				start := time.Now()
				_, err := Canonicalize(context.Background(), in, options(e))
				if !errors.Is(err, ErrPoisonGraph) {
					t.Fatalf("got %v, want ErrPoisonGraph", err)
				}
				var be *BudgetError
				if !errors.As(err, &be) || be.Budget == 0 {
					t.Errorf("the error %v does not say the budget", err)
				}
				t.Logf("refused in %v: %v", time.Since(start), err)
			default:
				t.Fatalf("unknown test type %s", e.Type)
			}
			counts[e.Type]++
		})
	}
	t.Logf("ran %v", counts)
	if counts["rdfc:RDFC10NegativeEvalTest"] == 0 {
		t.Error("no poison graph test ran")
	}
}
