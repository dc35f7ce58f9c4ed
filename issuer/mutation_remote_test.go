package issuer

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/satchel-project/satchel/consent/statuslist"
	"github.com/satchel-project/satchel/credentials/dataintegrity"
	"github.com/satchel-project/satchel/schemas"
)

// A trusted issuer's DID document gives the keys it issues with: those it
// lists for assertionMethod, by reference or in place, that are its own
// (its DID, its control), as Multikey or as an OKP Ed25519 JSON Web Key.
// Every other key is ignored; a document listing none, another DID's
// document or one that is not JSON gives no key at all.
func TestDIDDocumentKeys(t *testing.T) {
	t.Parallel()
	const did = "did:web:college.example"
	pub, _, _ := ed25519.GenerateKey(nil)
	x := base64.RawURLEncoding.EncodeToString(pub)
	multi := dataintegrity.MultikeyEd25519(pub)
	jwk := func(kty, crv, x string) map[string]any {
		return map[string]any{"id": did + "#jwk", "type": "JsonWebKey", "controller": did, "publicKeyJwk": map[string]any{"kty": kty, "crv": crv, "x": x}}
	}
	doc := func(methods []any, assertion ...any) []byte {
		b, _ := json.Marshal(map[string]any{"id": did, "verificationMethod": methods, "assertionMethod": assertion})
		return b
	}
	for name, c := range map[string]struct {
		doc  []byte
		keys []string // the DID URLs of the keys read; nil: an error
	}{
		"multikey by reference": {doc([]any{map[string]any{"id": "#key-1", "type": "Multikey", "controller": did, "publicKeyMultibase": multi}}, "#key-1"), []string{did + "#key-1"}},
		"absolute reference":    {doc([]any{map[string]any{"id": did + "#key-1", "type": "Ed25519VerificationKey2020", "publicKeyMultibase": multi}}, did+"#key-1"), []string{did + "#key-1"}},
		"JWK in place":          {doc(nil, jwk("OKP", "Ed25519", x)), []string{did + "#jwk"}},
		"JWK 2020":              {doc(nil, map[string]any{"id": "#j", "type": "JsonWebKey2020", "publicKeyJwk": map[string]any{"kty": "OKP", "crv": "Ed25519", "x": x}}), []string{did + "#j"}},
		"JWK, EC":               {doc(nil, jwk("EC", "Ed25519", x), "#none"), nil},
		"JWK, X25519":           {doc(nil, jwk("OKP", "X25519", x)), nil},
		"JWK, short":            {doc(nil, jwk("OKP", "Ed25519", x[:40])), nil},
		"JWK, long":             {doc(nil, jwk("OKP", "Ed25519", x+"AAAA")), nil},
		"JWK, not base64url":    {doc(nil, jwk("OKP", "Ed25519", strings.Repeat("!", 43))), nil},
		"another's control":     {doc([]any{map[string]any{"id": "#key-1", "type": "Multikey", "controller": "did:web:evil.example", "publicKeyMultibase": multi}}, "#key-1"), nil},
		"another DID's key":     {doc([]any{map[string]any{"id": "did:web:evil.example#key-1", "type": "Multikey", "publicKeyMultibase": multi}}, "did:web:evil.example#key-1"), nil},
		"not for assertion":     {doc([]any{map[string]any{"id": "#key-1", "type": "Multikey", "publicKeyMultibase": multi}}), nil},
		"unknown type":          {doc([]any{map[string]any{"id": "#key-1", "type": "RsaKey", "publicKeyMultibase": multi}}, "#key-1"), nil},
		"one good of two": {doc([]any{map[string]any{"id": "#key-1", "type": "Multikey", "publicKeyMultibase": multi}, map[string]any{"id": "#key-2", "type": "RsaKey"}}, "#key-2", "#key-1", 7),
			[]string{did + "#key-1"}},
		"another DID's document": {[]byte(`{"id": "did:web:evil.example", "verificationMethod": [{"id": "#key-1", "type": "Multikey", "publicKeyMultibase": "` + multi + `"}], "assertionMethod": ["#key-1"]}`), nil},
		"not JSON":               {[]byte(`<html>`), nil},
	} {
		keys, err := parseDIDDocument(did, c.doc)
		if c.keys == nil {
			if err == nil {
				t.Errorf("%s: keys %v, want none and an error", name, keys)
			}
			continue
		}
		if err != nil || len(keys) != len(c.keys) {
			t.Errorf("%s: %v %v, want %v", name, keys, err, c.keys)
			continue
		}
		for _, id := range c.keys {
			if !keys[id].Equal(pub) {
				t.Errorf("%s: no key %s: %v", name, id, keys)
			}
		}
	}
}

