package pod

import (
	"context"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"filippo.io/age"

	"github.com/satchel-project/satchel/vault"
)

// ErrNoPod means no pod has that ID (or its key was destroyed).
var ErrNoPod = errors.New("no such pod")

// maxWrappedKey bounds the wrapped-key object we are willing to read.
const maxWrappedKey = 64 << 10

// Keyring gives each pod its own age X25519 identity, stored wrapped by the
// key custodian under "pods/ID/key", and caches unwrapped identities in
// memory for a short time. Unwrapped keys are never written anywhere.
type Keyring struct {
	store Store
	cust  vault.Custodian
	ttl   time.Duration
	now   func() time.Time

	mu    sync.Mutex
	cache map[PodID]*podKeys
	down  error // set while the custodian is known to be unavailable
}

// podKeys is what a pod's identity gives: the identity and recipient for
// age, and an HMAC key that turns paths into object names.
type podKeys struct {
	id      *cachingIdentity
	rcpt    *age.X25519Recipient
	names   []byte
	expires time.Time
}

// NewKeyring returns a Keyring over store and custodian that keeps unwrapped
// identities for ttl (zero: do not cache).
func NewKeyring(store Store, cust vault.Custodian, ttl time.Duration) *Keyring {
	return &Keyring{store: store, cust: cust, ttl: ttl, now: time.Now, cache: map[PodID]*podKeys{}}
}

func keyObject(id PodID) string { return "pods/" + string(id) + "/key" }

func custodianName(id PodID) string { return "pod-" + string(id) }

// create makes and stores a new identity for id. It fails with
// ErrPrecondition if id already has one.
func (k *Keyring) create(ctx context.Context, id PodID) (*podKeys, error) {
	ident, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, err
	}
	wrapped, err := k.cust.Wrap(ctx, custodianName(id), []byte(ident.String()))
	if err != nil {
		return nil, fmt.Errorf("wrap pod key: %w", err)
	}
	if _, err := k.store.Put(ctx, keyObject(id), bytesReader(wrapped), int64(len(wrapped)), Cond{IfNoneMatch: true}); err != nil {
		return nil, err
	}
	return k.remember(id, ident)
}

// keys returns id's keys, unwrapping them if they are not cached.
func (k *Keyring) keys(ctx context.Context, id PodID) (*podKeys, error) {
	k.mu.Lock()
	pk, ok := k.cache[id]
	down := k.down
	k.mu.Unlock()
	if down != nil {
		return nil, down
	}
	if ok && k.now().Before(pk.expires) {
		return pk, nil
	}
	rc, _, err := k.store.Get(ctx, keyObject(id))
	if errors.Is(err, ErrNotExist) {
		return nil, ErrNoPod
	}
	if err != nil {
		return nil, err
	}
	wrapped, err := io.ReadAll(io.LimitReader(rc, maxWrappedKey))
	rc.Close()
	if err != nil {
		return nil, err
	}
	secret, err := k.cust.Unwrap(ctx, custodianName(id), wrapped)
	if errors.Is(err, vault.ErrNoKey) {
		return nil, ErrNoPod
	}
	if err != nil {
		return nil, fmt.Errorf("unwrap pod key: %w", err)
	}
	ident, err := age.ParseX25519Identity(string(secret))
	if err != nil {
		return nil, fmt.Errorf("pod key is damaged: %w", err)
	}
	return k.remember(id, ident)
}

func (k *Keyring) remember(id PodID, ident *age.X25519Identity) (*podKeys, error) {
	names, err := hkdf.Key(sha256.New, []byte(ident.String()), nil, "satchel object names v1", 32)
	if err != nil {
		return nil, err
	}
	pk := &podKeys{id: newCachingIdentity(ident), rcpt: ident.Recipient(), names: names, expires: k.now().Add(k.ttl)}
	if k.ttl > 0 {
		k.mu.Lock()
		if len(k.cache) > 10000 {
			now := k.now()
			for id, c := range k.cache {
				if !now.Before(c.expires) {
					delete(k.cache, id)
				}
			}
		}
		k.cache[id] = pk
		k.mu.Unlock()
	}
	return pk, nil
}

// SetCustodyDown records whether the custodian is unavailable (err != nil)
// or back (nil). While it is down, every pod operation fails with err and
// cached identities are dropped: a sealed Vault stops all reads at once,
// with no fallback to keys kept in memory.
func (k *Keyring) SetCustodyDown(err error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.down = err
	if err != nil {
		clear(k.cache)
	}
}

// Forget drops id's cached identity.
func (k *Keyring) Forget(id PodID) {
	k.mu.Lock()
	delete(k.cache, id)
	k.mu.Unlock()
}

// objectKey is the storage key of path p in pod id: an HMAC of the path
// under the pod's own key, so storage learns nothing from names.
func (pk *podKeys) objectKey(id PodID, p Path) string {
	m := hmac.New(sha256.New, pk.names)
	m.Write([]byte(p))
	return "pods/" + string(id) + "/o/" + hex.EncodeToString(m.Sum(nil)[:20])
}
