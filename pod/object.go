package pod

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"time"

	"github.com/satchel-project/satchel/sealed"
)

// Meta is what Satchel knows about a stored resource. It is the header of
// the sealed object, in front of the content, so storage never sees it.
type Meta struct {
	Path        Path      `json:"path"`
	ContentType string    `json:"type"`
	Size        int64     `json:"size"`
	Created     time.Time `json:"created"`
	Modified    time.Time `json:"modified"`
	// AddedBy is the account of the helper who added the resource, or
	// "org:" and the slug of the organisation that added it before the
	// pod was claimed (see WithAddedBy); "" when its owner (or Satchel)
	// wrote it.
	AddedBy string `json:"addedBy,omitempty"`
}

// Keyring gives each pod its identity (see sealed.Keyring).
type Keyring = sealed.Keyring

// NewKeyring returns a Keyring over store and custodian that keeps unwrapped
// identities for ttl (zero: do not cache).
var NewKeyring = sealed.NewKeyring

// ErrNoPod means no pod has that ID (or its key was destroyed).
var ErrNoPod = sealed.ErrNoKeys

// RewrapFunc re-encrypts a wrapped secret (see sealed.RewrapFunc).
type RewrapFunc = sealed.RewrapFunc

// CustodianName is the name under which pod id's identity is wrapped.
func CustodianName(id PodID) string { return sealed.CustodianName(string(id)) }

// writeObject seals meta and exactly meta.Size bytes of body under key. If
// body ends early or fails, nothing is stored and any previous object
// survives.
func (s *Service) writeObject(ctx context.Context, pk *sealed.Keys, key string, meta Meta, body io.Reader, cond Cond) (ObjectInfo, error) {
	mj, err := json.Marshal(meta)
	if err != nil {
		return ObjectInfo{}, err
	}
	return sealed.Write(ctx, s.store, pk, key, mj, meta.Size, body, cond)
}

// openObject reads and decrypts the object under key, returning its meta and
// a reader of exactly meta.Size content bytes. The caller closes it.
func (s *Service) openObject(ctx context.Context, pk *sealed.Keys, key string) (Meta, io.ReadCloser, ObjectInfo, error) {
	header, rc, oi, err := sealed.Open(ctx, s.store, pk, key)
	if err != nil {
		return Meta{}, nil, oi, err
	}
	var meta Meta
	if err := json.Unmarshal(header, &meta); err != nil {
		rc.Close()
		return Meta{}, nil, oi, errors.Join(errDamaged, err)
	}
	if b, ok := rc.(sealed.Body); ok && int64(b.Len()) == meta.Size {
		return meta, b, oi, nil
	}
	return meta, readCloser{io.LimitReader(rc, meta.Size), rc}, oi, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}
