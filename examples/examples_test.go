package examples_test

import (
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/satchel-project/satchel/examples"
	"github.com/satchel-project/satchel/schemas"
)

func TestExamplePodIsValidAndComplete(t *testing.T) {
	files := examples.Files()
	have := map[string]bool{}
	for _, f := range files {
		have[f.Path] = true
	}
	types := map[string]int{}
	base, _ := url.Parse("https://pods.example/pods/x/")
	for i, f := range files {
		if f.ContentType != "application/ld+json" {
			continue
		}
		for _, g := range files[i:] {
			if g.ContentType != "application/ld+json" {
				t.Fatalf("%s comes before the document %s", f.Path, g.Path)
			}
		}
		r, err := schemas.Validate(f.Data, f.Path)
		if err != nil {
			t.Errorf("%s: %v", f.Path, err)
			continue
		}
		types[r.Type.Name]++
		// Links to scans and files point at files of the example pod.
		for _, k := range []string{"scan", "file"} {
			if link, ok := r.Doc[k].(string); ok {
				rel, _ := url.Parse(link)
				target := base.ResolveReference(base.ResolveReference(&url.URL{Path: f.Path}).ResolveReference(rel))
				p := target.Path[len(base.Path):]
				if !have[p] {
					t.Errorf("%s links to %s, which is not in the example pod", f.Path, p)
				}
			}
		}
	}
	for tn, want := range map[string]int{"IdentityDocument": 1, "BirthCertificate": 1, "AddressHistory": 1, "Qualification": 2, "BankAccount": 1, "NationalInsuranceNumber": 1, "Document": 1} {
		if types[tn] != want {
			t.Errorf("%d records of type %s, want %d", types[tn], tn, want)
		}
	}
}

func TestExampleHistoryShowsItsGap(t *testing.T) {
	for _, f := range examples.Files() {
		if f.Path != "housing/address-history.jsonld" {
			continue
		}
		var doc map[string]any
		json.Unmarshal(f.Data, &doc)
		kinds := map[string]bool{}
		for _, e := range doc["entries"].([]any) {
			kinds[e.(map[string]any)["accommodationKind"].(string)] = true
		}
		if !kinds["hostel"] || !kinds["approved-premises"] || !kinds["custody"] {
			t.Fatalf("history lacks a hostel, approved premises or custody: %v", kinds)
		}
		gaps := schemas.AddressGaps(doc, time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC))
		if len(gaps) != 1 || gaps[0].From.Format(time.DateOnly) != "2024-05-10" || gaps[0].To.Format(time.DateOnly) != "2024-06-20" {
			t.Fatalf("gaps %v, want one from 2024-05-10 to 2024-06-20", gaps)
		}
		return
	}
	t.Fatal("no address history in the example pod")
}
