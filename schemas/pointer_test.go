package schemas

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

const history = `{"@context":"https://w3id.org/satchel/v1","type":"AddressHistory","entries":[
 {"id":"#custody","type":"AddressHistoryEntry","address":{"type":"PostalAddress","addressLocality":"HMP Example"},"from":"2021-03-01","to":"2023-09-01","accommodationKind":"custody"},
 {"id":"#approved","type":"AddressHistoryEntry","address":{"type":"PostalAddress","addressLocality":"Leeds"},"from":"2023-09-01","to":"2024-01-15","accommodationKind":"approved-premises"},
 {"id":"#current","type":"AddressHistoryEntry","address":{"type":"PostalAddress","streetAddress":"2 Park Row","addressLocality":"Leeds","postalCode":"LS1 5AB"},"from":"2024-01-15","accommodationKind":"own-tenancy"}]}`

func mustDoc(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSelectSharesOnlyWhatIsNamed(t *testing.T) {
	doc := mustDoc(t, history)
	got, err := Select(doc, []string{"/entries/#current/address", "/entries/#current/from"})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(got)
	want := `{"@context":"https://w3id.org/satchel/v1","entries":[{"address":{"addressLocality":"Leeds","postalCode":"LS1 5AB","streetAddress":"2 Park Row","type":"PostalAddress"},"from":"2024-01-15","id":"#current","type":"AddressHistoryEntry"}],"type":"AddressHistory"}`
	if string(b) != want {
		t.Fatalf("Select =\n%s\nwant\n%s", b, want)
	}
	// What is selected is still JSON-LD that expands offline.
	if _, err := Expand(got); err != nil {
		t.Fatal(err)
	}
	// The original is untouched.
	if len(doc["entries"].([]any)) != 3 {
		t.Fatal("Select changed its input")
	}
}

func TestSelectKeepsArrayOrderAndIndexes(t *testing.T) {
	doc := mustDoc(t, history)
	got, err := Select(doc, []string{"/entries/2/accommodationKind", "/entries/0/accommodationKind"})
	if err != nil {
		t.Fatal(err)
	}
	es := got["entries"].([]any)
	if len(es) != 2 || es[0].(map[string]any)["id"] != "#custody" || es[1].(map[string]any)["id"] != "#current" {
		t.Fatalf("entries %v", es)
	}
}

func TestPointersThatNameNothing(t *testing.T) {
	doc := mustDoc(t, history)
	for _, p := range []string{"/entries/#nowhere", "/entries/3", "/entries/01", "/nope", "entries"} {
		if _, err := Select(doc, []string{p}); err == nil {
			t.Errorf("Select(%q) succeeded", p)
		}
	}
	var nf *ErrNoField
	if _, err := Resolve(doc, "/entries/#gone/address"); !errors.As(err, &nf) {
		t.Fatalf("Resolve of a missing entry: %v", err)
	}
	v, err := Resolve(doc, "/entries/#approved/accommodationKind")
	if err != nil || v != "approved-premises" {
		t.Fatalf("Resolve = %v, %v", v, err)
	}
}

func TestAddressGaps(t *testing.T) {
	doc := mustDoc(t, history)
	asOf := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	gaps := AddressGaps(doc, asOf)
	// Five years back is 2020-06-01; the history starts 2021-03-01.
	if len(gaps) != 1 || gaps[0].From.Format(time.DateOnly) != "2020-06-01" || gaps[0].To.Format(time.DateOnly) != "2021-03-01" {
		t.Fatalf("gaps %v", gaps)
	}
	// A hole in the middle shows too (history_test.go has dates by month).
	doc["entries"].([]any)[1].(map[string]any)["to"] = "2023-11-10"
	gaps = AddressGaps(doc, asOf)
	if len(gaps) != 2 || gaps[1].From.Format(time.DateOnly) != "2023-11-10" || gaps[1].To.Format(time.DateOnly) != "2024-01-15" {
		t.Fatalf("gaps %v", gaps)
	}
	if g := AddressGaps(map[string]any{}, asOf); len(g) != 1 {
		t.Fatalf("empty history gaps %v", g)
	}
}

func TestTitle(t *testing.T) {
	for _, c := range []struct {
		typ  string
		loc  []string
		want string
	}{
		{"IdentityDocument", []string{"holder", "birthDate"}, "Date of birth"},
		{"AddressHistory", []string{"entries", "0", "address", "postalCode"}, "Postcode"},
		{"AddressHistory", []string{"entries", "1", "from"}, "Date you moved in"},
		{"AddressHistory", []string{"entries"}, "Addresses"},
		{"Nope", []string{"x"}, "x"},
	} {
		if got := Title(c.typ, c.loc); got != c.want {
			t.Errorf("Title(%s, %v) = %q, want %q", c.typ, c.loc, got, c.want)
		}
	}
}
