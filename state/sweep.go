package state

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/satchel-project/satchel/blob"
	"github.com/satchel-project/satchel/sealed"
)

// Sweep deletes the documents of the space that were last written before
// cutoff, except those named in keep (and the space's format record), and
// says how many it deleted. It is for spaces of documents that mean nothing
// once old, such as counts whose every window has passed, and whose names
// cannot be listed (they are hashes of what they count): it lists the
// space's objects, reads the name from each old one's header and deletes it
// with its index entry, only if it is still the version listed, so a
// document written meanwhile, here or on another instance, stays. A damaged
// object is left as it is. Its cost grows with the whole space: run it in
// the background, never on a request.
func (db *DB) Sweep(ctx context.Context, cutoff time.Time, keep ...Name) (int, error) {
	pk, err := db.spaceKeys(ctx)
	if err != nil {
		return 0, err
	}
	prefix := pk.Prefix() + "o/"
	var old []blob.ObjectInfo
	err = db.store.List(ctx, prefix, func(oi blob.ObjectInfo) error {
		if oi.ModTime.Before(cutoff) {
			old = append(old, oi)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	keep = append(keep, formatName)
	n := 0
	for _, oi := range old {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		hb, _, _, err := sealed.ReadBytes(ctx, db.store, pk, oi.Key, MaxDocument)
		if errors.Is(err, blob.ErrNotExist) {
			continue
		}
		if err != nil && !errors.Is(err, sealed.ErrDamaged) {
			return n, err
		}
		var h header
		if err != nil || json.Unmarshal(hb, &h) != nil || !h.Path.valid() || pk.Object(string(h.Path)) != oi.Key || slices.Contains(keep, h.Path) {
			continue
		}
		switch err := db.DeleteIf(ctx, h.Path, IfMatch(oi.ETag)); {
		case err == nil:
			n++
		case errors.Is(err, ErrNotFound), errors.Is(err, ErrPrecondition):
		default:
			return n, err
		}
	}
	return n, nil
}
