package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/satchel-project/satchel/issuer"
)

// Issuing one qualification by form: one page of questions, then "check
// your answers", then it is signed and sent. The answers wait in the
// session until then.

// orgIssueDraft is a record being issued: the form's answers as typed.
type orgIssueDraft struct {
	Fields map[string]string `json:"fields"`
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

// orgIssue is the form: GET shows it (with ?to= an enrolment chosen, or
// the draft's answers), POST checks the answers and goes on to the check
// page.
func (p *Pages) orgIssue(w http.ResponseWriter, r *http.Request, s *Session, m staffMember) {
	if !p.maySignQualifications(w, r, s, m) {
		return
	}
	people, err := p.enrolled(r, m.Org.Slug)
	if err != nil {
		p.Log.ErrorContext(r.Context(), "listing enrolments failed", "err", err)
		p.fail(w, r, s)
		return
	}
	f := map[string]string{}
	if s.OrgIssue != nil {
		f = s.OrgIssue.Fields
	}
	if to := r.URL.Query().Get("to"); to != "" {
		f["to"] = to
	}
	v := view{"Org": m.Org, "People": people, "F": f, "Accredited": []option{{Value: "yes", Label: "org.issue.yes"}, {Value: "no", Label: "org.issue.no"}}}
	if r.Method == http.MethodGet {
		p.render(w, r, s, http.StatusOK, "org-issue", v)
		return
	}
	f = map[string]string{}
	for _, k := range orgIssueFields {
		f[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	v["F"] = f
	_, errs := qualificationOf(f)
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
	s.OrgIssue = &orgIssueDraft{Fields: f}
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
	if !p.maySignQualifications(w, r, s, m) {
		return
	}
	if s.OrgIssue == nil {
		redirect(w, r, "/org/issue")
		return
	}
	f := s.OrgIssue.Fields
	q, errs := qualificationOf(f)
	e, err := p.Issuers.EnrolmentOf(r.Context(), m.Org.Slug, f["to"])
	if errs != nil || err != nil {
		redirect(w, r, "/org/issue")
		return
	}
	if r.Method == http.MethodGet {
		start, _ := time.Parse(time.DateOnly, q.LearningStart)
		end, _ := time.Parse(time.DateOnly, q.LearningEnd)
		p.render(w, r, s, http.StatusOK, "org-issue-check", view{"Org": m.Org, "Person": e, "Q": q, "Start": start, "End": end})
		return
	}
	_, _, err = p.Issuers.Issue(r.Context(), m.Org.Slug, e.ID, q)
	if errors.Is(err, issuer.ErrNotEnrolled) {
		redirect(w, r, "/org/issue")
		return
	}
	if err != nil {
		p.Log.ErrorContext(r.Context(), "issuing failed", "err", err)
		p.fail(w, r, s)
		return
	}
	s.OrgIssue = nil
	p.flash(r.Context(), s, "org.issue.done")
	redirect(w, r, "/org/issued")
}

// maySignQualifications reports whether m's organisation may sign
// qualifications, the one kind of record the form issues; if not, it
// shows a page that says so (403) and offers no form.
func (p *Pages) maySignQualifications(w http.ResponseWriter, r *http.Request, s *Session, m staffMember) bool {
	if m.Org.MaySign("Qualification") {
		return true
	}
	p.render(w, r, s, http.StatusForbidden, "problem", view{"Heading": "org.issue.cannot", "Body": "org.issue.cannot.body"})
	return false
}
