package evaluation

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/pod/podtest"
)

var ctx = context.Background()

func open(t testing.TB) (*Store, *pod.Service) {
	t.Helper()
	pods, _ := podtest.New(t)
	s, err := Open(ctx, pods)
	if err != nil {
		t.Fatal(err)
	}
	return s, pods
}

func newPod(t testing.TB, pods *pod.Service) pod.PodID {
	t.Helper()
	id, err := pods.CreatePod(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func export(t *testing.T, s *Store, q string) ([][]string, [][]string, Log) {
	t.Helper()
	qq, err := ParseQuarter(q)
	if err != nil {
		t.Fatal(err)
	}
	var people, counts bytes.Buffer
	l, err := s.Export(ctx, qq, "tester", nil, &people, &counts)
	if err != nil {
		t.Fatal(err)
	}
	pr, err := csv.NewReader(&people).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	cr, err := csv.NewReader(&counts).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return pr, cr, l
}

func TestNothingKeptOrExportedWithoutConsent(t *testing.T) {
	s, pods := open(t)
	p := newPod(t, pods)
	if _, err := s.Enter(ctx, "hmp-example", p, Details{NomisID: "A1234BC"}); !errors.Is(err, ErrNoConsent) {
		t.Fatalf("entering data for someone who did not agree: %v, want ErrNoConsent", err)
	}
	if _, err := s.AnswerSettled(ctx, p, "yes"); !errors.Is(err, ErrNoConsent) {
		t.Fatalf("answer without consent: %v", err)
	}
	per, err := s.Get(ctx, p)
	if err != nil || per.Details != nil || len(per.Answers) != 0 || len(per.Events) != 0 {
		t.Fatalf("held without consent: %+v %v", per, err)
	}
	rows, _, l := export(t, s, "2026Q4")
	if len(rows) != 1 || l.Rows != 0 {
		t.Fatalf("export without consent has %d rows: %v", l.Rows, rows)
	}
}

func TestWithdrawalErasesAndLeavesTheNextExport(t *testing.T) {
	s, pods := open(t)
	now := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	p := newPod(t, pods)
	if _, err := s.Agree(ctx, p); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Enter(ctx, "hmp-example", p, Details{NomisID: "A1234BC", FirstName: "Jo"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AnswerSettled(ctx, p, "no"); err != nil {
		t.Fatal(err)
	}
	rows, _, _ := export(t, s, "2026Q4")
	if len(rows) != 2 || rows[1][0] != "A1234BC" || rows[1][len(Fields)] != "2026-11-01" {
		t.Fatalf("first export: %v", rows)
	}
	now = now.Add(24 * time.Hour)
	per, err := s.Withdraw(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if per.Details != nil || per.Answers != nil || per.Agreed().IsZero() || !per.WithdrewAt().Equal(now) {
		t.Fatalf("after withdrawal: %+v", per)
	}
	rows, _, l := export(t, s, "2026Q4")
	if len(rows) != 1 || l.Rows != 0 {
		t.Fatalf("export after withdrawal still has them: %v", rows)
	}
	if _, err := s.Enter(ctx, "hmp-example", p, Details{NomisID: "A1234BC"}); !errors.Is(err, ErrWithdrawn) {
		t.Fatalf("entering data after withdrawal: %v", err)
	}
	logs, err := s.Logs(ctx)
	if err != nil || len(logs) != 2 || logs[0].Rows != 1 || logs[1].Rows != 0 || logs[1].Quarter != "2026Q4" || logs[1].Who != "tester" {
		t.Fatalf("logs: %+v %v", logs, err)
	}
}

func TestConsentAfterTheQuarterIsNotInIt(t *testing.T) {
	s, pods := open(t)
	s.SetClock(func() time.Time { return time.Date(2027, 1, 5, 0, 0, 0, 0, time.UTC) })
	p := newPod(t, pods)
	s.Agree(ctx, p)
	if rows, _, _ := export(t, s, "2026Q4"); len(rows) != 1 {
		t.Fatalf("consent given after the quarter: %v", rows)
	}
	if rows, _, _ := export(t, s, "2027Q1"); len(rows) != 2 {
		t.Fatalf("the next quarter: %v", rows)
	}
}

func TestCSVRowForSomeoneWhoWithdrewIsSkipped(t *testing.T) {
	s, pods := open(t)
	agreed, withdrew, never := newPod(t, pods), newPod(t, pods), newPod(t, pods)
	s.Agree(ctx, agreed)
	s.Agree(ctx, withdrew)
	s.Withdraw(ctx, withdrew)
	refs := map[string]pod.PodID{"e1": agreed, "e2": withdrew, "e3": never}
	find := func(_ context.Context, ref string) (pod.PodID, error) {
		if p, ok := refs[ref]; ok {
			return p, nil
		}
		return "", errors.New("no")
	}
	in := "enrolment,nomis_id,date_of_release\ne1,A1111AA,2026-10-01\ne2,B2222BB,2026-10-02\ne3,C3333CC,2026-10-03\ne9,D4444DD,2026-10-04\ne1,A1111AA,01/10/2026\n"
	res, err := s.ImportCSV(ctx, "hmp-example", strings.NewReader(in), find)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"", "withdrawn from the evaluation", "not agreed", "nobody is enrolled", "must be a date"}
	if len(res) != len(want) {
		t.Fatalf("results: %+v", res)
	}
	for i, w := range want {
		if res[i].Kept != (w == "") || !strings.Contains(res[i].Reason, w) || res[i].Line != i+2 {
			t.Errorf("row %d: %+v, want reason %q", i+2, res[i], w)
		}
	}
	for _, p := range []pod.PodID{withdrew, never} {
		if per, _ := s.Get(ctx, p); per.Details != nil {
			t.Errorf("kept data for %s: %+v", p, per.Details)
		}
	}
	if per, _ := s.Get(ctx, agreed); per.Details == nil || per.Details.NomisID != "A1111AA" || per.Details.DateOfRelease != "2026-10-01" {
		t.Errorf("the good row: %+v", per.Details)
	}
	if _, err := s.ImportCSV(ctx, "o", strings.NewReader("enrolment,favourite_colour\n"), find); err == nil {
		t.Error("an unknown column was accepted")
	}
}

func TestSmallCellsSuppressed(t *testing.T) {
	s, pods := open(t)
	s.SetClock(func() time.Time { return time.Date(2026, 10, 10, 0, 0, 0, 0, time.UTC) })
	for i := range 9 {
		p := newPod(t, pods)
		s.Agree(ctx, p)
		est := "HMP Leeds"
		if i >= 6 {
			est = "HMP Hull"
		}
		s.Enter(ctx, "o", p, Details{NomisID: fmt.Sprint("N", i), EstablishmentReleasedFrom: est})
	}
	_, counts, _ := export(t, s, "2026Q4")
	got := map[string]string{}
	for _, r := range counts[1:] {
		got[r[0]+"/"+r[1]] = r[2]
	}
	if got["participants/all"] != "9" || got["establishment_released_from/HMP Leeds"] != "6" || got["establishment_released_from/HMP Hull"] != "<5" {
		t.Fatalf("counts: %v", got)
	}
	for k, v := range got {
		if n, err := fmt.Sscan(v, new(int)); err == nil && n == 1 {
			var x int
			fmt.Sscan(v, &x)
			if x < MinCell {
				t.Errorf("%s shows %d", k, x)
			}
		}
	}
}

func TestParseQuarter(t *testing.T) {
	q, err := ParseQuarter("2026Q4")
	if err != nil || !q.Start().Equal(time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)) || !q.End().Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("%v %v", q, err)
	}
	for _, bad := range []string{"2026Q5", "2026-Q4", "26Q1", ""} {
		if _, err := ParseQuarter(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestOutcomesObservedOnlyForParticipants(t *testing.T) {
	s, pods := open(t)
	s.SetClock(func() time.Time { return time.Date(2026, 10, 10, 0, 0, 0, 0, time.UTC) })
	taking, withdrew, never := newPod(t, pods), newPod(t, pods), newPod(t, pods)
	s.Agree(ctx, taking)
	s.Agree(ctx, withdrew)
	s.Withdraw(ctx, withdrew)
	s.Get(ctx, never)
	var looked []pod.PodID
	obs := func(_ context.Context, p pod.PodID, _, _ time.Time) (Observed, error) {
		looked = append(looked, p)
		return Observed{}, nil
	}
	q, _ := ParseQuarter("2026Q4")
	var people, counts bytes.Buffer
	if _, err := s.Export(ctx, q, "t", obs, &people, &counts); err != nil {
		t.Fatal(err)
	}
	if len(looked) != 1 || looked[0] != taking {
		t.Fatalf("outcomes looked at for %v, want only %v", looked, taking)
	}
}
