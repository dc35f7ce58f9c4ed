package web

import (
	"net/http"
	"sort"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/access"
	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/consent/qr"
	"github.com/satchel-project/satchel/issuer"
)

// An organisation's pages, for its staff: the people enrolled with it,
// issuing a record by form (with "check your answers") or by CSV, what it
// issued and withdrawing it with a reason; and, for its admins, adding and
// removing staff. Every page is of the signed-in person's own
// organisation: no address names an organisation, and every record an
// address names (an enrolment, an issued record, a staff account) is
// looked up under that organisation only.
func (p *Pages) orgRoutes(r *mux.Router) {
	get, post := http.MethodGet, http.MethodPost
	o := r.PathPrefix("/org").Subrouter()
	o.Handle("", p.orgPage(access.Issue, p.orgHome)).Methods(get)
	o.Handle("/qr.png", p.orgPage(access.Issue, p.orgQR)).Methods(get)
	o.Handle("/people", p.orgPage(access.Issue, p.orgPeople)).Methods(get)
	o.Handle("/issue", p.orgPage(access.Issue, p.orgIssue)).Methods(get, post)
	o.Handle("/issue/check", p.orgPage(access.Issue, p.orgIssueCheck)).Methods(get, post)
	o.Handle("/upload", p.wrap(p.asStaff(access.Issue, p.orgUpload), isStaff, 0)).Methods(get, post)
	o.Handle("/issued", p.orgPage(access.Manage, p.orgIssued)).Methods(get)
	o.Handle("/issued/{id}/withdraw", p.orgPage(access.Manage, p.orgWithdraw)).Methods(get, post)
	o.Handle("/staff", p.orgPage(access.ManageStaff, p.orgStaff)).Methods(get)
	o.Handle("/staff/add", p.orgPage(access.ManageStaff, p.orgStaffAdd)).Methods(get, post)
	o.Handle("/staff/{username}/role", p.orgPage(access.ManageStaff, p.orgStaffRole)).Methods(post)
	o.Handle("/staff/{username}/remove", p.orgPage(access.ManageStaff, p.orgStaffRemove)).Methods(get, post)
}

func isStaff(s *Session) bool { return s != nil && s.Kind == account.Issuer && s.Org != "" }

// staffMember is who is using an organisation's pages, and the
// organisation.
type staffMember struct {
	P   access.Principal
	Org issuer.Org
}

// orgHandler is an organisation's page.
type orgHandler func(w http.ResponseWriter, r *http.Request, s *Session, m staffMember)

// orgPage serves an organisation's page to its staff who hold right.
func (p *Pages) orgPage(right access.Right, h orgHandler) http.Handler {
	return p.wrap(p.asStaff(right, h), isStaff, 64<<10)
}

// asStaff reads the signed-in staff member's account afresh (so that a
// change of role counts from the next page) and asks access.CanOrg for
// right in their own organisation; a refusal is the page for an address
// that shows nothing.
func (p *Pages) asStaff(right access.Right, h orgHandler) handler {
	return func(w http.ResponseWriter, r *http.Request, s *Session) {
		a, err := p.Accounts.Get(r.Context(), s.Username)
		if err != nil || a.ID != s.Account || a.Kind != account.Issuer || a.Org != s.Org {
			p.notFound(w, r, s)
			return
		}
		pr := s.principal()
		pr.Org, pr.OrgAdmin = a.Org, a.OrgAdmin
		if access.CanOrg(pr, right, a.Org) != nil {
			p.notFound(w, r, s)
			return
		}
		o, err := p.Issuers.Org(r.Context(), a.Org)
		if err != nil {
			p.Log.ErrorContext(r.Context(), "organisation lookup failed", "err", err)
			p.fail(w, r, s)
			return
		}
		h(w, r.WithContext(access.WithPrincipal(r.Context(), pr)), s, staffMember{pr, o})
	}
}

// joinLink is the address a leaver opens to enrol with the organisation
// showing code.
func (p *Pages) joinLink(code string) string { return p.BaseURL + "/join/" + code }

func (p *Pages) orgHome(w http.ResponseWriter, r *http.Request, s *Session, m staffMember) {
	code, err := p.Issuers.JoinCode(r.Context(), m.Org.Slug)
	if err != nil {
		p.Log.ErrorContext(r.Context(), "join code failed", "err", err)
		p.fail(w, r, s)
		return
	}
	if a, err := p.Accounts.Get(r.Context(), s.Username); err == nil {
		// Staff made before staff were listed join their organisation's list.
		if err := p.Accounts.ListStaff(r.Context(), a); err != nil {
			p.Log.WarnContext(r.Context(), "could not list a staff account", "err", err)
		}
	}
	p.render(w, r, s, http.StatusOK, "org-home", view{"Org": m.Org, "Admin": m.P.OrgAdmin, "Code": issuer.FormatJoinCode(code), "Link": p.joinLink(code)})
}

// orgQR is the organisation's join link as a QR code, to print or show.
func (p *Pages) orgQR(w http.ResponseWriter, r *http.Request, s *Session, m staffMember) {
	code, err := p.Issuers.JoinCode(r.Context(), m.Org.Slug)
	if err != nil {
		p.fail(w, r, s)
		return
	}
	c, err := qr.Encode(p.joinLink(code))
	if err != nil {
		p.fail(w, r, s)
		return
	}
	png, err := c.PNG(0)
	if err != nil {
		p.fail(w, r, s)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Write(png)
}

// enrolled lists the people enrolled with the organisation, by name.
func (p *Pages) enrolled(r *http.Request, org string) ([]issuer.Enrolment, error) {
	es, err := p.Issuers.Enrolled(r.Context(), org)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(es, func(i, j int) bool { return es[i].LeaverName < es[j].LeaverName })
	return es, nil
}

func (p *Pages) orgPeople(w http.ResponseWriter, r *http.Request, s *Session, m staffMember) {
	es, err := p.enrolled(r, m.Org.Slug)
	if err != nil {
		p.Log.ErrorContext(r.Context(), "listing enrolments failed", "err", err)
		p.fail(w, r, s)
		return
	}
	p.render(w, r, s, http.StatusOK, "org-people", view{"Org": m.Org, "People": es})
}
