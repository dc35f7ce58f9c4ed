package web

import (
	"bytes"
	"errors"
	"net/http"
	"strings"

	"github.com/satchel-project/satchel/internal/problem"
	"github.com/satchel-project/satchel/issuer"
)

// maxCSV is the largest CSV file the upload page takes, as the API does.
const maxCSV = 2 << 20

// csvRow is one row of an upload's outcome as the page shows it: Line is
// the row's number in a spreadsheet (the header is line 1).
type csvRow struct {
	Line   int
	Issued bool
	Reason string
}

// orgUpload takes a CSV of qualifications (issuer.CSVColumns), issues one
// record per good row, and shows each bad row with its number and why. It
// is only for an organisation that may sign qualifications.
func (p *Pages) orgUpload(w http.ResponseWriter, r *http.Request, s *Session, m staffMember) {
	if !p.maySignQualifications(w, r, s, m) {
		return
	}
	v := view{"Org": m.Org, "Columns": strings.Join(issuer.CSVColumns, ","), "MaxRows": issuer.MaxCSVRows}
	if r.Method == http.MethodGet {
		p.render(w, r, s, http.StatusOK, "org-upload", v)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxCSV+64<<10)
	mr, err := r.MultipartReader()
	if err != nil {
		p.forbidden(w, r, s)
		return
	}
	form, file, err := readUpload(mr, maxCSV)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig) || errors.Is(err, errTooBig):
		v["Errors"] = []fieldError{{Field: "file", Key: "org.upload.error.too-big"}}
		p.render(w, r, s, http.StatusRequestEntityTooLarge, "org-upload", v)
		return
	case err != nil:
		p.forbidden(w, r, s)
		return
	}
	if !sameSecret(form["csrf"], s.CSRF) {
		p.forbidden(w, r, s)
		return
	}
	if len(bytes.TrimSpace(file)) == 0 {
		v["Errors"] = []fieldError{{Field: "file", Key: "org.upload.error.file"}}
		p.render(w, r, s, http.StatusUnprocessableEntity, "org-upload", v)
		return
	}
	results, err := p.Issuers.IssueCSV(r.Context(), m.Org.Slug, bytes.NewReader(file))
	var inv *issuer.InvalidError
	if err != nil && results == nil {
		if errors.As(err, &inv) {
			// The file as a whole cannot be read: its header, or its size.
			v["Errors"] = []fieldError{{Field: "file", Key: "org.upload.error.header"}}
			v["Reason"] = problem.Sentence(inv.Reason)
			p.render(w, r, s, http.StatusUnprocessableEntity, "org-upload", v)
			return
		}
		p.Log.ErrorContext(r.Context(), "bulk issuing failed", "err", err)
		p.fail(w, r, s)
		return
	}
	var rows, bad []csvRow
	issued := 0
	for _, res := range results {
		row := csvRow{Line: res.Row + 1, Issued: res.Issued, Reason: problem.Sentence(res.Error)}
		rows = append(rows, row)
		if res.Issued {
			issued++
		} else {
			bad = append(bad, row)
		}
	}
	v["Rows"], v["Bad"], v["Issued"] = rows, bad, issued
	if errors.As(err, &inv) {
		// Rows past the limit were not read.
		v["Reason"] = problem.Sentence(inv.Reason)
	}
	status := http.StatusOK
	if len(bad) > 0 {
		status = http.StatusUnprocessableEntity
	}
	p.render(w, r, s, status, "org-upload-done", v)
}
