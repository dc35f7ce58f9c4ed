package issuer

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/satchel-project/satchel/consent/statuslist"
	"github.com/satchel-project/satchel/credentials/dataintegrity"
	"github.com/satchel-project/satchel/pod/podtest"
	"github.com/satchel-project/satchel/schemas"
)

const base = "https://satchel.example.org"

// testService is a Service over a fresh data directory (objects/ and
// keys/), as a server opens it by default, at a fixed clock.
type testService struct {
	*Service
	dir string
	at  time.Time
}

func newTestService(t *testing.T, opt Options) *testService {
	t.Helper()
	dir := t.TempDir()
	pods, cust := podtest.Open(t, dir, time.Minute)
	s, err := Open(context.Background(), pods, cust, base, opt)
	if err != nil {
		t.Fatal(err)
	}
	ts := &testService{Service: s, dir: dir, at: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	s.now = func() time.Time { return ts.at }
	return ts
}

// org registers an organisation.
func (s *testService) org(t *testing.T, slug, name string) {
	t.Helper()
	if _, err := s.CreateOrg(context.Background(), slug, name); err != nil {
		t.Fatal(err)
	}
}

// files lists every file under the data directory: objects and keys.
func (s *testService) files(t *testing.T) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(s.dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, strings.TrimPrefix(p, s.dir))
		}
		return err
	})
	return out
}

// qualificationVC is an unsigned qualification credential from issuer
// (an identifier, or an object with id and name).
func qualificationVC(issuer any) map[string]any {
	return map[string]any{
		"@context":          []any{"https://www.w3.org/ns/credentials/v2", schemas.ContextURL},
		"type":              []any{"VerifiableCredential", "QualificationCredential"},
		"issuer":            issuer,
		"validFrom":         "2026-01-01T00:00:00Z",
		"credentialSubject": map[string]any{"type": "Qualification", "title": "Functional Skills English", "level": "Level 1"},
	}
}

// signAs signs vc as registered organisation org, bypassing every check
// IssueCredential makes, with an entry in org's status list if withStatus.
func (s *testService) signAs(t *testing.T, org string, vc map[string]any, withStatus bool) map[string]any {
	t.Helper()
	ctx := context.Background()
	if withStatus {
		var idx int
		if err := s.updateStatus(ctx, org, func(a *statuslist.Allocator) error {
			var err error
			idx, err = a.Allocate(rand.Reader)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		vc["credentialStatus"] = statuslist.Entry(s.StatusListURL(org), idx, "revocation")
	}
	sg, err := s.signer(ctx, org)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := dataintegrity.Sign(vc, sg, s.DID(org)+"#"+sg.KeyID(), s.at, "assertionMethod", dataintegrity.Options{Loader: schemas.DefaultLoader})
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

// signWithKey signs vc with priv as verification method vm.
func signWithKey(t *testing.T, vc map[string]any, priv ed25519.PrivateKey, vm string) map[string]any {
	t.Helper()
	signed, err := dataintegrity.Sign(vc, priv, vm, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "assertionMethod", dataintegrity.Options{Loader: schemas.DefaultLoader})
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

// didKeySigned is vc signed with a fresh did:key, made its issuer.
func didKeySigned(t *testing.T, name string) map[string]any {
	t.Helper()
	pub, priv, _ := ed25519.GenerateKey(nil)
	did := dataintegrity.DIDKey(pub)
	return signWithKey(t, qualificationVC(map[string]any{"id": did, "name": name}), priv, did+"#"+strings.TrimPrefix(did, "did:key:"))
}

func check(v Verification, name string) (Check, bool) {
	for _, c := range v.Checks {
		if c.Check == name {
			return c, true
		}
	}
	return Check{}, false
}

// mustFail asserts v is not valid because check name failed with a reason
// containing why.
func mustFail(t *testing.T, v Verification, name, why string) {
	t.Helper()
	c, ok := check(v, name)
	if v.Valid || !ok || c.Passed || !strings.Contains(c.Reason, why) {
		t.Fatalf("want check %s failing with %q; got valid=%v %+v", name, why, v.Valid, v.Checks)
	}
}
