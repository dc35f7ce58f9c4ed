// Package local is the default key custodian: a master key in a file
// beside the data, under which pod keys and signing keys are wrapped. It
// keeps no per-pod key, so crypto-shredding a pod means deleting its
// wrapped key.
package local

import (
	"bytes"
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
	"strconv"
	"strings"
	"sync"

	"golang.org/x/crypto/chacha20poly1305"

	"github.com/satchel-project/satchel/vault"
)

// localPrefix starts every wrapped secret, followed by the master key
// version and a colon: "satchel-local:v2:".
const localPrefix = "satchel-local:v"

type aead interface {
	Seal(dst, nonce, plaintext, additionalData []byte) []byte
	Open(dst, nonce, ciphertext, additionalData []byte) ([]byte, error)
	NonceSize() int
}

// Custodian is the default custodian: a 32-byte master key in a file readable
// only by its owner (0600). Wrapping is XChaCha20-Poly1305 under a key
// derived from the master key, with the name as associated data. Signing keys
// are kept wrapped in files beside the master key.
//
// Master keys have versions: master.key is version 1 and Rotate adds
// master-2.key, master-3.key and so on. New secrets are wrapped under the
// newest; older versions stay to unwrap what has not been rewrapped yet.
//
// It keeps no per-name key, so Destroy is a no-op: to shred a pod, its
// caller deletes the wrapped secret, which the master key alone cannot bring
// back.
type Custodian struct {
	dir string

	mu      sync.Mutex
	keys    map[int]aead // by master key version
	current int
	rotated bool

	smu     sync.Mutex // guards signers; never held with mu
	signers map[string]*localSigner
}

var _ vault.Custodian = (*Custodian)(nil)

func masterPath(dir string, version int) string {
	if version == 1 {
		return filepath.Join(dir, "master.key")
	}
	return filepath.Join(dir, fmt.Sprintf("master-%d.key", version))
}

// Open opens the custodian whose files live in dir, creating dir (0700)
// and a new master key (0600) on first use. created reports whether the key
// was made now.
func Open(dir string) (l *Custodian, created bool, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, false, fmt.Errorf("key directory %s: %w", dir, err)
	}
	l = &Custodian{dir: dir, keys: map[int]aead{}, signers: map[string]*localSigner{}}
	if _, err := os.Stat(masterPath(dir, 1)); errors.Is(err, fs.ErrNotExist) {
		if _, err := os.Stat(masterPath(dir, 2)); err == nil {
			return nil, false, fmt.Errorf("master key %s is missing but later versions exist: restore it from your backup", masterPath(dir, 1))
		}
		if err := newMaster(masterPath(dir, 1)); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, false, err
		} else if err == nil {
			created = true
		}
	}
	for v := 1; ; v++ {
		a, err := loadMaster(masterPath(dir, v))
		if errors.Is(err, fs.ErrNotExist) && v > 1 {
			break
		}
		if err != nil {
			return nil, false, err
		}
		l.keys[v], l.current = a, v
	}
	return l, created, nil
}

func newMaster(path string) error {
	master := make([]byte, 32)
	rand.Read(master)
	return writeNew(path, []byte(base64.StdEncoding.EncodeToString(master)+"\n"))
}

func loadMaster(path string) (aead, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("read master key: %w", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("master key %s is readable by others (mode %v): run chmod 600 on it", path, fi.Mode().Perm())
	}
	master, err := base64.StdEncoding.DecodeString(string(trimNL(data)))
	if err != nil || len(master) != 32 {
		return nil, fmt.Errorf("master key %s is damaged: it must hold 32 bytes in base64", path)
	}
	key, err := hkdf.Key(sha256.New, master, nil, "satchel local custodian wrap v1", chacha20poly1305.KeySize)
	if err != nil {
		return nil, err
	}
	return chacha20poly1305.NewX(key)
}

