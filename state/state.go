// Package state is the store of the server's own records: accounts, grants
// and their state, share tokens and codes, sessions, delegations, issuers
// and enrolments, reset and set-up codes, sign-in cut-offs. Each record is
// a JSON document (or a few bytes) under a name, kept as one sealed object
// (package sealed: encrypted to its space's own age identity, under an
// opaque name), looked up by that name and changed under compare-and-swap.
//
// There are no container listings: adding a document costs the same
// however many are stored. Where something must be listed (a leaver's
// shares, a helper's people, an organisation's enrolments) the documents
// live in a directory of their own owner ("pods/ID/", "helpers/ID/"), and
// List reads that directory's index, which holds one small sealed entry per
// document. Nothing is ever listed across owners.
//
// A space written by a release before this package (an "internal pod")
// holds the same objects under the same names, with container listings in
// place of index entries; Open indexes it once (see Migrate).
package state

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/satchel-project/satchel/blob"
	"github.com/satchel-project/satchel/sealed"
)

// Name names a document within its space: slash-separated, never ending in
// "/". Its directory is everything up to the last "/".
type Name string

// Dir is the directory n is in ("" for a name with no "/").
func (n Name) Dir() Name {
	return n[:strings.LastIndex(string(n), "/")+1]
}

// Base is n without its directory.
func (n Name) Base() string { return string(n[len(n.Dir()):]) }

// Child is the name of base within directory n (which ends in "/").
func (n Name) Child(base string) Name { return n + Name(base) }

func (n Name) valid() bool { return n != "" && !strings.HasSuffix(string(n), "/") }

// Errors from DB.
var (
	// ErrNotFound: no document has that name.
	ErrNotFound = errors.New("no such record")
	// ErrPrecondition: a conditional write or delete found another version
	// (IfMatch) or an existing document (CreateOnly). It is
	// blob.ErrPrecondition.
	ErrPrecondition = blob.ErrPrecondition
	// ErrBusy: an Update kept losing to other writers until it gave up.
	ErrBusy = errors.New("this record is too busy to change right now; try again")
	// ErrNoChange, returned by an Update function, leaves the document as it
	// is.
	ErrNoChange = errors.New("no change")
	// ErrDamaged: a stored object does not decrypt, or is not the document
	// it is stored as (it was moved). It is sealed.ErrDamaged.
	ErrDamaged = sealed.ErrDamaged
)

// Cond makes a write or delete conditional: the zero value is
// unconditional; see CreateOnly and IfMatch.
type Cond = blob.Cond

// CreateOnly is the condition of a write that must not replace anything.
func CreateOnly() Cond { return Cond{IfNoneMatch: true} }

// IfMatch is the condition of a write or delete that must find exactly the
// version etag (as ReadRaw, ReadJSON or Version returned it).
func IfMatch(etag string) Cond { return Cond{IfMatch: etag} }

// MaxDocument bounds a document's size.
const MaxDocument = 16 << 20

// ContentType is the type every document is stored under, in its header.
const ContentType = "application/json"

// DB is one space's documents over a store. It is safe for concurrent use,
// and any number of DBs (in this process or others) may share one space:
// every change is conditional on what was read.
type DB struct {
	store blob.Store
	keys  *sealed.Keyring
	space string
	now   func() time.Time
}

// Open returns the documents of space, creating its identity on first use,
// and brings a space written by an older release up to date (see Migrate)
// the first time it is opened. store must be the store keys keeps its
// identities in.
func Open(ctx context.Context, store blob.Store, keys *sealed.Keyring, space string) (*DB, error) {
	db := &DB{store: store, keys: keys, space: space, now: time.Now}
	if _, err := keys.Keys(ctx, space); errors.Is(err, sealed.ErrNoKeys) {
		if _, err := keys.Create(ctx, space); err != nil && !errors.Is(err, blob.ErrPrecondition) {
			return nil, fmt.Errorf("open %s: %w", space, err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("open %s: %w", space, err)
	}
	if err := db.upgrade(ctx); err != nil {
		return nil, fmt.Errorf("open %s: %w", space, err)
	}
	return db, nil
}

// Space is the name of the space the documents are kept in.
func (db *DB) Space() string { return db.space }

// header is what a document's sealed object holds in front of its body: the
// JSON shape pod.Meta has, so that documents written as internal-pod
// resources by earlier releases read as they are.
type header struct {
	Path        Name      `json:"path"`
	ContentType string    `json:"type"`
	Size        int64     `json:"size"`
	Created     time.Time `json:"created"`
	Modified    time.Time `json:"modified"`
}

func (db *DB) spaceKeys(ctx context.Context) (*sealed.Keys, error) {
	return db.keys.Keys(ctx, db.space)
}
