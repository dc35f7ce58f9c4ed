// Package vault is key custody: it wraps and unwraps the secrets that protect
// pods (each pod's age identity) and holds the service's signing keys, so
// that no other package ever stores a key in the clear. Custodian is the
// contract; Local (a master key file) is the default back end, and a
// HashiCorp Vault Transit back end implements the same interface.
package vault

import (
	"context"
	"crypto"
	"errors"
)

// ErrUnavailable means the custodian could not be reached or is sealed.
// Callers fail closed: they never fall back to anything weaker.
var ErrUnavailable = errors.New("key custodian is unavailable")

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
