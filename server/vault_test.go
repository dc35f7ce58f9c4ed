package server_test

import (
	"context"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/server"
	"github.com/satchel-project/satchel/vault/transit"
	"github.com/satchel-project/satchel/vault/transittest"
)

// leastPrivilegeToken is a renewable token holding only the policy that
// "satchel keys policy" prints.
func leastPrivilegeToken(t *testing.T, v *transittest.Server) string {
	t.Helper()
	if err := v.SetPolicy("satchel", transit.Policy("", "")); err != nil {
		t.Fatal(err)
	}
	return v.NewToken(transittest.TokenOptions{Policies: []string{"satchel"}, TTL: time.Hour, Renewable: true})
}

// withVaultToken points a server at a Transit emulator with token.
func withVaultToken(v *transittest.Server, token string) func(*server.Config) {
	return func(c *server.Config) {
		c.Keys = strings.Replace(v.URL, "http://", "vault://", 1) + "/transit?tls=false"
		c.Getenv = func(k string) string {
			if k == "VAULT_TOKEN" {
				return token
			}
			return os.Getenv(k)
		}
	}
}

// serving runs the backend's own loop (Serve), so that its health checks
// run every Config.HealthInterval, as in production.
func serving(t *testing.T, s *testServer) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.b.Serve(ctx, ln); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

// healthChecked waits until a health check that began after now has
// finished: the checks run one after another, so when the second lookup
// of the token after now arrives, the first has done its work.
func healthChecked(t *testing.T, v *transittest.Server) {
	t.Helper()
	n := v.Requests("auth/token/lookup-self")
	if !v.WaitRequests("auth/token/lookup-self", n+2, 10*time.Second) {
		t.Fatal("no health check within 10s")
	}
}

func wantKeysDown(t *testing.T, r response) {
	t.Helper()
	expect(t, r, http.StatusServiceUnavailable)
	d, _ := r.problem(t)["detail"].(string)
	if !strings.Contains(d, "keeps") || !strings.Contains(d, "keys") || strings.Contains(d, "Storage is not available") {
		t.Fatalf("503 detail %q does not say key custody is down", d)
	}
}

// The shipped policy serves everything; a token revoked while the server
// runs turns pod requests into 503 (never 500), and /readyz into 503,
// within one health interval, even for pods whose keys were cached.
func TestVaultTokenRevokedWhileServing(t *testing.T) {
	v := transittest.New(t)
	vt := leastPrivilegeToken(t, v)
	s := newTestServer(t, withVaultToken(v, vt), func(c *server.Config) { c.HealthInterval = 20 * time.Millisecond })
	serving(t, s)
	pod, tok := s.leaver("jo")
	url := pod + "identity/card.jsonld"
	expect(t, s.do("PUT", url, tok, strings.NewReader(record), "Content-Type", "application/ld+json"), http.StatusCreated)
	expect(t, s.do("GET", url, tok, nil), http.StatusOK)
	g, r := s.share(tok, `{"recipient":{"name":"Acme Lettings","kind":"landlord"},"purpose":"tenancy-application","items":[{"path":"identity/card.jsonld"}],"expiresIn":"7d"}`)
	expect(t, r, http.StatusCreated)
	expect(t, s.do("GET", s.url+"/readyz", "", nil), http.StatusOK)

	v.RevokeToken(vt)
	healthChecked(t, v)
	wantKeysDown(t, s.do("GET", url, tok, nil))
	rd := s.do("GET", s.url+"/readyz", "", nil)
	expect(t, rd, http.StatusServiceUnavailable)
	if !strings.Contains(string(rd.body), `"keys":"unavailable"`) || !strings.Contains(string(rd.body), `"storage":"ok"`) {
		t.Fatalf("/readyz = %s", rd.body)
	}
	if p := s.do("GET", g.ShareURL, "", nil); p.status == http.StatusInternalServerError {
		t.Fatalf("share page with the token revoked: 500 %s", p.body)
	}
}

// Without a cache or a health check in between, a refused token is still
// 503 with key custody named.
func TestVaultTokenRefusedIsNot500(t *testing.T) {
	v := transittest.New(t)
	vt := leastPrivilegeToken(t, v)
	s := newTestServer(t, withVaultToken(v, vt), func(c *server.Config) { c.KeyCacheTTL = -1 })
	pod, tok := s.leaver("jo")
	url := pod + "identity/card.jsonld"
	expect(t, s.do("PUT", url, tok, strings.NewReader(record), "Content-Type", "application/ld+json"), http.StatusCreated)
	v.RevokeToken(vt)
	wantKeysDown(t, s.do("GET", url, tok, nil))

	// Sealed: the same sentence, not "Storage is not available".
	v2 := transittest.New(t)
	s2 := newTestServer(t, withVault(v2))
	pod2, tok2 := s2.leaver("sam")
	expect(t, s2.do("GET", pod2+"identity/", tok2, nil), http.StatusOK)
	v2.Seal()
	s2.b.CheckReady(context.Background())
	wantKeysDown(t, s2.do("GET", pod2+"identity/", tok2, nil))
}

