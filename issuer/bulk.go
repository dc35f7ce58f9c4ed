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
		h.fail(w, err)
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
		h.fail(w, err)
		return
	}
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Content-Type", "application/vc+ld+json")
	json.NewEncoder(w).Encode(vc)
}

// vcapiIssue is the VC-API's POST /credentials/issue for issuer staff: it
// signs the credential given as the staff member's own organisation
// (Service.IssueCredential) and returns it; it delivers nothing. A
// credential naming another issuer is refused (403).
func (h *Handler) vcapiIssue(w http.ResponseWriter, r *http.Request) {
	c, ok := h.who(w, r)
	if !ok {
		return
	}
	if access.CanOrg(c, access.Issue, c.Org) != nil {
		problem.Write(w, http.StatusForbidden, "not-staff", "Only issuer staff can issue credentials.")
		return
	}
	var req struct {
		Credential map[string]any `json:"credential"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 256<<10)).Decode(&req); err != nil || req.Credential == nil {
		problem.Write(w, http.StatusBadRequest, "bad-request", `Send {"credential": {...}}, an unsigned Verifiable Credential.`)
		return
	}
	signed, _, err := h.Service.IssueCredential(r.Context(), c.Org, req.Credential)
	var other *OtherIssuerError
	switch {
	case errors.As(err, &other):
		problem.Write(w, http.StatusForbidden, "other-issuer", problem.Sentence(other.Error())+" Nothing was signed.")
	case errors.Is(err, ErrNoOrg):
		problem.Write(w, http.StatusForbidden, "not-staff", "Your organisation is not registered on this service any more. Nothing was signed.")
	case err != nil:
		h.fail(w, err)
	default:
		problem.JSON(w, http.StatusCreated, signed)
	}
}

// vcapiVerifyPresentation is the VC-API's POST /presentations/verify: each
// credential in the presentation is verified. A presentation's own proof
// (proof of the holder) is not checked; a warning says so.
func (h *Handler) vcapiVerifyPresentation(w http.ResponseWriter, r *http.Request) {
	var req struct {
		VP map[string]any `json:"verifiablePresentation"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil || req.VP == nil {
		problem.Write(w, http.StatusBadRequest, "bad-request", `Send {"verifiablePresentation": {...}}.`)
		return
	}
	var vcs []map[string]any
	switch x := req.VP["verifiableCredential"].(type) {
	case map[string]any:
		vcs = []map[string]any{x}
	case []any:
		for _, e := range x {
			if m, ok := e.(map[string]any); ok {
				vcs = append(vcs, m)
			}
		}
	}
	if len(vcs) == 0 || len(vcs) > 20 {
		problem.Write(w, http.StatusBadRequest, "bad-request", "A presentation must hold 1 to 20 credentials.")
		return
	}
	errs, warnings, results := []string{}, []string{}, []Verification{}
	if _, ok := req.VP["proof"]; ok {
		warnings = append(warnings, "the presentation's own proof (the holder's) is not checked; each credential is")
	}
	for i, vc := range vcs {
		v := h.Service.Verify(r.Context(), vc)
		results = append(results, v)
		for _, c := range v.Checks {
			if !c.Passed {
				errs = append(errs, fmt.Sprintf("credential %d: %s: %s", i+1, c.Check, c.Reason))
			}
		}
	}
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusBadRequest
	}
	problem.JSON(w, status, map[string]any{"checks": []string{"credentials"}, "warnings": warnings, "errors": errs, "satchel": results})
}

// vcapiVerify is the VC-API's POST /credentials/verify.
func (h *Handler) vcapiVerify(w http.ResponseWriter, r *http.Request) {
	var req struct {
		VC map[string]any `json:"verifiableCredential"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 256<<10)).Decode(&req); err != nil || req.VC == nil {
		problem.Write(w, http.StatusBadRequest, "bad-request", `Send {"verifiableCredential": {...}}.`)
		return
	}
	v := h.Service.Verify(r.Context(), req.VC)
	out := map[string]any{"checks": []string{}, "warnings": []string{}, "errors": []string{}, "satchel": v}
	var checks, errs []string
	for _, c := range v.Checks {
		if c.Passed {
			checks = append(checks, c.Check)
		} else {
			errs = append(errs, c.Check+": "+c.Reason)
		}
	}
	if checks != nil {
		out["checks"] = checks
	}
	if errs != nil {
		out["errors"] = errs
	}
	status := http.StatusOK
	if !v.Valid {
		status = http.StatusBadRequest
	}
	problem.JSON(w, status, out)
}
