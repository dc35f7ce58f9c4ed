package verifier_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/pod/podtest"
	"github.com/satchel-project/satchel/state"
	"github.com/satchel-project/satchel/verifier"
)

func setup(t *testing.T) (*verifier.Verifier, *pod.Service, consent.Grant) {
	t.Helper()
	pods, cust := podtest.New(t)
	signer, _ := cust.Signer(context.Background(), "grants")
	svc, err := consent.Open(context.Background(), pods, signer, "https://satchel.example.org")
	if err != nil {
		t.Fatal(err)
	}
	id, _ := pods.CreatePod(context.Background())
	doc := []byte("%PDF-1.4\n")
	pods.Put(context.Background(), id, "documents/a.pdf", "application/pdf", int64(len(doc)), bytes.NewReader(doc), pod.Preconditions{})
	g, err := svc.Create(context.Background(), consent.NewGrant{
		Pod: id, SharedBy: "Jo", Recipient: consent.Recipient{Name: "Acme", Kind: consent.Landlord},
		Purpose: "tenancy-application", Items: []consent.Item{{Path: "documents/a.pdf"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return verifier.New(svc, pods, nil), pods, g
}

func check(r verifier.Result, name string) verifier.Check {
	for _, c := range r.Checks {
		if c.Check == name {
			return c
		}
	}
	return verifier.Check{}
}

// TestStatusListUnreadableFailsClosed: when the status list cannot be
// read, the grant is not valid, and the reason says why.
func TestStatusListUnreadableFailsClosed(t *testing.T) {
	t.Parallel()
	v, pods, g := setup(t)
	ctx := context.Background()
	if r := v.VerifyCredential(ctx, g.Credential); !r.Valid {
		t.Fatalf("fresh grant: %+v", r)
	}
	db, err := state.Open(ctx, pods.Store(), pods.Keyring(), "consent")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteIf(ctx, "status/revocation.bin", state.Cond{}); err != nil {
		t.Fatal(err)
	}
	r := v.VerifyCredential(ctx, g.Credential)
	c := check(r, "revocation")
	if r.Valid || c.Passed || !strings.Contains(c.Reason, "could not be read") {
		t.Fatalf("with the status list gone: %+v", r)
	}
}

func TestVerifyTokenReportsEachCheck(t *testing.T) {
	t.Parallel()
	v, _, g := setup(t)
	r, _, _, err := v.VerifyToken(context.Background(), g.Token)
	if err != nil || !r.Valid || r.Grant.Recipient.Name != "Acme" || r.Grant.SharedBy != "Jo" {
		t.Fatalf("VerifyToken = %+v, %v", r, err)
	}
	if c := check(r, "scope"); !c.Passed || !strings.Contains(c.Reason, "read-only") {
		t.Fatalf("scope: %+v", c)
	}
	flip := "A"
	if strings.HasSuffix(g.Token, "A") {
		flip = "B"
	}
	r, _, _, _ = v.VerifyToken(context.Background(), g.Token[:21]+flip)
	if r.Valid || r.Status != "unknown" {
		t.Fatalf("altered token: %+v", r)
	}
}