// A trusted issuer's status list is believed only if it is the list the
// credential names, issued and signed by that issuer, within its dates,
// with a subject; otherwise whether the credential was withdrawn cannot be
// checked, and it is not valid.
func TestTrustedStatusListChecks(t *testing.T) {
	t.Parallel()
	var s *testService
	far := newFarSite(t, func() time.Time { return s.at })
	_, stranger, _ := ed25519.GenerateKey(nil)
	s = newTestService(t, Options{Trusted: []Trusted{{DID: far.did("college"), Name: "Example College"}}, Client: far.srv.Client()})
	ctx := context.Background()
	serve := func(change func(vc map[string]any) (signer ed25519.PrivateKey, vm string)) {
		far.handle("/issuers/college/status", func(w http.ResponseWriter, r *http.Request) {
			vc, err := statuslist.Credential(far.listURL("college"), far.did("college"), "revocation", statuslist.New(statuslist.MinBits), s.at.Add(-time.Hour), s.at.Add(24*time.Hour))
			if err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			priv, vm := change(vc)
			if priv != nil {
				vc, err = dataintegrity.Sign(vc, priv, vm, s.at, "assertionMethod", dataintegrity.Options{Loader: schemas.DefaultLoader})
				if err != nil {
					http.Error(w, err.Error(), 500)
					return
				}
			}
			json.NewEncoder(w).Encode(vc)
		})
	}
	own := func(vc map[string]any) (ed25519.PrivateKey, string) { return far.priv, far.vm("college") }
	for i, c := range []struct {
		name   string
		change func(vc map[string]any) (ed25519.PrivateKey, string)
		want   string // "" if valid
	}{
		{"as served", own, ""},
		{"not JSON", nil, "the status list is not JSON"},
		{"another issuer", func(vc map[string]any) (ed25519.PrivateKey, string) {
			vc["issuer"] = "did:web:evil.example"
			return far.priv, far.vm("college")
		}, "not issued by the issuer"},
		{"another list", func(vc map[string]any) (ed25519.PrivateKey, string) {
			vc["id"] = far.listURL("college") + "?v=2"
			return far.priv, far.vm("college")
		}, "not the one the credential names"},
		{"signed by another key", func(vc map[string]any) (ed25519.PrivateKey, string) { return stranger, far.vm("college") }, "signature does not check out"},
		{"signed by another DID", func(vc map[string]any) (ed25519.PrivateKey, string) { return far.priv, "did:web:evil.example#key-1" }, "signed by someone other than the issuer"},
		{"unsigned", func(vc map[string]any) (ed25519.PrivateKey, string) { return nil, "" }, "signature does not check out"},
		{"expired", func(vc map[string]any) (ed25519.PrivateKey, string) {
			vc["validUntil"] = s.at.Format(time.RFC3339)
			return far.priv, far.vm("college")
		}, "the status list has expired"},
		{"until unreadable", func(vc map[string]any) (ed25519.PrivateKey, string) {
			vc["validUntil"] = "tomorrow"
			return far.priv, far.vm("college")
		}, "the status list has expired"},
		{"not yet valid", func(vc map[string]any) (ed25519.PrivateKey, string) {
			vc["validFrom"] = s.at.Add(time.Second).Format(time.RFC3339)
			return far.priv, far.vm("college")
		}, "the status list is not valid yet"},
		{"from unreadable", func(vc map[string]any) (ed25519.PrivateKey, string) {
			vc["validFrom"] = "yesterday"
			return far.priv, far.vm("college")
		}, "the status list is not valid yet"},
		{"valid from now", func(vc map[string]any) (ed25519.PrivateKey, string) {
			vc["validFrom"] = s.at.Format(time.RFC3339)
			return far.priv, far.vm("college")
		}, ""},
		{"no subject", func(vc map[string]any) (ed25519.PrivateKey, string) {
			delete(vc, "credentialSubject")
			return far.priv, far.vm("college")
		}, "no credentialSubject"},
	} {
		if c.change == nil {
			far.handle("/issuers/college/status", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>")) })
		} else {
			serve(c.change)
		}
		s.at = s.at.Add(time.Hour) // past the cached copy
		v := s.Verify(ctx, far.credential(t, "college", "Example College", far.listURL("college"), i+1))
		if c.want == "" {
			if !v.Valid {
				t.Errorf("%s: %+v, want valid", c.name, v.Checks)
			}
			continue
		}
		rc, ok := check(v, "revocation")
		if v.Valid || !ok || rc.Passed || !strings.Contains(rc.Reason, c.want) || v.Status == "revoked" {
			t.Errorf("%s: valid %v, status %s, revocation %+v; want %q", c.name, v.Valid, v.Status, rc, c.want)
		}
	}
}
