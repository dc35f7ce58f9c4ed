package transittest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"sort"
	"time"
)

// token is a service token: its policies and lifetime.
type token struct {
	id        string
	policies  []string // names; "root" may do anything
	created   time.Time
	ttl       time.Duration // the period each renewal grants; 0: never expires
	expires   time.Time     // zero: never
	maxExpire time.Time     // zero: no maximum
	renewable bool
}

// TokenOptions describe a token made by NewToken.
type TokenOptions struct {
	// Policies are the names of policies (see SetPolicy) the token holds.
	// Vault's "default" policy, which lets a token look itself up, renew
	// and revoke itself, is added unless NoDefaultPolicy is set.
	Policies        []string
	NoDefaultPolicy bool
	// TTL is the token's lifetime, and what each renewal grants again;
	// zero means it never expires.
	TTL time.Duration
	// MaxTTL bounds the lifetime through renewals; zero means no bound.
	MaxTTL time.Duration
	// Renewable lets the token renew itself (auth/token/renew-self).
	Renewable bool
}

// SetPolicy stores a policy written in HCL under name, replacing any
// policy of that name. Tokens holding it see the change at once.
func (s *Server) SetPolicy(name, hcl string) error {
	p, err := parsePolicy(hcl)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.policies[name] = p
	return nil
}

// NewToken makes a service token and returns it.
func (s *Server) NewToken(o TokenOptions) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := make([]byte, 12)
	rand.Read(b)
	now := s.now()
	t := &token{id: "hvs.transittest" + hex.EncodeToString(b), created: now, ttl: o.TTL, renewable: o.Renewable}
	t.policies = append(t.policies, o.Policies...)
	if !o.NoDefaultPolicy {
		t.policies = append(t.policies, "default")
	}
	sort.Strings(t.policies)
	if o.TTL > 0 {
		t.expires = now.Add(o.TTL)
	}
	if o.MaxTTL > 0 {
		t.maxExpire = now.Add(o.MaxTTL)
		if t.expires.IsZero() || t.expires.After(t.maxExpire) {
			t.expires = t.maxExpire
		}
	}
	s.tokens[t.id] = t
	return t.id
}

// RevokeToken revokes tok at once, as "vault token revoke" does.
func (s *Server) RevokeToken(tok string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.tokens, tok)
}

// Advance moves the emulator's clock forward by d: tokens whose time has
// run out are refused from then on.
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset += d
}

// Renewals reports how many times tok has been renewed.
func (s *Server) Renewals(tok string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.renewals[tok]
}

func (s *Server) now() time.Time { return time.Now().Add(s.offset) }

// lookupToken returns the live token called id, forgetting it if it has
// expired. The caller holds s.mu.
func (s *Server) lookupToken(id string) *token {
	t := s.tokens[id]
	if t != nil && !t.expires.IsZero() && !s.now().Before(t.expires) {
		delete(s.tokens, id)
		return nil
	}
	return t
}

func (t *token) remaining(now time.Time) time.Duration {
	if t.expires.IsZero() {
		return 0
	}
	return t.expires.Sub(now).Round(time.Second)
}

// describe is the token's data as auth/token/lookup-self returns it.
func (t *token) describe(now time.Time) map[string]any {
	var expire any
	if !t.expires.IsZero() {
		expire = t.expires.UTC().Format(time.RFC3339Nano)
	}
	path := "auth/token/create"
	if t.policies[0] == "root" {
		path = "auth/token/root"
	}
	return map[string]any{
		"accessor":         "acc-" + t.id[len(t.id)-8:],
		"creation_time":    t.created.Unix(),
		"creation_ttl":     int(t.ttl.Seconds()),
		"display_name":     "token",
		"entity_id":        "",
		"expire_time":      expire,
		"explicit_max_ttl": 0,
		"id":               t.id,
		"issue_time":       t.created.UTC().Format(time.RFC3339Nano),
		"meta":             nil,
		"num_uses":         0,
		"orphan":           false,
		"path":             path,
		"policies":         t.policies,
		"renewable":        t.renewable,
		"ttl":              int(t.remaining(now).Seconds()),
		"type":             "service",
	}
}

// tokenRoute answers auth/token/lookup-self, renew-self and revoke-self.
// The caller holds s.mu, and has checked the token and its policies.
func (s *Server) tokenRoute(w http.ResponseWriter, r *http.Request, t *token, op string) bool {
	now := s.now()
	switch {
	case op == "lookup-self" && r.Method == http.MethodGet:
		writeEnvelope(w, map[string]any{"data": t.describe(now), "mount_type": "token"})
	case op == "renew-self" && (r.Method == http.MethodPost || r.Method == http.MethodPut):
		p, err := readParams(r)
		if err != nil {
			writeErrors(w, http.StatusBadRequest, err.Error())
			return true
		}
		if !t.renewable {
			writeErrors(w, http.StatusBadRequest, multi("lease is not renewable"))
			return true
		}
		inc := t.ttl
		if n, ok := p.int("increment"); ok && n > 0 {
			inc = time.Duration(n) * time.Second
		}
		if inc > 0 {
			t.expires = now.Add(inc)
			if !t.maxExpire.IsZero() && t.expires.After(t.maxExpire) {
				t.expires = t.maxExpire
			}
		}
		s.renewals[t.id]++
		writeAuth(w, t, now)
	case op == "revoke-self" && (r.Method == http.MethodPost || r.Method == http.MethodPut):
		delete(s.tokens, t.id)
		w.WriteHeader(http.StatusNoContent)
	default:
		return false
	}
	return true
}

// writeAuth writes a response carrying an auth block, as renewals do.
func writeAuth(w http.ResponseWriter, t *token, now time.Time) {
	writeEnvelope(w, map[string]any{
		"mount_type": "token",
		"auth": map[string]any{
			"client_token":   t.id,
			"accessor":       "acc-" + t.id[len(t.id)-8:],
			"policies":       t.policies,
			"token_policies": t.policies,
			"metadata":       nil,
			"lease_duration": int(t.remaining(now).Seconds()),
			"renewable":      t.renewable,
			"entity_id":      "",
			"token_type":     "service",
			"orphan":         false,
		},
	})
}

// multi formats errors as go-multierror does, which is how Vault reports
// errors from its core (permission denied, internal errors).
func multi(errs ...string) string {
	s := fmt.Sprintf("%d error occurred:\n", len(errs))
	if len(errs) > 1 {
		s = fmt.Sprintf("%d errors occurred:\n", len(errs))
	}
	for _, e := range errs {
		s += "\t* " + e + "\n"
	}
	return s + "\n"
}
