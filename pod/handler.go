package pod

import (
	"context"
	"errors"
	"github.com/satchel-project/satchel/sealed"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/satchel-project/satchel/access"
	"github.com/satchel-project/satchel/internal/problem"
	"github.com/satchel-project/satchel/vault"
)

// Handler serves pods over HTTP the way the Solid Protocol asks, under
// /pods/{podID}/. Who may do what is decided by access.Can for the
// principal that middleware put in the request context: nobody signed in
// gets 401, and a principal with no standing in the pod sees 404 for every
// path, exactly as for a pod that does not exist.
type Handler struct {
	Service *Service
	// BaseURL is the server's public URL without a trailing slash.
	BaseURL string
	// MaxUpload is the largest body accepted, in bytes.
	MaxUpload int64
	// Delegated loads what pod id's owner lets the helper account do in it
	// (nil: nothing). It is the only I/O the access decision needs.
	Delegated func(ctx context.Context, id PodID, account string) ([]access.Right, error)
	// Audit records in pod id's access log what a helper is about to do
	// (action "view" or "add" of path p). If it fails, the request fails:
	// nothing a helper does goes unrecorded.
	Audit func(ctx context.Context, id PodID, actor, action string, p Path) error
	// CheckRecord, if set, checks a JSON-LD record before it is stored at
	// p. An error with a ProblemList method is answered 422 with that list.
	CheckRecord func(data []byte, p Path) error
	// RecordLinks, if set, lists the links to files in a JSON-LD record,
	// as written (relative references or URLs), so that a helper's record
	// can be held to the files that helper added.
	RecordLinks func(data []byte) []string
	// RenderRecord, if set, serves a stored JSON-LD record as another RDF
	// media type (Turtle, N-Quads) to clients that prefer one, with base
	// the record's URL.
	RenderRecord func(data []byte, base, mediaType string) ([]byte, error)
	// RecordFromTurtle, if set, turns a record sent as Turtle into the
	// JSON-LD record it stands for (then checked by CheckRecord), with base
	// the record's URL and scope the pod's: a record may describe only
	// itself and link only inside its pod.
	RecordFromTurtle func(data []byte, base, scope string) ([]byte, error)
	// PatchRecord, if set, applies a patch (text/n3 or
	// application/sparql-update) to a stored JSON-LD record (nil if there
	// is none yet) and returns the new record, then checked by
	// CheckRecord. Errors with a Conflict method are answered 409, with a
	// Malformed method 400.
	PatchRecord func(record []byte, base, scope, mediaType string, patch []byte) ([]byte, error)
	Log         *slog.Logger
}

// AddContainer is where a helper with the "add" right may add documents.
const AddContainer Path = access.AddContainer

// unprocessable is an error that lists what a client must fix.
type unprocessable interface {
	error
	ProblemList() any
}

// MaxRecord is the largest JSON or JSON-LD record accepted: records are
// parsed in memory, documents are streamed.
const MaxRecord = 1 << 20

// Prefix is where pods live in the URL space.
const Prefix = "/pods/"

