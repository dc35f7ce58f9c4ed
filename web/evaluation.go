package web

import (
	"errors"
	"net/http"
	"time"

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
	r.Handle("/my/evaluation/report", p.leaver(e.report)).Methods(post)
}

type evaluationPages struct {
	p  *Pages
	ev *evaluation.Store
}

// heldItem is one data point held: its label's key and its value.
type heldItem struct{ Key, Value string }

// fieldLabels are the data points' labels, by their field names.
var fieldLabels = map[string]heldItem{
	"nomis_id":                    {Key: "evaluation.field.nomis-id"},
	"pnc_number":                  {Key: "evaluation.field.pnc-number"},
	"delius_number":               {Key: "evaluation.field.delius-number"},
	"date_of_birth":               {Key: "evaluation.field.date-of-birth"},
	"first_name":                  {Key: "evaluation.field.first-name"},
	"surname":                     {Key: "evaluation.field.surname"},
	"date_of_release":             {Key: "evaluation.field.date-of-release"},
	"date_of_enrolment":           {Key: "evaluation.field.date-of-enrolment"},
	"date_intervention_began":     {Key: "evaluation.field.date-intervention-began"},
	"establishment_released_from": {Key: "evaluation.field.establishment-released-from"},
	"probation_area":              {Key: "evaluation.field.probation-area"},
	"local_authority":             {Key: "evaluation.field.local-authority"},
	"date_completed":              {Key: "evaluation.field.date-completed"},
	"withdrawn":                   {Key: "evaluation.field.withdrawn"},
	"date_withdrawn":              {Key: "evaluation.field.date-withdrawn"},
	"withdrawn_reason":            {Key: "evaluation.field.withdrawn-reason"},
	"gender":                      {Key: "evaluation.field.gender"},
	"ethnicity":                   {Key: "evaluation.field.ethnicity"},
}

var settledOptions = []option{
	{Value: "yes", Label: "evaluation.settled.yes"},
	{Value: "no", Label: "evaluation.settled.no"},
	{Value: "prefer-not", Label: "evaluation.settled.prefer-not"},
}

// questionText is how a question asked after release shows: its legend
// (Heading), hint (Body), row in the list of answers (Key) and radios,
// whose values are the question's answers. Welsh answers yes and no in
// the verb of the question, so each question has its own radios.
type questionText struct {
	Heading, Body, Key string
	Options            []option
}

var (
	workOptions = []option{
		{Value: "yes", Label: "evaluation.ask.work.yes"},
		{Value: "no", Label: "evaluation.ask.work.no"},
		{Value: "prefer-not", Label: "evaluation.ask.work.prefer-not"},
	}
	benefitsOptions = []option{
		{Value: "yes", Label: "evaluation.ask.benefits.yes"},
		{Value: "no", Label: "evaluation.ask.benefits.no"},
		{Value: "waiting", Label: "evaluation.ask.benefits.waiting"},
		{Value: "prefer-not", Label: "evaluation.ask.benefits.prefer-not"},
	}
	questionTexts = map[string]questionText{
		evaluation.Employment6Weeks:  {Heading: "evaluation.ask.work", Body: "evaluation.ask.work.hint-6-weeks", Key: "evaluation.ask.row.work-6-weeks", Options: workOptions},
		evaluation.Employment6Months: {Heading: "evaluation.ask.work", Body: "evaluation.ask.work.hint-6-months", Key: "evaluation.ask.row.work-6-months", Options: workOptions},
		evaluation.Benefits:          {Heading: "evaluation.ask.benefits", Body: "evaluation.ask.benefits.hint", Key: "evaluation.ask.row.benefits", Options: benefitsOptions},
	}
)

// askLabel is the key of answer a to the question called name.
func askLabel(name, a string) string {
	for _, o := range questionTexts[name].Options {
		if o.Value == a {
			return o.Label
		}
	}
	return ""
}

// ask is the question called name on the page, with the answer given.
func ask(name, given string) *asked {
	t := questionTexts[name]
	return &asked{name, t.Heading, t.Body, given, t.Options}
}

// asked is a question on the page: its name, legend, hint, options and
// the answer given, if any.
type asked struct {
	Name, Legend, Hint, Value string
	Options                   []option
}

