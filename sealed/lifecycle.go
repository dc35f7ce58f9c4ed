package sealed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/satchel-project/satchel/blob"
)

// Spaces calls fn with the name of every space that has an identity.
func (k *Keyring) Spaces(ctx context.Context, fn func(string) error) error {
	var ids []string
	err := k.store.List(ctx, "pods/", func(oi blob.ObjectInfo) error {
		id, tail, ok := strings.Cut(strings.TrimPrefix(oi.Key, "pods/"), "/")
		if ok && tail == "key" {
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := fn(id); err != nil {
			return err
		}
	}
	return nil
}

// Erase destroys space id for good. Its key goes first: the custodian
// forgets the key it wrapped the identity under (crypto-shredding, where the
// custodian keeps one per space) and the wrapped identity is deleted; only
// then are the objects deleted. If this stops half-way, what is left can no
// longer be decrypted, and running it again finishes the job.
func (k *Keyring) Erase(ctx context.Context, id string) error {
	if err := k.cust.Destroy(ctx, CustodianName(id)); err != nil {
		return fmt.Errorf("destroy key: %w", err)
	}
	k.Forget(id)
	if err := k.store.Delete(ctx, keyObject(id), blob.Cond{}); err != nil && !errors.Is(err, blob.ErrNotExist) {
		return fmt.Errorf("delete wrapped key: %w", err)
	}
	var keys []string
	if err := k.store.List(ctx, "pods/"+id+"/", func(oi blob.ObjectInfo) error {
		keys = append(keys, oi.Key)
		return nil
	}); err != nil {
		return err
	}
	for _, key := range keys {
		if err := k.store.Delete(ctx, key, blob.Cond{}); err != nil && !errors.Is(err, blob.ErrNotExist) {
			return err
		}
	}
	return nil
}

// RewrapFunc re-encrypts a wrapped secret under the custodian's newest key
// version (see local.Custodian.Rewrap in vault/local).
type RewrapFunc func(ctx context.Context, name string, wrapped []byte) ([]byte, error)

// Rewrap rewraps space id's identity with rewrap and stores the result only
// if the wrapped key did not change meanwhile. Readers keep working
// throughout: both the old and the new wrapping unwrap.
func (k *Keyring) Rewrap(ctx context.Context, id string, rewrap RewrapFunc) error {
	rc, oi, err := k.store.Get(ctx, keyObject(id))
	if errors.Is(err, blob.ErrNotExist) {
		return ErrNoKeys
	}
	if err != nil {
		return err
	}
	wrapped, err := io.ReadAll(io.LimitReader(rc, maxWrappedKey))
	rc.Close()
	if err != nil {
		return err
	}
	nw, err := rewrap(ctx, CustodianName(id), wrapped)
	if err != nil {
		return fmt.Errorf("rewrap key of pod %s: %w", id, err)
	}
	_, err = k.store.Put(ctx, keyObject(id), bytes.NewReader(nw), int64(len(nw)), blob.Cond{IfMatch: oi.ETag})
	return err
}
