package transittest

import (
	"testing"
	"time"
)

// Vault's documented priority: exact beats glob; of globs, the one whose
// first wildcard comes later; a glob loses to a + path with its first
// wildcard at the same place; fewer + segments; longer; then larger.
func TestPolicyPriority(t *testing.T) {
	for _, c := range []struct{ low, high string }{
		{"transit/keys/*", "transit/keys/a"},
		{"transit/keys/satchel-*", "transit/keys/satchel-pod-*"},
		{"transit/*", "transit/keys/+"},
		{"transit/+/a*", "transit/+/a"},
		{"+/+/a", "transit/+/a"},
		{"transit/keys/a*", "transit/keys/ab*"},
	} {
		if !lessSpecific(c.low, c.high) || lessSpecific(c.high, c.low) {
			t.Errorf("%q should be less specific than %q", c.low, c.high)
		}
	}
	for _, c := range []struct {
		pat, path string
		want      bool
	}{
		{"transit/keys/satchel-*", "transit/keys/satchel-pod-1/config", true},
		{"transit/keys/satchel-pod-1", "transit/keys/satchel-pod-1/config", false},
		{"transit/+/satchel-*", "transit/encrypt/satchel-pod-1", true},
		{"+/keys/x", "transit/keys/x", true},
		{"+/keys/x", "kms/transit/keys/x", false},
	} {
		if got := matches(c.pat, c.path); got != c.want {
			t.Errorf("matches(%q, %q) = %v", c.pat, c.path, got)
		}
	}
}

func TestPolicyMostSpecificOnly(t *testing.T) {
	s := New(t)
	if err := s.SetPolicy("p", `
# the broad rule
path "transit/keys/*" { capabilities = ["read", "update"] }
/* a narrower one replaces it for pod keys */
path "transit/keys/pod-*" {
  capabilities = ["delete"]
}
`); err != nil {
		t.Fatal(err)
	}
	tok := s.NewToken(TokenOptions{Policies: []string{"p"}})
	code, body := call(t, s, "POST", "/v1/transit/keys/other", tok, nil)
	if code != 200 {
		t.Fatalf("update under the broad rule = %d %v", code, body)
	}
	code, body = call(t, s, "POST", "/v1/transit/keys/pod-1", tok, nil)
	wantErrors(t, code, body, 403, "1 error occurred:\n\t* permission denied\n\n")
	// An unknown mount: 403 for this token, 404 for a root token.
	code, body = call(t, s, "POST", "/v1/nowhere/keys/x", tok, nil)
	wantErrors(t, code, body, 403, "permission denied")
	code, body = call(t, s, "POST", "/v1/nowhere/keys/x", s.Token, nil)
	wantErrors(t, code, body, 404, "no handler for route")
	if err := s.SetPolicy("bad", `path "x" { allowed_parameters = {} }`); err == nil {
		t.Fatal("a policy with parameter constraints was accepted")
	}
}

func TestTokens(t *testing.T) {
	s := New(t)
	tok := s.NewToken(TokenOptions{TTL: time.Hour, MaxTTL: 90 * time.Minute, Renewable: true})
	code, body := call(t, s, "GET", "/v1/auth/token/lookup-self", tok, nil)
	d, _ := body["data"].(map[string]any)
	if code != 200 || d["ttl"] != 3600.0 || d["creation_ttl"] != 3600.0 || d["renewable"] != true || d["policies"].([]any)[0] != "default" {
		t.Fatalf("lookup-self = %d %v", code, body)
	}
	// The default policy allows nothing in Transit.
	code, body = call(t, s, "POST", "/v1/transit/encrypt/k", tok, map[string]any{"plaintext": ""})
	wantErrors(t, code, body, 403, "permission denied")

	s.Advance(50 * time.Minute)
	code, body = call(t, s, "PUT", "/v1/auth/token/renew-self", tok, map[string]any{"increment": 3600})
	a, _ := body["auth"].(map[string]any)
	if code != 200 || a["lease_duration"] != 2400.0 || a["client_token"] != tok || s.Renewals(tok) != 1 {
		t.Fatalf("renew-self (capped by the max TTL) = %d %v", code, body)
	}
	s.Advance(41 * time.Minute)
	code, body = call(t, s, "GET", "/v1/auth/token/lookup-self", tok, nil)
	wantErrors(t, code, body, 403, "2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n")

	fixed := s.NewToken(TokenOptions{TTL: time.Hour})
	code, body = call(t, s, "POST", "/v1/auth/token/renew-self", fixed, nil)
	wantErrors(t, code, body, 400, "lease is not renewable")
	s.RevokeToken(fixed)
	code, body = call(t, s, "GET", "/v1/auth/token/lookup-self", fixed, nil)
	wantErrors(t, code, body, 403, "invalid token")

	code, body = call(t, s, "GET", "/v1/auth/token/lookup-self", s.Token, nil)
	if d := body["data"].(map[string]any); code != 200 || d["ttl"] != 0.0 || d["expire_time"] != nil {
		t.Fatalf("root lookup-self = %d %v", code, body)
	}
	self := s.NewToken(TokenOptions{})
	if code, _ := call(t, s, "POST", "/v1/auth/token/revoke-self", self, nil); code != 204 {
		t.Fatalf("revoke-self = %d", code)
	}
	code, body = call(t, s, "GET", "/v1/auth/token/lookup-self", self, nil)
	wantErrors(t, code, body, 403, "invalid token")
}

