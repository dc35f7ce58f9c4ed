package issuer_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/satchel-project/satchel/issuer"
)

// A credential given to the VC-API's issue that breaks a MUST of the VC
// Data Model 2.0 is refused, saying which, before anything is signed or a
// status bit is spent: a null issuer, no or an empty subject, a termsOfUse,
// evidence, refreshService or credentialSchema that is not objects with a
// type (a schema also with a URL id), a relatedResource that is not
// objects with unique URL ids and a digest. What keeps to them is signed.
func TestIssueCredentialKeepsTheDataModel(t *testing.T) {
	t.Parallel()
	s, _, _, _ := kindsSetup(t)
	ctx := context.Background()
	typed := map[string]any{"type": "https://example.org/Terms"}
	schema := map[string]any{"type": "JsonSchema", "id": "https://example.org/schema.json"}
	res := func(id string) map[string]any {
		return map[string]any{"id": id, "digestSRI": "sha384-abc"}
	}
	for name, c := range map[string]struct {
		change func(vc map[string]any)
		want   string // "" if signed
	}{
		"as it is":         {func(vc map[string]any) {}, ""},
		"issuer null":      {func(vc map[string]any) { vc["issuer"] = nil }, "the credential's issuer is null"},
		"no subject":       {func(vc map[string]any) { delete(vc, "credentialSubject") }, "the credential has no credentialSubject"},
		"subject a string": {func(vc map[string]any) { vc["credentialSubject"] = "Jo" }, "the credential has no credentialSubject"},
		"no subjects":      {func(vc map[string]any) { vc["credentialSubject"] = []any{} }, "the credential has no credentialSubject"},
		"a subject not an object": {func(vc map[string]any) {
			vc["credentialSubject"] = []any{map[string]any{"type": "Qualification", "title": "English"}, "Jo"}
		}, "the credential has no credentialSubject"},
		"an empty subject": {func(vc map[string]any) {
			vc["credentialSubject"] = []any{map[string]any{"type": "Qualification", "title": "English"}, map[string]any{}}
		}, "a credentialSubject is empty"},
		"two subjects": {func(vc map[string]any) {
			vc["credentialSubject"] = []any{map[string]any{"type": "Qualification", "title": "English"}, map[string]any{"type": "Qualification", "title": "Maths"}}
		}, ""},
		"terms with a type":      {func(vc map[string]any) { vc["termsOfUse"] = typed }, ""},
		"terms without a type":   {func(vc map[string]any) { vc["termsOfUse"] = map[string]any{"id": "https://example.org/terms"} }, "each termsOfUse must say its type"},
		"evidence a string":      {func(vc map[string]any) { vc["evidence"] = "trust me" }, "the credential's evidence must be an object or a list of objects"},
		"evidence, one untyped":  {func(vc map[string]any) { vc["evidence"] = []any{typed, map[string]any{"id": "https://example.org/e"}} }, "each evidence must say its type"},
		"refresh without a type": {func(vc map[string]any) { vc["refreshService"] = map[string]any{"id": "https://example.org/r"} }, "each refreshService must say its type"},
		"schema with URL":        {func(vc map[string]any) { vc["credentialSchema"] = schema }, ""},
		"schema without a URL": {func(vc map[string]any) {
			vc["credentialSchema"] = map[string]any{"type": "JsonSchema", "id": "schema.json"}
		}, "each credentialSchema must have an id that is the URL of the schema"},
		"schema without an id": {func(vc map[string]any) { vc["credentialSchema"] = map[string]any{"type": "JsonSchema"} }, "each credentialSchema must have an id"},
		"related, two": {func(vc map[string]any) {
			vc["relatedResource"] = []any{res("https://example.org/a"), res("https://example.org/b")}
		}, ""},
		"related, multibase digest": {func(vc map[string]any) {
			vc["relatedResource"] = map[string]any{"id": "https://example.org/a", "digestMultibase": "uEiA"}
		}, ""},
		"related a string":   {func(vc map[string]any) { vc["relatedResource"] = "https://example.org/a" }, "the credential's relatedResource must be an object or a list of objects"},
		"related, not a URL": {func(vc map[string]any) { vc["relatedResource"] = res("a.pdf") }, "each relatedResource must have an id that is a URL"},
		"related, named twice": {func(vc map[string]any) {
			vc["relatedResource"] = []any{res("https://example.org/a"), res("https://example.org/a")}
		}, "the relatedResource https://example.org/a is named twice"},
		"related, no digest": {func(vc map[string]any) { vc["relatedResource"] = map[string]any{"id": "https://example.org/a"} }, "each relatedResource must give its digest"},
	} {
		vc := unsigned(nil)
		c.change(vc)
		before, _ := s.IssuedBy(ctx, "hmpps")
		signed, _, err := s.IssueCredential(ctx, "hmpps", vc)
		after, _ := s.IssuedBy(ctx, "hmpps")
		if c.want == "" {
			if err != nil || signed["proof"] == nil || len(after) != len(before)+1 {
				t.Errorf("%s: %v, want it signed", name, err)
			}
			continue
		}
		var inv *issuer.InvalidError
		if !errors.As(err, &inv) || !strings.HasPrefix(inv.Reason, c.want) || signed != nil {
			t.Errorf("%s: %v, want it refused: %q", name, err, c.want)
		}
		if len(after) != len(before) {
			t.Errorf("%s: a refused credential was recorded as issued", name)
		}
	}
}
