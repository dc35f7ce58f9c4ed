package verifier

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/issuer"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/schemas"
	"github.com/satchel-project/satchel/web/lang"
)

// Shown is one shared thing as the page shows it.
type Shown struct {
	Path     pod.Path
	Title    string // what it is: "Address history", "PDF document"
	Record   bool
	Rows     []Row  // for a record: only the shared fields, labelled
	Notice   string // who vouches for it, in plain words
	Type     string // content type
	ViewURL  string
	SaveURL  string
	Problem  string // set if it could not be shown
	Document bool
	// History, for an address history, is its table (and Rows is empty).
	History *History

	historyDoc map[string]any // the address history as shared
	period     map[string]any // a signed custody period or stay, checked: its entry
}

// Row is one labelled value of a record.
type Row struct{ Label, Value string }

// items lists what grant g shares, expanding shared folders into their
// members, for the page. It reads nothing it may not show.
func (v *Verifier) items(ctx context.Context, g consent.Grant, linkBase string) []Shown {
	words := lang.Of(ctx)
	var out []Shown
	for _, it := range g.Items {
		if !it.Path.IsContainer() {
			out = append(out, v.item(ctx, g, it.Path, it.Fields, linkBase))
			continue
		}
		_, members, err := v.Pods.List(ctx, g.Pod, it.Path)
		if err != nil {
			out = append(out, Shown{Path: it.Path, Title: string(it.Path), Problem: words.Text("verifier.problem.folder")})
			continue
		}
		sort.Slice(members, func(i, j int) bool { return members[i].Name < members[j].Name })
		for _, m := range members {
			if m.IsContainer() {
				continue
			}
			out = append(out, v.item(ctx, g, it.Path.Child(m.Name), nil, linkBase))
		}
	}
	var periods []map[string]any
	for _, s := range out {
		if s.period != nil {
			periods = append(periods, s.period)
		}
	}
	signedPeriodsCover(words, out, periods, v.now())
	for i := range out {
		if out[i].Document && out[i].Problem == "" {
			if t := v.documentTitle(ctx, g, out[i].Path); t != "" {
				out[i].Title = t
			}
		}
	}
	return out
}

// documentTitle is the title the person gave the file at p, from a
// Document record shared with it that describes it ("" if none does).
func (v *Verifier) documentTitle(ctx context.Context, g consent.Grant, p pod.Path) string {
	for _, it := range g.Items {
		if it.Path.Parent() != p.Parent() || !strings.HasSuffix(string(it.Path), ".jsonld") {
			continue
		}
		doc, typ, err := v.record(ctx, g.Pod, it.Path, it.Fields)
		if err != nil || typ != "Document" {
			continue
		}
		if f, _ := doc["file"].(string); f == p.Name() {
			t, _ := doc["title"].(string)
			return t
		}
	}
	return ""
}

// docWords names each kind of document (catalogue keys).
var docWords = map[string]string{
	"application/pdf": "verifier.doc.pdf",
	"image/jpeg":      "verifier.doc.jpeg",
	"image/png":       "verifier.doc.png",
	"image/heic":      "verifier.doc.heic",
	"image/heif":      "verifier.doc.heif",
	"text/plain":      "verifier.doc.text",
}

func (v *Verifier) item(ctx context.Context, g consent.Grant, p pod.Path, fields []string, linkBase string) Shown {
	words := lang.Of(ctx) // the share page's words, in the visitor's language
	s := Shown{Path: p, ViewURL: linkBase + "/items/" + p.Escaped(), SaveURL: linkBase + "/items/" + p.Escaped() + "?download=1"}
	res, err := v.Pods.Stat(ctx, g.Pod, p)
	if err != nil {
		s.Title, s.Problem = string(p), words.Text("verifier.problem.gone")
		return s
	}
	s.Type = res.ContentType
	if res.ContentType != "application/ld+json" {
		s.Document = true
		key, ok := docWords[res.ContentType]
		if !ok {
			key = "verifier.doc.file"
		}
		s.Title = words.Text(key)
		s.Notice = words.Text("verifier.notice.document", g.SharedBy)
		return s
	}
	s.Record = true
	doc, typ, err := v.record(ctx, g.Pod, p, fields)
	if err != nil {
		s.Title, s.Problem = string(p), words.Text("verifier.problem.record")
		return s
	}
	if _, isVC := doc["proof"]; isVC && v.Issuers != nil && len(fields) == 0 {
		return v.credential(ctx, s, doc, g.SharedBy)
	}
	s.Title = typ
	if t, ok := schemas.Types[typ]; ok {
		s.Title = t.Title
	}
	if title, _ := doc["title"].(string); typ == "Document" && title != "" {
		s.Title = title // the name the person gave it
	}
	if typ == "AddressHistory" {
		s.History, s.historyDoc = history(words, doc, v.now()), doc
	} else {
		s.Rows = withoutLinks(rows(words, typ, doc, nil), doc)
	}
	s.Notice = words.Text("verifier.notice.record", g.SharedBy)
	return s
}

