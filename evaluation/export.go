package evaluation

import (
	"context"
	"crypto/rand"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"time"

	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/state"
)

// Quarter is a calendar quarter, written "2026Q4".
type Quarter struct {
	Year, Q int
}

var quarterRE = regexp.MustCompile(`^(\d{4})Q([1-4])$`)

// ParseQuarter reads a quarter written like "2026Q4".
func ParseQuarter(s string) (Quarter, error) {
	m := quarterRE.FindStringSubmatch(s)
	if m == nil {
		return Quarter{}, fmt.Errorf("%q is not a quarter: write it like 2026Q4", s)
	}
	y, _ := strconv.Atoi(m[1])
	q, _ := strconv.Atoi(m[2])
	return Quarter{y, q}, nil
}

func (q Quarter) String() string { return fmt.Sprintf("%dQ%d", q.Year, q.Q) }

// Start is the first moment of q (UTC); End the first moment after it.
func (q Quarter) Start() time.Time {
	return time.Date(q.Year, time.Month(3*q.Q-2), 1, 0, 0, 0, 0, time.UTC)
}

// End is the first moment after q.
func (q Quarter) End() time.Time { return q.Start().AddDate(0, 3, 0) }

// Observed are the outcomes Satchel can see in a participant's pod, up to
// a date: whether an address entry (or a signed stay) covers the day of
// release and the day three months on ("yes", "no", or "" when the day is
// unknown or still to come), and how many shares they made to landlords,
// employers and banks (counts only).
type Observed struct {
	SettledAtRelease  string
	SettledAt3Months  string
	SharesToLandlords int
	SharesToEmployers int
	SharesToBanks     int
}

// Observer finds the Observed outcomes of the leaver of pod p, released on
// release (zero if unknown), as of asOf. It is only ever called for
// someone who takes part.
type Observer func(ctx context.Context, p pod.PodID, release, asOf time.Time) (Observed, error)

// OutcomeFields are the columns after Fields: consent and outcomes.
var OutcomeFields = []string{
	"consent_date",
	"settled_accommodation_at_release", "settled_accommodation_at_3_months",
	"shares_to_landlords", "shares_to_employers", "shares_to_banks",
	"self_reported_settled", "self_reported_date",
	"employment_6_weeks", "employment_6_weeks_date",
	"employment_6_months", "employment_6_months_date",
	"benefits", "benefits_date",
}

// Log is one export's entry in the log.
type Log struct {
	At      time.Time `json:"at"`
	Who     string    `json:"who"`
	Quarter string    `json:"quarter"`
	Rows    int       `json:"rows"`
}

const logDir state.Name = "exports/"

// MinCell is the smallest count an aggregate shows; smaller ones are "<5".
const MinCell = 5

// Suppressed is what a count under MinCell is shown as.
const Suppressed = "<5"

// Cell shows count n, suppressed if it is under MinCell.
func Cell(n int) string {
	if n < MinCell {
		return Suppressed
	}
	return strconv.Itoa(n)
}

