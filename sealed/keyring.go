package sealed

import (
	"bytes"
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

	"github.com/satchel-project/satchel/blob"
	"github.com/satchel-project/satchel/vault"
)

// ErrNoKeys means no space has that name (or its key was destroyed).
var ErrNoKeys = errors.New("no such pod")

// maxWrappedKey bounds the wrapped-key object we are willing to read.
const maxWrappedKey = 64 << 10

// Keyring gives each space (a leaver's pod, or one of the server's own
// stores) its own age X25519 identity, stored wrapped by the key custodian
// under "pods/SPACE/key", and caches unwrapped identities in memory for a
// short time. Unwrapped keys are never written anywhere.
type Keyring struct {
	store blob.Store
	cust  vault.Custodian
	ttl   time.Duration
	now   func() time.Time

	mu    sync.Mutex
	cache map[string]*Keys
	down  error // set while the custodian is known to be unavailable

	lookup  func(hit bool) // see CountLookups
	objects func(hit bool) // see CountObjectKeyLookups
}

// Keys is what a space's identity gives: the identity and recipient for
// age, and an HMAC key that turns names into opaque object names.
type Keys struct {
	space   string
	id      *cachingIdentity
	rcpt    age.Recipient // an *x25519Recipient, or age's own if that could not be made
	names   []byte
	expires time.Time
}

// NewKeyring returns a Keyring over store and custodian that keeps unwrapped
// identities for ttl (zero: do not cache).
func NewKeyring(store blob.Store, cust vault.Custodian, ttl time.Duration) *Keyring {
	return &Keyring{store: store, cust: cust, ttl: ttl, now: time.Now, cache: map[string]*Keys{}}
}

// CountLookups has f told of every lookup of a space's keys: whether the
// cache had them (hit) or they had to be unwrapped. Call it before the
// keyring is used.
func (k *Keyring) CountLookups(f func(hit bool)) { k.lookup = f }

// CountObjectKeyLookups has f told, for every object of one age chunk that
// is opened, whether its payload key was remembered from an earlier read
// (hit) or had to be recovered from its header. Call it before the keyring
// is used.
func (k *Keyring) CountObjectKeyLookups(f func(hit bool)) { k.objects = f }

// Store is the store the keyring keeps wrapped identities in.
func (k *Keyring) Store() blob.Store { return k.store }

func keyObject(id string) string { return "pods/" + id + "/key" }

// CustodianName is the name under which space id's identity is wrapped.
func CustodianName(id string) string { return "pod-" + id }

// Create makes and stores a new identity for space id. It fails with
// blob.ErrPrecondition if id already has one.
func (k *Keyring) Create(ctx context.Context, id string) (*Keys, error) {
	ident, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, err
	}
	wrapped, err := k.cust.Wrap(ctx, CustodianName(id), []byte(ident.String()))
	if err != nil {
		return nil, fmt.Errorf("wrap pod key: %w", err)
	}
	if _, err := k.store.Put(ctx, keyObject(id), bytes.NewReader(wrapped), int64(len(wrapped)), blob.Cond{IfNoneMatch: true}); err != nil {
		return nil, err
	}
	return k.remember(id, ident)
}

// Keys returns space id's keys, unwrapping them if they are not cached. A
// space with no identity is ErrNoKeys.
func (k *Keyring) Keys(ctx context.Context, id string) (*Keys, error) {
	k.mu.Lock()
	pk, ok := k.cache[id]
	down := k.down
	k.mu.Unlock()
	if down != nil {
		return nil, down
	}
	hit := ok && k.now().Before(pk.expires)
	if k.lookup != nil {
		k.lookup(hit)
	}
	if hit {
		return pk, nil
	}
	rc, _, err := k.store.Get(ctx, keyObject(id))
	if errors.Is(err, blob.ErrNotExist) {
		return nil, ErrNoKeys
	}
	if err != nil {
		return nil, err
	}
	wrapped, err := io.ReadAll(io.LimitReader(rc, maxWrappedKey))
	rc.Close()
	if err != nil {
		return nil, err
	}
	secret, err := k.cust.Unwrap(ctx, CustodianName(id), wrapped)
	if errors.Is(err, vault.ErrNoKey) {
		return nil, ErrNoKeys
	}
	if err != nil {
		return nil, fmt.Errorf("unwrap key: %w", err)
	}
	ident, err := age.ParseX25519Identity(string(secret))
	if err != nil {
		return nil, fmt.Errorf("key is damaged: %w", err)
	}
	return k.remember(id, ident)
}

func (k *Keyring) remember(id string, ident *age.X25519Identity) (*Keys, error) {
	names, err := hkdf.Key(sha256.New, []byte(ident.String()), nil, "satchel object names v1", 32)
	if err != nil {
		return nil, err
	}
	var rcpt age.Recipient = ident.Recipient()
	if fast := newX25519Recipient(ident.Recipient()); fast != nil && checkRecipient(fast, ident) == nil {
		rcpt = fast
	}
	pk := &Keys{space: id, id: newCachingIdentity(ident, k.objects), rcpt: rcpt, names: names, expires: k.now().Add(k.ttl)}
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
func (k *Keyring) Forget(id string) {
	k.mu.Lock()
	delete(k.cache, id)
	k.mu.Unlock()
}

// Space is the name of the space these keys belong to.
func (pk *Keys) Space() string { return pk.space }

// Prefix is the start of every object name in the space.
func (pk *Keys) Prefix() string { return "pods/" + pk.space + "/" }

// Hash is an opaque name for s: an HMAC under the space's own key, so
// storage learns nothing from names, in 40 hex digits.
func (pk *Keys) Hash(s string) string {
	m := hmac.New(sha256.New, pk.names)
	m.Write([]byte(s))
	return hex.EncodeToString(m.Sum(nil)[:20])
}

// Object is the storage key of the object named name in the space.
func (pk *Keys) Object(name string) string { return pk.Prefix() + "o/" + pk.Hash(name) }
