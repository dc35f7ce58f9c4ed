package consent

import (
	"crypto/ed25519"
	"sort"
	"sync"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
)

// Keys are the grant-signing public keys the service publishes, as a JWK
// Set and as a did:web document: the current key and every earlier one,
// so that a grant stays verifiable after a key rotation until it expires.
// Key IDs are DID URLs: did:web:HOST#KEYID.
type Keys struct {
	did string

	mu   sync.RWMutex
	keys map[string]ed25519.PublicKey // by DID URL
	list []jwk.Key
	set  jwk.Set
}

// NewKeys returns an empty key set for the service called did.
func NewKeys(did string) *Keys {
	return &Keys{did: did, keys: map[string]ed25519.PublicKey{}, set: jwk.NewSet()}
}

// KeyURL is the DID URL of the key with the given short ID.
func (k *Keys) KeyURL(keyID string) string { return k.did + "#" + keyID }

// Add publishes pub under its short ID. Adding a key twice is harmless.
func (k *Keys) Add(keyID string, pub ed25519.PublicKey) error {
	kid := k.KeyURL(keyID)
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.keys[kid]; ok {
		return nil
	}
	jk, err := jwk.FromRaw(pub)
	if err != nil {
		return err
	}
	jk.Set(jwk.KeyIDKey, kid)
	jk.Set(jwk.AlgorithmKey, jwa.EdDSA)
	jk.Set(jwk.KeyUsageKey, "sig")
	// Readers may hold the old set: build a new one rather than change it.
	k.list = append(k.list, jk)
	set := jwk.NewSet()
	for _, key := range k.list {
		set.AddKey(key)
	}
	k.keys[kid] = pub
	k.set = set
	return nil
}

// Has reports whether the key with the given short ID is published.
func (k *Keys) Has(keyID string) bool {
	k.mu.RLock()
	defer k.mu.RUnlock()
	_, ok := k.keys[k.KeyURL(keyID)]
	return ok
}

// JWKS is the published JWK Set. The caller must not change it.
func (k *Keys) JWKS() jwk.Set {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.set
}

// DIDDocument is the did:web document listing every key as a JsonWebKey
// verification method usable for assertions (signing credentials).
func (k *Keys) DIDDocument() map[string]any {
	k.mu.RLock()
	defer k.mu.RUnlock()
	kids := make([]string, 0, len(k.keys))
	for kid := range k.keys {
		kids = append(kids, kid)
	}
	sort.Strings(kids)
	var methods []map[string]any
	for _, kid := range kids {
		jk, _ := k.set.LookupKeyID(kid)
		pub, _ := jwk.PublicKeyOf(jk)
		methods = append(methods, map[string]any{
			"id":           kid,
			"type":         "JsonWebKey",
			"controller":   k.did,
			"publicKeyJwk": pub,
		})
	}
	return map[string]any{
		"@context":           []string{"https://www.w3.org/ns/did/v1", "https://w3id.org/security/jwk/v1"},
		"id":                 k.did,
		"verificationMethod": methods,
		"assertionMethod":    kids,
	}
}
