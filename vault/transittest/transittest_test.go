package transittest

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// call sends a request the way curl does in Vault's API documentation and
// returns the status and the decoded JSON body (nil for an empty body).
func call(t *testing.T, s *Server, method, path, token string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("X-Vault-Token", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if len(raw) == 0 {
		return resp.StatusCode, nil
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("%s %s: Content-Type %q", method, path, ct)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s %s: body %q is not JSON: %v", method, path, raw, err)
	}
	return resp.StatusCode, out
}

func keysOf(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func wantErrors(t *testing.T, code int, body map[string]any, wantCode int, want string) {
	t.Helper()
	errs, _ := body["errors"].([]any)
	if code != wantCode || len(errs) != 1 || !strings.Contains(errs[0].(string), want) {
		t.Fatalf("got %d %v, want %d {\"errors\":[%q]}", code, body, wantCode, want)
	}
}

// TestDocumentedShapes holds the emulator to the request and response
// shapes in Vault's API documentation (api-docs/system/health and
// api-docs/secret/transit).
func TestDocumentedShapes(t *testing.T) {
	s := New(t)
	tok := s.Token

	// GET /sys/health: 200 and the documented fields; no token needed.
	code, h := call(t, s, "GET", "/v1/sys/health", "", nil)
	for _, k := range []string{"initialized", "sealed", "standby", "performance_standby",
		"replication_performance_mode", "replication_dr_mode", "server_time_utc", "version",
		"cluster_name", "cluster_id"} {
		if _, ok := h[k]; !ok {
			t.Errorf("sys/health lacks %q: %v", k, h)
		}
	}
	if code != 200 || h["initialized"] != true || h["sealed"] != false || h["standby"] != false {
		t.Fatalf("sys/health = %d %v", code, h)
	}

	// The envelope of a logical response.
	code, created := call(t, s, "POST", "/v1/transit/keys/my-key", tok, map[string]any{})
	if code != 200 {
		t.Fatalf("create key = %d %v", code, created)
	}
	code, read := call(t, s, "GET", "/v1/transit/keys/my-key", tok, nil)
	if code != 200 {
		t.Fatalf("read key = %d", code)
	}
	env := []string{"auth", "data", "lease_duration", "lease_id", "mount_type", "renewable", "request_id", "warnings", "wrap_info"}
	if got := keysOf(read); !reflect.DeepEqual(got, env) {
		t.Errorf("envelope keys = %v, want %v", got, env)
	}
	if read["lease_id"] != "" || read["renewable"] != false || read["lease_duration"] != 0.0 || read["auth"] != nil {
		t.Errorf("envelope = %v", read)
	}

	// Read Key, as in the documentation's sample response.
	d := read["data"].(map[string]any)
	wantData := map[string]any{
		"type": "aes256-gcm96", "deletion_allowed": false, "derived": false, "exportable": false,
		"allow_plaintext_backup": false, "min_decryption_version": 1.0, "min_encryption_version": 0.0,
		"name": "my-key", "supports_encryption": true, "supports_decryption": true,
		"supports_derivation": true, "supports_signing": false, "latest_version": 1.0,
	}
	for k, v := range wantData {
		if d[k] != v {
			t.Errorf("data.%s = %#v, want %#v", k, d[k], v)
		}
	}
	ks := d["keys"].(map[string]any)
	if created, ok := ks["1"].(float64); len(ks) != 1 || !ok || time.Since(time.Unix(int64(created), 0)) > time.Minute {
		t.Errorf("data.keys = %v, want {\"1\": <unix seconds>}", ks)
	}

	// A key that does not exist: 404 with an empty error list.
	code, body := call(t, s, "GET", "/v1/transit/keys/nope", tok, nil)
	if errs, ok := body["errors"].([]any); code != 404 || !ok || len(errs) != 0 {
		t.Errorf("read missing key = %d %v, want 404 {\"errors\":[]}", code, body)
	}

	// Encrypt and decrypt with the documentation's sample plaintext.
	const pt = "dGhlIHF1aWNrIGJyb3duIGZveAo="
	code, enc := call(t, s, "POST", "/v1/transit/encrypt/my-key", tok, map[string]any{"plaintext": pt})
	ct, _ := enc["data"].(map[string]any)["ciphertext"].(string)
	if code != 200 || !strings.HasPrefix(ct, "vault:v1:") || enc["data"].(map[string]any)["key_version"] != 1.0 {
		t.Fatalf("encrypt = %d %v", code, enc)
	}
	code, dec := call(t, s, "PUT", "/v1/transit/decrypt/my-key", tok, map[string]any{"ciphertext": ct})
	if code != 200 || !reflect.DeepEqual(dec["data"], map[string]any{"plaintext": pt}) {
		t.Fatalf("decrypt = %d %v", code, dec)
	}

	// Delete Key needs deletion_allowed; success is 204 with no body.
	code, body = call(t, s, "DELETE", "/v1/transit/keys/my-key", tok, nil)
	wantErrors(t, code, body, 400, "error deleting policy my-key: deletion is not allowed for this key")
	code, _ = call(t, s, "POST", "/v1/transit/keys/my-key/config", tok, map[string]any{"deletion_allowed": true})
	if code != 200 {
		t.Fatalf("config = %d", code)
	}
	if code, body = call(t, s, "DELETE", "/v1/transit/keys/my-key", tok, nil); code != 204 || body != nil {
		t.Fatalf("delete = %d %v, want 204 and no body", code, body)
	}
	code, body = call(t, s, "POST", "/v1/transit/decrypt/my-key", tok, map[string]any{"ciphertext": ct})
	wantErrors(t, code, body, 400, "encryption key not found")
}

func TestAuthAndSeal(t *testing.T) {
	s := New(t)
	code, body := call(t, s, "POST", "/v1/transit/encrypt/k", "", map[string]any{"plaintext": ""})
	wantErrors(t, code, body, 403, "permission denied")
	code, body = call(t, s, "POST", "/v1/transit/encrypt/k", "hvs.wrong", map[string]any{"plaintext": ""})
	wantErrors(t, code, body, 403, "permission denied")

	s.Seal()
	code, body = call(t, s, "POST", "/v1/transit/encrypt/k", s.Token, map[string]any{"plaintext": ""})
	wantErrors(t, code, body, 503, "Vault is sealed")
	code, h := call(t, s, "GET", "/v1/sys/health", "", nil)
	if code != 503 || h["sealed"] != true || h["initialized"] != true {
		t.Fatalf("sealed health = %d %v", code, h)
	}
	// The documented status-code overrides.
	if code, _ := call(t, s, "GET", "/v1/sys/health?sealedcode=299", "", nil); code != 299 {
		t.Fatalf("sealedcode=299 gave %d", code)
	}
	s.Unseal()
	if code, _ := call(t, s, "GET", "/v1/sys/health?activecode=204", "", nil); code != 204 {
		t.Fatalf("activecode=204 gave %d", code)
	}
	if n := s.Requests("transit/encrypt/k"); n != 3 {
		t.Fatalf("Requests = %d, want 3", n)
	}
	if n := s.Requests("/v1/sys/health"); n != 3 {
		t.Fatalf("Requests(health) = %d, want 3", n)
	}
	if s.HasKey("transit", "k") {
		t.Fatal("a refused request made a key")
	}
}

func TestDecryptErrors(t *testing.T) {
	s := New(t)
	tok := s.Token
	_, enc := call(t, s, "POST", "/v1/transit/encrypt/k", tok, map[string]any{"plaintext": "aGk="})
	ct := enc["data"].(map[string]any)["ciphertext"].(string)

	raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(ct, "vault:v1:"))
	raw[len(raw)-1] ^= 1
	tampered := "vault:v1:" + base64.StdEncoding.EncodeToString(raw)
	for _, c := range []struct{ ct, want string }{
		{tampered, "cipher: message authentication failed"},
		{strings.TrimPrefix(ct, "vault:v1:"), "invalid ciphertext: no prefix"},
		{"vault:v1", "invalid ciphertext: wrong number of fields"},
		{"vault:vX:AAAA", "invalid ciphertext: version number could not be decoded"},
		{"vault:v9:AAAA", "invalid ciphertext: version is too new"},
		{"vault:v1:!!!", "invalid ciphertext: could not decode base64"},
		{"", "missing ciphertext to decrypt"},
	} {
		code, body := call(t, s, "POST", "/v1/transit/decrypt/k", tok, map[string]any{"ciphertext": c.ct})
		wantErrors(t, code, body, 400, c.want)
	}

	// Rotate, rewrap, then retire version 1.
	if code, _ := call(t, s, "POST", "/v1/transit/keys/k/rotate", tok, nil); code != 200 {
		t.Fatalf("rotate = %d", code)
	}
	_, rw := call(t, s, "POST", "/v1/transit/rewrap/k", tok, map[string]any{"ciphertext": ct})
	ct2 := rw["data"].(map[string]any)["ciphertext"].(string)
	if !strings.HasPrefix(ct2, "vault:v2:") {
		t.Fatalf("rewrap = %v", rw)
	}
	code, body := call(t, s, "POST", "/v1/transit/keys/k/config", tok, map[string]any{"min_decryption_version": 3})
	wantErrors(t, code, body, 400, "cannot set min decryption version of 3, latest key version is 2")
	call(t, s, "POST", "/v1/transit/keys/k/config", tok, map[string]any{"min_decryption_version": 2})
	code, body = call(t, s, "POST", "/v1/transit/decrypt/k", tok, map[string]any{"ciphertext": ct})
	wantErrors(t, code, body, 400, "ciphertext or signature version is disallowed by policy (too old)")
	_, dec := call(t, s, "POST", "/v1/transit/decrypt/k", tok, map[string]any{"ciphertext": ct2})
	if dec["data"].(map[string]any)["plaintext"] != "aGk=" {
		t.Fatalf("decrypt of rewrapped = %v", dec)
	}
}

func TestSignVerify(t *testing.T) {
	s := New(t)
	tok := s.Token
	code, _ := call(t, s, "POST", "/v1/transit/keys/sig", tok, map[string]any{"type": "ed25519"})
	if code != 200 {
		t.Fatalf("create ed25519 = %d", code)
	}
	_, read := call(t, s, "GET", "/v1/transit/keys/sig", tok, nil)
	d := read["data"].(map[string]any)
	v1, _ := d["keys"].(map[string]any)["1"].(map[string]any)
	if d["type"] != "ed25519" || d["supports_signing"] != true || d["supports_encryption"] != false || v1["name"] != "ed25519" {
		t.Fatalf("ed25519 key = %v", d)
	}
	if _, err := time.Parse(time.RFC3339Nano, v1["creation_time"].(string)); err != nil {
		t.Fatalf("creation_time: %v", err)
	}
	pub, err := base64.StdEncoding.DecodeString(v1["public_key"].(string))
	if err != nil || len(pub) != ed25519.PublicKeySize {
		t.Fatalf("public_key = %v", v1["public_key"])
	}

	const input = "adba32=="
	msg, _ := base64.StdEncoding.DecodeString(input)
	_, sg := call(t, s, "POST", "/v1/transit/sign/sig", tok, map[string]any{"input": input})
	sd := sg["data"].(map[string]any)
	sig := sd["signature"].(string)
	raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(sig, "vault:v1:"))
	if !strings.HasPrefix(sig, "vault:v1:") || sd["key_version"] != 1.0 || !ed25519.Verify(pub, msg, raw) {
		t.Fatalf("sign = %v", sg)
	}
	for _, c := range []struct {
		input string
		valid bool
	}{{input, true}, {"aGVsbG8=", false}} {
		_, vr := call(t, s, "POST", "/v1/transit/verify/sig", tok, map[string]any{"input": c.input, "signature": sig})
		if !reflect.DeepEqual(vr["data"], map[string]any{"valid": c.valid}) {
			t.Fatalf("verify(%s) = %v", c.input, vr)
		}
	}
	// Keys that cannot sign, and keys that do not exist.
	call(t, s, "POST", "/v1/transit/keys/aes", tok, nil)
	code, body := call(t, s, "POST", "/v1/transit/sign/aes", tok, map[string]any{"input": input})
	wantErrors(t, code, body, 400, "key type aes256-gcm96 does not support signing")
	code, body = call(t, s, "POST", "/v1/transit/sign/none", tok, map[string]any{"input": input})
	wantErrors(t, code, body, 400, "signing key not found")
	code, body = call(t, s, "POST", "/v1/transit/encrypt/sig", tok, map[string]any{"plaintext": input})
	wantErrors(t, code, body, 400, "message encryption not supported for key type ed25519")
}

