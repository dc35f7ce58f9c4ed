package evaluation

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

func names(qs []Question) []string {
	var out []string
	for _, q := range qs {
		out = append(out, q.Name)
	}
	return out
}

func column(rows [][]string, name string) string {
	i := slices.Index(rows[0], name)
	if i < 0 || len(rows) < 2 {
		return "(no column " + name + ")"
	}
	return rows[1][i]
}

func TestQuestionsAskedOnlyWhenTheTimeHasCome(t *testing.T) {
	s, pods := open(t)
	now := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	p := newPod(t, pods)

	// Not taking part: nothing is asked, nothing kept.
	if _, err := s.Report(ctx, p, Employment6Weeks, "yes"); !errors.Is(err, ErrNoConsent) {
		t.Fatalf("answer without consent: %v", err)
	}
	s.Agree(ctx, p)
	per, _ := s.Get(ctx, p)
	if d := s.Due(per); d != nil {
		t.Fatalf("asked with no date of release: %v", names(d))
	}
	if _, err := s.Report(ctx, p, Benefits, "yes"); !errors.Is(err, ErrNotAsked) {
		t.Fatalf("answer with no date of release: %v", err)
	}
	s.Enter(ctx, "hmp", p, Details{DateOfRelease: "2026-09-01"})
	per, _ = s.Get(ctx, p)
	if d := s.Due(per); d != nil {
		t.Fatalf("asked 30 days after release: %v", names(d))
	}

	for _, c := range []struct {
		at   time.Time
		want []string
	}{
		{time.Date(2026, 10, 12, 23, 59, 0, 0, time.UTC), nil},
		{time.Date(2026, 10, 13, 0, 0, 0, 0, time.UTC), []string{Employment6Weeks, Benefits}}, // 6 weeks
		{time.Date(2027, 2, 28, 0, 0, 0, 0, time.UTC), []string{Employment6Weeks, Benefits}},
		{time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), []string{Employment6Months, Benefits}}, // 6 months: the 6-week question is over
	} {
		now = c.at
		if got := names(s.Due(per)); !slices.Equal(got, c.want) {
			t.Errorf("on %s asked %v, want %v", c.at, got, c.want)
		}
	}

	now = time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)
	if q, ok := s.Next(per); !ok || q.Name != Employment6Weeks {
		t.Fatalf("first question: %v %v", q.Name, ok)
	}
	if _, err := s.Report(ctx, p, Employment6Months, "yes"); !errors.Is(err, ErrNotAsked) {
		t.Fatalf("6-month question at 7 weeks: %v", err)
	}
	for _, bad := range [][2]string{{Employment6Weeks, "waiting"}, {Employment6Weeks, ""}, {"favourite_colour", "yes"}} {
		if _, err := s.Report(ctx, p, bad[0], bad[1]); err == nil {
			t.Errorf("%q to %s was kept", bad[1], bad[0])
		}
	}
	per, err := s.Report(ctx, p, Employment6Weeks, "no")
	if err != nil {
		t.Fatal(err)
	}
	if q, ok := s.Next(per); !ok || q.Name != Benefits {
		t.Fatalf("second question: %v %v", q.Name, ok)
	}
	per, _ = s.Report(ctx, p, Benefits, "waiting")
	if q, ok := s.Next(per); ok {
		t.Fatalf("asked again after answering everything: %v", q.Name)
	}

	// An answer can be changed, even after the time to ask has passed.
	now = time.Date(2027, 3, 10, 0, 0, 0, 0, time.UTC)
	if got := names(s.Due(per)); !slices.Equal(got, []string{Employment6Weeks, Employment6Months, Benefits}) {
		t.Fatalf("at 6 months: %v", got)
	}
	if q, ok := s.Next(per); !ok || q.Name != Employment6Months {
		t.Fatalf("at 6 months asked %v %v", q.Name, ok)
	}
	per, err = s.Report(ctx, p, Employment6Weeks, "yes")
	if err != nil || per.Latest(Employment6Weeks, time.Time{}).Answer != "yes" || len(per.Reports) != 3 {
		t.Fatalf("changed answer: %+v %v", per.Reports, err)
	}
}

func TestAnswersInTheExportAndErasedOnWithdrawal(t *testing.T) {
	s, pods := open(t)
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	p := newPod(t, pods)
	s.Agree(ctx, p)
	s.Enter(ctx, "hmp", p, Details{NomisID: "A1234BC", DateOfRelease: "2026-10-01"})
	if _, err := s.Report(ctx, p, Employment6Weeks, "yes"); err != nil {
		t.Fatal(err)
	}
	s.Report(ctx, p, Benefits, "waiting")
	now = time.Date(2027, 1, 3, 0, 0, 0, 0, time.UTC)
	s.Report(ctx, p, Benefits, "yes") // changed after the quarter

	rows, counts, _ := export(t, s, "2026Q4")
	for name, want := range map[string]string{
		"employment_6_weeks": "yes", "employment_6_weeks_date": "2026-11-20",
		"employment_6_months": "", "employment_6_months_date": "",
		"benefits": "waiting", "benefits_date": "2026-11-20",
	} {
		if got := column(rows, name); got != want {
			t.Errorf("2026Q4 %s = %q, want %q", name, got, want)
		}
	}
	rows, _, _ = export(t, s, "2027Q1")
	if got := column(rows, "benefits") + " " + column(rows, "benefits_date"); got != "yes 2027-01-03" {
		t.Errorf("2027Q1 benefits: %s", got)
	}
	got := map[string]string{}
	for _, r := range counts[1:] {
		got[r[0]+"/"+r[1]] = r[2]
	}
	for _, k := range []string{"employment_6_weeks/yes", "employment_6_months/unknown", "benefits/waiting"} {
		if got[k] != Suppressed {
			t.Errorf("count %s = %q, want %q", k, got[k], Suppressed)
		}
	}

	per, err := s.Withdraw(ctx, p)
	if err != nil || per.Reports != nil {
		t.Fatalf("after withdrawal: %+v %v", per.Reports, err)
	}
	if per, _ := s.Get(ctx, p); per.Reports != nil || per.Due(now) != nil {
		t.Fatalf("kept after withdrawal: %+v", per)
	}
	if _, err := s.Report(ctx, p, Benefits, "yes"); !errors.Is(err, ErrWithdrawn) {
		t.Fatalf("answer after withdrawal: %v", err)
	}
}

func TestAnswerCountsOfFiveOrMoreShown(t *testing.T) {
	s, pods := open(t)
	s.SetClock(func() time.Time { return time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) })
	for i := range 7 {
		p := newPod(t, pods)
		s.Agree(ctx, p)
		s.Enter(ctx, "o", p, Details{NomisID: fmt.Sprint("N", i), DateOfRelease: "2026-10-01"})
		answer := "no"
		if i < 5 {
			answer = "yes"
		}
		if _, err := s.Report(ctx, p, Employment6Weeks, answer); err != nil {
			t.Fatal(err)
		}
	}
	_, counts, _ := export(t, s, "2026Q4")
	got := map[string]string{}
	for _, r := range counts[1:] {
		got[r[0]+"/"+r[1]] = r[2]
	}
	if got["employment_6_weeks/yes"] != "5" || got["employment_6_weeks/no"] != Suppressed || got["benefits/unknown"] != "7" {
		t.Fatalf("counts: %v", got)
	}
}
