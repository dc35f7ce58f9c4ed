package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/satchel-project/satchel/issuer"
)

// Issuing one record by form: "What are you sending?" (a question skipped
// when the organisation signs one kind of record only), one page of
// questions for that kind, then "check your answers", then it is signed
// and sent. The answers wait in the session until then; once sent, what
// was sent to whom waits there for the page that says so.

// orgIssueDraft is a record being issued: its kind and the form's answers
// as typed; or, once sent, what was sent.
type orgIssueDraft struct {
	// Kind is the Word of its kind in issuer.SignedKinds; "" is a
	// qualification (drafts from before there were other kinds).
	Kind   string            `json:"kind,omitempty"`
	Fields map[string]string `json:"fields"`
	Sent   *sentNote         `json:"sent,omitempty"`
}

// sentNote says what was just sent, and to whom.
type sentNote struct {
	What string `json:"what"`
	For  string `json:"for"`
}

func (d *orgIssueDraft) kind() string {
	if d.Kind == "" {
		return "qualification"
	}
	return d.Kind
}

// orgIssueFields are the form's fields, in the order they are asked.
var orgIssueFields = []string{"to", "course", "code", "accredited", "body", "level",
	"start-day", "start-month", "start-year", "end-day", "end-month", "end-year", "outcome", "grade", "establishment"}

