package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/limits"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/schemas"
)

// places are where a new document can go, by what it is.
var places = []option{
	{Value: "identity/", Label: "add.where.identity"},
	{Value: "housing/", Label: "add.where.housing"},
	{Value: "qualifications/", Label: "add.where.qualifications"},
	{Value: "finance/", Label: "add.where.finance"},
	{Value: "documents/", Label: "add.where.documents"},
}

// option is one radio button or checkbox: a value and its words (Label a
// catalogue key, or Text already in words).
type option struct {
	Value, Label, Text string
}

// addDocument takes a photo or a file, stores it, and stores beside it a
// Document record with the title the leaver gave it.
func (p *Pages) addDocument(w http.ResponseWriter, r *http.Request, s *Session) {
	p.addDocumentTo(w, r, s, s.Pod, "", "/my")
}

// addDocumentTo is addDocument into pod id: the leaver's own (actor ""),
// or theirs by a helper they chose (actor the helper's name, recorded in
// the leaver's access log). back is the page to return to.
func (p *Pages) addDocumentTo(w http.ResponseWriter, r *http.Request, s *Session, id pod.PodID, actor, back string) {
	v := view{"Places": places, "Accept": strings.Join(pod.DocumentTypes, ","), "Action": r.URL.Path, "Back": back}
	if r.Method == http.MethodGet {
		p.render(w, r, s, http.StatusOK, "add-document", v)
		return
	}
	release, ok, err := p.uploads.take(r.Context(), s.Account)
	if err != nil {
		p.Log.ErrorContext(r.Context(), "upload slots failed", "err", err)
		p.fail(w, r, s)
		return
	}
	if !ok {
		if r.Context().Err() == nil {
			v["Errors"] = []fieldError{{Field: "file", Key: "add.error.busy"}}
			p.render(w, r, s, http.StatusTooManyRequests, "add-document", v)
		}
		return
	}
	defer release()
	r.Body = http.MaxBytesReader(w, r.Body, p.MaxUpload+64<<10)
	mr, err := r.MultipartReader()
	if err != nil {
		p.forbidden(w, r, s)
		return
	}
	form, file, err := readUpload(mr, p.MaxUpload)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig) || errors.Is(err, errTooBig):
		v["Errors"] = []fieldError{{Field: "file", Key: "add.error.too-big"}}
		p.render(w, r, s, http.StatusRequestEntityTooLarge, "add-document", v)
		return
	case err != nil:
		p.forbidden(w, r, s)
		return
	}
	if !sameSecret(form["csrf"], s.CSRF) {
		p.forbidden(w, r, s)
		return
	}
	title := strings.TrimSpace(form["title"])
	where := form["where"]
	v["Title"], v["Where"] = title, where
	var errs []fieldError
	switch {
	case title == "":
		errs = append(errs, fieldError{Field: "title", Key: "add.error.title"})
	case utf8.RuneCountInString(title) > 100:
		errs = append(errs, fieldError{Field: "title", Key: "add.error.title-long"})
	}
	if optionLabel(places, where) == "" {
		errs = append(errs, fieldError{Field: "where", Key: "add.error.where"})
	}
	mt := pod.DetectDocument(file)
	switch {
	case len(file) == 0:
		errs = append(errs, fieldError{Field: "file", Key: "add.error.file"})
	case mt == "":
		errs = append(errs, fieldError{Field: "file", Key: "add.error.type"})
	}
	if errs != nil {
		v["Errors"] = errs
		p.render(w, r, s, http.StatusUnprocessableEntity, "add-document", v)
		return
	}
	container := pod.Path(where)
	slug := slugFor(title) + pod.Extension(mt)
	filePath, _, err := p.Pods.Post(r.Context(), id, container, slug, mt, int64(len(file)), bytes.NewReader(file))
	if err != nil {
		p.Log.ErrorContext(r.Context(), "document upload failed", "err", err)
		p.fail(w, r, s)
		return
	}
	rec := map[string]any{
		"@context": schemas.ContextURL,
		"id":       "#document",
		"type":     "Document",
		"title":    title,
		"file":     filePath.Name(),
	}
	body, _ := json.Marshal(rec)
	recSlug := strings.TrimSuffix(filePath.Name(), pod.Extension(mt)) + ".jsonld"
	if _, err := schemas.Validate(body, string(container.Child(recSlug))); err == nil {
		_, _, err = p.Pods.Post(r.Context(), id, container, recSlug, "application/ld+json", int64(len(body)), bytes.NewReader(body))
	}
	if err != nil {
		// The file is kept; it shows under its own name.
		p.Log.WarnContext(r.Context(), "document record failed", "err", err)
	}
	if actor != "" {
		typ := "helper-add"
		if strings.HasPrefix(pod.AddedByOf(r.Context()), orgAddedBy) {
			typ = "org-add" // before the pod was claimed: see onboard.go
		}
		e := consent.LogEntry{Type: typ, Who: actor, Resource: filePath, At: p.now().UTC()}
		if err := p.Consent.Record(r.Context(), id, e); err != nil {
			p.Log.WarnContext(r.Context(), "could not record a helper's upload", "err", err)
		}
	}
	p.flash(r.Context(), s, "flash.document-added")
	if r.Header.Get(uploadHeader) == "1" {
		// The upload script sent it: it goes to the next page itself, so
		// that the page (and its "saved" message) is loaded as any page is.
		w.Header().Set(uploadNextHeader, back)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	redirect(w, r, back)
}