func TestVersionsAndTexts(t *testing.T) {
	s := New(t)
	tok := s.Token
	code, body := call(t, s, "POST", "/v1/transit/keys/sig", tok, map[string]any{"type": "ed25519"})
	if code != 200 || body["warnings"] != nil {
		t.Fatalf("create = %d %v", code, body)
	}
	if code, body = call(t, s, "POST", "/v1/transit/keys/sig", tok, map[string]any{"type": "ed25519"}); code != 200 || body["warnings"] != nil {
		t.Fatalf("create of an existing key = %d %v, want no warning", code, body)
	}
	call(t, s, "POST", "/v1/transit/keys/sig/rotate", tok, nil)
	call(t, s, "POST", "/v1/transit/keys/sig/rotate", tok, nil)
	call(t, s, "POST", "/v1/transit/keys/sig/config", tok, map[string]any{"min_decryption_version": 2})
	_, body = call(t, s, "GET", "/v1/transit/keys/sig", tok, nil)
	d := body["data"].(map[string]any)
	if ks := keysOf(d["keys"].(map[string]any)); len(ks) != 2 || ks[0] != "2" || ks[1] != "3" || d["latest_version"] != 3.0 {
		t.Fatalf("keys under min_decryption_version 2 = %v", d)
	}
	code, body = call(t, s, "POST", "/v1/transit/sign/sig", tok, map[string]any{"input": "aGk=", "key_version": 1})
	wantErrors(t, code, body, 500, "1 error occurred:\n\t* no such key version\n\n")
	code, body = call(t, s, "POST", "/v1/transit/sign/sig", tok, map[string]any{"input": "aGk=", "key_version": 4})
	wantErrors(t, code, body, 500, "requested version for signing is higher than the latest key version")
	if code, _ := call(t, s, "POST", "/v1/transit/sign/sig", tok, map[string]any{"input": "aGk=", "key_version": 2}); code != 200 {
		t.Fatalf("sign with version 2 = %d", code)
	}

	code, body = call(t, s, "LIST", "/v1/transit/keys", tok, nil)
	if code != 200 || len(body["data"].(map[string]any)["keys"].([]any)) != 1 {
		t.Fatalf("LIST transit/keys = %d %v", code, body)
	}
	code, body = call(t, s, "GET", "/v1/transit/keys?list=true", tok, nil)
	if code != 200 {
		t.Fatalf("GET ?list=true = %d %v", code, body)
	}
	code, body = call(t, s, "DELETE", "/v1/transit/keys/sig", tok, nil)
	wantErrors(t, code, body, 400, "error deleting policy sig: deletion is not allowed for this key")
	code, body = call(t, s, "DELETE", "/v1/transit/keys/none", tok, nil)
	wantErrors(t, code, body, 400, "error deleting policy none: could not delete key; not found")
}

func TestStandbyLagsOneWrite(t *testing.T) {
	s := New(t)
	s.SetStandby(true)
	tok := s.Token
	if code, _ := call(t, s, "POST", "/v1/transit/keys/k", tok, nil); code != 200 {
		t.Fatal("create on a standby")
	}
	code, _ := call(t, s, "GET", "/v1/transit/keys/k", tok, nil)
	if code != 404 {
		t.Fatalf("the first read after a write = %d, want 404 (not caught up)", code)
	}
	if code, _ := call(t, s, "GET", "/v1/transit/keys/k", tok, nil); code != 200 {
		t.Fatalf("the next read = %d, want 200", code)
	}
	// A write to encrypt/k of a key the standby has not seen needs create.
	if err := s.SetPolicy("u", `path "transit/*" { capabilities = ["update"] }`); err != nil {
		t.Fatal(err)
	}
	u := s.NewToken(TokenOptions{Policies: []string{"u"}})
	call(t, s, "POST", "/v1/transit/keys/k2", tok, nil)
	code, body := call(t, s, "POST", "/v1/transit/encrypt/k2", u, map[string]any{"plaintext": "aGk="})
	wantErrors(t, code, body, 403, "permission denied")
	if code, _ := call(t, s, "POST", "/v1/transit/encrypt/k2", u, map[string]any{"plaintext": "aGk="}); code != 200 {
		t.Fatalf("encrypt once caught up = %d", code)
	}
	if !s.WaitRequests("transit/encrypt/k2", 2, time.Second) || s.WaitRequests("transit/encrypt/k2", 3, 10*time.Millisecond) {
		t.Fatal("WaitRequests")
	}
}
