package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/satchel-project/satchel/blob"
	"github.com/satchel-project/satchel/sealed"
)

// Releases before this package kept the same documents, under the same
// object names, as resources of "internal pods", and listed them in Solid
// containers: one sealed object per directory, of type containerType,
// holding {"members": {name: {...}}}, where a name ending in "/" is a
// directory. Such a space has no index entries until Migrate writes them.

// containerType is the type a container's object has in its header.
const containerType = "application/vnd.satchel.container+json"

// formatName is the document that says the space is indexed; Open writes
// it after Migrate.
const formatName Name = "satchel/format"

// formatVersion is this release's format: one index entry per document.
// Internal pods were format 1.
const formatVersion = 2

type format struct {
	Version int `json:"version"`
}

// maxDepth bounds how deep Migrate follows directories.
const maxDepth = 32

// upgrade migrates the space unless it says it is in this format.
func (db *DB) upgrade(ctx context.Context) error {
	var f format
	_, err := db.ReadJSON(ctx, formatName, &f)
	switch {
	case err == nil && f.Version > formatVersion:
		return fmt.Errorf("these records were written by a newer release of Satchel (format %d; this one reads %d): run that release", f.Version, formatVersion)
	case err == nil:
		return nil
	case !errors.Is(err, ErrNotFound):
		return err
	}
	if err := Migrate(ctx, db); err != nil {
		return fmt.Errorf("index the records of an earlier release: %w", err)
	}
	err = db.WriteJSON(ctx, formatName, format{formatVersion}, CreateOnly())
	if errors.Is(err, ErrPrecondition) {
		return nil // another instance finished first
	}
	return err
}

// Migrate indexes a space written by an earlier release: it walks the
// container listings from the root down and writes the index entry of
// every document they name, so that List finds them. It changes no
// document and deletes nothing (the old listings stay, unused). Running it
// again, or on two instances at once, writes nothing twice. Documents
// written through DB meanwhile are indexed already.
func Migrate(ctx context.Context, db *DB) error {
	pk, err := db.spaceKeys(ctx)
	if err != nil {
		return err
	}
	return db.migrateDir(ctx, pk, "", 0)
}

func (db *DB) migrateDir(ctx context.Context, pk *sealed.Keys, dir Name, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("%w: directories nested more than %d deep under %s", ErrDamaged, maxDepth, dir)
	}
	hb, body, _, err := sealed.ReadBytes(ctx, db.store, pk, pk.Object(string(dir)), MaxDocument)
	if errors.Is(err, blob.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("listing of %q: %w", dir, err)
	}
	var h header
	var l struct {
		Members map[string]struct {
			Size int64 `json:"size"`
		} `json:"members"`
	}
	if json.Unmarshal(hb, &h) != nil || h.ContentType != containerType || h.Path != dir || json.Unmarshal(body, &l) != nil {
		return fmt.Errorf("%w: the listing of %q", ErrDamaged, dir)
	}
	names := make([]string, 0, len(l.Members))
	for name := range l.Members {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		switch {
		case name == "" || name == "/" || strings.Contains(strings.TrimSuffix(name, "/"), "/"):
			return fmt.Errorf("%w: the listing of %q names %q", ErrDamaged, dir, name)
		case strings.HasSuffix(name, "/"):
			if err := db.migrateDir(ctx, pk, dir.Child(name), depth+1); err != nil {
				return err
			}
		case l.Members[name].Size >= 0: // not a name a POST reserved and never wrote
			if err := db.enter(ctx, pk, dir.Child(name)); err != nil {
				return err
			}
		}
	}
	return nil
}
