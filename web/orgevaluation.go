package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/access"
	"github.com/satchel-project/satchel/evaluation"
)

// An organisation's form for the evaluation's data points about one person
// enrolled with it. It is write-only: staff see whether the person takes
// part and when details were last sent, never what is held (only the
// evaluation role reads that). For someone who has not agreed, or has
// withdrawn, there is no form and nothing is kept.

// OrgEvaluationRoutes adds the organisation's evaluation form, whose
// answers ev keeps.
func (p *Pages) OrgEvaluationRoutes(r *mux.Router, ev *evaluation.Store) {
	e := evaluationPages{p, ev}
	r.Handle("/org/people/{enrolment}/evaluation", p.orgPage(access.Issue, e.orgForm)).Methods(http.MethodGet, http.MethodPost)
}

// orgFields are the form's boxes: the field, its label and the words of
// its error (catalogue keys).
var orgFields = []struct{ Name, Label, Words string }{
	{Name: "nomis_id", Label: "evaluation.org.field.nomis-id", Words: "evaluation.org.error.text"},
	{Name: "pnc_number", Label: "evaluation.org.field.pnc-number", Words: "evaluation.org.error.text"},
	{Name: "delius_number", Label: "evaluation.org.field.delius-number", Words: "evaluation.org.error.text"},
	{Name: "first_name", Label: "evaluation.org.field.first-name", Words: "evaluation.org.error.text"},
	{Name: "surname", Label: "evaluation.org.field.surname", Words: "evaluation.org.error.text"},
	{Name: "date_of_birth", Label: "evaluation.org.field.date-of-birth", Words: "evaluation.org.error.date"},
	{Name: "gender", Label: "evaluation.org.field.gender", Words: "evaluation.org.error.text"},
	{Name: "ethnicity", Label: "evaluation.org.field.ethnicity", Words: "evaluation.org.error.text"},
	{Name: "establishment_released_from", Label: "evaluation.org.field.establishment", Words: "evaluation.org.error.text"},
	{Name: "date_of_release", Label: "evaluation.org.field.date-of-release", Words: "evaluation.org.error.date"},
	{Name: "probation_area", Label: "evaluation.org.field.probation-area", Words: "evaluation.org.error.text"},
	{Name: "local_authority", Label: "evaluation.org.field.local-authority", Words: "evaluation.org.error.text"},
	{Name: "date_of_enrolment", Label: "evaluation.org.field.date-of-enrolment", Words: "evaluation.org.error.date"},
	{Name: "date_intervention_began", Label: "evaluation.org.field.date-began", Words: "evaluation.org.error.date"},
	{Name: "date_completed", Label: "evaluation.org.field.date-completed", Words: "evaluation.org.error.date"},
	{Name: "withdrawn", Label: "evaluation.org.field.withdrawn", Words: "evaluation.org.error.withdrawn"},
	{Name: "date_withdrawn", Label: "evaluation.org.field.date-withdrawn", Words: "evaluation.org.error.date"},
	{Name: "withdrawn_reason", Label: "evaluation.org.field.withdrawn-reason", Words: "evaluation.org.error.text"},
}

// orgBox is one box of the form as the template shows it.
type orgBox struct{ ID, Label, Value string }

func (e evaluationPages) orgForm(w http.ResponseWriter, r *http.Request, s *Session, m staffMember) {
	en, err := e.p.Issuers.EnrolmentOf(r.Context(), m.Org.Slug, mux.Vars(r)["enrolment"])
	if err != nil {
		e.p.notFound(w, r, s)
		return
	}
	per, err := e.ev.Get(r.Context(), en.Pod)
	if err != nil {
		e.p.Log.ErrorContext(r.Context(), "evaluation lookup failed", "err", err)
		e.p.fail(w, r, s)
		return
	}
	var errs []fieldError
	status := http.StatusOK
	boxes := make([]orgBox, len(orgFields))
	for i, f := range orgFields {
		boxes[i] = orgBox{ID: f.Name, Label: f.Label}
	}
	if r.Method == http.MethodPost && per.Taking() {
		var d evaluation.Details
		for i, f := range orgFields {
			boxes[i].Value = strings.TrimSpace(r.PostFormValue(f.Name))
			if err := d.Set(f.Name, boxes[i].Value); err != nil {
				errs = append(errs, fieldError{Field: f.Name, Key: f.Words})
			}
		}
		if errs == nil {
			_, err := e.ev.Enter(r.Context(), m.Org.Slug, en.Pod, d)
			switch {
			case err == nil:
				e.p.flash(r.Context(), s, "evaluation.org.flash.sent")
				redirect(w, r, "/org/people")
				return
			case errors.Is(err, evaluation.ErrNoConsent), errors.Is(err, evaluation.ErrWithdrawn):
				// They stopped while the form was open: nothing is kept.
				per, _ = e.ev.Get(r.Context(), en.Pod)
			default:
				e.p.Log.ErrorContext(r.Context(), "evaluation entry failed", "err", err)
				e.p.fail(w, r, s)
				return
			}
		} else {
			status = http.StatusUnprocessableEntity
		}
	} else if r.Method == http.MethodPost {
		status = http.StatusConflict
	}
	e.p.render(w, r, s, status, "org-evaluation", view{
		"Org": m.Org, "Enrolment": en, "Taking": per.Taking(), "Agreed": per.Agreed(),
		"Sent": per.EnteredAt, "Boxes": boxes, "Errors": errs,
	})
}