// parseDay reads a day, month and year as typed into a date.
func parseDay(f map[string]string, id string) (time.Time, bool) {
	d, err1 := strconv.Atoi(strings.TrimSpace(f[id+"-day"]))
	m, err2 := strconv.Atoi(strings.TrimSpace(f[id+"-month"]))
	y, err3 := strconv.Atoi(strings.TrimSpace(f[id+"-year"]))
	if err1 != nil || err2 != nil || err3 != nil || y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

// qualificationOf checks the form's answers and makes the qualification,
// or says what is wrong with each answer.
func qualificationOf(f map[string]string) (issuer.Qualification, []fieldError) {
	var errs []fieldError
	get := func(k string) string { return strings.TrimSpace(f[k]) }
	need := func(missing fieldError) {
		v := get(missing.Field)
		switch {
		case v == "":
			errs = append(errs, missing)
		case utf8.RuneCountInString(v) > 200:
			errs = append(errs, fieldError{Field: missing.Field, Key: "org.issue.error.long"})
		}
	}
	if get("to") == "" {
		errs = append(errs, fieldError{Field: "to", Key: "org.issue.error.to"})
	}
	need(fieldError{Field: "course", Key: "org.issue.error.course"})
	for _, opt := range []string{"code", "body", "grade"} {
		if utf8.RuneCountInString(get(opt)) > 200 {
			errs = append(errs, fieldError{Field: opt, Key: "org.issue.error.long"})
		}
	}
	if a := get("accredited"); a != "yes" && a != "no" {
		errs = append(errs, fieldError{Field: "accredited", Key: "org.issue.error.accredited"})
	}
	need(fieldError{Field: "level", Key: "org.issue.error.level"})
	start, okStart := parseDay(f, "start")
	if !okStart {
		errs = append(errs, fieldError{Field: "start", Key: "org.issue.error.start"})
	}
	end, okEnd := parseDay(f, "end")
	if !okEnd {
		errs = append(errs, fieldError{Field: "end", Key: "org.issue.error.end"})
	} else if okStart && end.Before(start) {
		errs = append(errs, fieldError{Field: "end", Key: "org.issue.error.end-before"})
	}
	need(fieldError{Field: "outcome", Key: "org.issue.error.outcome"})
	need(fieldError{Field: "establishment", Key: "org.issue.error.establishment"})
	q := issuer.Qualification{
		CourseName: get("course"), CourseCode: get("code"), Accredited: get("accredited") == "yes",
		AwardingBody: get("body"), Level: get("level"), Outcome: get("outcome"), Grade: get("grade"),
		Establishment: get("establishment"),
	}
	if okStart {
		q.LearningStart = start.Format(time.DateOnly)
	}
	if okEnd {
		q.LearningEnd = end.Format(time.DateOnly)
	}
	if errs == nil && q.Check() != nil {
		// What the form cannot say field by field (a control character).
		errs = append(errs, fieldError{Field: "course", Key: "org.issue.error.text"})
	}
	return q, errs
}

// draft is the record being issued, or nil.
func draft(s *Session) *orgIssueDraft {
	if s.OrgIssue == nil || s.OrgIssue.Sent != nil {
		return nil
	}
	return s.OrgIssue
}

// kindOptions are the kinds of record o may sign, as radios.
func kindOptions(o issuer.Org) []option {
	var out []option
	for _, k := range o.Kinds() {
		out = append(out, option{Value: k.Word, Label: kindText[k.Word].Label})
	}
	return out
}

// orgIssue is the form. GET shows "What are you sending?", or with
// ?kind= (or when the organisation signs one kind only) the questions
// for that kind, with ?to= an enrolment chosen, or the draft's answers.
// POST with step=kind answers the first question; any other POST checks
// the answers for its kind (a qualification when it names none) and goes
// on to the check page.
func (p *Pages) orgIssue(w http.ResponseWriter, r *http.Request, s *Session, m staffMember) {
	kinds := m.Org.Kinds()
	if len(kinds) == 0 {
		p.maySignQualifications(w, r, s, m)
		return
	}
	people, err := p.enrolled(r, m.Org.Slug)
	if err != nil {
		p.Log.ErrorContext(r.Context(), "listing enrolments failed", "err", err)
		p.fail(w, r, s)
		return
	}
	d := draft(s)
	v := view{"Org": m.Org, "People": people, "Choosable": len(kinds) > 1}
	post := r.Method == http.MethodPost
	if post && r.PostFormValue("step") == "kind" {
		word, to := r.PostFormValue("kind"), strings.TrimSpace(r.PostFormValue("to"))
		k, ok := signedKindOf(word)
		if !ok || !m.Org.MaySign(k.Kind) {
			v["Kinds"], v["To"] = kindOptions(m.Org), to
			v["Errors"] = []fieldError{{Field: "kind", Key: "org.issue.error.kind"}}
			p.render(w, r, s, http.StatusUnprocessableEntity, "org-issue-kind", v)
			return
		}
		next := url.Values{"kind": {word}}
		if to != "" {
			next.Set("to", to)
		}
		redirect(w, r, "/org/issue?"+next.Encode())
		return
	}
	var word string
	if post {
		word = r.PostFormValue("kind")
		if word == "" {
			word = "qualification"
		}
	} else {
		word = r.URL.Query().Get("kind")
		if word == "" && len(kinds) == 1 {
			word = kinds[0].Word
		}
		if word == "" {
			to := r.URL.Query().Get("to")
			chosen := ""
			if d != nil {
				chosen = d.kind()
				if to == "" {
					to = d.Fields["to"]
				}
			}
			v["Kinds"], v["To"], v["Chosen"] = kindOptions(m.Org), to, chosen
			p.render(w, r, s, http.StatusOK, "org-issue-kind", v)
			return
		}
	}
	k, ok := signedKindOf(word)
	if !ok {
		p.notFound(w, r, s)
		return
	}
	if !m.Org.MaySign(k.Kind) {
		p.render(w, r, s, http.StatusForbidden, "problem", view{"Heading": kindCannot(word), "Body": "org.issue.cannot.body"})
		return
	}
	v["Kind"], v["Title"] = word, kindTitle(word)
	v["Accredited"] = []option{{Value: "yes", Label: "org.issue.yes"}, {Value: "no", Label: "org.issue.no"}}
	v["Places"] = []option{{Value: "hostel", Label: "org.stay.hostel"}, {Value: "approved-premises", Label: "org.stay.approved-premises"}}
	if !post {
		f := map[string]string{}
		if d != nil {
			if d.kind() == word {
				f = d.Fields
			} else {
				f["to"] = d.Fields["to"]
			}
		}
		if to := r.URL.Query().Get("to"); to != "" {
			f["to"] = to
		}
		v["F"] = f
		p.render(w, r, s, http.StatusOK, "org-issue", v)
		return
	}
	f := map[string]string{}
	for _, k := range kindFields[word] {
		f[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	v["F"] = f
	_, errs := recordOf(word, f)
	if errs == nil {
		if _, err := p.Issuers.EnrolmentOf(r.Context(), m.Org.Slug, f["to"]); err != nil {
			errs = []fieldError{{Field: "to", Key: "org.issue.error.to"}}
		}
	}
	if errs != nil {
		v["Errors"] = errs
		p.render(w, r, s, http.StatusUnprocessableEntity, "org-issue", v)
		return
	}
	s.OrgIssue = &orgIssueDraft{Kind: word, Fields: f}
	if err := p.sessions.save(r.Context(), s); err != nil {
		p.Log.ErrorContext(r.Context(), "could not save a session", "err", err)
		p.fail(w, r, s)
		return
	}
	redirect(w, r, "/org/issue/check")
}

// orgIssueCheck shows the answers to check; POST signs and sends the
// record.
func (p *Pages) orgIssueCheck(w http.ResponseWriter, r *http.Request, s *Session, m staffMember) {
	d := draft(s)
	if d == nil {
		if !p.maySignAny(w, r, s, m) {
			return
		}
		redirect(w, r, "/org/issue")
		return
	}
	word := d.kind()
	k, ok := signedKindOf(word)
	if !ok || !m.Org.MaySign(k.Kind) {
		p.render(w, r, s, http.StatusForbidden, "problem", view{"Heading": kindCannot(word), "Body": "org.issue.cannot.body"})
		return
	}
	back := "/org/issue?kind=" + word
	rec, errs := recordOf(word, d.Fields)
	e, err := p.Issuers.EnrolmentOf(r.Context(), m.Org.Slug, d.Fields["to"])
	if errs != nil || err != nil {
		redirect(w, r, back)
		return
	}
	if r.Method == http.MethodGet {
		p.render(w, r, s, http.StatusOK, "org-issue-check", view{"Org": m.Org, "Person": e, "Kind": word, "Title": kindTitle(word),
			"Back": back, "Choosable": len(m.Org.Kinds()) > 1, "What": kindText[word].Label, "Rows": checkRows(rec)})
		return
	}
	_, _, err = p.Issuers.IssueRecord(r.Context(), m.Org.Slug, e.ID, rec)
	var cannot *issuer.CannotSignError
	switch {
	case errors.Is(err, issuer.ErrNotEnrolled):
		redirect(w, r, back)
		return
	case errors.As(err, &cannot):
		p.render(w, r, s, http.StatusForbidden, "problem", view{"Heading": kindCannot(word), "Body": "org.issue.cannot.body"})
		return
	case err != nil:
		p.Log.ErrorContext(r.Context(), "issuing failed", "err", err)
		p.fail(w, r, s)
		return
	}
	s.OrgIssue = &orgIssueDraft{Sent: &sentNote{What: rec.Title(), For: e.LeaverName}}
	p.flash(r.Context(), s, "org.issue.done")
	redirect(w, r, "/org/issued")
}

// maySignAny reports whether m's organisation may sign any kind of record
// the form sends; if not, it shows a page that says so (403).
func (p *Pages) maySignAny(w http.ResponseWriter, r *http.Request, s *Session, m staffMember) bool {
	if len(m.Org.Kinds()) > 0 {
		return true
	}
	return p.maySignQualifications(w, r, s, m)
}

// maySignQualifications reports whether m's organisation may sign
// qualifications, the one kind of record a CSV upload sends; if not, it
// shows a page that says so (403) and offers no form.
func (p *Pages) maySignQualifications(w http.ResponseWriter, r *http.Request, s *Session, m staffMember) bool {
	if m.Org.MaySign("Qualification") {
		return true
	}
	p.render(w, r, s, http.StatusForbidden, "problem", view{"Heading": "org.issue.cannot", "Body": "org.issue.cannot.body"})
	return false
}
