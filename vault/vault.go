// Package vault is key custody: it wraps and unwraps the secrets that protect
// pods (each pod's age identity) and holds the service's signing keys, so
// that no other package ever stores a key in the clear. Custodian is the
// contract; its back ends are sibling packages: vault/local (a master key
// file, the default) and vault/transit (HashiCorp Vault Transit), both held
// to one conformance suite, vault/custodiantest.
package vault

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"errors"
)

// ErrUnavailable means the custodian could not be reached or is sealed.
// Callers fail closed: they never fall back to anything weaker.
var ErrUnavailable = errors.New("key custodian is unavailable")

// ErrTokenRefused means the custodian refused the credential this server
// uses with it: expired, revoked, or lacking a capability a request needs.
// It is a kind of ErrUnavailable (errors that wrap it wrap both), since
// custody cannot serve until an operator fixes the credential or its policy;
// its message names what to fix and never holds the credential.
var ErrTokenRefused = errors.New("the Vault token was refused")

// ErrNoKey means the key for a name was destroyed or never existed: data
// wrapped under it can no longer be unwrapped.
var ErrNoKey = errors.New("no such key")

// Custodian wraps secrets under keys it never reveals.
type Custodian interface {
	// Wrap encrypts secret under the key for name, creating that key if it
	// does not exist. The result is bound to name: it unwraps under no other.
	Wrap(ctx context.Context, name string, secret []byte) ([]byte, error)
	// Unwrap reverses Wrap. Wrapped data that was altered, or bound to
	// another name, is an error; so is a destroyed key (ErrNoKey).
	Unwrap(ctx context.Context, name string, wrapped []byte) ([]byte, error)
	// Destroy deletes the key for name where the custodian keeps one per
	// name, so that nothing wrapped under it can be unwrapped again.
	Destroy(ctx context.Context, name string) error
	// Signer returns the service's signing key called name (Ed25519),
	// creating it on first use. Signing happens behind the crypto.Signer; the
	// private key is never returned.
	Signer(ctx context.Context, name string) (Signer, error)
}

// Signer is an Ed25519 signing key held by a custodian.
type Signer interface {
	crypto.Signer
	// KeyID is a stable identifier of the public key, for JWS "kid".
	KeyID() string
}

// Rotator is a custodian whose keys have versions: Rotate makes a new
// version of the key for name (a custodian with one key for every name
// rotates it once), and Rewrap moves wrapped data to the newest version.
// Both old and new wrappings unwrap until old versions are retired.
type Rotator interface {
	Rotate(ctx context.Context, name string) error
	Rewrap(ctx context.Context, name string, wrapped []byte) ([]byte, error)
}

// HealthChecker is a custodian that can say whether it is reachable and
// unsealed; an unhealthy custodian's error wraps ErrUnavailable.
type HealthChecker interface {
	Health(ctx context.Context) error
}

// Versioned is a Signer whose key has versions that an operator may rotate
// while the server runs (Vault Transit). The Signer signs with the newest
// version it knows; Keys lists every version that still verifies, so that
// what older versions signed keeps verifying until the operator retires
// them.
type Versioned interface {
	Signer
	// Keys returns the public keys of the versions that verify, newest
	// first. It does not contact the custodian; Refresh does.
	Keys() []PublicKey
	// Refresh learns the key's versions from the custodian, so that the
	// Signer moves to a version rotated in meanwhile.
	Refresh(ctx context.Context) error
}

// PublicKey is one version of a signing key.
type PublicKey struct {
	KeyID   string
	Version int
	Key     ed25519.PublicKey
}

// KeyID names an Ed25519 public key: the first 16 bytes of its SHA-256, in
// base64url. Every custodian uses it, so a key keeps its ID when it moves.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}