// withoutLinks leaves out the rows whose value is a link to a file in the
// pod ("../documents/scan.pdf"): a path means nothing to a person, and a
// file shared with the record is shown as an item of its own.
func withoutLinks(rs []Row, doc map[string]any) []Row {
	data, err := json.Marshal(doc)
	if err != nil {
		return rs
	}
	links := map[string]bool{}
	for _, l := range schemas.Links(data) {
		links[l] = true
	}
	out := rs[:0]
	for _, r := range rs {
		if !links[r.Value] {
			out = append(out, r)
		}
	}
	return out
}

// credential shows a signed credential: its subject's fields, and who
// vouches for it. Only an issuer Satchel knows is named, by the registry's
// name (never the credential's own issuer.name); a credential signed by
// any other key is the word of sharedBy, the person who shared it.
func (v *Verifier) credential(ctx context.Context, s Shown, doc map[string]any, sharedBy string) Shown {
	words := lang.Of(ctx)
	res := v.Issuers.Verify(ctx, doc)
	subj, _ := doc["credentialSubject"].(map[string]any)
	kind := schemas.SubjectType(doc)
	s.Title = words.Text("verifier.qualification")
	if t, _ := subj["title"].(string); t != "" && kind.Name == "Qualification" {
		s.Title = words.Text("verifier.qualification.titled", t)
	} else if t := SignedTitle(ctx, doc); kind.Name != "Qualification" && t != "" {
		s.Title = t
	}
	s.Rows = withoutLinks(rows(words, kind.Name, subj, nil), subj)
	switch {
	case res.Valid && kind.Name == "Qualification":
		s.Notice = words.Text("verifier.notice.signed", res.IssuerName)
	case res.Valid:
		s.Notice = words.Text("verifier.notice.signed-record", res.IssuerName)
		s.period, _ = Period(doc)
	case res.IssuerKnown && res.Status == "revoked":
		s.Notice = words.Text("verifier.notice.withdrawn", res.IssuerName)
	case res.IssuerKnown:
		s.Notice = words.Text("verifier.notice.signed-but", res.IssuerName, firstFailure(res.Checks))
	case res.Unknown():
		s.Notice = words.Text("verifier.notice.unknown-issuer", sharedBy)
	default:
		s.Notice = words.Text("verifier.notice.bad-signature", firstFailure(res.Checks))
	}
	return s
}

func firstFailure(cs []issuer.Check) string {
	for _, c := range cs {
		if !c.Passed {
			return c.Reason
		}
	}
	return "unknown"
}

// record reads a record and keeps only the shared fields.
func (v *Verifier) record(ctx context.Context, id pod.PodID, p pod.Path, fields []string) (map[string]any, string, error) {
	_, rc, err := v.Pods.Get(ctx, id, p)
	if err != nil {
		return nil, "", err
	}
	defer rc.Close()
	var doc map[string]any
	if err := json.NewDecoder(io.LimitReader(rc, pod.MaxRecord)).Decode(&doc); err != nil {
		return nil, "", err
	}
	typ, _ := doc["type"].(string)
	if len(fields) > 0 {
		if doc, err = schemas.Select(doc, fields); err != nil {
			return nil, typ, err
		}
	}
	return doc, typ, nil
}

// rows flattens a record into labelled values, in a stable order, skipping
// the JSON-LD machinery (@context, id, type), with values in words's
// language.
func rows(words lang.Catalogue, typ string, v any, loc []string) []Row {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			if k != "@context" && k != "id" && k != "type" {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		var out []Row
		for _, k := range keys {
			out = append(out, rows(words, typ, x[k], append(append([]string{}, loc...), k))...)
		}
		return out
	case []any:
		var out []Row
		for i, e := range x {
			sub := rows(words, typ, e, append(append([]string{}, loc...), fmt.Sprint(i)))
			for j := range sub {
				sub[j].Label = fmt.Sprintf("%d. %s", i+1, sub[j].Label)
			}
			out = append(out, sub...)
		}
		return out
	case nil:
		return nil
	}
	return []Row{{Label: label(typ, loc), Value: display(words, loc, v)}}
}