// The upload script (web/assets/upload.js) marks its requests with
// uploadHeader, and is told where to go next in uploadNextHeader.
const (
	uploadHeader     = "X-Satchel-Upload"
	uploadNextHeader = "X-Satchel-Next"
)

var errTooBig = errors.New("the file is too big")

// uploadSlots limits the documents being received at once: a few for any
// one account, on every instance of the server together, so that one
// person's slow uploads (a phone on a weak signal) never hold up anyone
// else's; and more for everyone together on this instance, since each is
// held in its memory until it is stored.
type uploadSlots struct {
	perAccount *limits.Slots
	all        chan struct{}
}

func newUploadSlots(perAccount *limits.Slots, all int) *uploadSlots {
	return &uploadSlots{perAccount: perAccount, all: make(chan struct{}, all)}
}

// take reserves a slot for an upload by account, waiting for one of this
// instance's slots if need be. It reports false, at once, if that account
// already has all its uploads under way, or when ctx ends first. Call
// release when the upload is over.
func (u *uploadSlots) take(ctx context.Context, account string) (release func(), ok bool, err error) {
	mine, ok, err := u.perAccount.Take(ctx, account)
	if err != nil || !ok {
		return nil, false, err
	}
	select {
	case u.all <- struct{}{}:
		return func() { <-u.all; mine() }, true, nil
	case <-ctx.Done():
		mine()
		return nil, false, nil
	}
}

// readUpload reads the upload form's fields (csrf first, as the page sends
// them) and its one file, held in memory (never in a temporary file, which
// would be plaintext on disk), up to max bytes.
func readUpload(mr *multipart.Reader, max int64) (map[string]string, []byte, error) {
	form := map[string]string{}
	var file []byte
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return form, file, nil
		}
		if err != nil {
			return nil, nil, err
		}
		name := part.FormName()
		if part.FileName() != "" || name == "file" {
			if form["csrf"] == "" {
				return nil, nil, errors.New("the form's token must come first")
			}
			file, err = io.ReadAll(io.LimitReader(part, max+1))
			if err != nil {
				return nil, nil, err
			}
			if int64(len(file)) > max {
				return nil, nil, errTooBig
			}
			continue
		}
		b, err := io.ReadAll(io.LimitReader(part, 4096))
		if err != nil {
			return nil, nil, err
		}
		form[name] = string(b)
	}
}

// slugFor turns a title into a safe file name: "Photo of my ID card" is
// "photo-of-my-id-card".
func slugFor(title string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(title) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 40 {
			break
		}
	}
	s := strings.Trim(b.String(), "-")
	if s == "" {
		s = "document"
	}
	return s
}
