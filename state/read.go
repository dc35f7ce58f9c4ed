package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/satchel-project/satchel/blob"
	"github.com/satchel-project/satchel/sealed"
)

// ReadRaw returns the bytes of document name and their version (ETag). A
// missing document is ErrNotFound.
func (db *DB) ReadRaw(ctx context.Context, name Name) ([]byte, string, error) {
	b, _, etag, err := db.read(ctx, name)
	return b, etag, err
}

// ReadJSON decodes document name into v and returns its version.
func (db *DB) ReadJSON(ctx context.Context, name Name, v any) (string, error) {
	b, etag, err := db.ReadRaw(ctx, name)
	if err != nil {
		return "", err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return "", fmt.Errorf("%w: record %s: %v", ErrDamaged, name, err)
	}
	return etag, nil
}

// Version returns the version (ETag) of document name without reading or
// decrypting it, so that a caller can keep a decoded copy until it changes.
func (db *DB) Version(ctx context.Context, name Name) (string, error) {
	pk, err := db.spaceKeys(ctx)
	if err != nil {
		return "", err
	}
	oi, err := db.store.Stat(ctx, pk.Object(string(name)))
	if err != nil {
		return "", notFound(err)
	}
	return oi.ETag, nil
}

// read returns document name with its header and version, checking that
// the object is the document it is stored as.
func (db *DB) read(ctx context.Context, name Name) ([]byte, header, string, error) {
	if !name.valid() {
		return nil, header{}, "", fmt.Errorf("%q cannot name a record", name)
	}
	pk, err := db.spaceKeys(ctx)
	if err != nil {
		return nil, header{}, "", err
	}
	hb, body, oi, err := sealed.ReadBytes(ctx, db.store, pk, pk.Object(string(name)), MaxDocument)
	if err != nil {
		return nil, header{}, "", notFound(err)
	}
	var h header
	if err := json.Unmarshal(hb, &h); err != nil {
		return nil, header{}, "", fmt.Errorf("%w: record %s has a damaged header", ErrDamaged, name)
	}
	if h.Path != name || h.Size != int64(len(body)) {
		return nil, header{}, "", fmt.Errorf("%w: the object of record %s holds another", ErrDamaged, name)
	}
	return body, h, oi.ETag, nil
}

func notFound(err error) error {
	if errors.Is(err, blob.ErrNotExist) {
		return ErrNotFound
	}
	return err
}
