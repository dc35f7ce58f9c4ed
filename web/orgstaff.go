package web

import (
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/account"
)

// An organisation's admins add staff (who choose their own password with
// a one-time set-up code, as leavers do), make them admins or not, and
// remove them. Only the organisation's own staff are reached: any other
// username is answered as one that does not exist.

func (p *Pages) orgStaff(w http.ResponseWriter, r *http.Request, s *Session, m staffMember) {
	p.renderStaff(w, r, s, m, http.StatusOK, nil)
}

func (p *Pages) renderStaff(w http.ResponseWriter, r *http.Request, s *Session, m staffMember, status int, errs []fieldError) {
	staff, err := p.Accounts.Staff(r.Context(), m.Org.Slug)
	if err != nil {
		p.Log.ErrorContext(r.Context(), "listing staff failed", "err", err)
		p.fail(w, r, s)
		return
	}
	v := view{"Org": m.Org, "Staff": staff, "Me": s.Username}
	if errs != nil {
		v["Errors"] = errs
	}
	p.render(w, r, s, status, "org-staff", v)
}

var staffRoles = []option{{Value: "staff", Label: "org.staff.role.staff"}, {Value: "admin", Label: "org.staff.role.admin"}}

func (p *Pages) orgStaffAdd(w http.ResponseWriter, r *http.Request, s *Session, m staffMember) {
	v := view{"Org": m.Org, "Roles": staffRoles, "Role": "staff"}
	if r.Method == http.MethodGet {
		p.render(w, r, s, http.StatusOK, "org-staff-add", v)
		return
	}
	username := strings.TrimSpace(r.PostFormValue("username"))
	name := strings.TrimSpace(r.PostFormValue("name"))
	role := r.PostFormValue("role")
	v["Username"], v["Name"], v["Role"] = username, name, role
	var errs []fieldError
	if _, err := account.NormalizeUsername(username); err != nil {
		errs = append(errs, fieldError{Field: "username", Key: "org.staff.error.username"})
	}
	if name == "" || utf8.RuneCountInString(name) > 200 {
		errs = append(errs, fieldError{Field: "name", Key: "org.staff.error.name"})
	}
	if role != "staff" && role != "admin" {
		errs = append(errs, fieldError{Field: "role", Key: "org.staff.error.role"})
	}
	if errs == nil {
		a, code, err := p.Accounts.CreateStaff(r.Context(), username, name, m.Org.Slug, role == "admin")
		switch {
		case errors.Is(err, account.ErrTaken):
			errs = append(errs, fieldError{Field: "username", Key: "org.staff.error.taken"})
		case err != nil:
			p.Log.ErrorContext(r.Context(), "adding staff failed", "err", err)
			p.fail(w, r, s)
			return
		default:
			p.render(w, r, s, http.StatusOK, "org-staff-code", view{"Org": m.Org, "Account": a, "Code": code.Code, "Expires": code.Expires, "Start": p.BaseURL + "/start"})
			return
		}
	}
	v["Errors"] = errs
	p.render(w, r, s, http.StatusUnprocessableEntity, "org-staff-add", v)
}

// colleague is the staff account named in the address, if it is the
// organisation's; otherwise it answers 404 itself.
func (p *Pages) colleague(w http.ResponseWriter, r *http.Request, s *Session, m staffMember) (account.Account, bool) {
	a, err := p.Accounts.Get(r.Context(), mux.Vars(r)["username"])
	if err != nil || a.Kind != account.Issuer || a.Org != m.Org.Slug {
		p.notFound(w, r, s)
		return account.Account{}, false
	}
	return a, true
}

func (p *Pages) orgStaffRole(w http.ResponseWriter, r *http.Request, s *Session, m staffMember) {
	a, ok := p.colleague(w, r, s, m)
	if !ok {
		return
	}
	_, err := p.Accounts.SetOrgAdmin(r.Context(), a.Username, r.PostFormValue("admin") == "yes")
	if errors.Is(err, account.ErrLastAdmin) {
		p.renderStaff(w, r, s, m, http.StatusUnprocessableEntity, []fieldError{{Field: "staff", Key: "org.staff.error.last-admin"}})
		return
	}
	if err != nil {
		p.Log.ErrorContext(r.Context(), "changing a role failed", "err", err)
		p.fail(w, r, s)
		return
	}
	p.flash(r.Context(), s, "org.staff.role.done")
	redirect(w, r, "/org/staff")
}

func (p *Pages) orgStaffRemove(w http.ResponseWriter, r *http.Request, s *Session, m staffMember) {
	a, ok := p.colleague(w, r, s, m)
	if !ok {
		return
	}
	v := view{"Org": m.Org, "Account": a}
	if a.Username == s.Username {
		v["Errors"] = []fieldError{{Field: "remove", Key: "org.staff.error.yourself"}}
		p.render(w, r, s, http.StatusUnprocessableEntity, "org-staff-remove", v)
		return
	}
	if r.Method == http.MethodGet {
		p.render(w, r, s, http.StatusOK, "org-staff-remove", v)
		return
	}
	err := p.Accounts.RemoveStaff(r.Context(), m.Org.Slug, a.Username)
	if errors.Is(err, account.ErrLastAdmin) {
		v["Errors"] = []fieldError{{Field: "remove", Key: "org.staff.error.last-admin"}}
		p.render(w, r, s, http.StatusUnprocessableEntity, "org-staff-remove", v)
		return
	}
	if err != nil {
		p.Log.ErrorContext(r.Context(), "removing staff failed", "err", err)
		p.fail(w, r, s)
		return
	}
	p.flash(r.Context(), s, "org.staff.removed")
	redirect(w, r, "/org/staff")
}
