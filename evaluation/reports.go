package evaluation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/satchel-project/satchel/pod"
)

// The outcomes Satchel cannot see are asked of the leaver: a short
// question at a time, once the time has come after their date of release
// (the data point staff entered; without it nothing is asked). Answering
// is never required, an answer can be changed (each answer is kept with
// its date, and the export takes the latest in the quarter), and the
// answers are erased with everything else on withdrawal.

// Question is one question asked after release.
type Question struct {
	// Name is the question's column in the export.
	Name string
	// Answers are the answers it takes; "prefer-not" is "I'd rather not
	// say".
	Answers []string
	// From is how long after release it is first asked; Until, if not
	// zero, when it stops being asked (an answer given can still be
	// changed).
	From, Until span
}

// span is a number of months and days.
type span struct{ months, days int }

func (d span) zero() bool                        { return d == span{} }
func (d span) after(release time.Time) time.Time { return release.AddDate(0, d.months, d.days) }

// The questions' names.
const (
	Employment6Weeks  = "employment_6_weeks"
	Employment6Months = "employment_6_months"
	Benefits          = "benefits"
)

var (
	sixWeeks  = span{days: 42}
	sixMonths = span{months: 6}
)

// Questions are the questions asked after release, in the order asked.
// "Do you have paid work now?" is asked from 6 weeks after release until 6
// months, and again from 6 months; "Are you getting benefits?" from 6
// weeks on.
var Questions = []Question{
	{Name: Employment6Weeks, Answers: []string{"yes", "no", "prefer-not"}, From: sixWeeks, Until: sixMonths},
	{Name: Employment6Months, Answers: []string{"yes", "no", "prefer-not"}, From: sixMonths},
	{Name: Benefits, Answers: []string{"yes", "no", "waiting", "prefer-not"}, From: sixWeeks},
}

// ErrNotAsked: the question is not asked of this person now (the time has
// not come, or has passed, or their date of release is not known).
var ErrNotAsked = errors.New("this question is not asked now")

// Report is one answer to a question asked after release.
type Report struct {
	Question string    `json:"question"`
	Answer   string    `json:"answer"`
	At       time.Time `json:"at"`
}

// question returns the question called name.
func question(name string) (Question, bool) {
	for _, q := range Questions {
		if q.Name == name {
			return q, true
		}
	}
	return Question{}, false
}

// Release is the person's date of release as staff entered it, and
// whether it is known.
func (p Person) Release() (time.Time, bool) {
	if p.Details == nil || p.Details.DateOfRelease == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, p.Details.DateOfRelease)
	return t, err == nil
}

// Latest is the person's latest answer to the question called name given
// before the moment before (any time if before is zero); the zero Report
// if there is none.
func (p Person) Latest(name string, before time.Time) Report {
	var r Report
	for _, a := range p.Reports {
		if a.Question == name && (before.IsZero() || a.At.Before(before)) {
			r = a
		}
	}
	return r
}

// Due are the questions the person may answer at now, in the order
// asked: those whose time has come (and not gone), and those already
// answered, so that an answer can be changed. Nothing is due for someone
// who does not take part or whose date of release is not known.
func (p Person) Due(now time.Time) []Question {
	release, ok := p.Release()
	if !p.Taking() || !ok {
		return nil
	}
	var out []Question
	for _, q := range Questions {
		open := !now.Before(q.From.after(release)) && (q.Until.zero() || now.Before(q.Until.after(release)))
		if open || !p.Latest(q.Name, time.Time{}).At.IsZero() {
			out = append(out, q)
		}
	}
	return out
}

// Next is the first question due at now that the person has not answered,
// and false if there is none.
func (p Person) Next(now time.Time) (Question, bool) {
	for _, q := range p.Due(now) {
		if p.Latest(q.Name, time.Time{}).At.IsZero() {
			return q, true
		}
	}
	return Question{}, false
}

// Due are the questions the person may answer now, by the store's clock.
func (s *Store) Due(p Person) []Question { return p.Due(s.now()) }

// Next is the question to ask the person now, by the store's clock.
func (s *Store) Next(p Person) (Question, bool) { return p.Next(s.now()) }

// Report keeps the leaver of pod p's answer to the question called name,
// now. It is ErrNoConsent (or ErrWithdrawn) unless they take part, and
// ErrNotAsked unless the question is due.
func (s *Store) Report(ctx context.Context, p pod.PodID, name, answer string) (Person, error) {
	q, ok := question(name)
	if !ok {
		return Person{}, fmt.Errorf("%q is not one of the evaluation's questions", name)
	}
	if !slices.Contains(q.Answers, answer) {
		return Person{}, fmt.Errorf("%q is not an answer to %s", answer, name)
	}
	return s.change(ctx, p, func(per *Person) error {
		if !per.Taking() {
			return refusal(*per)
		}
		now := s.now().UTC()
		if !slices.ContainsFunc(per.Due(now), func(d Question) bool { return d.Name == name }) {
			return ErrNotAsked
		}
		per.Reports = append(per.Reports, Report{Question: name, Answer: answer, At: now})
		return nil
	})
}
