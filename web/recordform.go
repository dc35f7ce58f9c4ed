package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/schemas"
	"github.com/satchel-project/satchel/web/lang"
)

// A record form is a record the leaver fills in through a few questions,
// one a page, then a check-your-answers page with a Change link for each,
// then saves. One description (recordForm) serves every such record; the
// forms themselves are in records.go.
//
//	/my/records/{form}             start: a new record, or the one kept
//	/my/records/{form}/{question}  one question
//	/my/records/{form}/check       check the answers, then save

// askKind is how a question is answered.
type askKind string

const (
	askText   askKind = "text"   // a line of text
	askDate   askKind = "date"   // a day, a month and a year
	askRadios askKind = "radios" // one of Options
)

// maxAnswer is the longest text answer, in characters (the schemas allow
// 500; no name or place is near this).
const maxAnswer = 200

// question is one page of a record form.
type question struct {
	ID   string // in the page's address and the form's fields; never "check"
	Kind askKind
	// Field is where the answer goes in the record: a property, or a
	// property of a property ("holder/name").
	Field   string
	Heading string // catalogue key: the question, the page's h1
	Label   string // catalogue key: what the hidden words of its Change link name ("the name")
	HintKey string // catalogue key: the hint under the question ("" for none)
	Options []option
	// Optional questions may be left blank: the field is then left out.
	Optional bool
	// Past dates may not be after today.
	Past         bool
	Autocomplete string // for a date, the prefix of each part's: "bday"
	MissingKey   string // catalogue key: the error when it is not answered
	BadKey       string // catalogue key: the error for a date that does not exist
	FutureKey    string // catalogue key: the error for a Past date after today
	// Tidy, for a text answer, puts it in the form the record keeps
	// ("12 34 56" becomes "12-34-56"), or reports it wrong (BadKey).
	Tidy func(string) (string, bool)
}

// recordForm is a record built from a few questions.
type recordForm struct {
	Slug string   // in the address: /my/records/{Slug}
	Path pod.Path // where a new record goes; its container is searched for one kept elsewhere
	Type string   // the record's type
	ID   string   // a new record's id, like "#certificate"
	// Objects are the types of the objects a Field inside one makes, by
	// property ("holder": "Person").
	Objects   map[string]string
	Questions []*question
	TitleKey  string // catalogue key: what the record is, above each question
	SaveKey   string // catalogue key: the check page's button
	SavedKey  string // catalogue key: the message once it is saved
	AddKey    string // catalogue key: the My things link when there is none
	ChangeKey string // catalogue key: the My things link when there is one
}

// recordDraft is a record form's answers so far, kept in the session.
type recordDraft struct {
	Form string `json:"form"`
	// Path is the record being corrected ("" for a new one).
	Path pod.Path `json:"path,omitempty"`
	// Answers are what was typed, by form field (a date's by ID-day,
	// ID-month and ID-year).
	Answers  map[string]string `json:"answers,omitempty"`
	Checking bool              `json:"checking,omitempty"` // the check page was reached: go back there after a change
}

// recordFormList are the forms in the order My things offers them.
var recordFormList = []*recordForm{idDocumentForm, birthCertificateForm, bankForm}

func formNamed(slug string) *recordForm {
	for _, f := range recordFormList {
		if f.Slug == slug {
			return f
		}
	}
	return nil
}

func (f *recordForm) questionNamed(id string) (int, *question) {
	for i, q := range f.Questions {
		if q.ID == id {
			return i, q
		}
	}
	return -1, nil
}

func (f *recordForm) href(rest string) string {
	if rest == "" {
		return "/my/records/" + f.Slug
	}
	return "/my/records/" + f.Slug + "/" + rest
}

// recordLink is one of My things' links to a record form.
type recordLink struct {
	Form      *recordForm
	Container pod.Path
	Href      string
	Has       bool // the leaver keeps such a record: the link says Change
}

// recordLinks are the links to the record forms, given what the leaver
// keeps.
func recordLinks(kept []thing) []recordLink {
	var out []recordLink
	for _, f := range recordFormList {
		l := recordLink{Form: f, Container: f.Path.Parent(), Href: f.href("")}
		for _, t := range kept {
			l.Has = l.Has || t.Record && t.Path.Parent() == l.Container && str(t.Doc, "type") == f.Type
		}
		out = append(out, l)
	}
	return out
}

func (p *Pages) recordFormRoutes(my *mux.Router) {
	get, post := http.MethodGet, http.MethodPost
	my.Handle("/records/{form}", p.leaver(p.recordStart)).Methods(get)
	my.Handle("/records/{form}/check", p.leaver(p.recordCheck)).Methods(get, post)
	my.Handle("/records/{form}/{question}", p.leaver(p.recordQuestion)).Methods(get, post)
}

