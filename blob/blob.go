// Package blob is the contract between Satchel and a storage back end:
// keyed, opaque, whole objects with atomic conditional writes and listing by
// prefix. Back ends (pod/fsstore, pod/s3store) implement Store and pass
// pod/storetest; they only ever see ciphertext under names that reveal
// nothing (package sealed makes both).
package blob

import (
	"context"
	"errors"
	"io"
	"time"
)

// Errors returned by every Store. Backends translate their own errors into
// these so that no SDK type leaves a backend.
var (
	// ErrNotExist: no object has that key.
	ErrNotExist = errors.New("object does not exist")
	// ErrPrecondition: a conditional write or delete found a different
	// version (If-Match) or an existing object (create-only).
	ErrPrecondition = errors.New("object changed or already exists")
	// ErrUnavailable: the storage back end could not be reached.
	ErrUnavailable = errors.New("storage is unavailable")
)

// ObjectInfo describes one stored object. ETag changes whenever the object
// is written and is opaque to callers.
type ObjectInfo struct {
	Key     string
	Size    int64
	ETag    string
	ModTime time.Time
}

// Cond makes a write or delete conditional. The zero value is unconditional.
type Cond struct {
	// IfMatch, when set, requires the current object's ETag to equal it.
	IfMatch string
	// IfNoneMatch requires that no object exists under the key (create-only).
	IfNoneMatch bool
}

// Getter reads objects.
type Getter interface {
	// Get opens the object under key. The caller closes the reader. A missing
	// object is ErrNotExist.
	Get(ctx context.Context, key string) (io.ReadCloser, ObjectInfo, error)
	// Stat describes the object under key without reading it.
	Stat(ctx context.Context, key string) (ObjectInfo, error)
}

// Putter writes objects atomically: a reader sees the old object or the new
// one, never part of either, and a failed Put leaves the old object intact.
type Putter interface {
	// Put stores exactly size bytes from r under key (size < 0: unknown).
	// If r fails or yields a different number of bytes, nothing is stored.
	// A failed condition is ErrPrecondition.
	Put(ctx context.Context, key string, r io.Reader, size int64, cond Cond) (ObjectInfo, error)
	// Delete removes the object under key. A missing object is ErrNotExist;
	// a failed condition is ErrPrecondition.
	Delete(ctx context.Context, key string, cond Cond) error
}

// Lister enumerates objects.
type Lister interface {
	// List calls fn for every object whose key starts with prefix, in no
	// particular order, stopping at the first error fn returns.
	List(ctx context.Context, prefix string, fn func(ObjectInfo) error) error
}

// Store is what a storage back end implements: keyed, opaque, whole-object
// reads and atomic conditional writes. It only ever sees ciphertext; keys are
// made by package sealed and reveal nothing a person typed. Backends live in
// packages pod/fsstore and pod/s3store and pass storetest.Test.
type Store interface {
	Getter
	Putter
	Lister
}
