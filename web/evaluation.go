package web

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/evaluation"
)

// The leaver's page about the Ministry of Justice's evaluation: what it is,
// in plain words; a yes or no that changes nothing else in Satchel; while
// they take part, what is held about them, one short question, and a way
// to stop at any time (which deletes what is held).

// EvaluationRoutes adds the leaver's evaluation page, whose answers ev
// keeps. They are added before Routes, apart from the rest of the pages,
// as the evaluation is apart from the pod.
func (p *Pages) EvaluationRoutes(r *mux.Router, ev *evaluation.Store) {
	e := evaluationPages{p, ev}
	get, post := http.MethodGet, http.MethodPost
	r.Handle("/my/evaluation", p.leaver(e.page)).Methods(get)
	r.Handle("/my/evaluation/agree", p.leaver(e.agree)).Methods(post)
	r.Handle("/my/evaluation/withdraw", p.leaver(e.withdraw)).Methods(post)
	r.Handle("/my/evaluation/answer", p.leaver(e.answer)).Methods(post)
}

type evaluationPages struct {
	p  *Pages
	ev *evaluation.Store
}

// heldItem is one data point held: its label's key and its value.
type heldItem struct{ Key, Value string }

// fieldLabels are the catalogue keys of the data points' labels.
var fieldLabels = map[string]string{
	"nomis_id":                    "evaluation.field.nomis_id",
	"pnc_number":                  "evaluation.field.pnc_number",
	"delius_number":               "evaluation.field.delius_number",
	"date_of_birth":               "evaluation.field.date_of_birth",
	"first_name":                  "evaluation.field.first_name",
	"surname":                     "evaluation.field.surname",
	"date_of_release":             "evaluation.field.date_of_release",
	"date_of_enrolment":           "evaluation.field.date_of_enrolment",
	"date_intervention_began":     "evaluation.field.date_intervention_began",
	"establishment_released_from": "evaluation.field.establishment_released_from",
	"probation_area":              "evaluation.field.probation_area",
	"local_authority":             "evaluation.field.local_authority",
	"date_completed":              "evaluation.field.date_completed",
	"withdrawn":                   "evaluation.field.withdrawn",
	"date_withdrawn":              "evaluation.field.date_withdrawn",
	"withdrawn_reason":            "evaluation.field.withdrawn_reason",
	"gender":                      "evaluation.field.gender",
	"ethnicity":                   "evaluation.field.ethnicity",
}

var settledOptions = []option{
	{Value: "yes", Label: "evaluation.settled.yes"},
	{Value: "no", Label: "evaluation.settled.no"},
	{Value: "prefer-not", Label: "evaluation.settled.prefer-not"},
}

func (e evaluationPages) page(w http.ResponseWriter, r *http.Request, s *Session) {
	e.show(w, r, s, http.StatusOK, nil)
}

func (e evaluationPages) show(w http.ResponseWriter, r *http.Request, s *Session, status int, errs []fieldError) {
	per, err := e.ev.Get(r.Context(), s.Pod)
	if err != nil {
		e.p.Log.Error("evaluation lookup failed", "err", err)
		e.p.fail(w, r, s)
		return
	}
	var held []heldItem
	if per.Details != nil {
		for i, v := range per.Details.Values() {
			if v != "" {
				held = append(held, heldItem{fieldLabels[evaluation.Fields[i]], v})
			}
		}
	}
	last := ""
	if n := len(per.Answers); n > 0 {
		last = per.Answers[n-1].Settled
	}
	v := view{
		"Taking": per.Taking(), "Agreed": per.Agreed(), "Withdrew": per.WithdrewAt(),
		"Held": held, "Answers": per.Answers, "Settled": last, "Options": settledOptions, "Errors": errs,
	}
	e.p.render(w, r, s, status, "evaluation", v)
}

func (e evaluationPages) agree(w http.ResponseWriter, r *http.Request, s *Session) {
	if _, err := e.ev.Agree(r.Context(), s.Pod); err != nil {
		e.p.Log.Error("evaluation consent failed", "err", err)
		e.p.fail(w, r, s)
		return
	}
	e.p.flash(r.Context(), s, "evaluation.flash.agreed")
	redirect(w, r, "/my/evaluation")
}

func (e evaluationPages) withdraw(w http.ResponseWriter, r *http.Request, s *Session) {
	if _, err := e.ev.Withdraw(r.Context(), s.Pod); err != nil {
		e.p.Log.Error("evaluation withdrawal failed", "err", err)
		e.p.fail(w, r, s)
		return
	}
	e.p.flash(r.Context(), s, "evaluation.flash.withdrew")
	redirect(w, r, "/my/evaluation")
}

func (e evaluationPages) answer(w http.ResponseWriter, r *http.Request, s *Session) {
	settled := r.PostFormValue("settled")
	switch settled {
	case "yes", "no", "prefer-not":
	default:
		e.show(w, r, s, http.StatusUnprocessableEntity, []fieldError{{Field: "settled", Key: "evaluation.settled.missing"}})
		return
	}
	if _, err := e.ev.AnswerSettled(r.Context(), s.Pod, settled); err != nil {
		// Not taking part (any more): nothing is kept, and the page says
		// where they stand.
		redirect(w, r, "/my/evaluation")
		return
	}
	e.p.flash(r.Context(), s, "evaluation.flash.answered")
	redirect(w, r, "/my/evaluation")
}