// readRecord reads the record at path: nil (and no error) if there is none.
func (p *Pages) readRecord(ctx context.Context, id pod.PodID, path pod.Path) (map[string]any, string, error) {
	res, rc, err := p.Pods.Get(ctx, id, path)
	if errors.Is(err, pod.ErrNotFound) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	defer rc.Close()
	if res.ContentType != "application/ld+json" {
		return map[string]any{}, res.ETag, nil // something, but not a record
	}
	var doc map[string]any
	if err := json.NewDecoder(io.LimitReader(rc, pod.MaxRecord)).Decode(&doc); err != nil || doc == nil {
		return map[string]any{}, res.ETag, nil
	}
	return doc, res.ETag, nil
}

// findRecord finds the leaver's record of f's type: at f.Path, else the
// first by name in the same container (a record put there through the API,
// or made when f.Path was taken by something else). It returns "" if
// there is none.
func (p *Pages) findRecord(ctx context.Context, id pod.PodID, f *recordForm) (pod.Path, map[string]any, error) {
	doc, _, err := p.readRecord(ctx, id, f.Path)
	if err != nil || str(doc, "type") == f.Type {
		return f.Path, doc, err
	}
	_, members, err := p.Pods.List(ctx, id, f.Path.Parent())
	if errors.Is(err, pod.ErrNotFound) {
		return "", nil, nil
	}
	if err != nil {
		return "", nil, err
	}
	sort.Slice(members, func(i, j int) bool { return members[i].Name < members[j].Name })
	for _, m := range members {
		path := f.Path.Parent().Child(m.Name)
		if m.IsContainer() || m.ContentType != "application/ld+json" || path == f.Path {
			continue
		}
		doc, _, err := p.readRecord(ctx, id, path)
		if err != nil {
			return "", nil, err
		}
		if str(doc, "type") == f.Type {
			return path, doc, nil
		}
	}
	return "", nil, nil
}

// answersOf reads a kept record's answers to f's questions, so that they
// can be checked and changed.
func (f *recordForm) answersOf(doc map[string]any) map[string]string {
	a := map[string]string{}
	for _, q := range f.Questions {
		v, _ := field(doc, q.Field).(string)
		if q.Kind != askDate {
			a[q.ID] = v
			continue
		}
		if t, err := time.Parse(time.DateOnly, v); err == nil {
			a[q.ID+"-day"], a[q.ID+"-month"], a[q.ID+"-year"] = strconv.Itoa(t.Day()), strconv.Itoa(int(t.Month())), strconv.Itoa(t.Year())
		}
	}
	return a
}

// field is the value at a Field of doc (nil if there is none).
func field(doc map[string]any, path string) any {
	var v any = doc
	for _, k := range strings.Split(path, "/") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// fill puts answers into doc, leaving every field no question asks about
// as it was. A blank optional answer takes its field out.
func (p *Pages) fill(f *recordForm, doc map[string]any, answers map[string]string) {
	for _, q := range f.Questions {
		v, _ := p.answer(q, answers)
		keys := strings.Split(q.Field, "/")
		m := doc
		for _, k := range keys[:len(keys)-1] {
			inner, ok := m[k].(map[string]any)
			if !ok {
				inner = map[string]any{}
				if t := f.Objects[k]; t != "" {
					inner["type"] = t
				}
				m[k] = inner
			}
			m = inner
		}
		last := keys[len(keys)-1]
		if v == "" {
			delete(m, last)
		} else {
			m[last] = v
		}
	}
}

// readAnswer takes q's answer from the form sent, as typed.
func readAnswer(q *question, r *http.Request, into map[string]string) {
	if q.Kind == askDate {
		for _, part := range []string{"-day", "-month", "-year"} {
			into[q.ID+part] = strings.TrimSpace(r.PostFormValue(q.ID + part))
		}
		return
	}
	into[q.ID] = strings.TrimSpace(r.PostFormValue(q.ID))
}

// answer checks q's answer and returns it as the record keeps it ("" for
// a blank optional answer), or what is wrong with it.
func (p *Pages) answer(q *question, a map[string]string) (string, *fieldError) {
	switch q.Kind {
	case askRadios:
		for _, o := range q.Options {
			if o.Value == a[q.ID] {
				return o.Value, nil
			}
		}
		return "", &fieldError{Field: q.ID, Key: q.MissingKey}
	case askDate:
		d, m, y := a[q.ID+"-day"], a[q.ID+"-month"], a[q.ID+"-year"]
		if d == "" && m == "" && y == "" {
			if q.Optional {
				return "", nil
			}
			return "", &fieldError{Field: q.ID, Key: q.MissingKey}
		}
		t, ok := realDate(d, m, y)
		if !ok {
			return "", &fieldError{Field: q.ID, Key: q.BadKey}
		}
		now := p.now().In(lang.London)
		if q.Past && t.After(time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)) {
			return "", &fieldError{Field: q.ID, Key: q.FutureKey}
		}
		return t.Format(time.DateOnly), nil
	default:
		v := a[q.ID]
		switch {
		case v == "" && q.Optional:
			return "", nil
		case v == "":
			return "", &fieldError{Field: q.ID, Key: q.MissingKey}
		case utf8.RuneCountInString(v) > maxAnswer:
			return "", &fieldError{Field: q.ID, Key: "record.error.long"}
		}
		if q.Tidy != nil {
			tidy, ok := q.Tidy(v)
			if !ok {
				return "", &fieldError{Field: q.ID, Key: q.BadKey}
			}
			v = tidy
		}
		return v, nil
	}
}

