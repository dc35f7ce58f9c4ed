package issuer

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/access"
	"github.com/satchel-project/satchel/consent/statuslist"
	"github.com/satchel-project/satchel/credentials/dataintegrity"
	"github.com/satchel-project/satchel/internal/problem"
	"github.com/satchel-project/satchel/schemas"
)

// CSVColumns are the columns of a bulk issuance file, in any order, with
// a header row. accredited is yes/no; dates are like 2025-03-28.
var CSVColumns = []string{"enrolment", "course_name", "course_code", "accredited", "awarding_body", "level", "learning_start", "learning_end", "outcome", "grade", "establishment"}

// RowResult is what happened to one row of a bulk issuance.
type RowResult struct {
	Row    int    `json:"row"` // 1 is the first row after the header
	Issued bool   `json:"issued"`
	ID     string `json:"id,omitempty"`
	Error  string `json:"error,omitempty"`
}

// MaxCSVRows bounds one bulk issuance.
const MaxCSVRows = 1000

// IssueCSV issues one credential per row; good rows are issued even when
// others are broken, and every row's outcome is reported.
func (s *Service) IssueCSV(ctx context.Context, org string, r io.Reader) ([]RowResult, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, &InvalidError{"the file has no header row; the first row must name the columns: " + strings.Join(CSVColumns, ",")}
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, need := range []string{"enrolment", "course_name", "level", "learning_start", "learning_end", "outcome", "establishment"} {
		if _, ok := col[need]; !ok {
			return nil, &InvalidError{"the header has no " + need + " column"}
		}
	}
	var out []RowResult
	for row := 1; ; row++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if row > MaxCSVRows {
			return out, &InvalidError{fmt.Sprintf("a file can hold at most %d rows", MaxCSVRows)}
		}
		if err != nil {
			out = append(out, RowResult{Row: row, Error: "this row is not valid CSV"})
			continue
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		acc, err := parseYesNo(get("accredited"))
		if err != nil {
			out = append(out, RowResult{Row: row, Error: err.Error()})
			continue
		}
		q := Qualification{
			CourseName: get("course_name"), CourseCode: get("course_code"), Accredited: acc,
			AwardingBody: get("awarding_body"), Level: get("level"), LearningStart: get("learning_start"),
			LearningEnd: get("learning_end"), Outcome: get("outcome"), Grade: get("grade"), Establishment: get("establishment"),
		}
		_, issued, err := s.Issue(ctx, org, get("enrolment"), q)
		if err != nil {
			msg := err.Error()
			if errors.Is(err, ErrNotEnrolled) {
				msg = "this person has not allowed this issuer to send them records"
			}
			out = append(out, RowResult{Row: row, Error: msg})
			continue
		}
		out = append(out, RowResult{Row: row, Issued: true, ID: issued.ID})
	}
	return out, nil
}

func parseYesNo(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "", "no", "n", "false", "0":
		return false, nil
	case "yes", "y", "true", "1":
		return true, nil
	}
	return false, fmt.Errorf("accredited must be yes or no, not %q", s)
}

func (h *Handler) issueCSV(w http.ResponseWriter, r *http.Request) {
	_, org, ok := h.staff(w, r, access.Issue)
	if !ok {
		return
	}
	results, err := h.Service.IssueCSV(r.Context(), org, http.MaxBytesReader(w, r.Body, 2<<20))
	if err != nil && results == nil {
		h.fail(w, r, err)
		return
	}
	issued := 0
	for _, res := range results {
		if res.Issued {
			issued++
		}
	}
	problem.JSON(w, http.StatusOK, map[string]any{"issued": issued, "failed": len(results) - issued, "rows": results})
}

// StatusList is organisation org's signed Bitstring Status List, a JSON
// credential with a Data Integrity proof like the credentials it serves.
func (s *Service) StatusList(ctx context.Context, org string) (map[string]any, error) {
	if _, err := s.Org(ctx, org); err != nil {
		return nil, err
	}
	blob, _, err := s.db.ReadRaw(ctx, statusPath(org))
	if err != nil {
		return nil, err
	}
	a := &statuslist.Allocator{}
	if err := a.UnmarshalBinary(blob); err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Second)
	vc, err := statuslist.Credential(s.StatusListURL(org), s.DID(org), "revocation", a.Status(), now, now.Add(24*time.Hour))
	if err != nil {
		return nil, err
	}
	signer, err := s.signer(ctx, org)
	if err != nil {
		return nil, err
	}
	return dataintegrity.Sign(vc, signer, s.DID(org)+"#"+signer.KeyID(), now, "assertionMethod", dataintegrity.Options{Loader: schemas.DefaultLoader})
}

func (h *Handler) statusList(w http.ResponseWriter, r *http.Request) {
	vc, err := h.Service.StatusList(r.Context(), mux.Vars(r)["org"])
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Content-Type", "application/vc+ld+json")
	json.NewEncoder(w).Encode(vc)
}
