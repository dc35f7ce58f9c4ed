package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/schemas"
	"github.com/satchel-project/satchel/verifier"
)

// section is one heading of My things: what the things in a container are.
type section struct {
	Container pod.Path
	Heading   string // catalogue key
	Empty     string // catalogue key: what to say when there is nothing
	Things    []thing
	// HelperHeading is the heading as the helper reads it on their pages:
	// "Who they are" for "Who I am".
	HelperHeading string
}

// sections are My things' headings, in order.
var sections = []section{
	{Container: "identity/", Heading: "things.identity", HelperHeading: "helping.identity", Empty: "things.identity.empty"},
	{Container: "housing/", Heading: "things.housing", HelperHeading: "helping.housing", Empty: "things.housing.empty"},
	{Container: "qualifications/", Heading: "things.qualifications", HelperHeading: "helping.qualifications", Empty: "things.qualifications.empty"},
	{Container: "finance/", Heading: "things.finance", HelperHeading: "helping.finance", Empty: "things.finance.empty"},
	{Container: "documents/", Heading: "things.documents", HelperHeading: "helping.documents", Empty: "things.documents.empty"},
	{Container: "inbox/", Heading: "things.inbox", HelperHeading: "helping.inbox", Empty: "things.inbox.empty"},
}

// thing is one document or record as the leaver sees it.
type thing struct {
	Path  pod.Path
	Title string // what it is, in words
	Kind  string // catalogue key: a record, a photo, a PDF...
	// For a record an issuer signed: who, as Satchel's registry of issuers
	// names them (never the credential's own words), whether the signature
	// checked out and whether the issuer withdrew it.
	Signer    string
	Known     bool
	Checked   bool
	Withdrawn bool
	File      pod.Path
	FileETag  string // the version of File, which names its preview
	Type      string // content type (of File, for a described document)
	Modified  time.Time
	Record    bool
	Doc       map[string]any
	// AddedBy names the organisation that added it before the leaver
	// claimed their pod (package onboard); "" otherwise.
	AddedBy string
}

// Href is the page that shows t.
func (t thing) Href() string {
	if t.Path == addressHistory {
		return "/my/addresses"
	}
	return "/my/things/" + t.Path.Escaped()
}

// FileHref is where t's file is, for a document.
func (t thing) FileHref() string {
	if t.File == "" {
		return ""
	}
	return "/my/file/" + t.File.Escaped()
}

// PreviewHref is where a small preview of t's photo is (see preview.go).
func (t thing) PreviewHref() string { return previewHref(t.File, t.FileETag) }

// IsPhoto says whether t's file is a photo, previewed or not (HEIC).
func (t thing) IsPhoto() bool { return kindOf(t.Type) == "kind.photo" }

// IsImage says whether t's file can be shown as a picture.
func (t thing) IsImage() bool {
	return t.Type == "image/jpeg" || t.Type == "image/png"
}

// kindOf is the catalogue key for what sort of file a content type is.
func kindOf(contentType string) string {
	switch contentType {
	case "application/ld+json":
		return "kind.record"
	case "application/pdf":
		return "kind.pdf"
	case "image/jpeg", "image/png", "image/heic", "image/heif":
		return "kind.photo"
	}
	return "kind.file"
}

// listThings reads what is in container c of pod id: records with their
// titles, and files; a file that a Document record describes is shown
// once, as that record.
func (p *Pages) listThings(ctx context.Context, id pod.PodID, c pod.Path) ([]thing, error) {
	_, members, err := p.Pods.List(ctx, id, c)
	if errors.Is(err, pod.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	described := map[string]bool{}
	var out []thing
	for _, m := range members {
		if m.IsContainer() || m.ContentType != "application/ld+json" {
			continue
		}
		t, err := p.readThing(ctx, id, c.Child(m.Name))
		if err != nil {
			continue // shown below as a plain file
		}
		if t.File != "" {
			described[string(t.File)] = true
		}
		out = append(out, t)
	}
	for _, m := range members {
		if m.IsContainer() || m.ContentType == "application/ld+json" || described[string(c.Child(m.Name))] {
			continue
		}
		out = append(out, thing{Path: c.Child(m.Name), Title: m.Name, Kind: kindOf(m.ContentType), File: c.Child(m.Name), Type: m.ContentType, Modified: m.Modified})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Title < out[j].Title })
	return out, nil
}