// An operator rotates the signing keys in Vault while the server runs, and
// retires the grant key's old version (min_decryption_version). Within one
// health interval the server signs with the new versions and publishes
// them; sign-in and a new grant work; an old grant still verifies, and so
// does a token signed by a version not retired.
func TestVaultSigningKeysRotatedWhileServing(t *testing.T) {
	v := transittest.New(t)
	s := newTestServer(t, withVaultToken(v, leastPrivilegeToken(t, v)), func(c *server.Config) { c.HealthInterval = 20 * time.Millisecond })
	serving(t, s)
	pod, _ := leaverWithHistory(t, s)
	oldTok := tokenFor(t, s, "jo", webPassword)
	old, r := s.share(oldTok, currentAddressOnly)
	expect(t, r, http.StatusCreated)

	rotate := func(key string, min int) {
		t.Helper()
		if code, body, err := v.Operator("POST", "transit/keys/"+key+"/rotate", nil); err != nil || code != 200 {
			t.Fatalf("rotate %s: %d %v %v", key, code, body, err)
		}
		if min > 0 {
			if code, body, err := v.Operator("POST", "transit/keys/"+key+"/config", map[string]any{"min_decryption_version": min}); err != nil || code != 200 {
				t.Fatalf("config %s: %d %v %v", key, code, body, err)
			}
		}
	}
	rotate("satchel-signing-tokens", 0)
	rotate("satchel-signing-grants", 2)
	healthChecked(t, v)

	fresh := tokenFor(t, s, "jo", webPassword)
	expect(t, s.do("GET", pod, fresh, nil), http.StatusOK)
	expect(t, s.do("GET", pod, oldTok, nil), http.StatusOK) // version 1 is not retired
	if kid := func(tok string) string {
		m, _ := jws.Parse([]byte(tok))
		return m.Signatures()[0].ProtectedHeaders().KeyID()
	}; kid(fresh) == kid(oldTok) {
		t.Fatal("sign-in after the rotation used the old version")
	}
	g, r := s.share(fresh, currentAddressOnly)
	expect(t, r, http.StatusCreated)

	did, _ := consent.DIDWeb(s.b.Config.BaseURL)
	set, err := jwk.Parse(s.do("GET", s.url+"/.well-known/jwks.json", "", nil).body)
	if err != nil {
		t.Fatal(err)
	}
	didDoc := string(s.do("GET", s.url+"/.well-known/did.json", "", nil).body)
	kids := map[string]bool{}
	for _, c := range []string{old.Credential, g.Credential} {
		vc, err := consent.VerifyCredential(c, set, did, time.Now())
		if err != nil {
			t.Fatalf("verifying with the published keys: %v", err)
		}
		kids[vc.KeyID] = true
		if !strings.Contains(didDoc, vc.KeyID) {
			t.Fatalf("did.json lacks %s", vc.KeyID)
		}
	}
	if len(kids) != 2 {
		t.Fatalf("the new grant was signed with the old key: %v", kids)
	}
	expect(t, s.do("GET", old.ShareURL, "", nil), http.StatusOK)
	expect(t, s.do("GET", g.ShareURL, "", nil), http.StatusOK)

	// Retiring the token key's old version ends the tokens it signed.
	if code, _, _ := v.Operator("POST", "transit/keys/satchel-signing-tokens/config", map[string]any{"min_decryption_version": 2}); code != 200 {
		t.Fatal("config")
	}
	healthChecked(t, v)
	expect(t, s.do("GET", pod, oldTok, nil), http.StatusUnauthorized)
	expect(t, s.do("GET", pod, fresh, nil), http.StatusOK)
}

// Pointed at a standby that lags one write behind, every first use of a
// key works: nothing reads a key straight after making it.
func TestVaultStandbyLagsOneWrite(t *testing.T) {
	v := transittest.New(t)
	v.SetStandby(true)
	s := newTestServer(t, withVaultToken(v, leastPrivilegeToken(t, v)))
	if rd := s.b.CheckReady(context.Background()); !rd.OK() {
		t.Fatalf("readiness against a standby: %+v", rd)
	}
	for _, u := range []string{"jo", "sam", "alex"} {
		pod, tok := s.leaver(u)
		expect(t, s.do("PUT", pod+"identity/card.jsonld", tok, strings.NewReader(record), "Content-Type", "application/ld+json"), http.StatusCreated)
		_, r := s.share(tok, `{"recipient":{"name":"Acme Lettings","kind":"landlord"},"purpose":"tenancy-application","items":[{"path":"identity/card.jsonld"}],"expiresIn":"7d"}`)
		expect(t, r, http.StatusCreated)
	}
}