// display writes a record's value as a person reads it: dates in words,
// yes and no, and codes in words.
func display(words lang.Catalogue, loc []string, v any) string {
	switch x := v.(type) {
	case bool:
		if x {
			return words.Text("answer.yes")
		}
		return words.Text("answer.no")
	case string:
		if t, err := time.Parse(time.DateOnly, x); err == nil {
			return words.Day(t)
		}
		// What the schemas' codes mean, for people: catalogue "code.VALUE".
		if w, ok := words["code."+x]; ok && len(loc) > 0 && codeField[loc[len(loc)-1]] {
			return w
		}
		return x
	}
	return fmt.Sprint(v)
}

// codeField names the fields whose values are codes.
var codeField = map[string]bool{"documentType": true, "accommodationKind": true, "certificateForm": true, "documentKind": true}

// label names a field as a person would: by its own title ("Postcode",
// "Holder's name"), never by its path or its parent's title too. A field
// the schemas do not name is named from its own name in words.
func label(typ string, loc []string) string {
	own := schemas.Title(typ, loc)
	if len(loc) > 0 && own == loc[len(loc)-1] {
		return fieldWords(own)
	}
	return own
}

// fieldWords turns a field's name into words: "achievementDate" becomes
// "Achievement date".
func fieldWords(name string) string {
	var b strings.Builder
	for i, r := range name {
		switch {
		case i == 0:
			b.WriteString(strings.ToUpper(string(r)))
		case r >= 'A' && r <= 'Z':
			b.WriteString(" " + strings.ToLower(string(r)))
		case r == '_' || r == '-':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// shared is a record as a share serves it: only the shared fields (all if
// fields is nil), with every relative reference among its ids and file
// links replaced (unlinked).
func shared(r io.Reader, g consent.Grant, p pod.Path, fields []string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, pod.MaxRecord))
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if len(fields) > 0 {
		if doc, err = schemas.Select(doc, fields); err != nil {
			return nil, err
		}
	}
	links := map[string]bool{}
	for _, l := range schemas.Links(data) {
		links[l] = true
	}
	out := unlinked(doc, g.ID, p, links, false)
	if len(fields) == 0 && reflect.DeepEqual(out, any(doc)) {
		return data, nil // as it was written, byte for byte (a signed credential)
	}
	return json.Marshal(out)
}

// unlinked replaces the relative references in a shared record: its ids
// ("#current", "") and its links to files ("../documents/scan.pdf"). A
// client resolves them against the address it read the record from, which
// holds the share token, so they would put a bearer secret into the
// subjects (and objects) of every RDF graph made from the record. Each
// becomes a urn:uuid: derived from the grant and the reference resolved
// within the pod: the same everywhere in one share, unrelated between
// shares, and holding no secret. Absolute ids are kept as they are.
func unlinked(v any, grant consent.GrantID, item pod.Path, links map[string]bool, isID bool) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, c := range x {
			if k == "@context" {
				out[k] = c
				continue
			}
			out[k] = unlinked(c, grant, item, links, k == "id" || k == "@id")
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, c := range x {
			out[i] = unlinked(c, grant, item, links, isID)
		}
		return out
	case string:
		if (isID || links[x]) && relative(x) {
			return shareID(grant, item, x)
		}
	}
	return v
}

// relative reports whether ref is a relative reference: one without a
// scheme, resolved against the address of the document that holds it.
func relative(ref string) bool {
	u, err := url.Parse(ref)
	return err != nil || u.Scheme == ""
}

// shareID is the urn:uuid: that stands for reference ref, written in the
// record at item, in the share of grant: a UUID (version 8) made from
// SHA-256 of the grant's ID and the reference resolved within the pod.
func shareID(grant consent.GrantID, item pod.Path, ref string) string {
	resolved := ref
	if base, err := url.Parse("pod:/" + string(item)); err == nil {
		if u, err := url.Parse(ref); err == nil {
			resolved = base.ResolveReference(u).String()
		}
	}
	sum := sha256.Sum256([]byte("satchel share id\x00" + string(grant) + "\x00" + resolved))
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x80
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
