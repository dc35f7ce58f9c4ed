// Package transittest is an emulator of HashiCorp Vault's HTTP API, limited
// to the Transit secrets engine and /sys/health. It was written because no
// Vault server can be installed where Satchel's tests run; it lets the
// vault/transit custodian be tested through the real Vault client library
// (github.com/hashicorp/vault/api) against an in-process httptest server.
//
// It follows Vault's documented HTTP API (the /v1/ prefix, the
// X-Vault-Token header, {"errors": [...]} bodies) as described at
// developer.hashicorp.com/vault/api-docs/secret/transit and
// developer.hashicorp.com/vault/api-docs/system/health, with the response
// fields and error strings of Vault 1.x's Transit backend. It emulates
// aes256-gcm96 and ed25519 keys with real cryptography (AES-256-GCM with one
// key per version, Ed25519), so tampered ciphertext fails as it would in
// Vault. Derived and convergent keys, batch_input, other key types, HMAC,
// data keys, export, backup/restore, trim, key import, namespaces, leases,
// auth methods other than tokens, and policy parameter constraints are not
// emulated.
//
// Tokens and policies are: a Server's Token is a root token; NewToken makes
// service tokens holding policies written in HCL (SetPolicy), with TTLs,
// renewal (auth/token/renew-self), lookup (lookup-self) and revocation.
// Policies are enforced as Vault enforces them: only the most specific
// pattern matching a path counts, so a narrower rule replaces, not adds to,
// a broader one; a refused request is 403 before routing, even to a mount
// that does not exist. Errors from Vault's core have its go-multierror
// form ("1 error occurred:\n\t* permission denied\n\n").
//
// Key versions are kept as Vault keeps them: under min_decryption_version,
// older versions are hidden from a key's description and refused for
// signing (500, "no such key version").
//
// A Server also offers fault controls for tests: Seal and Unseal, a clock
// to Advance, SetStandby (a performance standby that answers reads from a
// state one write behind), a count of requests per path and WaitRequests.
package transittest

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// EmulatedVersion is the Vault version the emulator reports in /sys/health.
const EmulatedVersion = "1.17.0+transittest"

// DefaultMount is the path at which a new Server mounts Transit.
const DefaultMount = "transit"

// Server is a running emulator. It is safe for concurrent use.
type Server struct {
	// URL is the server's base address, such as http://127.0.0.1:41234; it
	// is what VAULT_ADDR would hold.
	URL string
	// Token is a root token: it may do anything. NewToken makes others.
	Token string

	srv *httptest.Server

	mu       sync.Mutex
	sealed   bool
	mounts   map[string]map[string]*key // mount → key name → key
	requests map[string]int             // path below /v1/ → count
	changed  chan struct{}              // closed and replaced at each request
	tokens   map[string]*token
	policies map[string]policy
	renewals map[string]int
	offset   time.Duration // added to the clock

	standby bool
	// stale is the state a standby answers reads from: the mounts as they
	// were before the last write, until one read has seen it.
	stale map[string]map[string]*key
}

// New starts an emulator with Transit mounted at "transit" and stops it when
// the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	s := NewServer()
	t.Cleanup(s.Close)
	return s
}

// NewServer starts an emulator with Transit mounted at "transit". Call
// Close to stop it.
func NewServer() *Server {
	s := newServer()
	s.srv = httptest.NewServer(s)
	s.URL = s.srv.URL
	return s
}

// NewTLS starts an emulator that serves HTTPS with a self-signed
// certificate (see HTTPClient and Certificate) and stops it when the test
// ends.
func NewTLS(t testing.TB) *Server {
	t.Helper()
	s := newServer()
	s.srv = httptest.NewTLSServer(s)
	s.URL = s.srv.URL
	t.Cleanup(s.Close)
	return s
}

func newServer() *Server {
	b := make([]byte, 12)
	rand.Read(b)
	s := &Server{
		Token:    "hvs.transittest" + hex.EncodeToString(b),
		mounts:   map[string]map[string]*key{DefaultMount: {}},
		requests: map[string]int{},
		changed:  make(chan struct{}),
		tokens:   map[string]*token{},
		policies: map[string]policy{},
		renewals: map[string]int{},
	}
	s.policies["default"], _ = parsePolicy(defaultPolicy)
	s.tokens[s.Token] = &token{id: s.Token, policies: []string{"root"}, created: time.Now()}
	return s
}