func TestRoutes(t *testing.T) {
	s := New(t)
	tok := s.Token
	code, body := call(t, s, "GET", "/v1/secret/data/x", tok, nil)
	wantErrors(t, code, body, 404, "no handler for route")
	code, body = call(t, s, "POST", "/v1/transit/keys/bad%2Fname", tok, nil)
	wantErrors(t, code, body, 404, "unsupported path")
	code, body = call(t, s, "GET", "/v1/transit/encrypt/k", tok, nil)
	wantErrors(t, code, body, 405, "unsupported operation")
	code, body = call(t, s, "POST", "/v1/transit/keys/k", tok, map[string]any{"type": "rsa-2048"})
	wantErrors(t, code, body, 400, "not emulated")
	code, body = call(t, s, "POST", "/v1/transit/keys/k", tok, map[string]any{"type": "blowfish"})
	wantErrors(t, code, body, 400, "unknown key type blowfish")
}

func TestConcurrent(t *testing.T) {
	s := New(t)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("POST", s.URL+"/v1/transit/encrypt/k", strings.NewReader(`{"plaintext":"aGk="}`))
			req.Header.Set("X-Vault-Token", s.Token)
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
			}
			if i%5 == 0 {
				s.Seal()
				s.Unseal()
			}
		}()
	}
	wg.Wait()
	if n := s.Requests("transit/encrypt/k"); n != 20 {
		t.Fatalf("Requests = %d, want 20", n)
	}
}