// URL is the public URL of path p in pod id.
func (h *Handler) URL(id PodID, p Path) string {
	return h.BaseURL + Prefix + string(id) + "/" + p.Escaped()
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setCORS(w, r)
	raw := r.URL.EscapedPath()
	if len(raw) > 3*MaxPathBytes+len(Prefix)+40 {
		problem.Write(w, http.StatusRequestURITooLong, "path-too-long", "This address is too long.")
		return
	}
	rest, ok := strings.CutPrefix(raw, Prefix)
	if !ok {
		problem.Write(w, http.StatusNotFound, "not-found", "Nothing is stored at this address.")
		return
	}
	podPart, pathPart, hasSlash := strings.Cut(rest, "/")
	if !hasSlash {
		// "/pods/ID" without the slash: the pod root is a container.
		pathPart = ""
	}
	p, err := ParsePath(pathPart)
	switch {
	case errors.Is(err, ErrPathTooLong):
		problem.Write(w, http.StatusRequestURITooLong, "path-too-long", "This address is too long.")
		return
	case err != nil:
		problem.Write(w, http.StatusBadRequest, "bad-path", "This address is not allowed: names cannot be empty, \".\" or \"..\", or contain slashes, backslashes or control characters.")
		return
	}
	if r.Method == http.MethodOptions {
		h.options(w, r, p)
		return
	}
	id := PodID(podPart)
	who := access.From(r.Context())
	if !who.SignedIn() {
		access.Write(w, access.ErrUnauthenticated, "")
		return
	}
	if !hasSlash || !id.Valid() {
		access.Write(w, access.ErrNotFound, "")
		return
	}
	var delegated []access.Right
	if !who.Owns(string(id)) && who.Kind == access.Helper {
		var err error
		if delegated, err = h.Delegated(r.Context(), id, who.Account); err != nil {
			h.fail(w, r, p, err)
			return
		}
	}
	can := func(right access.Right) error {
		return access.Can(who, access.Request{Right: right, Pod: string(id), Path: string(p), Delegated: delegated, Now: time.Now()})
	}
	// Anyone with no standing in the pod learns nothing about it.
	if err := can(access.View); errors.Is(err, access.ErrNotFound) {
		access.Write(w, err, "")
		return
	}
	w.Header().Set("Vary", "Accept, Authorization, Origin")
	if p.IsAccessLog() && r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "OPTIONS, HEAD, GET")
		problem.Write(w, http.StatusMethodNotAllowed, "read-only", "The access log is written by Satchel and cannot be changed.")
		return
	}
	action, right := requestRight(r.Method, p)
	err = can(right)
	createOnly := false
	if errors.Is(err, access.ErrForbidden) && right == access.Change && addable(r.Method, p) && can(access.Add) == nil {
		// A helper may add but never replace: the write must create.
		err, createOnly, action = nil, true, "add"
	}
	if err != nil {
		access.Write(w, err, notDelegated(r.Method, p))
		return
	}
	if createOnly {
		r.Header.Set("If-None-Match", "*")
		r.Header.Del("If-Match")
	}
	if actor := access.Actor(who, string(id)); actor != "" {
		if err := h.Audit(r.Context(), id, actor, action, p); err != nil {
			h.fail(w, r, p, err)
			return
		}
	}
	switch {
	case can(access.Change) == nil:
		w.Header().Set("WAC-Allow", `user="read write append",public=""`)
	case can(access.View) == nil:
		w.Header().Set("WAC-Allow", `user="read",public=""`)
	default:
		w.Header().Set("WAC-Allow", `user="append",public=""`)
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		h.get(w, r, id, p)
	case http.MethodPut:
		h.put(w, r, id, p)
	case http.MethodPost:
		h.post(w, r, id, p)
	case http.MethodDelete:
		h.delete(w, r, id, p)
	case http.MethodPatch:
		h.patch(w, r, id, p)
	default:
		w.Header().Set("Allow", allow(p))
		problem.Write(w, http.StatusMethodNotAllowed, "method-not-allowed", "This address does not support "+r.Method+".")
	}
}

// requestRight is the right a request needs, and the action it is logged
// as when a helper makes it.
func requestRight(method string, p Path) (action string, right access.Right) {
	switch method {
	case http.MethodGet, http.MethodHead:
		if p.IsAccessLog() {
			return "view", access.ReadLog
		}
		return "view", access.View
	case http.MethodPut, http.MethodPost:
		return "add", access.Change
	}
	return "change", access.Change
}

// addable reports whether a write could be an addition of something new:
// a POST to a container, or a PUT of a resource (made create-only).
func addable(method string, p Path) bool {
	return method == http.MethodPost || method == http.MethodPut && !p.IsContainer()
}

func notDelegated(method string, p Path) string {
	switch method {
	case http.MethodGet, http.MethodHead:
		if p.IsAccessLog() {
			return "Only the person whose pod it is can read its access log."
		}
		return "The person whose pod this is has not allowed you to see it."
	case http.MethodPut, http.MethodPost:
		return "The person whose pod this is has not allowed you to do this. Helpers who may add documents can add new files to documents/ only."
	}
	return "Only the person whose pod it is can change or delete things in it."
}

// allow is the Allow header for p.
func allow(p Path) string {
	switch {
	case p.IsDescription(), p.IsAccessLog():
		return "OPTIONS, HEAD, GET"
	case p.IsRoot():
		return "OPTIONS, HEAD, GET, POST, PUT"
	case p.IsContainer():
		return "OPTIONS, HEAD, GET, POST, PUT, DELETE"
	default:
		return "OPTIONS, HEAD, GET, PUT, PATCH, DELETE"
	}
}

// acceptedTypes are the content types a pod stores.
var acceptedTypes = []string{
	"application/ld+json", "text/turtle", "application/json", "text/plain",
	"application/pdf", "image/jpeg", "image/png", "image/heic", "image/heif",
}

func describeHeaders(w http.ResponseWriter, p Path) {
	h := w.Header()
	h.Set("Allow", allow(p))
	if p.IsContainer() {
		h.Set("Accept-Post", strings.Join(acceptedTypes, ", "))
	} else if !p.IsDescription() {
		h.Set("Accept-Put", strings.Join(acceptedTypes, ", "))
		h.Set("Accept-Patch", strings.Join(patchTypes, ", "))
	}
}

