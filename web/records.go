package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"

	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/schemas"
)

// niRecord is where the leaver's National Insurance number is kept.
const niRecord pod.Path = "identity/national-insurance.jsonld"

var niNumber = regexp.MustCompile(`^[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][0-9]{6}[A-D]$`)

// nationalInsurance adds or corrects the leaver's National Insurance
// number: one question on one page.
func (p *Pages) nationalInsurance(w http.ResponseWriter, r *http.Request, s *Session) {
	ctx := r.Context()
	etag, current := "", ""
	res, rc, err := p.Pods.Get(ctx, s.Pod, niRecord)
	switch {
	case err == nil:
		var doc map[string]any
		json.NewDecoder(io.LimitReader(rc, pod.MaxRecord)).Decode(&doc)
		rc.Close()
		etag, current = res.ETag, str(doc, "niNumber")
	case !errors.Is(err, pod.ErrNotFound):
		p.fail(w, r, s)
		return
	}
	if r.Method == http.MethodGet {
		p.render(w, r, s, http.StatusOK, "record-ni", view{"Value": current})
		return
	}
	typed := r.PostFormValue("ni")
	compact := strings.ToUpper(strings.Join(strings.Fields(typed), ""))
	if !niNumber.MatchString(compact) {
		p.render(w, r, s, http.StatusUnprocessableEntity, "record-ni", view{"Value": typed, "Errors": []fieldError{{Field: "ni", Key: "ni.error"}}})
		return
	}
	spaced := compact[:2] + " " + compact[2:4] + " " + compact[4:6] + " " + compact[6:8] + " " + compact[8:]
	doc := map[string]any{"@context": schemas.ContextURL, "id": "#ni", "type": "NationalInsuranceNumber", "niNumber": spaced}
	body, _ := json.Marshal(doc)
	if _, err := schemas.Validate(body, string(niRecord)); err != nil {
		p.Log.Error("a checked NI number failed validation", "err", err)
		p.fail(w, r, s)
		return
	}
	pre := pod.CreateOnly()
	if etag != "" {
		pre = pod.IfMatch(etag)
	}
	if _, _, err := p.Pods.Put(ctx, s.Pod, niRecord, "application/ld+json", int64(len(body)), bytes.NewReader(body), pre); err != nil {
		// A change made elsewhere in the meantime is kept; the leaver
		// sees it and can try again.
		p.Log.Warn("saving an NI number failed", "err", err)
		p.fail(w, r, s)
		return
	}
	p.flash(ctx, s, "flash.ni-saved")
	redirect(w, r, "/my")
}