// reported is one row of the leaver's answers to the questions asked
// after release.
type reported struct {
	Name, Key, Answer string
}

func (e evaluationPages) page(w http.ResponseWriter, r *http.Request, s *Session) {
	e.show(w, r, s, http.StatusOK, nil, r.URL.Query().Get("question"))
}

// show renders the page. It asks the question called name if it is due
// (the leaver is changing their answer), or else the first one due that
// they have not answered; with none due, the settled question.
func (e evaluationPages) show(w http.ResponseWriter, r *http.Request, s *Session, status int, errs []fieldError, name string) {
	per, err := e.ev.Get(r.Context(), s.Pod)
	if err != nil {
		e.p.Log.ErrorContext(r.Context(), "evaluation lookup failed", "err", err)
		e.p.fail(w, r, s)
		return
	}
	var held []heldItem
	if per.Details != nil {
		for i, v := range per.Details.Values() {
			if v != "" {
				held = append(held, heldItem{fieldLabels[evaluation.Fields[i]].Key, v})
			}
		}
	}
	last := ""
	if n := len(per.Answers); n > 0 {
		last = per.Answers[n-1].Settled
	}
	var asking *asked
	var answers []reported
	for _, q := range e.ev.Due(per) {
		got := per.Latest(q.Name, time.Time{}).Answer
		if got != "" {
			answers = append(answers, reported{q.Name, questionTexts[q.Name].Key, askLabel(q.Name, got)})
		}
		if q.Name == name {
			asking = ask(q.Name, got)
		}
	}
	if len(errs) > 0 && errs[0].Field == "settled" {
		asking = nil // the settled question was sent without an answer
	} else if q, ok := e.ev.Next(per); ok && asking == nil {
		asking = ask(q.Name, "")
	}
	v := view{
		"Taking": per.Taking(), "Agreed": per.Agreed(), "Withdrew": per.WithdrewAt(),
		"Held": held, "Answers": per.Answers, "Settled": last, "Options": settledOptions, "Errors": errs,
		"Ask": asking, "Reported": answers,
	}
	e.p.render(w, r, s, status, "evaluation", v)
}

func (e evaluationPages) agree(w http.ResponseWriter, r *http.Request, s *Session) {
	if _, err := e.ev.Agree(r.Context(), s.Pod); err != nil {
		e.p.Log.ErrorContext(r.Context(), "evaluation consent failed", "err", err)
		e.p.fail(w, r, s)
		return
	}
	e.p.flash(r.Context(), s, "evaluation.flash.agreed")
	redirect(w, r, "/my/evaluation")
}

func (e evaluationPages) withdraw(w http.ResponseWriter, r *http.Request, s *Session) {
	if _, err := e.ev.Withdraw(r.Context(), s.Pod); err != nil {
		e.p.Log.ErrorContext(r.Context(), "evaluation withdrawal failed", "err", err)
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
		e.show(w, r, s, http.StatusUnprocessableEntity, []fieldError{{Field: "settled", Key: "evaluation.settled.missing"}}, "")
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

// report keeps the leaver's answer to a question asked after release. No
// answer chosen is explained on the page; a question not asked of them
// now (or their not taking part) keeps nothing and shows where they
// stand.
func (e evaluationPages) report(w http.ResponseWriter, r *http.Request, s *Session) {
	name, answer := r.PostFormValue("question"), r.PostFormValue("answer")
	if answer == "" {
		e.show(w, r, s, http.StatusUnprocessableEntity, []fieldError{{Field: "answer", Key: "evaluation.settled.missing"}}, name)
		return
	}
	if _, err := e.ev.Report(r.Context(), s.Pod, name, answer); err != nil {
		if errors.Is(err, evaluation.ErrNotAsked) || errors.Is(err, evaluation.ErrNoConsent) || errors.Is(err, evaluation.ErrWithdrawn) {
			redirect(w, r, "/my/evaluation")
			return
		}
		// A made-up question or answer: the radios offer neither.
		e.show(w, r, s, http.StatusUnprocessableEntity, []fieldError{{Field: "answer", Key: "evaluation.settled.missing"}}, name)
		return
	}
	e.p.flash(r.Context(), s, "evaluation.flash.answered")
	redirect(w, r, "/my/evaluation")
}
