package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/access"
	"github.com/satchel-project/satchel/evaluation"
	"github.com/satchel-project/satchel/internal/problem"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/verifier"
)

// The evaluation's routes (issue 16, part 5): the evaluation role exports a
// quarter; an organisation's staff send data points for the people
// enrolled with them; the leaver's own page is in package web. No pod
// route, share or download reads the evaluation's space.
func (b *Backend) evaluationRoutes(r *mux.Router) {
	api := r.PathPrefix("/api/v1").Subrouter()
	api.HandleFunc("/evaluation/export", b.evaluationExport).Methods(http.MethodGet)
	api.HandleFunc("/evaluation/log", b.evaluationLog).Methods(http.MethodGet)
	api.HandleFunc("/issuers/{org}/evaluation.csv", b.evaluationCSV).Methods(http.MethodPost)
	b.Web.EvaluationRoutes(r, b.Evaluation)
	b.Web.OrgEvaluationRoutes(r, b.Evaluation)
}

// evaluationExport answers GET /api/v1/evaluation/export?quarter=2026Q4 with
// the quarter's participants as CSV, or with &part=counts its aggregate
// counts. Each is logged as an export.
func (b *Backend) evaluationExport(w http.ResponseWriter, r *http.Request) {
	p := access.From(r.Context())
	if err := access.CanEvaluate(p); err != nil {
		access.Write(w, err, "")
		return
	}
	q, err := evaluation.ParseQuarter(r.URL.Query().Get("quarter"))
	if err != nil {
		problem.Write(w, http.StatusBadRequest, "bad-quarter", "Say which quarter, like ?quarter=2026Q4.")
		return
	}
	part := r.URL.Query().Get("part")
	if part != "" && part != "people" && part != "counts" {
		problem.Write(w, http.StatusBadRequest, "bad-part", "part is people (the default) or counts.")
		return
	}
	var people, counts strings.Builder
	if _, err := b.Evaluation.Export(r.Context(), q, p.Name+" ("+part1(part)+", API)", b.ObserveOutcomes, &people, &counts); err != nil {
		b.Config.Log.ErrorContext(r.Context(), "evaluation export failed", "err", err)
		problem.Write(w, http.StatusInternalServerError, "export-failed", "The export could not be made. Try again.")
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	name := "evaluation-" + q.String() + "-" + part1(part) + ".csv"
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	if part == "counts" {
		io.WriteString(w, counts.String())
		return
	}
	io.WriteString(w, people.String())
}

func part1(part string) string {
	if part == "" {
		return "people"
	}
	return part
}

// evaluationLog answers GET /api/v1/evaluation/log with every export made.
func (b *Backend) evaluationLog(w http.ResponseWriter, r *http.Request) {
	if err := access.CanEvaluate(access.From(r.Context())); err != nil {
		access.Write(w, err, "")
		return
	}
	logs, err := b.Evaluation.Logs(r.Context())
	if err != nil {
		problem.Write(w, http.StatusInternalServerError, "log-failed", "The log could not be read. Try again.")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(logs)
}

// evaluationCSV answers POST /api/v1/issuers/{org}/evaluation.csv: the
// organisation's staff send data points for people enrolled with them, a
// row each, keyed by the enrolment's reference; a row for someone who has
// not agreed, or has withdrawn, is skipped with the reason.
func (b *Backend) evaluationCSV(w http.ResponseWriter, r *http.Request) {
	p := access.From(r.Context())
	org := mux.Vars(r)["org"]
	if err := access.CanOrg(p, access.Issue, org); err != nil {
		access.Write(w, err, "")
		return
	}
	body := http.MaxBytesReader(w, r.Body, 4<<20)
	find := func(ctx context.Context, ref string) (pod.PodID, error) {
		e, err := b.Issuers.EnrolmentOf(ctx, org, ref)
		if err != nil {
			return "", err
		}
		return e.Pod, nil
	}
	res, err := b.Evaluation.ImportCSV(r.Context(), org, body, find)
	if err != nil && res == nil {
		problem.Write(w, http.StatusUnprocessableEntity, "bad-csv", err.Error())
		return
	}
	out := struct {
		Rows  []evaluation.RowResult `json:"rows"`
		Error string                 `json:"error,omitempty"`
	}{Rows: res}
	if err != nil {
		out.Error = err.Error()
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

// ObserveOutcomes finds what Satchel can see of a participant's outcomes
// (an evaluation.Observer): whether an address-history entry, or a signed
// stay or custody period whose signature checks, covers the day of release
// and the day 3 months on (a custody entry counts as not settled), and how
// many shares the leaver made to landlords, employers and banks before
// asOf. The export calls it only for people who take part.
func (b *Backend) ObserveOutcomes(ctx context.Context, id pod.PodID, release, asOf time.Time) (evaluation.Observed, error) {
	var o evaluation.Observed
	shares, err := b.Consent.List(ctx, id)
	if err != nil && !errors.Is(err, pod.ErrNotFound) {
		return o, err
	}
	for _, s := range shares {
		if !s.Created.Before(asOf) {
			continue
		}
		switch s.Recipient.Kind {
		case "landlord":
			o.SharesToLandlords++
		case "employer":
			o.SharesToEmployers++
		case "bank":
			o.SharesToBanks++
		}
	}
	if release.IsZero() {
		return o, nil
	}
	periods := b.periods(ctx, id)
	settled := func(day time.Time) string {
		if !day.Before(asOf) {
			return "" // not yet known
		}
		for _, e := range periods {
			from, err := time.Parse(time.DateOnly, fmt.Sprint(e["from"]))
			if err != nil || from.After(day) {
				continue
			}
			if to, err := time.Parse(time.DateOnly, fmt.Sprint(e["to"])); err == nil && to.Before(day) {
				continue
			}
			if e["accommodationKind"] == "custody" || e["accommodationKind"] == "no-fixed-abode" {
				continue
			}
			return "yes"
		}
		return "no"
	}
	o.SettledAtRelease = settled(release)
	o.SettledAt3Months = settled(release.AddDate(0, 3, 0))
	return o, nil
}

// periods are the entries of the pod's address history and its signed
// periods in housing/ that check out.
func (b *Backend) periods(ctx context.Context, id pod.PodID) []map[string]any {
	var out []map[string]any
	_, members, err := b.Pods.List(ctx, id, "housing/")
	if err != nil {
		return nil
	}
	for _, m := range members {
		path := pod.Path("housing/" + m.Name)
		if !strings.HasSuffix(string(path), ".jsonld") && !strings.HasSuffix(string(path), ".json") {
			continue
		}
		_, rc, err := b.Pods.Get(ctx, id, path)
		if err != nil {
			continue
		}
		var doc map[string]any
		err = json.NewDecoder(io.LimitReader(rc, 1<<20)).Decode(&doc)
		rc.Close()
		if err != nil {
			continue
		}
		if entries, ok := doc["entries"].([]any); ok {
			for _, e := range entries {
				if m, ok := e.(map[string]any); ok {
					out = append(out, m)
				}
			}
			continue
		}
		if _, signed := doc["proof"]; !signed {
			continue
		}
		if e, ok := verifier.Period(doc); ok {
			if v := b.Issuers.Verify(ctx, doc); v.Valid && v.Status != "revoked" {
				out = append(out, e)
			}
		}
	}
	return out
}
