package verifier_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/pod/podtest"
	"github.com/satchel-project/satchel/verifier"
)

// A grant this service signed is checked for what it names: every item in
// the one pod it is about, none reaching out of it with "..", at least one
// item; its status in this service's own list, not another's. Each grant
// here is signed with the service's own key, as a grant made by a fault
// (or a stolen key) would be: the signature checks out, the scope does not.
func TestSignedGrantScope(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pods, cust := podtest.New(t)
	signer, _ := cust.Signer(ctx, "grants")
	svc, err := consent.Open(ctx, pods, signer, "https://satchel.example.org")
	if err != nil {
		t.Fatal(err)
	}
	id, _ := pods.CreatePod(ctx)
	g, err := svc.Create(ctx, consent.NewGrant{Pod: id, SharedBy: "Jo", Recipient: consent.Recipient{Name: "Acme", Kind: consent.Landlord},
		Purpose: "tenancy-application", Items: []consent.Item{{Path: "documents/"}}})
	if err != nil {
		t.Fatal(err)
	}
	v := verifier.New(svc, pods, nil)
	parts := strings.Split(g.Credential, ".")
	hdrJSON, _ := base64.RawURLEncoding.DecodeString(parts[0])
	var hdr map[string]string
	json.Unmarshal(hdrJSON, &hdr)
	// resign is the grant with change made to its content, signed again.
	resign := func(change func(vc, subj map[string]any)) string {
		payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
		var vc map[string]any
		json.Unmarshal(payload, &vc)
		change(vc, vc["credentialSubject"].(map[string]any))
		b, _ := json.Marshal(vc)
		h := jws.NewHeaders()
		for k, val := range hdr {
			h.Set(k, val)
		}
		out, err := jws.Sign(b, jws.WithKey(jwa.EdDSA, signer, jws.WithProtectedHeaders(h)))
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	podURL := svc.PodURL(id)
	items := func(urls ...any) func(vc, subj map[string]any) {
		return func(vc, subj map[string]any) { subj["providedConsent"].(map[string]any)["forPersonalData"] = urls }
	}
	for name, c := range map[string]struct {
		change  func(vc, subj map[string]any)
		check   string
		reason  string
		status  string
		isValid bool
	}{
		"as signed":   {func(vc, subj map[string]any) {}, "scope", "read-only, 1 item(s) of one pod", "active", true},
		"two items":   {items(podURL+"documents/a.pdf", podURL+"housing/"), "scope", "read-only, 2 item(s) of one pod", "active", true},
		"another pod": {items(podURL+"documents/a.pdf", "https://satchel.example.org/pods/someoneelse/documents/"), "scope", "outside the pod", "active", false},
		"out with ..": {items(podURL + "documents/../../someoneelse/"), "scope", "outside the pod", "active", false},
		"no items":    {items(), "scope", "does not say what it shares", "active", false},
		"no pod":      {func(vc, subj map[string]any) { delete(subj, "id") }, "scope", "does not say what it shares", "active", false},
		"another list": {func(vc, subj map[string]any) {
			vc["credentialStatus"].(map[string]any)["statusListCredential"] = "https://evil.example/status"
		}, "revocation", "not this service's", "revoked", false},
		"no status entry":    {func(vc, subj map[string]any) { delete(vc, "credentialStatus") }, "format", "no revocation status entry", "invalid", false},
		"not yet valid":      {func(vc, subj map[string]any) { vc["validFrom"] = time.Now().Add(time.Hour).UTC().Format(time.RFC3339) }, "not-before", "cannot be used yet", "scheduled", false},
		"not a grant at all": {func(vc, subj map[string]any) { vc["type"] = []any{"VerifiableCredential"} }, "type", "not a Satchel access grant", "invalid", false},
	} {
		r := v.VerifyCredential(ctx, resign(c.change))
		got := check(r, c.check)
		if r.Valid != c.isValid || r.Status != c.status || got.Passed != c.isValid || !strings.Contains(got.Reason, c.reason) {
			t.Errorf("%s: valid %v, status %s, %s check %+v; want valid %v, %s, %q", name, r.Valid, r.Status, c.check, got, c.isValid, c.status, c.reason)
		}
		if !c.isValid && c.status != "invalid" {
			if s := check(r, "signature"); !s.Passed {
				t.Errorf("%s: the signature did not check out: %+v", name, r.Checks)
			}
		}
	}
}

// VerifyGrant answers for a grant as the VC-API's verifiers do: valid, with
// this service as its known issuer, while the grant works; a grant whose
// signature does not match is neither valid nor this service's.
func TestVerifyGrantAsTheVCAPIDoes(t *testing.T) {
	t.Parallel()
	v, _, g := setup(t)
	ctx := context.Background()
	out := v.VerifyGrant(ctx, g.Credential)
	if !out.Valid || out.Status != "active" || !out.IssuerKnown || out.Issuer != v.Consent.DID() || len(out.Checks) == 0 {
		t.Errorf("a working grant: %+v", out)
	}
	altered := g.Credential[:len(g.Credential)-4] + "AAAA"
	if strings.HasSuffix(g.Credential, "AAAA") {
		altered = g.Credential[:len(g.Credential)-4] + "BBBB"
	}
	out = v.VerifyGrant(ctx, altered)
	if out.Valid || out.IssuerKnown || out.Status != "invalid" {
		t.Errorf("an altered grant: %+v", out)
	}
	if err := v.Consent.Revoke(ctx, g.Pod, g.ID); err != nil {
		t.Fatal(err)
	}
	out = v.VerifyGrant(ctx, g.Credential)
	if out.Valid || !out.IssuerKnown || out.Status != "revoked" {
		t.Errorf("a withdrawn grant: %+v", out)
	}
}

// A withdrawn share is "revoked" whether it is checked by its link or by
// its signed grant alone; by its link, the link check still passes and the
// withdrawal is one failed check, not two. One that has also expired is
// "expired".
func TestWithdrawnShareStatus(t *testing.T) {
	t.Parallel()
	v, _, g := setup(t)
	ctx := context.Background()
	if err := v.Consent.Revoke(ctx, g.Pod, g.ID); err != nil {
		t.Fatal(err)
	}
	if r := v.VerifyCredential(ctx, g.Credential); r.Valid || r.Status != "revoked" {
		t.Errorf("the withdrawn grant alone: %+v", r)
	}
	r, _, _, err := v.VerifyToken(ctx, g.Token)
	if err != nil || r.Valid || r.Status != "revoked" {
		t.Fatalf("the withdrawn link: %+v %v", r, err)
	}
	revocations := 0
	for _, c := range r.Checks {
		if c.Check == "revocation" {
			revocations++
			if c.Passed || c.Reason != string(consent.Revoked) {
				t.Errorf("revocation check %+v", c)
			}
		}
	}
	if l := check(r, "link"); revocations != 1 || !l.Passed {
		t.Errorf("checks of the withdrawn link: %+v", r.Checks)
	}
	verifier.SetClock(v, func() time.Time { return g.Expires.Add(time.Second) })
	if r := v.VerifyCredential(ctx, g.Credential); r.Valid || r.Status != "expired" {
		t.Errorf("withdrawn and expired: %+v", r)
	}
}
