package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/satchel-project/satchel/evaluation"
)

// The questions Satchel asks after release (paid work at 6 weeks and 6
// months, benefits): only of someone taking part, only once the time has
// come, one at a time, never required, changeable, in the evaluation
// partner's export, and erased when they stop.
func TestEvaluationAsksAboutWorkAndBenefitsAfterRelease(t *testing.T) {
	s := newTestServer(t)
	ctx := context.Background()
	_, leaverTok := s.leaver("jo")
	a, _ := s.b.Accounts.Get(ctx, "jo")
	evalTok := s.evaluator("eva")
	now := time.Now().UTC()
	today := now.Format(time.DateOnly)
	quarter := fmt.Sprintf("%dQ%d", now.Year(), (int(now.Month())+2)/3)
	const work, benefits = "Do you have paid work now?", "Are you getting benefits, like Universal Credit?"
	report := func(b *browser, question, answer string) page {
		return b.post("/my/evaluation/report", url.Values{"csrf": {b.csrf}, "question": {question}, "answer": {answer}})
	}

	b := s.signedIn(t, "jo", webPassword, "/my")
	// Not taking part: nothing is asked, and an answer sent is not kept.
	b.form("/my/evaluation").shows("Yes, I will take part", "you have paid work").hides(work, benefits)
	report(b, evaluation.Employment6Weeks, "yes").redirects("/my/evaluation")
	if per, _ := s.b.Evaluation.Get(ctx, a.Pod); per.Reports != nil || per.Taking() {
		t.Fatalf("kept without consent: %+v", per)
	}

	// Taking part, released 10 days ago: too soon to ask.
	b.post("/my/evaluation/agree", url.Values{"csrf": {b.csrf}}).redirects("/my/evaluation")
	released := func(daysAgo int) {
		t.Helper()
		d := now.AddDate(0, 0, -daysAgo).Format(time.DateOnly)
		if _, err := s.b.Evaluation.Enter(ctx, "hmp", a.Pod, evaluation.Details{NomisID: evalNomis, DateOfRelease: d}); err != nil {
			t.Fatal(err)
		}
	}
	released(10)
	b.form("/my/evaluation").shows("Do you have somewhere settled to live?").hides(work, benefits)
	report(b, evaluation.Employment6Weeks, "yes").redirects("/my/evaluation")
	if per, _ := s.b.Evaluation.Get(ctx, a.Pod); per.Reports != nil {
		t.Fatalf("kept an answer asked too soon: %+v", per.Reports)
	}

	// 7 weeks after release: work, then benefits, one at a time.
	released(49)
	b.form("/my/evaluation").shows(work, "6 weeks after you left prison", "I would rather not say", `name="question" value="employment_6_weeks"`).
		hides(benefits, "Do you have somewhere settled to live?", "Your answers")
	report(b, evaluation.Employment6Weeks, "").want(http.StatusUnprocessableEntity).
		shows("There is a problem", `href="#answer"`, "Choose an answer", work)
	report(b, evaluation.Employment6Months, "yes").redirects("/my/evaluation") // not asked yet: nothing kept
	report(b, evaluation.Employment6Weeks, "yes").redirects("/my/evaluation")
	b.form("/my/evaluation").shows("Your answer is saved", benefits, "Waiting to hear", "Your answers", "Paid work, 6 weeks after prison").hides(work)
	report(b, evaluation.Benefits, "waiting").redirects("/my/evaluation")
	// All answered: the settled question is back, and the answers listed.
	b.form("/my/evaluation").shows("Do you have somewhere settled to live?", "Paid work, 6 weeks after prison", "Benefits", "Waiting to hear").hides(work, benefits)

	// Changing an answer: the question again, with the answer given.
	b.form("/my/evaluation?question=employment_6_weeks").shows(work, `value="yes" checked`)
	report(b, evaluation.Employment6Weeks, "no").redirects("/my/evaluation")
	per, _ := s.b.Evaluation.Get(ctx, a.Pod)
	if got := per.Latest(evaluation.Employment6Weeks, time.Time{}); got.Answer != "no" || len(per.Reports) != 3 {
		t.Fatalf("answers kept: %+v", per.Reports)
	}

	// The evaluation partner's export has the latest answers and their
	// dates; the leaver cannot export.
	exportURL := s.url + "/api/v1/evaluation/export?quarter=" + quarter
	if r := s.do("GET", exportURL, leaverTok, nil); r.status != http.StatusNotFound || strings.Contains(string(r.body), evalNomis) {
		t.Fatalf("the leaver's export: %d %s", r.status, r.body)
	}
	r := s.do("GET", exportURL, evalTok, nil)
	expect(t, r, http.StatusOK)
	header, row, _ := strings.Cut(strings.TrimSpace(string(r.body)), "\n")
	if !strings.HasSuffix(header, ",employment_6_weeks,employment_6_weeks_date,employment_6_months,employment_6_months_date,benefits,benefits_date") ||
		!strings.HasSuffix(row, ",no,"+today+",,,waiting,"+today) {
		t.Fatalf("export:\n%s", r.body)
	}
	r = s.do("GET", exportURL+"&part=counts", evalTok, nil)
	if !strings.Contains(string(r.body), "employment_6_weeks,no,<5") || !strings.Contains(string(r.body), "benefits,waiting,<5") {
		t.Fatalf("counts:\n%s", r.body)
	}

	// Stopping erases the answers at once; nothing is asked any more.
	b.form("/my/evaluation")
	b.post("/my/evaluation/withdraw", url.Values{"csrf": {b.csrf}}).redirects("/my/evaluation")
	b.form("/my/evaluation").hides(work, benefits, "Paid work, 6 weeks after prison", "Waiting to hear")
	report(b, evaluation.Benefits, "yes").redirects("/my/evaluation")
	if per, _ := s.b.Evaluation.Get(ctx, a.Pod); per.Reports != nil || per.Details != nil {
		t.Fatalf("after withdrawal: %+v", per)
	}
	if r := s.do("GET", exportURL, evalTok, nil); strings.Contains(string(r.body), evalNomis) || strings.Contains(string(r.body), "waiting") {
		t.Fatalf("export after withdrawal:\n%s", r.body)
	}
}