// options answers OPTIONS and CORS preflights without authentication and
// without looking at storage, so it reveals nothing about what exists.
func (h *Handler) options(w http.ResponseWriter, r *http.Request, p Path) {
	describeHeaders(w, p)
	if r.Header.Get("Origin") != "" && r.Header.Get("Access-Control-Request-Method") != "" {
		w.Header().Set("Access-Control-Allow-Methods", allow(p))
		if hdrs := r.Header.Get("Access-Control-Request-Headers"); hdrs != "" {
			w.Header().Set("Access-Control-Allow-Headers", hdrs)
		}
		w.Header().Set("Access-Control-Max-Age", "600")
	}
	w.WriteHeader(http.StatusNoContent)
}

// setCORS answers cross-origin requests as the Solid Protocol asks: echo
// the Origin and expose the headers Solid clients read. Bearer tokens, not
// cookies, carry authority here, so this opens nothing to other sites.
func setCORS(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Expose-Headers", "Accept-Patch, Accept-Post, Accept-Put, Allow, Content-Length, Content-Type, ETag, Last-Modified, Link, Location, Retry-After, Vary, WAC-Allow, WWW-Authenticate")
	h.Add("Vary", "Origin")
}

// fail answers err as a problem document.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, p Path, err error) {
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrNoPod):
		problem.Write(w, http.StatusNotFound, "not-found", "Nothing is stored at this address.")
	case errors.Is(err, ErrNotEmpty):
		problem.Write(w, http.StatusConflict, "not-empty", "This folder still has things in it. Delete them first.")
	case errors.Is(err, ErrConflict):
		problem.Write(w, http.StatusConflict, "conflict", "A file and a folder cannot have the same name here. Choose another name.")
	case errors.Is(err, ErrPrecondition):
		problem.Write(w, http.StatusPreconditionFailed, "changed", "This has changed since you last looked at it (or already exists). Load it again and retry.")
	case errors.Is(err, ErrNotAllowed):
		w.Header().Set("Allow", allow(p))
		problem.Write(w, http.StatusMethodNotAllowed, "method-not-allowed", notAllowedDetail(r, p))
	case errors.As(err, new(malformed)):
		var m malformed
		errors.As(err, &m)
		problem.Write(w, http.StatusBadRequest, "bad-rdf", m.Malformed())
	case errors.As(err, new(conflict)):
		var c conflict
		errors.As(err, &c)
		problem.Write(w, http.StatusConflict, "patch-conflict", c.Conflict())
	case errors.As(err, new(unprocessable)):
		var u unprocessable
		errors.As(err, &u)
		detail := problem.Sentence(u.Error())
		if detail == "" {
			detail = "This record cannot be stored as it is."
		}
		problem.WriteExtra(w, http.StatusUnprocessableEntity, "invalid-record", detail, map[string]any{"problems": u.ProblemList()})
	case errors.As(err, &tooBig):
		problem.Write(w, http.StatusRequestEntityTooLarge, "too-large", "This file is too big to store.")
	case errors.Is(err, sealed.ErrTruncated):
		problem.Write(w, http.StatusBadRequest, "upload-incomplete", "The upload stopped before the whole file arrived. Nothing was changed; try again.")
	case errors.Is(err, ErrBusy):
		w.Header().Set("Retry-After", "1")
		problem.Write(w, http.StatusServiceUnavailable, "busy", "This folder is busy with other changes. Nothing was changed; try again in a moment.")
	case errors.Is(err, vault.ErrUnavailable):
		// Key custody (Vault sealed or down, its token refused): say which
		// part is down. The operator's reason is in /readyz and the log.
		w.Header().Set("Retry-After", "5")
		problem.Write(w, http.StatusServiceUnavailable, "unavailable", "The service that keeps the keys to pods is not available at the moment. Nothing was changed; try again in a minute.")
	case errors.Is(err, ErrUnavailable):
		w.Header().Set("Retry-After", "5")
		problem.Write(w, http.StatusServiceUnavailable, "unavailable", "Storage is not available at the moment. Nothing was changed; try again in a minute.")
	case errors.Is(err, context.Canceled):
		// The client went away; nobody is listening.
	default:
		h.Log.ErrorContext(r.Context(), "pod request failed", "method", r.Method, "err", err)
		problem.Write(w, http.StatusInternalServerError, "internal", "Something went wrong on our side. Nothing was changed; try again later.")
	}
}

func notAllowedDetail(r *http.Request, p Path) string {
	switch {
	case p.IsRoot():
		return "The top folder of a pod cannot be deleted. To delete everything, delete the account."
	case isStandard(p):
		return "This folder is part of every pod and cannot be deleted."
	case p.IsDescription():
		return "This is a description the server writes; it cannot be changed."
	default:
		return "This address does not support " + r.Method + "."
	}
}
