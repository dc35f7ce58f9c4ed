package issuer

import (
	"context"
	"crypto/ed25519"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/pod/fsstore"
	"github.com/satchel-project/satchel/vault/transit"
	"github.com/satchel-project/satchel/vault/transittest"
)

const hmp = "HMP Example - Education Department"

// A credential signed with any did:key is never an organisation's, whatever
// its issuer.name says: the registry names issuers, not the credential.
func TestForgedIssuerNameIsNotTrusted(t *testing.T) {
	s := newTestService(t, Options{})
	s.org(t, "hmp-example-education", hmp)
	v := s.Verify(context.Background(), didKeySigned(t, hmp))
	if v.IssuerKnown || v.IssuerName != "" || !v.Unknown() {
		t.Errorf("a did:key credential is trusted: %+v", v)
	}
	mustFail(t, v, "issuer-known", ReasonUnknownIssuer)
	if c, _ := check(v, "proof"); !c.Passed {
		t.Errorf("the did:key signature itself should check: %+v", v.Checks)
	}
}

// A credential that gives a registered organisation's identifier but was
// signed with another key names nobody.
func TestOrganisationsIdentifierWithAnotherKey(t *testing.T) {
	s := newTestService(t, Options{})
	s.org(t, "hmp-example-education", hmp)
	_, priv, _ := ed25519.GenerateKey(nil)
	vc := qualificationVC(map[string]any{"id": s.DID("hmp-example-education"), "name": hmp})
	v := s.Verify(context.Background(), signWithKey(t, vc, priv, s.DID("hmp-example-education")+"#not-its-key"))
	if v.Valid || v.IssuerKnown || v.IssuerName != "" {
		t.Fatalf("signed with someone else's key: %+v", v)
	}
	mustFail(t, v, "issuer-known", ReasonUnknownIssuer)
}

// The name shown for a registered organisation is its registered name,
// even if the credential it signed says another.
func TestRegisteredNameIsShownNotTheCredentials(t *testing.T) {
	s := newTestService(t, Options{})
	s.org(t, "hmp-example-education", hmp)
	s.org(t, "acme-training", "Acme Training")
	vc := s.signAs(t, "acme-training", qualificationVC(map[string]any{"id": s.DID("acme-training"), "name": hmp}), true)
	v := s.Verify(context.Background(), vc)
	if !v.Valid || !v.IssuerKnown || v.IssuerName != "Acme Training" {
		t.Fatalf("verification %+v, want valid from Acme Training", v)
	}
}

// A registered organisation's credential with no status entry cannot be
// withdrawn: it is flagged, not passed.
func TestNoStatusEntryIsFlagged(t *testing.T) {
	s := newTestService(t, Options{})
	s.org(t, "hmp-example-education", hmp)
	vc := s.signAs(t, "hmp-example-education", qualificationVC(s.DID("hmp-example-education")), false)
	v := s.Verify(context.Background(), vc)
	mustFail(t, v, "revocation", ReasonNoStatus)
	if !v.IssuerKnown || v.Status == "revoked" {
		t.Errorf("%+v", v)
	}
}

// Verifying a credential that names an organisation nobody registered
// makes no key and no object: nothing a stranger sends creates anything.
func TestVerifyingUnknownOrganisationCreatesNothing(t *testing.T) {
	s := newTestService(t, Options{})
	ctx := context.Background()
	before := s.files(t)
	ghost := s.DID("ghost")
	_, priv, _ := ed25519.GenerateKey(nil)
	v := s.Verify(ctx, signWithKey(t, qualificationVC(map[string]any{"id": ghost, "name": hmp}), priv, ghost+"#k"))
	if v.Valid || v.IssuerKnown {
		t.Fatalf("%+v", v)
	}
	mustFail(t, v, "proof", "no issuer called ghost")
	for _, read := range []func() error{
		func() error { _, _, err := s.PublicKey(ctx, "ghost"); return err },
		func() error { _, err := s.VerificationMethod(ctx, "ghost"); return err },
		func() error { _, err := s.StatusList(ctx, "ghost"); return err },
		func() error { _, err := s.Org(ctx, "ghost"); return err },
	} {
		if err := read(); !errors.Is(err, ErrNoOrg) {
			t.Errorf("reading an unknown organisation: %v, want ErrNoOrg", err)
		}
	}
	if after := s.files(t); !slices.Equal(before, after) {
		t.Fatalf("reading created files:\nbefore %v\nafter  %v", before, after)
	}
}