// Wrap implements vault.Custodian, under the newest master key.
func (l *Custodian) Wrap(ctx context.Context, name string, secret []byte) ([]byte, error) {
	l.mu.Lock()
	v, a := l.current, l.keys[l.current]
	l.mu.Unlock()
	nonce := make([]byte, a.NonceSize())
	rand.Read(nonce)
	out := append([]byte(fmt.Sprintf("%s%d:", localPrefix, v)), nonce...)
	return a.Seal(out, nonce, secret, []byte(name)), nil
}

// Unwrap implements vault.Custodian.
func (l *Custodian) Unwrap(ctx context.Context, name string, wrapped []byte) ([]byte, error) {
	rest, ok := bytes.CutPrefix(wrapped, []byte(localPrefix))
	vs, body, ok2 := bytes.Cut(rest, []byte(":"))
	v, err := strconv.Atoi(string(vs))
	if !ok || !ok2 || err != nil {
		return nil, errors.New("wrapped key is not in the local custodian's format")
	}
	l.mu.Lock()
	a := l.keys[v]
	l.mu.Unlock()
	if a == nil {
		return nil, fmt.Errorf("wrapped key needs master key version %d, which is not in %s", v, l.dir)
	}
	ns := a.NonceSize()
	if len(body) < ns {
		return nil, errors.New("wrapped key is damaged")
	}
	secret, err := a.Open(nil, body[:ns], body[ns:], []byte(name))
	if err != nil {
		return nil, errors.New("wrapped key does not open with this master key")
	}
	return secret, nil
}

// Rotate makes a new master key version, the one new secrets are wrapped
// under, and rewraps the signing keys under it. There is one master key
// for all names, so only the first call on a Custodian rotates; later calls (for
// the other names in a rotation run) do nothing.
func (l *Custodian) Rotate(ctx context.Context, name string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.rotated {
		return nil
	}
	v := l.current + 1
	if err := newMaster(masterPath(l.dir, v)); err != nil {
		return fmt.Errorf("create master key version %d: %w", v, err)
	}
	a, err := loadMaster(masterPath(l.dir, v))
	if err != nil {
		return err
	}
	l.keys[v], l.current, l.rotated = a, v, true
	files, _ := filepath.Glob(filepath.Join(l.dir, "signing-*.key"))
	for _, f := range files {
		if err := l.rewrapFile(ctx, f); err != nil {
			return err
		}
	}
	return nil
}

// Rewrap implements key rotation: wrapped, unwrapped under whichever master
// key version made it, wrapped again under the newest.
func (l *Custodian) Rewrap(ctx context.Context, name string, wrapped []byte) ([]byte, error) {
	secret, err := l.Unwrap(ctx, name, wrapped)
	if err != nil {
		return nil, err
	}
	defer clear(secret)
	return l.Wrap(ctx, name, secret)
}

// rewrapFile rewraps a signing key file in place; l.mu is held.
func (l *Custodian) rewrapFile(ctx context.Context, path string) error {
	name := "signing/" + strings.TrimSuffix(strings.TrimPrefix(filepath.Base(path), "signing-"), ".key")
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	dec, err := base64.StdEncoding.DecodeString(string(trimNL(data)))
	if err != nil {
		return fmt.Errorf("signing key %s is damaged", path)
	}
	l.mu.Unlock()
	w, err := l.Rewrap(ctx, name, dec)
	l.mu.Lock()
	if err != nil {
		return err
	}
	tmp := path + ".new"
	os.Remove(tmp)
	if err := writeNew(tmp, []byte(base64.StdEncoding.EncodeToString(w)+"\n")); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Destroy implements vault.Custodian. It keeps no per-name key; see Custodian.
func (l *Custodian) Destroy(ctx context.Context, name string) error { return nil }

// Signer implements vault.Custodian. The Ed25519 seed is stored wrapped in
// signing-NAME.key, made on first use.
func (l *Custodian) Signer(ctx context.Context, name string) (vault.Signer, error) {
	l.smu.Lock()
	defer l.smu.Unlock()
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

func (s *localSigner) KeyID() string { return vault.KeyID(s.key.Public().(ed25519.PublicKey)) }

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
