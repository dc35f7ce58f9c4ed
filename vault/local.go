package vault

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"golang.org/x/crypto/chacha20poly1305"
)

const localPrefix = "satchel-local-v1:"

// Local is the default custodian: one 32-byte master key in a file readable
// only by its owner (0600). Wrapping is XChaCha20-Poly1305 under a key
// derived from the master key, with the name as associated data. Signing keys
// are kept wrapped in files beside the master key.
//
// Local keeps no per-name key, so Destroy is a no-op: to shred a pod, its
// caller deletes the wrapped secret, which the master key alone cannot bring
// back.
type Local struct {
	dir  string
	aead interface {
		Seal(dst, nonce, plaintext, additionalData []byte) []byte
		Open(dst, nonce, ciphertext, additionalData []byte) ([]byte, error)
		NonceSize() int
	}
	mu      sync.Mutex
	signers map[string]*localSigner
}

var _ Custodian = (*Local)(nil)

// OpenLocal opens the custodian whose files live in dir, creating dir (0700)
// and a new master key (0600) on first use. created reports whether the key
// was made now.
func OpenLocal(dir string) (l *Local, created bool, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, false, fmt.Errorf("key directory %s: %w", dir, err)
	}
	path := filepath.Join(dir, "master.key")
	master, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		master = make([]byte, 32)
		rand.Read(master)
		if err := writeNew(path, []byte(base64.StdEncoding.EncodeToString(master)+"\n")); err != nil {
			if !errors.Is(err, fs.ErrExist) {
				return nil, false, err
			}
			// Another process made it first: use theirs.
			return OpenLocal(dir)
		}
		created = true
	} else if err != nil {
		return nil, false, fmt.Errorf("read master key: %w", err)
	} else {
		fi, err := os.Stat(path)
		if err != nil {
			return nil, false, err
		}
		if fi.Mode().Perm()&0o077 != 0 {
			return nil, false, fmt.Errorf("master key %s is readable by others (mode %v): run chmod 600 on it", path, fi.Mode().Perm())
		}
		dec, err := base64.StdEncoding.DecodeString(string(trimNL(master)))
		if err != nil || len(dec) != 32 {
			return nil, false, fmt.Errorf("master key %s is damaged: it must hold 32 bytes in base64", path)
		}
		master = dec
	}
	key, err := hkdf.Key(sha256.New, master, nil, "satchel local custodian wrap v1", chacha20poly1305.KeySize)
	if err != nil {
		return nil, false, err
	}
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, false, err
	}
	return &Local{dir: dir, aead: aead, signers: map[string]*localSigner{}}, created, nil
}

// Wrap implements Custodian.
func (l *Local) Wrap(ctx context.Context, name string, secret []byte) ([]byte, error) {
	nonce := make([]byte, l.aead.NonceSize())
	rand.Read(nonce)
	out := append([]byte(localPrefix), nonce...)
	return l.aead.Seal(out, nonce, secret, []byte(name)), nil
}

// Unwrap implements Custodian.
func (l *Local) Unwrap(ctx context.Context, name string, wrapped []byte) ([]byte, error) {
	ns := l.aead.NonceSize()
	if len(wrapped) < len(localPrefix)+ns || string(wrapped[:len(localPrefix)]) != localPrefix {
		return nil, errors.New("wrapped key is not in the local custodian's format")
	}
	body := wrapped[len(localPrefix):]
	secret, err := l.aead.Open(nil, body[:ns], body[ns:], []byte(name))
	if err != nil {
		return nil, errors.New("wrapped key does not open with this master key")
	}
	return secret, nil
}

// Destroy implements Custodian. Local keeps no per-name key; see Local.
func (l *Local) Destroy(ctx context.Context, name string) error { return nil }

// Signer implements Custodian. The Ed25519 seed is stored wrapped in
// signing-NAME.key, made on first use.
func (l *Local) Signer(ctx context.Context, name string) (Signer, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s, ok := l.signers[name]; ok {
		return s, nil
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return nil, fmt.Errorf("signing key name %q: use a-z, 0-9 and -", name)
		}
	}
	path := filepath.Join(l.dir, "signing-"+name+".key")
	wrapped, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		seed := make([]byte, ed25519.SeedSize)
		rand.Read(seed)
		w, _ := l.Wrap(ctx, "signing/"+name, seed)
		if err := writeNew(path, []byte(base64.StdEncoding.EncodeToString(w)+"\n")); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
		wrapped, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("read signing key: %w", err)
	}
	dec, err := base64.StdEncoding.DecodeString(string(trimNL(wrapped)))
	if err != nil {
		return nil, fmt.Errorf("signing key %s is damaged", path)
	}
	seed, err := l.Unwrap(ctx, "signing/"+name, dec)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("signing key %s does not open with this master key", path)
	}
	s := &localSigner{key: ed25519.NewKeyFromSeed(seed)}
	l.signers[name] = s
	return s, nil
}

type localSigner struct{ key ed25519.PrivateKey }

func (s *localSigner) Public() crypto.PublicKey { return s.key.Public() }

func (s *localSigner) Sign(r io.Reader, msg []byte, o crypto.SignerOpts) ([]byte, error) {
	return s.key.Sign(r, msg, o)
}

func (s *localSigner) KeyID() string { return KeyID(s.key.Public().(ed25519.PublicKey)) }

// KeyID names an Ed25519 public key: the first 16 bytes of its SHA-256, in
// base64url. Every custodian uses it, so a key keeps its ID when it moves.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

// writeNew creates path with mode 0600, failing with fs.ErrExist if it exists.
func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func trimNL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}