// Export writes quarter q's participants to people (one CSV row each, in
// the columns Fields then OutcomeFields) and the aggregate counts to counts
// (CSV: measure, category, count, with every count under MinCell shown as
// "<5"), and logs the export as made by who. A participant is someone
// whose consent stands when the export runs and was given before the
// quarter ended: a person who has withdrawn by then is left out. obs, if
// not nil, finds the outcomes Satchel can see.
func (s *Store) Export(ctx context.Context, q Quarter, who string, obs Observer, people, counts io.Writer) (Log, error) {
	names, err := s.db.List(ctx, peopleDir)
	if err != nil {
		return Log{}, err
	}
	sort.Slice(names, func(i, j int) bool { return names[i] < names[j] })
	end := q.End()
	cw := csv.NewWriter(people)
	cw.Write(append(append([]string{}, Fields...), OutcomeFields...))
	tally := newTally()
	rows := 0
	for _, n := range names {
		var per Person
		if _, err := s.db.ReadJSON(ctx, n, &per); err != nil {
			if err == state.ErrNotFound {
				continue
			}
			return Log{}, err
		}
		if !per.Taking() || !per.Agreed().Before(end) {
			continue
		}
		var d Details
		if per.Details != nil {
			d = *per.Details
		}
		var o Observed
		if obs != nil {
			release, _ := time.Parse(time.DateOnly, d.DateOfRelease)
			if o, err = obs(ctx, per.Pod, release, end); err != nil {
				return Log{}, fmt.Errorf("outcomes of a participant: %w", err)
			}
		}
		var self Answer
		for _, a := range per.Answers {
			if a.At.Before(end) {
				self = a
			}
		}
		selfDate := ""
		if !self.At.IsZero() {
			selfDate = self.At.Format(time.DateOnly)
		}
		row := append(d.Values(),
			per.Agreed().Format(time.DateOnly),
			o.SettledAtRelease, o.SettledAt3Months,
			strconv.Itoa(o.SharesToLandlords), strconv.Itoa(o.SharesToEmployers), strconv.Itoa(o.SharesToBanks),
			self.Settled, selfDate)
		reported := make([]string, len(Questions))
		for i, qq := range Questions {
			r := per.Latest(qq.Name, end)
			reported[i] = r.Answer
			row = append(row, r.Answer, day(r.At))
		}
		if err := cw.Write(row); err != nil {
			return Log{}, err
		}
		rows++
		tally.add(d, o, self.Settled, reported)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return Log{}, err
	}
	if err := tally.write(counts, rows); err != nil {
		return Log{}, err
	}
	l := Log{At: s.now().UTC(), Who: who, Quarter: q.String(), Rows: rows}
	b := make([]byte, 6)
	rand.Read(b)
	name := logDir.Child(l.At.Format("20060102T150405.000000000Z") + "-" + hex.EncodeToString(b))
	if err := s.db.WriteJSON(ctx, name, l, state.CreateOnly()); err != nil {
		return Log{}, fmt.Errorf("log the export: %w", err)
	}
	return l, nil
}

// Logs lists every export made, oldest first.
func (s *Store) Logs(ctx context.Context) ([]Log, error) {
	names, err := s.db.List(ctx, logDir)
	if err != nil {
		return nil, err
	}
	out := []Log{}
	for _, n := range names {
		var l Log
		if _, err := s.db.ReadJSON(ctx, n, &l); err == nil {
			out = append(out, l)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, nil
}

// tally counts participants by measure and category.
type tally struct {
	n map[string]map[string]int
}

// measures are the aggregates, in the order they are written.
var measures = []string{
	"establishment_released_from", "probation_area", "local_authority", "withdrawn",
	"settled_accommodation_at_release", "settled_accommodation_at_3_months", "self_reported_settled",
	"shared_with_a_landlord", "shared_with_an_employer", "shared_with_a_bank",
	Employment6Weeks, Employment6Months, Benefits,
}

func newTally() *tally {
	t := &tally{n: map[string]map[string]int{}}
	for _, m := range measures {
		t.n[m] = map[string]int{}
	}
	return t
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func yesNo(n int) string {
	if n > 0 {
		return "yes"
	}
	return "no"
}

// day is t's date, or "" if t is zero.
func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

// add counts a participant: d their data points, o their observed
// outcomes, self their answer to the settled question and reported their
// answers to Questions, in order.
func (t *tally) add(d Details, o Observed, self string, reported []string) {
	t.n["establishment_released_from"][orUnknown(d.EstablishmentReleasedFrom)]++
	t.n["probation_area"][orUnknown(d.ProbationArea)]++
	t.n["local_authority"][orUnknown(d.LocalAuthority)]++
	t.n["withdrawn"][orUnknown(d.Withdrawn)]++
	t.n["settled_accommodation_at_release"][orUnknown(o.SettledAtRelease)]++
	t.n["settled_accommodation_at_3_months"][orUnknown(o.SettledAt3Months)]++
	t.n["self_reported_settled"][orUnknown(self)]++
	t.n["shared_with_a_landlord"][yesNo(o.SharesToLandlords)]++
	t.n["shared_with_an_employer"][yesNo(o.SharesToEmployers)]++
	t.n["shared_with_a_bank"][yesNo(o.SharesToBanks)]++
	for i, q := range Questions {
		t.n[q.Name][orUnknown(reported[i])]++
	}
}

func (t *tally) write(w io.Writer, total int) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"measure", "category", "count"})
	cw.Write([]string{"participants", "all", Cell(total)})
	for _, m := range measures {
		cats := make([]string, 0, len(t.n[m]))
		for c := range t.n[m] {
			cats = append(cats, c)
		}
		sort.Strings(cats)
		for _, c := range cats {
			cw.Write([]string{m, c, Cell(t.n[m][c])})
		}
	}
	cw.Flush()
	return cw.Error()
}
