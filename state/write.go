package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/satchel-project/satchel/blob"
	"github.com/satchel-project/satchel/sealed"
)

// WriteRaw stores b as document name under cond: CreateOnly fails with
// ErrPrecondition if the document exists, IfMatch(etag) if it is not that
// version (or is gone), and the zero Cond writes whatever is there.
//
// A new document is entered in its directory's index first (see List), so
// a crash between the two leaves an entry that List skips, never a
// document that List misses. Creating a name at the very moment another
// writer deletes it may leave it out of its directory's list.
func (db *DB) WriteRaw(ctx context.Context, name Name, b []byte, cond Cond) error {
	_, err := db.write(ctx, name, b, cond, time.Time{})
	return err
}

// WriteJSON stores v, as JSON, as document name under cond (see WriteRaw).
func (db *DB) WriteJSON(ctx context.Context, name Name, v any, cond Cond) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return db.WriteRaw(ctx, name, b, cond)
}

// write stores body as document name under cond. created is when the
// document was made, if known.
func (db *DB) write(ctx context.Context, name Name, body []byte, cond Cond, created time.Time) (blob.ObjectInfo, error) {
	if !name.valid() {
		return blob.ObjectInfo{}, fmt.Errorf("%q cannot name a record", name)
	}
	if len(body) > MaxDocument {
		return blob.ObjectInfo{}, fmt.Errorf("record %s is larger than %d bytes", name, MaxDocument)
	}
	pk, err := db.spaceKeys(ctx)
	if err != nil {
		return blob.ObjectInfo{}, err
	}
	key := pk.Object(string(name))
	creating := cond.IfNoneMatch
	if cond == (Cond{}) {
		_, err := db.store.Stat(ctx, key)
		switch {
		case errors.Is(err, blob.ErrNotExist):
			creating = true
		case err != nil:
			return blob.ObjectInfo{}, err
		}
	}
	now := db.now().UTC()
	if creating {
		if err := db.enter(ctx, pk, name); err != nil {
			return blob.ObjectInfo{}, err
		}
		created = now
	}
	h, err := json.Marshal(header{Path: name, ContentType: ContentType, Size: int64(len(body)), Created: created, Modified: now})
	if err != nil {
		return blob.ObjectInfo{}, err
	}
	return sealed.WriteBytes(ctx, db.store, pk, key, h, body, cond)
}

// maxUpdateRetries bounds Update's compare-and-swap loop; maxBackoff caps
// one wait between its attempts.
const (
	maxUpdateRetries = 100
	maxBackoff       = 100 * time.Millisecond
)

// Update rewrites document name with change under compare-and-swap,
// reading it again whenever another writer (here or on another instance)
// got there first, so no update is lost. change gets the current bytes and
// returns the new ones, or ErrNoChange to stop without writing; it may be
// called more than once. A missing document is ErrNotFound; one that keeps
// changing under every attempt is ErrBusy.
func (db *DB) Update(ctx context.Context, name Name, change func([]byte) ([]byte, error)) error {
	for attempt := 0; attempt < maxUpdateRetries; attempt++ {
		b, h, etag, err := db.read(ctx, name)
		if err != nil {
			return err
		}
		out, err := change(b)
		if errors.Is(err, ErrNoChange) {
			return nil
		}
		if err != nil {
			return err
		}
		_, err = db.write(ctx, name, out, IfMatch(etag), h.Created)
		if !errors.Is(err, ErrPrecondition) {
			return err
		}
		// Someone else changed it: back off (jittered, exponential,
		// capped) so that busy writers spread out, then read it again.
		ceiling := min(maxBackoff, time.Millisecond<<min(attempt, 10))
		select {
		case <-time.After(time.Duration(rand.Int64N(int64(ceiling)))):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return ErrBusy
}

// UpdateJSON is Update for a JSON document decoded into v: change edits v,
// or returns ErrNoChange.
func (db *DB) UpdateJSON(ctx context.Context, name Name, v any, change func() error) error {
	return db.Update(ctx, name, func(b []byte) ([]byte, error) {
		if err := json.Unmarshal(b, v); err != nil {
			return nil, fmt.Errorf("%w: record %s: %v", ErrDamaged, name, err)
		}
		if err := change(); err != nil {
			return nil, err
		}
		return json.Marshal(v)
	})
}

// Delete removes document name; one that is not there is no error.
func (db *DB) Delete(ctx context.Context, name Name) error {
	if err := db.DeleteIf(ctx, name, Cond{}); err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	return nil
}

// DeleteIf removes document name under cond (IfMatch, or the zero Cond). A
// missing document is ErrNotFound; another version, ErrPrecondition.
func (db *DB) DeleteIf(ctx context.Context, name Name, cond Cond) error {
	if !name.valid() {
		return fmt.Errorf("%q cannot name a record", name)
	}
	pk, err := db.spaceKeys(ctx)
	if err != nil {
		return err
	}
	if err := db.store.Delete(ctx, pk.Object(string(name)), cond); err != nil {
		return notFound(err)
	}
	return db.leave(ctx, pk, name)
}