// readThing reads the record at path and says what it is.
func (p *Pages) readThing(ctx context.Context, id pod.PodID, path pod.Path) (thing, error) {
	res, rc, err := p.Pods.Get(ctx, id, path)
	if err != nil {
		return thing{}, err
	}
	defer rc.Close()
	var doc map[string]any
	if err := json.NewDecoder(io.LimitReader(rc, pod.MaxRecord)).Decode(&doc); err != nil {
		return thing{}, err
	}
	t := thing{Path: path, Kind: "kind.record", Record: true, Doc: doc, Modified: res.Modified, Type: res.ContentType}
	typ, _ := doc["type"].(string)
	if st, ok := schemas.Types[typ]; ok {
		t.Title = st.Title
	}
	if title, _ := doc["title"].(string); title != "" {
		t.Title = title
	}
	if typ == "Document" {
		if f, _ := doc["file"].(string); f != "" && !strings.Contains(f, "/") {
			t.File = path.Parent().Child(f)
			if st, err := p.Pods.Stat(ctx, id, t.File); err == nil {
				t.Type, t.FileETag = st.ContentType, st.ETag
				t.Kind = kindOf(st.ContentType)
			} else {
				t.File = ""
			}
		}
	}
	if _, signed := doc["proof"]; signed {
		t.Title = verifier.SignedTitle(ctx, doc)
		if t.Title == "" {
			t.Title = words(ctx).Text("things.signed-record")
		}
		res := p.Issuers.Verify(ctx, doc)
		t.Signer = words(ctx).Text("things.unknown-signer")
		if res.IssuerKnown {
			t.Signer = res.IssuerName
		}
		t.Known, t.Checked, t.Withdrawn = res.IssuerKnown, res.Valid, res.Status == "revoked"
	}
	if t.Title == "" {
		t.Title = path.Name()
	}
	return t, nil
}

// titleOf names the thing at path as My things does: a record by its
// title, a file by the title of the Document record that describes it,
// any other file by its name.
func (p *Pages) titleOf(ctx context.Context, id pod.PodID, path pod.Path) string {
	if t, err := p.readThing(ctx, id, path); err == nil {
		return t.Title
	}
	things, _ := p.listThings(ctx, id, path.Parent())
	for _, t := range things {
		if t.File == path {
			return t.Title
		}
	}
	return path.Name()
}

func (p *Pages) things(w http.ResponseWriter, r *http.Request, s *Session) {
	secs := make([]section, len(sections))
	hasNI := false
	var kept []thing
	for i, sec := range sections {
		things, err := p.listThings(r.Context(), s.Pod, sec.Container)
		if err != nil {
			p.Log.ErrorContext(r.Context(), "list failed", "err", err)
			p.fail(w, r, s)
			return
		}
		sec.Things = things
		secs[i] = sec
		for _, t := range things {
			hasNI = hasNI || t.Path == niRecord
		}
		kept = append(kept, things...)
	}
	p.render(w, r, s, http.StatusOK, "things", view{"Sections": secs, "HasNI": hasNI, "Records": recordLinks(kept)})
}

// pathVar reads the {path} of a page's address as a pod path.
func pathVar(r *http.Request) (pod.Path, bool) {
	p, err := pod.ParsePath(mux.Vars(r)["path"])
	if err != nil || p.IsRoot() || p.IsContainer() || p.IsDescription() || strings.HasPrefix(string(p), string(pod.AccessLog)) {
		return "", false
	}
	return p, true
}

// thingAt reads the record or document the page's {path} names in the
// leaver's pod, answering 404 if there is none.
func (p *Pages) thingAt(w http.ResponseWriter, r *http.Request, s *Session) (thing, bool) {
	path, ok := pathVar(r)
	if !ok {
		p.notFound(w, r, s)
		return thing{}, false
	}
	st, err := p.Pods.Stat(r.Context(), s.Pod, path)
	if err != nil {
		p.notFound(w, r, s)
		return thing{}, false
	}
	t := thing{Path: path, Title: path.Name(), Kind: kindOf(st.ContentType), File: path, FileETag: st.ETag, Type: st.ContentType, Modified: st.Modified}
	if st.ContentType == "application/ld+json" {
		if t, err = p.readThing(r.Context(), s.Pod, path); err != nil {
			p.notFound(w, r, s)
			return thing{}, false
		}
	}
	if slug, ok := strings.CutPrefix(st.AddedBy, orgAddedBy); ok {
		if o, err := p.Issuers.Org(r.Context(), slug); err == nil {
			t.AddedBy = o.Name
		}
	}
	return t, true
}

// thing shows one record or document.
func (p *Pages) thing(w http.ResponseWriter, r *http.Request, s *Session) {
	t, ok := p.thingAt(w, r, s)
	if !ok {
		return
	}
	path := t.Path
	v := view{}
	if t.Record {
		typ, _ := t.Doc["type"].(string)
		doc := t.Doc
		if _, signed := doc["proof"]; signed {
			subj, _ := doc["credentialSubject"].(map[string]any)
			doc, typ = subj, schemas.SubjectType(doc).Name
			v["Checked"], v["Withdrawn"] = t.Checked, t.Withdrawn
		}
		v["Rows"] = verifier.Rows(r.Context(), typ, doc)
	}
	v["Thing"] = t
	v["InInbox"] = strings.HasPrefix(string(path), "inbox/")
	p.render(w, r, s, http.StatusOK, "thing", v)
}

