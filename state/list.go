package state

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/satchel-project/satchel/blob"
	"github.com/satchel-project/satchel/sealed"
)

// Every document has an entry in its directory's index: a small sealed
// object whose body is the document's name, stored at
//
//	pods/SPACE/i/HASH(dir)/HASH(name)
//
// so that listing a directory is listing one storage prefix, whatever else
// the space holds, and adding a document adds one object, whatever else
// the directory holds. The entry is written before the document is made
// and deleted after it is deleted.

// maxEntry bounds an index entry's body (a name).
const maxEntry = 4 << 10

func indexPrefix(pk *sealed.Keys, dir Name) string {
	return pk.Prefix() + "i/" + pk.Hash(string(dir)) + "/"
}

func indexKey(pk *sealed.Keys, name Name) string {
	return indexPrefix(pk, name.Dir()) + pk.Hash(string(name))
}

// enter writes name's index entry, unless it is there.
func (db *DB) enter(ctx context.Context, pk *sealed.Keys, name Name) error {
	_, err := sealed.WriteBytes(ctx, db.store, pk, indexKey(pk, name), nil, []byte(name), CreateOnly())
	if errors.Is(err, blob.ErrPrecondition) {
		return nil
	}
	return err
}

// leave deletes name's index entry, if it is there.
func (db *DB) leave(ctx context.Context, pk *sealed.Keys, name Name) error {
	err := db.store.Delete(ctx, indexKey(pk, name), Cond{})
	if errors.Is(err, blob.ErrNotExist) {
		return nil
	}
	return err
}

// List returns the names of the documents directly in dir ("" or a name
// ending in "/"), sorted. It reads dir's index and no other: its cost
// grows with what dir holds, never with the rest of the space. Documents
// in directories below dir are not listed (directories hold documents, not
// other directories).
func (db *DB) List(ctx context.Context, dir Name) ([]Name, error) {
	if dir != "" && !strings.HasSuffix(string(dir), "/") {
		return nil, fmt.Errorf("%q is not a directory of records", dir)
	}
	pk, err := db.spaceKeys(ctx)
	if err != nil {
		return nil, err
	}
	var keys []string
	prefix := indexPrefix(pk, dir)
	err = db.store.List(ctx, prefix, func(oi blob.ObjectInfo) error {
		if !strings.Contains(oi.Key[len(prefix):], "/") {
			keys = append(keys, oi.Key)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []Name
	for _, key := range keys {
		_, body, _, err := sealed.ReadBytes(ctx, db.store, pk, key, maxEntry)
		if errors.Is(err, blob.ErrNotExist) {
			continue // deleted since it was listed
		}
		if err != nil {
			return nil, err
		}
		name := Name(body)
		if !name.valid() || name.Dir() != dir || key != indexKey(pk, name) {
			return nil, fmt.Errorf("%w: an index entry of %s names another record", ErrDamaged, dir)
		}
		// An entry whose document is missing was left by a write that
		// stopped before it made the document, or by a delete in progress.
		if _, err := db.store.Stat(ctx, pk.Object(string(name))); errors.Is(err, blob.ErrNotExist) {
			continue
		} else if err != nil {
			return nil, err
		}
		out = append(out, name)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}
