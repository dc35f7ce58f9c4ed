package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/issuer"
)

// issuedView is one record an organisation issued, as its list shows it.
type issuedView struct {
	issuer.Issued
	// For is the name the person gave the organisation ("" once they
	// stopped it sending them records).
	For        string
	Withdrawal issuer.Withdrawal
}

func (p *Pages) orgIssued(w http.ResponseWriter, r *http.Request, s *Session, m staffMember) {
	list, err := p.Issuers.IssuedBy(r.Context(), m.Org.Slug)
	if err != nil {
		p.Log.ErrorContext(r.Context(), "listing issued records failed", "err", err)
		p.fail(w, r, s)
		return
	}
	people, err := p.Issuers.Enrolled(r.Context(), m.Org.Slug)
	if err != nil {
		p.Log.ErrorContext(r.Context(), "listing enrolments failed", "err", err)
		p.fail(w, r, s)
		return
	}
	names := map[string]string{}
	for _, e := range people {
		names[e.ID] = e.LeaverName
	}
	out := make([]issuedView, 0, len(list))
	for _, rec := range list {
		v := issuedView{Issued: rec, For: names[rec.Enrolment]}
		if rec.Revoked {
			v.Withdrawal, _ = p.Issuers.WithdrawalOf(r.Context(), m.Org.Slug, rec.ID)
		}
		out = append(out, v)
	}
	v := view{"Org": m.Org, "Issued": out}
	if s.OrgIssue != nil && s.OrgIssue.Sent != nil {
		// Just sent from the form: say what, and to whom, once.
		v["Sent"] = s.OrgIssue.Sent
		s.OrgIssue = nil
		if err := p.sessions.save(r.Context(), s); err != nil {
			p.Log.WarnContext(r.Context(), "could not save a session", "err", err)
		}
	}
	p.render(w, r, s, http.StatusOK, "org-issued", v)
}

// orgWithdraw asks why, then withdraws a record the organisation issued:
// verifiers say "withdrawn by the issuer" from the next check on.
func (p *Pages) orgWithdraw(w http.ResponseWriter, r *http.Request, s *Session, m staffMember) {
	rec, err := p.Issuers.IssuedOne(r.Context(), m.Org.Slug, mux.Vars(r)["id"])
	if errors.Is(err, issuer.ErrNoIssued) {
		p.notFound(w, r, s)
		return
	}
	if err != nil {
		p.Log.ErrorContext(r.Context(), "reading an issued record failed", "err", err)
		p.fail(w, r, s)
		return
	}
	v := view{"Org": m.Org, "Record": rec}
	if rec.Revoked {
		redirect(w, r, "/org/issued")
		return
	}
	if r.Method == http.MethodGet {
		p.render(w, r, s, http.StatusOK, "org-withdraw", v)
		return
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	v["Reason"] = reason
	err = p.Issuers.RevokeBecause(r.Context(), m.Org.Slug, rec.ID, reason, m.P.Name)
	var inv *issuer.InvalidError
	if errors.As(err, &inv) {
		v["Errors"] = []fieldError{{Field: "reason", Key: "org.withdraw.error.reason"}}
		p.render(w, r, s, http.StatusUnprocessableEntity, "org-withdraw", v)
		return
	}
	if err != nil {
		p.Log.ErrorContext(r.Context(), "withdrawing an issued record failed", "err", err)
		p.fail(w, r, s)
		return
	}
	p.flash(r.Context(), s, "org.withdraw.done")
	redirect(w, r, "/org/issued")
}
