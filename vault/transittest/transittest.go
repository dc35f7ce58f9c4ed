// Package transittest is an emulator of HashiCorp Vault's HTTP API, limited
// to the Transit secrets engine and /sys/health. It was written because no
// Vault server can be installed where Satchel's tests run; it lets the
// vault.Transit custodian be tested through the real Vault client library
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
// data keys, export, backup/restore, trim, key import, namespaces, policies
// other than "the one token may do everything", and leases are not emulated.
//
// A Server also offers fault controls for tests: Seal and Unseal, and a
// count of requests per path.
package transittest

import (
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
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
	// Token is the only token the server accepts in X-Vault-Token.
	Token string

	srv *httptest.Server

	mu       sync.Mutex
	sealed   bool
	mounts   map[string]map[string]*key // mount → key name → key
	requests map[string]int             // path below /v1/ → count
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
	return &Server{
		Token:    "hvs.transittest" + hex.EncodeToString(b),
		mounts:   map[string]map[string]*key{DefaultMount: {}},
		requests: map[string]int{},
	}
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

	// /sys/health is unauthenticated, and answers even when sealed.
	if p == "sys/health" {
		s.health(w, r)
		return
	}
	if s.sealed {
		writeErrors(w, http.StatusServiceUnavailable, "Vault is sealed")
		return
	}
	if r.Header.Get("X-Vault-Token") != s.Token {
		writeErrors(w, http.StatusForbidden, "permission denied")
		return
	}
	for mount, keys := range s.mounts {
		if rest, ok := strings.CutPrefix(p, mount+"/"); ok {
			s.transit(w, r, keys, rest)
			return
		}
	}
	writeErrors(w, http.StatusNotFound, "no handler for route \""+p+"\". route entry not found.")
}

// health answers GET and HEAD /v1/sys/health as Vault documents it,
// including the *code query parameters that override the status code.
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		writeErrors(w, http.StatusMethodNotAllowed, "unsupported operation")
		return
	}
	code := statusParam(r, "activecode", http.StatusOK)
	body := map[string]any{
		"initialized":                  true,
		"sealed":                       s.sealed,
		"standby":                      s.sealed,
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
	b := make([]byte, 16)
	rand.Read(b)
	h := hex.EncodeToString(b)
	env := map[string]any{
		"request_id":     h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32],
		"lease_id":       "",
		"renewable":      false,
		"lease_duration": 0,
		"data":           data,
		"wrap_info":      nil,
		"warnings":       nil,
		"auth":           nil,
		"mount_type":     "transit",
	}
	if len(warnings) > 0 {
		env["warnings"] = warnings
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	json.NewEncoder(w).Encode(env)
}
