package transit

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/hashicorp/vault/api"

	"github.com/satchel-project/satchel/vault"
)

// Signer implements vault.Custodian. The signing key is an ed25519 Transit
// key called KeyPrefix + "signing-" + name, created on first use; the
// versions Vault lists come from the answer to that creation (not from a
// read, which a standby might answer before it has the key). The result is
// a vault.Versioned: it signs with the newest version it knows, naming that
// version (key_version) so that KeyID, Public and Sign agree, and Refresh
// (which Health calls) moves it to versions an operator rotated in since.
func (t *Custodian) Signer(ctx context.Context, name string) (vault.Signer, error) {
	t.mu.Lock()
	s, ok := t.signers[name]
	t.mu.Unlock()
	if ok {
		return s, nil
	}
	key, err := t.keyName("signing-" + name)
	if err != nil {
		return nil, err
	}
	sec, err := t.ensureKey(ctx, key, "ed25519")
	if err != nil {
		return nil, err
	}
	s = &signer{t: t, key: key}
	if sec == nil || sec.Data["keys"] == nil {
		// An older Vault answers the creation with 204 and no description.
		if sec, err = t.readKey(ctx, key); err != nil {
			return nil, err
		}
	}
	kv, err := s.parse(sec)
	if err != nil {
		return nil, err
	}
	s.cur.Store(kv)
	t.mu.Lock()
	defer t.mu.Unlock()
	if prev, ok := t.signers[name]; ok {
		return prev, nil
	}
	t.signers[name] = s
	return s, nil
}

// signer is an Ed25519 key held by Vault Transit, with its versions.
type signer struct {
	t   *Custodian
	key string
	cur atomic.Pointer[versions]
}

// versions is what a signer knows of its key: every version that
// verifies, newest first; the first signs.
type versions struct {
	keys []vault.PublicKey
}

var _ vault.Versioned = (*signer)(nil)

// parse reads a key's description (GET keys/:name, or the answer to its
// creation). Vault lists only the versions at or above
// min_decryption_version.
func (s *signer) parse(sec *api.Secret) (*versions, error) {
	if typ := dataString(sec, "type"); typ != "ed25519" {
		return nil, fmt.Errorf("vault transit key %s has type %s, not ed25519", s.key, typ)
	}
	latest, ok := dataInt(sec, "latest_version")
	if !ok || latest < 1 {
		return nil, fmt.Errorf("vault transit key %s: the answer holds no latest_version", s.key)
	}
	keys, _ := sec.Data["keys"].(map[string]any)
	kv := &versions{}
	for v, d := range keys {
		n, err := strconv.Atoi(v)
		m, _ := d.(map[string]any)
		b64, _ := m["public_key"].(string)
		pub, perr := base64.StdEncoding.DecodeString(b64)
		if err != nil || n < 1 || n > latest || perr != nil || len(pub) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("vault transit key %s: the answer holds no Ed25519 public key for version %s", s.key, v)
		}
		kv.keys = append(kv.keys, vault.PublicKey{KeyID: vault.KeyID(pub), Version: n, Key: ed25519.PublicKey(pub)})
	}
	sort.Slice(kv.keys, func(i, j int) bool { return kv.keys[i].Version > kv.keys[j].Version })
	if len(kv.keys) == 0 || kv.keys[0].Version != latest {
		return nil, fmt.Errorf("vault transit key %s: the answer holds no Ed25519 public key for version %d", s.key, latest)
	}
	return kv, nil
}

// Refresh implements vault.Versioned: it reads the key (which needs "read"
// on it) and moves to its newest version.
func (s *signer) Refresh(ctx context.Context) error {
	sec, err := s.t.readKey(ctx, s.key)
	if err != nil {
		return err
	}
	kv, err := s.parse(sec)
	if err != nil {
		return err
	}
	s.cur.Store(kv)
	return nil
}

// Keys implements vault.Versioned.
func (s *signer) Keys() []vault.PublicKey {
	return append([]vault.PublicKey(nil), s.cur.Load().keys...)
}

// Public returns the newest version's Ed25519 public key
// (ed25519.PublicKey).
func (s *signer) Public() crypto.PublicKey { return s.cur.Load().keys[0].Key }

// KeyID implements vault.Signer: the newest version's.
func (s *signer) KeyID() string { return s.cur.Load().keys[0].KeyID }

// Sign signs msg with pure Ed25519, as ed25519.PrivateKey.Sign does when
// opts.HashFunc() is zero; Ed25519ph and Ed25519ctx are refused. The
// random source is unused (Ed25519 is deterministic). crypto.Signer has no
// context, so the request is bounded by the Transit timeout alone. The
// signature is checked against the public key before it is returned.
//
// If Vault refuses the version (an operator retired it), the signer
// refreshes and the error wraps vault.ErrUnavailable: the caller's next
// attempt signs with the new version. It does not sign with another
// version here, since the caller has already named this one (KeyID).
func (s *signer) Sign(_ io.Reader, msg []byte, opts crypto.SignerOpts) ([]byte, error) {
	if opts != nil && opts.HashFunc() != crypto.Hash(0) {
		return nil, errors.New("vault transit ed25519 keys sign whole messages; Ed25519ph (a pre-hashed message) is not supported")
	}
	if o, ok := opts.(*ed25519.Options); ok && o.Context != "" {
		return nil, errors.New("vault transit ed25519 keys do not support Ed25519ctx contexts")
	}
	k := s.cur.Load().keys[0]
	ctx := context.Background()
	sec, err := s.t.write(ctx, "sign", "sign/"+s.key, `"update"`, map[string]any{
		"input":       base64.StdEncoding.EncodeToString(msg),
		"key_version": k.Version,
	})
	if err != nil {
		if retired(err) {
			if rerr := s.Refresh(ctx); rerr == nil && s.KeyID() != k.KeyID {
				return nil, fmt.Errorf("vault transit sign with key %s: %w: version %d was retired in Vault; now using version %d", s.key, vault.ErrUnavailable, k.Version, s.cur.Load().keys[0].Version)
			}
		}
		return nil, err
	}
	sig := dataString(sec, "signature")
	want := transitPrefix + strconv.Itoa(k.Version) + ":"
	if !strings.HasPrefix(sig, want) {
		return nil, fmt.Errorf("vault transit sign with key %s: the answer holds no signature by version %d", s.key, k.Version)
	}
	raw, err := base64.StdEncoding.DecodeString(sig[len(want):])
	if err != nil || len(raw) != ed25519.SignatureSize || !ed25519.Verify(k.Key, msg, raw) {
		return nil, fmt.Errorf("vault transit sign with key %s: the signature does not verify", s.key)
	}
	return raw, nil
}

// retired reports whether Vault refused to sign with a version because it
// is not (or no longer) among the key's versions. Vault answers 500 for
// these, so they arrive as unavailability.
func retired(err error) bool {
	for _, s := range []string{"no such key version", "requested version for signing is higher than the latest key version", "invalid key version"} {
		if strings.Contains(err.Error(), s) {
			return true
		}
	}
	return false
}