// Close stops the server: later requests fail to connect, as they would to
// a Vault that is down. It is safe to call more than once.
func (s *Server) Close() { s.srv.Close() }

// HTTPClient returns an HTTP client that trusts the server's certificate.
func (s *Server) HTTPClient() *http.Client { return s.srv.Client() }

// Certificate returns the certificate of a server made by NewTLS (nil
// otherwise), for tests that configure trust from a CA file.
func (s *Server) Certificate() *x509.Certificate { return s.srv.Certificate() }

// Seal makes the server answer every request as a sealed Vault does: 503
// with {"errors":["Vault is sealed"]}, and sealed health from /sys/health.
// Keys survive sealing.
func (s *Server) Seal() {
	s.mu.Lock()
	s.sealed = true
	s.mu.Unlock()
}

// Unseal undoes Seal.
func (s *Server) Unseal() {
	s.mu.Lock()
	s.sealed = false
	s.mu.Unlock()
}

// Mount enables a further Transit mount at path (such as "kms/transit").
func (s *Server) Mount(path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	path = strings.Trim(path, "/")
	if s.mounts[path] == nil {
		s.mounts[path] = map[string]*key{}
	}
}

// Requests reports how many requests the server has received for path,
// whatever their method or outcome. The path may be given with or without
// the leading "/v1/": "transit/decrypt/k" and "/v1/transit/decrypt/k" are
// the same.
func (s *Server) Requests(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[normPath(path)]
}

// TotalRequests reports how many requests the server has received.
func (s *Server) TotalRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.requests {
		n += c
	}
	return n
}

// HasKey reports whether the key called name exists on the Transit mount.
func (s *Server) HasKey(mount, name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mounts[strings.Trim(mount, "/")][name] != nil
}

func normPath(p string) string {
	p = strings.TrimPrefix(p, "/")
	p = strings.TrimPrefix(p, "v1/")
	return strings.Trim(p, "/")
}

// ServeHTTP implements http.Handler: it is the emulated Vault.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, "/v1/") {
		writeErrors(w, http.StatusNotFound, "unsupported path")
		return
	}
	p := normPath(r.URL.Path)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[p]++
	close(s.changed)
	s.changed = make(chan struct{})

	// /sys/health is unauthenticated, and answers even when sealed.
	if p == "sys/health" {
		s.health(w, r)
		return
	}
	if s.sealed {
		writeErrors(w, http.StatusServiceUnavailable, "Vault is sealed")
		return
	}
	tok := s.lookupToken(r.Header.Get("X-Vault-Token"))
	if tok == nil {
		writeErrors(w, http.StatusForbidden, multi("permission denied", "invalid token"))
		return
	}
	list := r.Method == "LIST" || (r.Method == http.MethodGet && r.URL.Query().Get("list") == "true")
	if !s.permitted(tok, p, s.capability(r, p, list)) {
		writeErrors(w, http.StatusForbidden, multi("permission denied"))
		return
	}
	if op, ok := strings.CutPrefix(p, "auth/token/"); ok && s.tokenRoute(w, r, tok, op) {
		return
	}
	for mount, keys := range s.mounts {
		if rest, ok := strings.CutPrefix(p, mount+"/"); ok {
			if list && rest == "keys" {
				s.listKeys(w, mount)
				return
			}
			s.transit(w, r, mount, keys, rest)
			return
		}
	}
	writeErrors(w, http.StatusNotFound, "no handler for route \""+p+"\". route entry not found.")
}

// capability is what a request needs of the token's policy. A write to
// encrypt/:name needs "create" if the key does not exist (as this node
// sees it: a standby may not have it yet) and "update" if it does, as
// Vault's existence check decides; other writes need "update".
func (s *Server) capability(r *http.Request, p string, list bool) string {
	switch {
	case list:
		return "list"
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		return "read"
	case r.Method == http.MethodDelete:
		return "delete"
	}
	for mount := range s.mounts {
		if rest, ok := strings.CutPrefix(p, mount+"/encrypt/"); ok && !strings.Contains(rest, "/") {
			if s.view(mount)[rest] == nil {
				return "create"
			}
		}
	}
	return "update"
}

// permitted reports whether tok's policies grant capability on path.
func (s *Server) permitted(tok *token, path, capability string) bool {
	var ps []policy
	for _, name := range tok.policies {
		if name == "root" {
			return true
		}
		if p := s.policies[name]; p != nil {
			ps = append(ps, p)
		}
	}
	return allowed(ps, path, capability)
}