// realDate reads a date a person typed as day, month and year: a day
// that month has, and a year from 1900 to 2199.
func realDate(day, month, year string) (time.Time, bool) {
	d, err1 := strconv.Atoi(day)
	m, err2 := strconv.Atoi(month)
	y, err3 := strconv.Atoi(year)
	if err1 != nil || err2 != nil || err3 != nil || m < 1 || m > 12 || d < 1 || y < 1900 || y > 2199 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d { // 31 February
		return time.Time{}, false
	}
	return t, true
}

// draftFor is the session's draft of form f, or nil if the session has
// none (or one of another form).
func draftFor(s *Session, f *recordForm) *recordDraft {
	if s.Record == nil || s.Record.Form != f.Slug {
		return nil
	}
	if s.Record.Answers == nil {
		s.Record.Answers = map[string]string{}
	}
	return s.Record
}

// firstGap is the first question of f whose answer in d is missing or
// wrong (nil if all are good).
func (p *Pages) firstGap(f *recordForm, d *recordDraft) *question {
	for _, q := range f.Questions {
		if _, bad := p.answer(q, d.Answers); bad != nil {
			return q
		}
	}
	return nil
}

// recordStart begins a record form: with the answers of the record the
// leaver keeps, at the check page, or with none, at the first question.
func (p *Pages) recordStart(w http.ResponseWriter, r *http.Request, s *Session) {
	f := formNamed(mux.Vars(r)["form"])
	if f == nil {
		p.notFound(w, r, s)
		return
	}
	path, doc, err := p.findRecord(r.Context(), s.Pod, f)
	if err != nil {
		p.Log.ErrorContext(r.Context(), "reading a record failed", "err", err)
		p.fail(w, r, s)
		return
	}
	d := &recordDraft{Form: f.Slug, Answers: map[string]string{}}
	if doc != nil {
		d.Path, d.Answers, d.Checking = path, f.answersOf(doc), true
	}
	s.Record = d
	if err := p.sessions.save(r.Context(), s); err != nil {
		p.fail(w, r, s)
		return
	}
	if d.Checking {
		redirect(w, r, f.href("check"))
		return
	}
	redirect(w, r, f.href(f.Questions[0].ID))
}

// recordQuestion asks one question of a record form.
func (p *Pages) recordQuestion(w http.ResponseWriter, r *http.Request, s *Session) {
	f := formNamed(mux.Vars(r)["form"])
	if f == nil {
		p.notFound(w, r, s)
		return
	}
	i, q := f.questionNamed(mux.Vars(r)["question"])
	if q == nil {
		p.notFound(w, r, s)
		return
	}
	d := draftFor(s, f)
	if d == nil {
		redirect(w, r, f.href(""))
		return
	}
	back := "/my"
	switch {
	case d.Checking:
		back = f.href("check")
	case i > 0:
		back = f.href(f.Questions[i-1].ID)
	}
	v := view{"Form": f, "Q": q, "Back": back, "Action": f.href(q.ID)}
	show := func(status int) {
		a := d.Answers
		v["Value"], v["Day"], v["Month"], v["Year"] = a[q.ID], a[q.ID+"-day"], a[q.ID+"-month"], a[q.ID+"-year"]
		p.render(w, r, s, status, "record-question", v)
	}
	if r.Method == http.MethodGet {
		show(http.StatusOK)
		return
	}
	readAnswer(q, r, d.Answers)
	if _, bad := p.answer(q, d.Answers); bad != nil {
		v["Errors"] = []fieldError{*bad}
		show(http.StatusUnprocessableEntity)
		return
	}
	if err := p.sessions.save(r.Context(), s); err != nil {
		p.fail(w, r, s)
		return
	}
	if d.Checking || i == len(f.Questions)-1 {
		redirect(w, r, f.href("check"))
		return
	}
	redirect(w, r, f.href(f.Questions[i+1].ID))
}

