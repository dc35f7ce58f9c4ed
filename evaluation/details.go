package evaluation

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/satchel-project/satchel/pod"
)

// Details are the data points the Ministry lists for each participant,
// entered by staff of an organisation the person is enrolled with. Dates
// are YYYY-MM-DD. The JSON names are the CSV column names of the export.
type Details struct {
	NomisID                   string `json:"nomis_id,omitempty"`
	PNCNumber                 string `json:"pnc_number,omitempty"`
	DeliusNumber              string `json:"delius_number,omitempty"`
	DateOfBirth               string `json:"date_of_birth,omitempty"`
	FirstName                 string `json:"first_name,omitempty"`
	Surname                   string `json:"surname,omitempty"`
	DateOfRelease             string `json:"date_of_release,omitempty"`
	DateOfEnrolment           string `json:"date_of_enrolment,omitempty"`
	DateInterventionBegan     string `json:"date_intervention_began,omitempty"`
	EstablishmentReleasedFrom string `json:"establishment_released_from,omitempty"`
	ProbationArea             string `json:"probation_area,omitempty"`
	LocalAuthority            string `json:"local_authority,omitempty"`
	DateCompleted             string `json:"date_completed,omitempty"`
	// Withdrawn is "yes" if the person left the intervention (not the
	// evaluation: that is their consent), "no" or "".
	Withdrawn       string `json:"withdrawn,omitempty"`
	DateWithdrawn   string `json:"date_withdrawn,omitempty"`
	WithdrawnReason string `json:"withdrawn_reason,omitempty"`
	Gender          string `json:"gender,omitempty"`
	Ethnicity       string `json:"ethnicity,omitempty"`
}

// Fields are the data points' column names, in the export's order.
var Fields = []string{
	"nomis_id", "pnc_number", "delius_number", "date_of_birth", "first_name", "surname",
	"date_of_release", "date_of_enrolment", "date_intervention_began",
	"establishment_released_from", "probation_area", "local_authority",
	"date_completed", "withdrawn", "date_withdrawn", "withdrawn_reason",
	"gender", "ethnicity",
}

// field returns a pointer to the data point called name.
func (d *Details) field(name string) *string {
	switch name {
	case "nomis_id":
		return &d.NomisID
	case "pnc_number":
		return &d.PNCNumber
	case "delius_number":
		return &d.DeliusNumber
	case "date_of_birth":
		return &d.DateOfBirth
	case "first_name":
		return &d.FirstName
	case "surname":
		return &d.Surname
	case "date_of_release":
		return &d.DateOfRelease
	case "date_of_enrolment":
		return &d.DateOfEnrolment
	case "date_intervention_began":
		return &d.DateInterventionBegan
	case "establishment_released_from":
		return &d.EstablishmentReleasedFrom
	case "probation_area":
		return &d.ProbationArea
	case "local_authority":
		return &d.LocalAuthority
	case "date_completed":
		return &d.DateCompleted
	case "withdrawn":
		return &d.Withdrawn
	case "date_withdrawn":
		return &d.DateWithdrawn
	case "withdrawn_reason":
		return &d.WithdrawnReason
	case "gender":
		return &d.Gender
	case "ethnicity":
		return &d.Ethnicity
	}
	return nil
}

// Values are d's data points in the order of Fields.
func (d Details) Values() []string {
	out := make([]string, len(Fields))
	for i, f := range Fields {
		out[i] = *d.field(f)
	}
	return out
}

// Set sets the data point called name to value, checking it.
func (d *Details) Set(name, value string) error {
	p := d.field(name)
	if p == nil {
		return fmt.Errorf("%q is not one of the evaluation's data points", name)
	}
	value = strings.TrimSpace(value)
	if len(value) > 200 {
		return fmt.Errorf("%s is longer than 200 characters", name)
	}
	for _, c := range value {
		if c < ' ' || c == 0x7f {
			return fmt.Errorf("%s has a control character in it", name)
		}
	}
	if strings.HasPrefix(name, "date_") && value != "" {
		if _, err := time.Parse(time.DateOnly, value); err != nil {
			return fmt.Errorf("%s must be a date like 2026-10-31", name)
		}
	}
	if name == "withdrawn" && value != "" {
		value = strings.ToLower(value)
		if value != "yes" && value != "no" {
			return errors.New("withdrawn must be yes or no")
		}
	}
	*p = value
	return nil
}

