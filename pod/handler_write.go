package pod

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"github.com/satchel-project/satchel/sealed"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/satchel-project/satchel/access"
	"github.com/satchel-project/satchel/internal/problem"
)

// upload is a request body that passed the checks every stored resource
// must pass: a known content type, a declared length within the limits, and
// content that matches its type.
type upload struct {
	contentType string
	size        int64
	body        io.Reader
}

// readUpload checks r's body before anything is stored. It answers the
// client itself and returns ok=false when the body is refused.
func (h *Handler) readUpload(w http.ResponseWriter, r *http.Request, id PodID, p Path) (upload, bool) {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		problem.Write(w, http.StatusBadRequest, "missing-content-type", "Say what kind of file this is: set a Content-Type header such as application/pdf or image/jpeg.")
		return upload{}, false
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || !slices.Contains(acceptedTypes, mt) {
		w.Header().Set("Accept-Put", strings.Join(acceptedTypes, ", "))
		w.Header().Set("Accept-Post", strings.Join(acceptedTypes, ", "))
		problem.Write(w, http.StatusUnsupportedMediaType, "unsupported-type", "This kind of file cannot be stored. Use a PDF, a JPEG, PNG or HEIC photo, plain text, or a record (JSON-LD or Turtle).")
		return upload{}, false
	}
	if r.ContentLength < 0 {
		problem.Write(w, http.StatusLengthRequired, "length-required", "Send the file's size in a Content-Length header.")
		return upload{}, false
	}
	if mt == typeTurtle && h.RecordFromTurtle == nil {
		problem.Write(w, http.StatusUnsupportedMediaType, "unsupported-type", "Records are stored as JSON-LD (application/ld+json).")
		return upload{}, false
	}
	limit := h.MaxUpload
	if (isJSON(mt) || mt == typeTurtle) && limit > MaxRecord {
		limit = MaxRecord
	}
	if r.ContentLength > limit {
		problem.Write(w, http.StatusRequestEntityTooLarge, "too-large", "This file is too big to store.")
		return upload{}, false
	}
	body := http.MaxBytesReader(w, r.Body, limit)
	if isJSON(mt) || mt == typeTurtle {
		data, err := io.ReadAll(body)
		if err != nil {
			if int64(len(data)) < r.ContentLength {
				h.fail(w, r, "", sealed.ErrTruncated)
			} else {
				h.fail(w, r, "", err)
			}
			return upload{}, false
		}
		if mt == typeTurtle {
			// Stored as the JSON-LD record it stands for. A POST's record
			// is read as if at a name in the container: relative IRIs stay
			// relative to wherever it is stored.
			base := h.URL(id, p)
			if p.IsContainer() {
				base = h.URL(id, p.Child("new"))
			}
			if data, err = h.RecordFromTurtle(data, base, h.URL(id, "")); err != nil {
				h.fail(w, r, p, err)
				return upload{}, false
			}
			mt = typeLD
		}
		if !validJSONRecord(data, mt) {
			problem.Write(w, http.StatusBadRequest, "bad-json", "This record is not valid JSON: check for a missing bracket, comma or quote.")
			return upload{}, false
		}
		if mt == "application/ld+json" && h.CheckRecord != nil {
			if err := h.CheckRecord(data, p); err != nil {
				h.fail(w, r, p, err)
				return upload{}, false
			}
		}
		if mt == "application/ld+json" {
			if err := h.ownLinks(r, id, p, data); err != nil {
				h.fail(w, r, p, err)
				return upload{}, false
			}
		}
		return upload{contentType: mt, size: int64(len(data)), body: bytes.NewReader(data)}, true
	}
	br := bufio.NewReaderSize(body, 512)
	head, _ := br.Peek(512)
	if int64(len(head)) < min(r.ContentLength, 512) {
		h.fail(w, r, "", sealed.ErrTruncated)
		return upload{}, false
	}
	if !contentMatches(mt, head) {
		problem.Write(w, http.StatusUnsupportedMediaType, "type-mismatch", "This file's contents do not match its type ("+mt+"). Check that you chose the right file.")
		return upload{}, false
	}
	return upload{contentType: mt, size: r.ContentLength, body: br}, true
}

func isJSON(mt string) bool { return mt == "application/ld+json" || mt == "application/json" }

// validJSONRecord accepts one JSON object (or, for JSON-LD, an array) with
// nothing after it.
func validJSONRecord(data []byte, mt string) bool {
	d := json.NewDecoder(bytes.NewReader(data))
	var v any
	if err := d.Decode(&v); err != nil {
		return false
	}
	if _, err := d.Token(); err != io.EOF {
		return false
	}
	switch v.(type) {
	case map[string]any:
		return true
	case []any:
		return mt == "application/ld+json"
	}
	return false
}

// contentMatches checks the first bytes of a document against its declared
// type, so that a file cannot be stored under a type it is not.
func contentMatches(mt string, head []byte) bool {
	switch mt {
	case "application/pdf":
		return bytes.HasPrefix(head, []byte("%PDF-"))
	case "image/jpeg":
		return bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF})
	case "image/png":
		return bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n"))
	case "image/heic", "image/heif":
		if len(head) < 12 || string(head[4:8]) != "ftyp" {
			return false
		}
		switch string(head[8:12]) {
		case "heic", "heix", "hevc", "hevx", "heim", "heis", "hevm", "hevs", "mif1", "msf1":
			return true
		}
		return false
	case "text/plain":
		return utf8.Valid(trimPartialRune(head)) && !bytes.ContainsRune(head, 0)
	}
	return false
}

