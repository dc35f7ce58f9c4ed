package vault

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Signer implements Custodian. The signing key is an ed25519 Transit key
// called KeyPrefix + "signing-" + name, created on first use. Its public key
// is read once, here; every signature is then made by Vault with that same
// key version (key_version), so that Public and Sign agree even if the key
// is rotated in Vault meanwhile. To move to a rotated signing key, make a
// new Transit.
func (t *Transit) Signer(ctx context.Context, name string) (Signer, error) {
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
	if err := t.ensureKey(ctx, key, "ed25519"); err != nil {
		return nil, err
	}
	sec, err := t.c.Logical().ReadWithContext(ctx, t.mount+"/keys/"+key)
	if err = t.classify("read key", "keys/"+key, err); err != nil {
		return nil, err
	}
	if sec == nil {
		return nil, fmt.Errorf("vault transit signing key %s: %w", key, ErrNoKey)
	}
	if typ := dataString(sec, "type"); typ != "ed25519" {
		return nil, fmt.Errorf("vault transit key %s has type %s, not ed25519", key, typ)
	}
	ver, ok := dataInt(sec, "latest_version")
	if !ok || ver < 1 {
		return nil, fmt.Errorf("vault transit key %s: the answer holds no latest_version", key)
	}
	keys, _ := sec.Data["keys"].(map[string]any)
	kv, _ := keys[strconv.Itoa(ver)].(map[string]any)
	b64, _ := kv["public_key"].(string)
	pub, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("vault transit key %s: the answer holds no Ed25519 public key for version %d", key, ver)
	}
	s = &transitSigner{t: t, key: key, version: ver, pub: ed25519.PublicKey(pub), kid: KeyID(pub)}
	t.mu.Lock()
	defer t.mu.Unlock()
	if prev, ok := t.signers[name]; ok {
		return prev, nil
	}
	t.signers[name] = s
	return s, nil
}

// transitSigner is an Ed25519 key held by Vault Transit.
type transitSigner struct {
	t       *Transit
	key     string
	version int
	pub     ed25519.PublicKey
	kid     string
}

// Public returns the Ed25519 public key (ed25519.PublicKey).
func (s *transitSigner) Public() crypto.PublicKey { return s.pub }

// KeyID implements Signer.
func (s *transitSigner) KeyID() string { return s.kid }

// Sign signs msg with pure Ed25519, as ed25519.PrivateKey.Sign does when
// opts.HashFunc() is zero; Ed25519ph and Ed25519ctx are refused. The
// random source is unused (Ed25519 is deterministic). crypto.Signer has no
// context, so the request is bounded by the Transit timeout alone. The
// signature is checked against the public key before it is returned.
func (s *transitSigner) Sign(_ io.Reader, msg []byte, opts crypto.SignerOpts) ([]byte, error) {
	if opts != nil && opts.HashFunc() != crypto.Hash(0) {
		return nil, errors.New("vault transit ed25519 keys sign whole messages; Ed25519ph (a pre-hashed message) is not supported")
	}
	if o, ok := opts.(*ed25519.Options); ok && o.Context != "" {
		return nil, errors.New("vault transit ed25519 keys do not support Ed25519ctx contexts")
	}
	sec, err := s.t.write(context.Background(), "sign", "sign/"+s.key, map[string]any{
		"input":       base64.StdEncoding.EncodeToString(msg),
		"key_version": s.version,
	})
	if err != nil {
		return nil, err
	}
	sig := dataString(sec, "signature")
	want := transitPrefix + strconv.Itoa(s.version) + ":"
	if !strings.HasPrefix(sig, want) {
		return nil, fmt.Errorf("vault transit sign with key %s: the answer holds no signature by version %d", s.key, s.version)
	}
	raw, err := base64.StdEncoding.DecodeString(sig[len(want):])
	if err != nil || len(raw) != ed25519.SignatureSize || !ed25519.Verify(s.pub, msg, raw) {
		return nil, fmt.Errorf("vault transit sign with key %s: the signature does not verify", s.key)
	}
	return raw, nil
}