// merge sets every data point of n that is not empty.
func (d *Details) merge(n Details) {
	for _, f := range Fields {
		if v := *n.field(f); v != "" {
			*d.field(f) = v
		}
	}
}

// Enter keeps the data points d for the leaver of pod p, entered by staff
// of organisation org (which the caller has checked the person is
// enrolled with). Points left empty keep what was there. It is
// ErrNoConsent or ErrWithdrawn, and keeps nothing, unless the person takes
// part.
func (s *Store) Enter(ctx context.Context, org string, p pod.PodID, d Details) (Person, error) {
	return s.change(ctx, p, func(per *Person) error {
		if !per.Taking() {
			return refusal(*per)
		}
		if per.Details == nil {
			per.Details = &Details{}
		}
		per.Details.merge(d)
		per.EnteredBy, per.EnteredAt = org, s.now().UTC()
		return nil
	})
}

// RowResult is what became of one row of a CSV of data points.
type RowResult struct {
	// Line is the row's line in the file (the header is line 1).
	Line int `json:"line"`
	// Enrolment is the row's enrolment reference.
	Enrolment string `json:"enrolment,omitempty"`
	// Kept is set if the row's data points were kept.
	Kept bool `json:"kept"`
	// Reason says why a row was not kept.
	Reason string `json:"reason,omitempty"`
}

// MaxRows bounds the rows of one CSV.
const MaxRows = 10000

// ImportCSV keeps the data points of each row of a CSV whose header names
// "enrolment" (the reference of the person's enrolment with org) and any
// of Fields. find turns an enrolment reference into the person's pod, or
// an error if org has no such enrolment. A row for someone who has not
// agreed, or has withdrawn, is skipped with the reason, and nothing of it
// is kept; so is a row with a bad value.
func (s *Store) ImportCSV(ctx context.Context, org string, r io.Reader, find func(ctx context.Context, enrolment string) (pod.PodID, error)) ([]RowResult, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, errors.New("the file is empty or is not CSV")
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if h != "enrolment" && (&Details{}).field(h) == nil {
			return nil, fmt.Errorf("column %d, %q, is not one of the evaluation's data points", i+1, h)
		}
		col[h] = i
	}
	ec, ok := col["enrolment"]
	if !ok {
		return nil, errors.New(`the first line must name the columns, with one called "enrolment"`)
	}
	var out []RowResult
	for line := 2; ; line++ {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("line %d is not valid CSV", line)
		}
		if len(out) >= MaxRows {
			return out, fmt.Errorf("a file may have at most %d rows", MaxRows)
		}
		res := RowResult{Line: line}
		if ec < len(row) {
			res.Enrolment = strings.TrimSpace(row[ec])
		}
		res.Reason = s.importRow(ctx, org, col, row, res.Enrolment, find)
		res.Kept = res.Reason == ""
		out = append(out, res)
	}
}

func (s *Store) importRow(ctx context.Context, org string, col map[string]int, row []string, enrolment string, find func(context.Context, string) (pod.PodID, error)) string {
	if enrolment == "" {
		return "the enrolment reference is missing"
	}
	p, err := find(ctx, enrolment)
	if err != nil {
		return "nobody is enrolled with you under this reference"
	}
	var d Details
	for name, i := range col {
		if name == "enrolment" || i >= len(row) {
			continue
		}
		if err := d.Set(name, row[i]); err != nil {
			return err.Error()
		}
	}
	if _, err := s.Enter(ctx, org, p, d); err != nil {
		if errors.Is(err, ErrNoConsent) || errors.Is(err, ErrWithdrawn) {
			return err.Error()
		}
		return "this row could not be kept; try again"
	}
	return ""
}