// trimPartialRune drops an incomplete UTF-8 sequence cut at the end of b.
func trimPartialRune(b []byte) []byte {
	for i := 0; i < 3 && len(b) > 0; i++ {
		if utf8.Valid(b) {
			return b
		}
		b = b[:len(b)-1]
	}
	return b
}

func (h *Handler) put(w http.ResponseWriter, r *http.Request, id PodID, p Path) {
	if p.IsDescription() {
		h.fail(w, r, p, ErrNotAllowed)
		return
	}
	if p.IsContainer() {
		if r.ContentLength != 0 {
			problem.Write(w, http.StatusConflict, "container-body", "A folder's contents are listed by the server. To add a file, PUT it at its own address or POST it to the folder.")
			return
		}
		if pre := preconditions(r); pre.set() {
			current := ""
			if res, _, err := h.Service.List(r.Context(), id, p); err == nil {
				current = res.ETag
			} else if !errors.Is(err, ErrNotFound) {
				h.fail(w, r, p, err)
				return
			}
			if err := pre.check(current); err != nil {
				h.fail(w, r, p, err)
				return
			}
		}
		created, err := h.Service.CreateContainer(r.Context(), id, p)
		if err != nil && !(p.IsRoot() && err == ErrNotAllowed) {
			h.fail(w, r, p, err)
			return
		}
		if created {
			w.Header().Set("Location", h.URL(id, p))
			w.WriteHeader(http.StatusCreated)
			return
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	up, ok := h.readUpload(w, r, id, p)
	if !ok {
		return
	}
	res, created, err := h.Service.Put(r.Context(), id, p, up.contentType, up.size, up.body, preconditions(r))
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	h.stored(w, id, p, res, created)
}

func (h *Handler) post(w http.ResponseWriter, r *http.Request, id PodID, p Path) {
	if !p.IsContainer() {
		h.fail(w, r, p, ErrNotAllowed)
		return
	}
	slug := r.Header.Get("Slug")
	if wantsContainer(r) {
		if r.ContentLength > 0 {
			problem.Write(w, http.StatusConflict, "container-body", "A new folder cannot have a body.")
			return
		}
		np, _, err := h.Service.Post(r.Context(), id, p, slug, "", 0, nil)
		if err != nil {
			h.fail(w, r, p, err)
			return
		}
		w.Header().Set("Location", h.URL(id, np))
		w.WriteHeader(http.StatusCreated)
		return
	}
	up, ok := h.readUpload(w, r, id, p)
	if !ok {
		return
	}
	np, res, err := h.Service.Post(r.Context(), id, p, slug, up.contentType, up.size, up.body)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	w.Header().Set("ETag", quoteETag(res.ETag))
	w.Header().Set("Location", h.URL(id, np))
	w.WriteHeader(http.StatusCreated)
}

// wantsContainer reports whether a POST asks for a container, with
// Link: <http://www.w3.org/ns/ldp#BasicContainer>; rel="type".
func wantsContainer(r *http.Request) bool {
	for _, v := range r.Header.Values("Link") {
		for _, l := range strings.Split(v, ",") {
			l = strings.TrimSpace(l)
			if (strings.HasPrefix(l, "<"+ldpNS+"BasicContainer>") || strings.HasPrefix(l, "<"+ldpNS+"Container>")) &&
				strings.Contains(strings.ReplaceAll(l, " ", ""), `rel="type"`) {
				return true
			}
		}
	}
	return false
}

func (h *Handler) delete(w http.ResponseWriter, r *http.Request, id PodID, p Path) {
	if err := h.Service.Delete(r.Context(), id, p, preconditions(r)); err != nil {
		h.fail(w, r, p, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// errForeignLink: a helper's record links to a file they did not add.
var errForeignLink = errors.New("a helper who may add documents can link a record only to files they added themselves")

// ownLinks holds a helper's record (written under the "add" right) to the
// files that helper added: adding never points at what exists, so it can
// neither hide, co-share nor, through the record, delete a leaver's file.
func (h *Handler) ownLinks(r *http.Request, id PodID, p Path, data []byte) error {
	who := access.From(r.Context())
	if who.Owns(string(id)) || h.RecordLinks == nil {
		return nil
	}
	base, err := url.Parse(h.URL(id, p))
	if err != nil {
		return err
	}
	podURL := h.BaseURL + Prefix + string(id) + "/"
	for _, link := range h.RecordLinks(data) {
		ref, err := url.Parse(link)
		if err != nil {
			return linkError(link)
		}
		abs := base.ResolveReference(ref)
		abs.Fragment = ""
		rest, ok := strings.CutPrefix(abs.String(), podURL)
		if !ok {
			return linkError(link)
		}
		target, err := ParsePath(rest)
		if err != nil {
			return linkError(link)
		}
		res, err := h.Service.Stat(r.Context(), id, target)
		if errors.Is(err, ErrNotFound) {
			return linkError(link)
		}
		if err != nil {
			return err
		}
		if res.AddedBy != who.Account {
			return linkError(link)
		}
	}
	return nil
}

// linkError is the 422 for a helper's record that links to a file the
// helper did not add.
func linkError(link string) error {
	return &problemList{msg: errForeignLink.Error(), problems: []map[string]string{{"link": link, "message": "You can only link to a file you added yourself."}}}
}

type problemList struct {
	msg      string
	problems []map[string]string
}

func (e *problemList) Error() string    { return e.msg }
func (e *problemList) ProblemList() any { return e.problems }

// stored answers a write that stored res at p: 201 with its Location if
// it is new, else 204; its ETag either way.
func (h *Handler) stored(w http.ResponseWriter, id PodID, p Path, res Resource, created bool) {
	w.Header().Set("ETag", quoteETag(res.ETag))
	if created {
		w.Header().Set("Location", h.URL(id, p))
		w.WriteHeader(http.StatusCreated)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
