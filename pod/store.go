package pod

import "github.com/satchel-project/satchel/blob"

// The storage contract lives in package blob; these names keep the back
// ends and their callers reading as before.
type (
	// Store is blob.Store.
	Store = blob.Store
	// Getter is blob.Getter.
	Getter = blob.Getter
	// Putter is blob.Putter.
	Putter = blob.Putter
	// Lister is blob.Lister.
	Lister = blob.Lister
	// ObjectInfo is blob.ObjectInfo.
	ObjectInfo = blob.ObjectInfo
	// Cond is blob.Cond.
	Cond = blob.Cond
)

// Storage errors, as in package blob.
var (
	ErrNotExist     = blob.ErrNotExist
	ErrPrecondition = blob.ErrPrecondition
	ErrUnavailable  = blob.ErrUnavailable
)