// answerRow is one answer on the check page.
type answerRow struct {
	Q      *question
	Href   string    // its Change link
	Text   string    // a text answer
	Option string    // catalogue key: the option chosen
	Date   time.Time // a date answer
}

// recordCheck shows a record form's answers, then saves the record.
func (p *Pages) recordCheck(w http.ResponseWriter, r *http.Request, s *Session) {
	f := formNamed(mux.Vars(r)["form"])
	if f == nil {
		p.notFound(w, r, s)
		return
	}
	d := draftFor(s, f)
	if d == nil {
		redirect(w, r, f.href(""))
		return
	}
	if q := p.firstGap(f, d); q != nil {
		redirect(w, r, f.href(q.ID))
		return
	}
	if r.Method == http.MethodGet {
		if err := p.reachedCheck(r.Context(), s, &d.Checking); err != nil {
			p.fail(w, r, s)
			return
		}
		var rows []answerRow
		for _, q := range f.Questions {
			row := answerRow{Q: q, Href: f.href(q.ID)}
			v, _ := p.answer(q, d.Answers)
			switch q.Kind {
			case askRadios:
				for _, o := range q.Options {
					if o.Value == v {
						row.Option = o.Label
					}
				}
			case askDate:
				row.Date, _ = time.Parse(time.DateOnly, v)
			default:
				row.Text = v
			}
			rows = append(rows, row)
		}
		p.render(w, r, s, http.StatusOK, "record-check", view{"Form": f, "Rows": rows, "Action": f.href("check")})
		return
	}
	if err := p.saveRecord(r.Context(), s.Pod, f, d); err != nil {
		p.Log.ErrorContext(r.Context(), "saving a record failed", "form", f.Slug, "err", err)
		p.fail(w, r, s)
		return
	}
	s.Record = nil
	p.flash(r.Context(), s, f.SavedKey)
	redirect(w, r, "/my")
}

var errNotThisRecord = errors.New("a record of another type is there now")

// saveRecord puts d's answers into the record it corrects (or a new one),
// under compare-and-swap, and stores it only if it is still a valid
// record. Fields the form does not ask about are kept.
func (p *Pages) saveRecord(ctx context.Context, id pod.PodID, f *recordForm, d *recordDraft) error {
	for try := 0; ; try++ {
		path, etag := d.Path, ""
		var doc map[string]any
		if path != "" {
			var err error
			if doc, etag, err = p.readRecord(ctx, id, path); err != nil {
				return err
			}
			if doc != nil && str(doc, "type") != f.Type {
				return fmt.Errorf("%s: %w", path, errNotThisRecord)
			}
		}
		if doc == nil { // a new record, or the one corrected has gone
			path, etag = f.Path, ""
			doc = map[string]any{"@context": schemas.ContextURL, "id": f.ID, "type": f.Type}
		}
		p.fill(f, doc, d.Answers)
		err := p.writeRecord(ctx, id, path, doc, etag)
		if !errors.Is(err, pod.ErrPrecondition) || try >= 3 {
			return err
		}
		if etag != "" {
			continue // changed meanwhile: apply the answers to the new version
		}
		// f.Path is taken: by a record of this type made meanwhile (correct
		// it), or by something else (a document's description): the new
		// record goes beside it, under a free name.
		found, _, err := p.findRecord(ctx, id, f)
		if err != nil {
			return err
		}
		if found != "" {
			d.Path = found
			continue
		}
		body, _ := json.Marshal(doc) // valid: writeRecord checked it
		_, _, err = p.Pods.Post(ctx, id, f.Path.Parent(), f.Path.Name(), "application/ld+json", int64(len(body)), bytes.NewReader(body))
		return err
	}
}

// writeRecord stores doc at path if it is a valid record: over the version
// etag, or, with etag "", only if nothing is there yet (pod.ErrPrecondition
// otherwise, so that no change made meanwhile is lost).
func (p *Pages) writeRecord(ctx context.Context, id pod.PodID, path pod.Path, doc map[string]any, etag string) error {
	body, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	if _, err := schemas.Validate(body, string(path)); err != nil {
		return err
	}
	pre := pod.CreateOnly()
	if etag != "" {
		pre = pod.IfMatch(etag)
	}
	_, _, err = p.Pods.Put(ctx, id, path, "application/ld+json", int64(len(body)), bytes.NewReader(body), pre)
	return err
}