// view is the keys of mount as reads on this node see them: on a standby
// that has not caught up, the state before the last write, once.
func (s *Server) view(mount string) map[string]*key {
	if s.standby && s.stale != nil {
		v := s.stale[mount]
		s.stale = nil
		return v
	}
	return s.mounts[mount]
}

// wrote records that a write is about to change the state, so that a
// standby's next read sees the state from before it.
func (s *Server) wrote() {
	if !s.standby {
		return
	}
	s.stale = map[string]map[string]*key{}
	for m, keys := range s.mounts {
		c := map[string]*key{}
		for n, k := range keys {
			kk := *k
			kk.versions = append([]version(nil), k.versions...)
			c[n] = &kk
		}
		s.stale[m] = c
	}
}

// SetStandby makes the server answer as a performance standby: sys/health
// says standby (429 by default), writes are applied (as if forwarded to
// the active node), and the first read after a write sees the state from
// before it, as a standby that has not yet caught up with replication.
func (s *Server) SetStandby(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.standby, s.stale = on, nil
}

// WaitRequests waits until the server has received at least n requests for
// path (as Requests counts them), or timeout passes; it reports which.
func (s *Server) WaitRequests(path string, n int, timeout time.Duration) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		got, ch := s.requests[normPath(path)], s.changed
		s.mu.Unlock()
		if got >= n {
			return true
		}
		select {
		case <-ch:
		case <-deadline.C:
			return false
		}
	}
}

// Operator sends a request to the server with the root token, as an
// operator with the vault command would, and returns the status and the
// decoded body (nil if empty).
func (s *Server) Operator(method, path string, body map[string]any) (int, map[string]any, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.URL+"/v1/"+normPath(path), rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("X-Vault-Token", s.Token)
	resp, err := s.srv.Client().Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(resp.Body)
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			return resp.StatusCode, nil, err
		}
	}
	return resp.StatusCode, out, nil
}

// health answers GET and HEAD /v1/sys/health as Vault documents it,
// including the *code query parameters that override the status code.
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		writeErrors(w, http.StatusMethodNotAllowed, "unsupported operation")
		return
	}
	code := statusParam(r, "activecode", http.StatusOK)
	if s.standby {
		code = statusParam(r, "standbycode", http.StatusTooManyRequests)
	}
	body := map[string]any{
		"initialized":                  true,
		"sealed":                       s.sealed,
		"standby":                      s.sealed || s.standby,
		"performance_standby":          false,
		"replication_performance_mode": "disabled",
		"replication_dr_mode":          "disabled",
		"server_time_utc":              time.Now().Unix(),
		"version":                      EmulatedVersion,
		"enterprise":                   false,
	}
	if s.sealed {
		code = statusParam(r, "sealedcode", http.StatusServiceUnavailable)
		body["replication_performance_mode"] = "unknown"
		body["replication_dr_mode"] = "unknown"
	} else {
		body["cluster_name"] = "vault-cluster-transittest"
		body["cluster_id"] = "00000000-0000-0000-0000-000000000000"
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	if r.Method == http.MethodGet {
		json.NewEncoder(w).Encode(body)
	}
}

// writeErrors writes Vault's error body: {"errors":[...]}.
func writeErrors(w http.ResponseWriter, code int, msgs ...string) {
	if msgs == nil {
		msgs = []string{}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"errors": msgs})
}

// writeData writes a successful logical response in Vault's envelope.
func writeData(w http.ResponseWriter, data map[string]any, warnings ...string) {
	env := map[string]any{"data": data}
	if len(warnings) > 0 {
		env["warnings"] = warnings
	}
	writeEnvelope(w, env)
}

// writeEnvelope writes a response with Vault's envelope, fields absent
// from env taking their empty values.
func writeEnvelope(w http.ResponseWriter, env map[string]any) {
	b := make([]byte, 16)
	rand.Read(b)
	h := hex.EncodeToString(b)
	out := map[string]any{
		"request_id":     h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32],
		"lease_id":       "",
		"renewable":      false,
		"lease_duration": 0,
		"data":           nil,
		"wrap_info":      nil,
		"warnings":       nil,
		"auth":           nil,
		"mount_type":     "transit",
	}
	for k, v := range env {
		out[k] = v
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	json.NewEncoder(w).Encode(out)
}