// The same with Vault Transit: no Transit key is made for "ghost".
func TestVerifyingUnknownOrganisationMakesNoTransitKey(t *testing.T) {
	srv := transittest.New(t)
	tr, err := transit.New(transit.Config{Address: srv.URL, Token: srv.Token, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	st, err := fsstore.Open(filepath.Join(t.TempDir(), "objects"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s, err := Open(ctx, pod.NewService(st, pod.NewKeyring(st, tr, time.Minute)), tr, base, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateOrg(ctx, "hmp-example-education", hmp); err != nil {
		t.Fatal(err)
	}
	if !srv.HasKey("transit", "satchel-signing-issuer-hmp-example-education") {
		t.Fatal("creating an organisation made no Transit key: the test cannot see keys")
	}
	ghost := s.DID("ghost")
	_, priv, _ := ed25519.GenerateKey(nil)
	s.Verify(ctx, signWithKey(t, qualificationVC(ghost), priv, ghost+"#k"))
	s.StatusList(ctx, "ghost")
	if srv.HasKey("transit", "satchel-signing-issuer-ghost") {
		t.Fatal("verifying a credential made a Transit key for an unknown organisation")
	}
}

// Staff sign only as their own organisation: a credential naming another
// (by identifier or by name) is refused, and what is signed carries the
// registered identifier and name.
func TestIssueCredentialOnlyAsOwnOrganisation(t *testing.T) {
	s := newTestService(t, Options{})
	s.org(t, "hmp-example-education", hmp)
	s.org(t, "acme-training", "Acme Training")
	ctx := context.Background()
	for _, iss := range []any{
		s.DID("hmp-example-education"),
		map[string]any{"id": s.DID("hmp-example-education")},
		map[string]any{"id": s.DID("acme-training"), "name": hmp},
		map[string]any{"name": hmp},
		"did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
	} {
		_, _, err := s.IssueCredential(ctx, "acme-training", qualificationVC(iss))
		var other *OtherIssuerError
		if !errors.As(err, &other) {
			t.Errorf("issuer %v: %v, want refused as another issuer", iss, err)
		}
	}
	vc := qualificationVC(nil)
	delete(vc, "issuer")
	signed, rec, err := s.IssueCredential(ctx, "acme-training", vc)
	if err != nil {
		t.Fatal(err)
	}
	iss, _ := signed["issuer"].(map[string]any)
	if iss["id"] != s.DID("acme-training") || iss["name"] != "Acme Training" {
		t.Fatalf("signed issuer %v", signed["issuer"])
	}
	if v := s.Verify(ctx, signed); !v.Valid || v.IssuerName != "Acme Training" {
		t.Fatalf("%+v", v)
	}
	if err := s.Revoke(ctx, "acme-training", rec.ID); err != nil {
		t.Fatal(err)
	}
	if v := s.Verify(ctx, signed); v.Valid || v.Status != "revoked" {
		t.Fatalf("after withdrawal: %+v", v)
	}
	bad := qualificationVC(s.DID("acme-training"))
	bad["validFrom"] = "2026-01-01"
	var inv *InvalidError
	if _, _, err := s.IssueCredential(ctx, "acme-training", bad); !errors.As(err, &inv) || !strings.Contains(err.Error(), "validFrom") {
		t.Fatalf("a date without a time: %v", err)
	}
}
