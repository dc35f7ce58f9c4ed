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

// orgFields are the form's boxes: the field, its label and, for its
// error, the message.
var orgFields = []struct{ Name, Key, Error string }{
	{"nomis_id", "evaluation.org.field.nomis-id", "evaluation.org.error.text"},
	{"pnc_number", "evaluation.org.field.pnc-number", "evaluation.org.error.text"},
	{"delius_number", "evaluation.org.field.delius-number", "evaluation.org.error.text"},
	{"first_name", "evaluation.org.field.first-name", "evaluation.org.error.text"},
	{"surname", "evaluation.org.field.surname", "evaluation.org.error.text"},
	{"date_of_birth", "evaluation.org.field.date-of-birth", "evaluation.org.error.date"},
	{"gender", "evaluation.org.field.gender", "evaluation.org.error.text"},
	{"ethnicity", "evaluation.org.field.ethnicity", "evaluation.org.error.text"},
	{"establishment_released_from", "evaluation.org.field.establishment", "evaluation.org.error.text"},
	{"date_of_release", "evaluation.org.field.date-of-release", "evaluation.org.error.date"},
	{"probation_area", "evaluation.org.field.probation-area", "evaluation.org.error.text"},
	{"local_authority", "evaluation.org.field.local-authority", "evaluation.org.error.text"},
	{"date_of_enrolment", "evaluation.org.field.date-of-enrolment", "evaluation.org.error.date"},
	{"date_intervention_began", "evaluation.org.field.date-began", "evaluation.org.error.date"},
	{"date_completed", "evaluation.org.field.date-completed", "evaluation.org.error.date"},
	{"withdrawn", "evaluation.org.field.withdrawn", "evaluation.org.error.withdrawn"},
	{"date_withdrawn", "evaluation.org.field.date-withdrawn", "evaluation.org.error.date"},
	{"withdrawn_reason", "evaluation.org.field.withdrawn-reason", "evaluation.org.error.text"},
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
		e.p.Log.Error("evaluation lookup failed", "err", err)
		e.p.fail(w, r, s)
		return
	}
	var errs []fieldError
	status := http.StatusOK
	boxes := make([]orgBox, len(orgFields))
	for i, f := range orgFields {
		boxes[i] = orgBox{ID: f.Name, Label: f.Key}
	}
	if r.Method == http.MethodPost && per.Taking() {
		var d evaluation.Details
		for i, f := range orgFields {
			boxes[i].Value = strings.TrimSpace(r.PostFormValue(f.Name))
			if err := d.Set(f.Name, boxes[i].Value); err != nil {
				errs = append(errs, fieldError{Field: f.Name, Key: f.Error})
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
				e.p.Log.Error("evaluation entry failed", "err", err)
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
