package pod

import (
	"bytes"
	"errors"
	"github.com/satchel-project/satchel/sealed"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/satchel-project/satchel/internal/problem"
)

// patchTypes are the patch formats a record accepts: the Solid Protocol's
// N3 Patch, and the SPARQL Update subset Solid clients send.
var patchTypes = []string{"text/n3", "application/sparql-update"}

// malformed is an error for RDF text that cannot be read (400); conflict
// is one for a patch that does not fit the record as it is now (409).
type (
	malformed interface {
		error
		Malformed() string
	}
	conflict interface {
		error
		Conflict() string
	}
)

// patch answers PATCH of a record: the patch is applied to the record's
// RDF and the result checked like any record before it replaces it, so a
// patch that would break the record changes nothing. A record that does
// not exist yet is patched from nothing.
func (h *Handler) patch(w http.ResponseWriter, r *http.Request, id PodID, p Path) {
	if p.IsContainer() || p.IsDescription() || h.PatchRecord == nil {
		h.fail(w, r, p, ErrNotAllowed)
		return
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !slices.Contains(patchTypes, mt) {
		w.Header().Set("Accept-Patch", strings.Join(patchTypes, ", "))
		problem.Write(w, http.StatusUnsupportedMediaType, "unsupported-patch", "Send a change to a record as an N3 Patch (text/n3) or a SPARQL Update (application/sparql-update).")
		return
	}
	if r.ContentLength < 0 {
		problem.Write(w, http.StatusLengthRequired, "length-required", "Send the patch's size in a Content-Length header.")
		return
	}
	if r.ContentLength > MaxRecord {
		problem.Write(w, http.StatusRequestEntityTooLarge, "too-large", "This patch is too big.")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxRecord))
	if err != nil {
		if int64(len(body)) < r.ContentLength {
			err = sealed.ErrTruncated
		}
		h.fail(w, r, p, err)
		return
	}
	var current []byte
	etag := ""
	res, rc, err := h.Service.Get(r.Context(), id, p)
	switch {
	case err == nil:
		current, err = io.ReadAll(io.LimitReader(rc, MaxRecord+1))
		rc.Close()
		if err != nil {
			h.fail(w, r, p, err)
			return
		}
		etag = res.ETag
		if res.ContentType != typeLD {
			w.Header().Set("Allow", "OPTIONS, HEAD, GET, PUT, DELETE")
			problem.Write(w, http.StatusMethodNotAllowed, "not-a-record", "Only records (JSON-LD) can be changed with PATCH. To change this file, replace it with PUT.")
			return
		}
	case !errors.Is(err, ErrNotFound):
		h.fail(w, r, p, err)
		return
	}
	if err := preconditions(r).check(etag); err != nil {
		h.fail(w, r, p, err)
		return
	}
	out, err := h.PatchRecord(current, h.URL(id, p), h.URL(id, ""), mt, body)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	if h.CheckRecord != nil {
		if err := h.CheckRecord(out, p); err != nil {
			h.fail(w, r, p, err)
			return
		}
	}
	if err := h.ownLinks(r, id, p, out); err != nil {
		h.fail(w, r, p, err)
		return
	}
	// The write holds if nothing changed the record since it was read.
	pre := Preconditions{IfMatch: []string{etag}}
	if etag == "" {
		pre = Preconditions{IfNoneMatch: []string{"*"}}
	}
	res, created, err := h.Service.Put(r.Context(), id, p, typeLD, int64(len(out)), bytes.NewReader(out), pre)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	h.stored(w, id, p, res, created)
}