// file sends a document's bytes, for the leaver's own eyes (an <img> on
// the thing page, or a download).
func (p *Pages) file(w http.ResponseWriter, r *http.Request, s *Session) {
	path, ok := pathVar(r)
	if !ok {
		p.notFound(w, r, s)
		return
	}
	if r.URL.Query().Get("preview") != "" {
		p.preview(w, r, s, path)
		return
	}
	disposition := "inline"
	if r.URL.Query().Get("download") == "1" {
		disposition = "attachment"
	}
	p.sendFile(w, r, s, s.Pod, path, disposition, nil)
}

// sendFile sends the resource at path of pod id as disposition ("inline"
// or "attachment"), in a sandbox; seen, if not nil, is called once it is
// found, before any byte is sent. Nothing found is the 404 page.
func (p *Pages) sendFile(w http.ResponseWriter, r *http.Request, s *Session, id pod.PodID, path pod.Path, disposition string, seen func()) {
	res, rc, err := p.Pods.Get(r.Context(), id, path)
	if err != nil {
		p.notFound(w, r, s)
		return
	}
	defer rc.Close()
	if seen != nil {
		seen()
	}
	hd := w.Header()
	hd.Set("Content-Type", res.ContentType)
	hd.Set("Content-Security-Policy", "sandbox; default-src 'none'; img-src 'self'")
	hd.Set("Content-Disposition", disposition)
	if disposition == "attachment" {
		hd.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": path.Name()}))
	}
	if _, err := io.Copy(w, rc); err != nil {
		panic(http.ErrAbortHandler) // cut short: the browser must not keep a part as the whole
	}
}

// deleteThing asks, then deletes a record or document (and, for a
// document described by a record, its file too).
func (p *Pages) deleteThing(w http.ResponseWriter, r *http.Request, s *Session) {
	t, ok := p.thingAt(w, r, s)
	if !ok {
		return
	}
	path := t.Path
	if r.Method == http.MethodGet {
		p.render(w, r, s, http.StatusOK, "delete", view{"Thing": t})
		return
	}
	if err := p.Pods.Delete(r.Context(), s.Pod, path, pod.Preconditions{}); err != nil && !errors.Is(err, pod.ErrNotFound) {
		p.Log.ErrorContext(r.Context(), "delete failed", "err", err)
		p.fail(w, r, s)
		return
	}
	if t.File != "" && t.File != path {
		if err := p.Pods.Delete(r.Context(), s.Pod, t.File, pod.Preconditions{}); err != nil && !errors.Is(err, pod.ErrNotFound) {
			p.Log.WarnContext(r.Context(), "delete of a described file failed", "err", err)
		}
	}
	p.flash(r.Context(), s, "flash.deleted")
	redirect(w, r, "/my")
}

// keepCredential files a signed record from the inbox where its kind
// belongs (qualifications/, housing/ for a custody period or a stay,
// documents/ for a release document), never over one already there.
func (p *Pages) keepCredential(w http.ResponseWriter, r *http.Request, s *Session) {
	path, ok := pathVar(r)
	if !ok || !strings.HasPrefix(string(path), "inbox/") {
		p.notFound(w, r, s)
		return
	}
	_, rc, err := p.Pods.Get(r.Context(), s.Pod, path)
	if err != nil {
		p.notFound(w, r, s)
		return
	}
	body, err := io.ReadAll(io.LimitReader(rc, pod.MaxRecord))
	rc.Close()
	if err != nil {
		p.fail(w, r, s)
		return
	}
	name := strings.TrimSuffix(path.Name(), ".jsonld")
	var doc map[string]any
	json.Unmarshal(body, &doc)
	folder := pod.Path(schemas.SubjectType(doc).Containers[0])
	_, _, err = p.Pods.Post(r.Context(), s.Pod, folder, name, "application/ld+json", int64(len(body)), strings.NewReader(string(body)))
	if err != nil {
		p.Log.ErrorContext(r.Context(), "filing failed", "err", err)
		p.fail(w, r, s)
		return
	}
	if err := p.Pods.Delete(r.Context(), s.Pod, path, pod.Preconditions{}); err != nil && !errors.Is(err, pod.ErrNotFound) {
		p.Log.WarnContext(r.Context(), "inbox delete after filing failed", "err", err)
	}
	p.flash(r.Context(), s, "flash.kept")
	redirect(w, r, "/my")
}
