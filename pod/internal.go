package pod

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
)

// Internal is a pod the server keeps for itself (accounts, grants,
// issuers), used as a small store of JSON documents: encrypted at rest like
// any pod, with ETags for compare-and-swap.
type Internal struct {
	s  *Service
	id PodID
}

// Internal returns the internal pod id (see EnsureInternalPod).
func (s *Service) Internal(id PodID) Internal { return Internal{s, id} }

// ReadJSON decodes the document at p into v and returns its ETag.
func (in Internal) ReadJSON(ctx context.Context, p Path, v any) (string, error) {
	b, etag, err := in.ReadRaw(ctx, p)
	if err != nil {
		return "", err
	}
	return etag, json.Unmarshal(b, v)
}

// ReadRaw returns the bytes at p and their ETag.
func (in Internal) ReadRaw(ctx context.Context, p Path) ([]byte, string, error) {
	res, rc, err := in.s.Get(ctx, in.id, p)
	if err != nil {
		return nil, "", err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	return b, res.ETag, err
}

// WriteJSON stores v at p under pre.
func (in Internal) WriteJSON(ctx context.Context, p Path, v any, pre Preconditions) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return in.WriteRaw(ctx, p, b, pre)
}

// WriteRaw stores b at p under pre.
func (in Internal) WriteRaw(ctx context.Context, p Path, b []byte, pre Preconditions) error {
	_, _, err := in.s.Put(ctx, in.id, p, "application/json", int64(len(b)), bytes.NewReader(b), pre)
	return err
}

// CreateOnly is the precondition of a write that must not replace anything.
func CreateOnly() Preconditions { return Preconditions{IfNoneMatch: []string{"*"}} }

// IfMatch is the precondition of a write that must replace exactly etag.
func IfMatch(etag string) Preconditions { return Preconditions{IfMatch: []string{etag}} }

// ErrNoChange, returned by an Update function, leaves the document as it is.
var ErrNoChange = errors.New("no change")

// maxUpdateRetries bounds Update's compare-and-swap loop.
const maxUpdateRetries = 100

// Update rewrites the document at p with change under compare-and-swap,
// reading it again whenever another writer (here or on another instance)
// got there first, so no update is lost. change gets the current bytes and
// returns the new ones, or ErrNoChange to stop without writing.
func (in Internal) Update(ctx context.Context, p Path, change func([]byte) ([]byte, error)) error {
	for attempt := 0; attempt < maxUpdateRetries; attempt++ {
		b, etag, err := in.ReadRaw(ctx, p)
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
		err = in.WriteRaw(ctx, p, out, IfMatch(etag))
		if !errors.Is(err, ErrPrecondition) {
			return err
		}
	}
	return ErrBusy
}

// UpdateJSON is Update for a JSON document decoded into v: change edits v
// (or returns ErrNoChange).
func (in Internal) UpdateJSON(ctx context.Context, p Path, v any, change func() error) error {
	return in.Update(ctx, p, func(b []byte) ([]byte, error) {
		if err := json.Unmarshal(b, v); err != nil {
			return nil, err
		}
		if err := change(); err != nil {
			return nil, err
		}
		return json.Marshal(v)
	})
}

// Delete removes the document at p; one that is not there is no error.
func (in Internal) Delete(ctx context.Context, p Path) error {
	if err := in.s.Delete(ctx, in.id, p, Preconditions{}); err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	return nil
}
