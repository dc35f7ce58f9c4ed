package schemas

import (
	"slices"
	"testing"
)

func TestLinks(t *testing.T) {
	doc := `{"@context":"https://w3id.org/satchel/v1","type":"Document","title":"A letter","file":"letter.pdf",
		"nested":[{"scan":"../identity/id.jpg"}],"name":"file","other":{"file":{"not":"a string"}}}`
	got := Links([]byte(doc))
	slices.Sort(got)
	if want := []string{"../identity/id.jpg", "letter.pdf"}; !slices.Equal(got, want) {
		t.Errorf("Links = %q, want %q", got, want)
	}
	if got := Links([]byte("not json")); got != nil {
		t.Errorf("Links of non-JSON = %q", got)
	}
	if !linkNames()["file"] || !linkNames()["scan"] {
		t.Errorf("link names from the schemas = %v, want file and scan", linkNames())
	}
}
