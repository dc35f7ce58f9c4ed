package issuer

import (
	"context"
	"crypto/rand"
	"strings"
	"testing"

	"github.com/satchel-project/satchel/consent/statuslist"
)

// A credential from an organisation here says how to learn whether it was
// withdrawn: one status entry (alone or as a list of one) in that
// organisation's own list, for revocation. Any other entry cannot be
// checked, and the credential is not valid, saying why.
func TestStatusEntryForms(t *testing.T) {
	t.Parallel()
	s := newTestService(t, Options{})
	s.org(t, "hmp-example", "HMP Example Education")
	s.org(t, "elsewhere", "Elsewhere Training")
	ctx := context.Background()
	var idx int
	if err := s.updateStatus(ctx, "hmp-example", func(a *statuslist.Allocator) error {
		var err error
		idx, err = a.Allocate(rand.Reader)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	own := func(purpose string) map[string]any {
		return statuslist.Entry(s.StatusListURL("hmp-example"), idx, purpose)
	}
	for name, c := range map[string]struct {
		status any    // nil: none
		want   string // "" if valid
	}{
		"one entry":          {own("revocation"), ""},
		"a list of one":      {[]any{own("revocation")}, ""},
		"a list of two":      {[]any{own("revocation"), own("revocation")}, "the credential's status entry is malformed"},
		"a string":           {s.StatusListURL("hmp-example"), "the credential's status entry is malformed"},
		"no index":           {map[string]any{"type": "BitstringStatusListEntry", "statusPurpose": "revocation", "statusListCredential": s.StatusListURL("hmp-example")}, "the credential's status entry is malformed"},
		"for suspension":     {own("suspension"), "the credential's status entry is for suspension, which this service cannot check"},
		"another org's list": {statuslist.Entry(s.StatusListURL("elsewhere"), idx, "revocation"), "the credential's status list is not its issuer's"},
		"none":               {nil, ReasonNoStatus},
	} {
		vc := qualificationVC(s.DID("hmp-example"))
		if c.status != nil {
			vc["credentialStatus"] = c.status
		}
		v := s.Verify(ctx, s.signAs(t, "hmp-example", vc, false))
		rc, ok := check(v, "revocation")
		if c.want == "" {
			if !v.Valid || !ok || !rc.Passed || v.Status != "active" {
				t.Errorf("%s: %+v, want valid", name, v)
			}
			continue
		}
		if v.Valid || !ok || rc.Passed || !strings.HasPrefix(rc.Reason, c.want) || v.Status == "revoked" {
			t.Errorf("%s: valid %v, status %s, revocation %+v; want not valid: %q", name, v.Valid, v.Status, rc, c.want)
		}
		if p, _ := check(v, "proof"); !p.Passed || v.IssuerName != "HMP Example Education" {
			t.Errorf("%s: the proof or the issuer did not check out: %+v", name, v)
		}
	}
	// The bit set in the organisation's own list: withdrawn.
	if err := s.updateStatus(ctx, "hmp-example", func(a *statuslist.Allocator) error { return a.Set(idx, true) }); err != nil {
		t.Fatal(err)
	}
	vc := qualificationVC(s.DID("hmp-example"))
	vc["credentialStatus"] = []any{own("revocation")}
	if v := s.Verify(ctx, s.signAs(t, "hmp-example", vc, false)); v.Valid || v.Status != "revoked" {
		t.Errorf("with its bit set: %+v, want revoked", v)
	}
}

// A credential's issuer is read from an identifier or an object holding
// one; anything else names no issuer, and is not valid.
func TestIssuerGivenInOtherShapes(t *testing.T) {
	t.Parallel()
	s := newTestService(t, Options{})
	s.org(t, "hmp-example", "HMP Example Education")
	ctx := context.Background()
	for name, c := range map[string]struct {
		issuer any
		valid  bool
	}{
		"identifier": {s.DID("hmp-example"), true},
		"object":     {map[string]any{"id": s.DID("hmp-example"), "name": "Forged Name"}, true},
		"a list":     {[]any{s.DID("hmp-example")}, false},
	} {
		v := s.Verify(ctx, s.signAs(t, "hmp-example", qualificationVC(c.issuer), true))
		if v.Valid != c.valid || c.valid && v.IssuerName != "HMP Example Education" {
			t.Errorf("issuer as %s: %+v, want valid %v", name, v, c.valid)
		}
		if !c.valid && v.Issuer != "" {
			t.Errorf("issuer as %s: read as %q", name, v.Issuer)
		}
	}
}
