package consent_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/satchel-project/satchel/consent"
)

// VerifyOwn remembers a grant's signature, never its dates: a grant checked
// once while valid is refused once it has ended, and one checked after it
// began is still refused for a time before it begins.
func TestVerifyOwnChecksDatesEveryTime(t *testing.T) {
	f := newFixture(t, t.TempDir())
	n := newGrant(f.pod)
	start := time.Now().Add(time.Hour)
	n.NotBefore = start
	n.TTL = 24 * time.Hour
	g, err := f.svc.Create(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	during := start.Add(time.Hour)
	if _, err := f.svc.VerifyOwn(g.Credential, during); err != nil {
		t.Fatalf("a grant within its dates: %v", err)
	}
	var ce *consent.CheckError
	if _, err := f.svc.VerifyOwn(g.Credential, g.Expires.Add(time.Second)); !errors.As(err, &ce) || ce.Check != "expiry" {
		t.Errorf("after it ended, the remembered grant gives %v, want an expiry refusal", err)
	}
	if _, err := f.svc.VerifyOwn(g.Credential, g.Expires); !errors.As(err, &ce) || ce.Check != "expiry" {
		t.Errorf("at the moment it ends, the remembered grant gives %v, want an expiry refusal", err)
	}
	if _, err := f.svc.VerifyOwn(g.Credential, start.Add(-time.Minute)); !errors.As(err, &ce) || ce.Check != "not-before" {
		t.Errorf("before it began, the remembered grant gives %v, want a not-before refusal", err)
	}
	if _, err := f.svc.VerifyOwn(g.Credential, during); err != nil {
		t.Errorf("the remembered grant within its dates again: %v", err)
	}
}
