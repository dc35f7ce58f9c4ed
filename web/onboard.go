package web

import (
	"bytes"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/access"
	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/auth"
	"github.com/satchel-project/satchel/consent/qr"
	"github.com/satchel-project/satchel/internal/problem"
	"github.com/satchel-project/satchel/onboard"
	"github.com/satchel-project/satchel/pod"
)

// Pre-release onboarding (package onboard): a resettlement organisation's
// staff start a pod for someone still in custody, add their documents to
// it, and print a claim letter to hand over on release day. The person
// claims the pod at /claim with the letter's code and their date of birth,
// and chooses their own password. Until then nobody can sign in to it; from
// then the organisation's pages have nothing of it (404), and its own
// reference for the person is gone with its record.
func (p *Pages) onboardRoutes(r *mux.Router) {
	get, post := http.MethodGet, http.MethodPost
	o := r.PathPrefix("/org/onboard").Subrouter()
	o.Handle("", p.orgPage(access.Onboard, p.onboardList)).Methods(get)
	o.Handle("/start", p.orgPage(access.Onboard, p.onboardStart)).Methods(get, post)
	o.Handle("/{id}", p.orgPage(access.Onboard, p.onboardPerson)).Methods(get)
	o.Handle("/{id}/add", p.wrap(p.asStaff(access.Onboard, p.onboardAdd), isStaff, 0)).Methods(get, post)
	o.Handle("/{id}/letter", p.orgPage(access.Onboard, p.onboardLetter)).Methods(get, post)
	o.Handle("/{id}/national-insurance", p.orgPage(access.Onboard, p.onboardNI)).Methods(get, post)
	r.Handle("/claim", p.public(p.claim)).Methods(get, post)
}

// orgAddedBy is how Meta.AddedBy names an organisation.
const orgAddedBy = "org:"

func (p *Pages) onboardList(w http.ResponseWriter, r *http.Request, s *Session, m staffMember) {
	people, err := p.Onboard.People(r.Context(), m.Org.Slug)
	if err != nil {
		p.Log.ErrorContext(r.Context(), "listing unclaimed pods failed", "err", err)
		p.fail(w, r, s)
		return
	}
	expired, err := p.Onboard.ExpiredPods(r.Context(), m.Org.Slug)
	if err != nil {
		p.Log.ErrorContext(r.Context(), "listing expired pods failed", "err", err)
		p.fail(w, r, s)
		return
	}
	p.render(w, r, s, http.StatusOK, "org-onboard", view{"Org": m.Org, "People": people, "Expired": expired})
}

// onboardStart asks for the person's name, date of birth and the
// organisation's reference, and makes their account (unclaimed) and pod.
func (p *Pages) onboardStart(w http.ResponseWriter, r *http.Request, s *Session, m staffMember) {
	v := view{"Org": m.Org}
	if r.Method == http.MethodGet {
		p.render(w, r, s, http.StatusOK, "org-onboard-start", v)
		return
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	ref := strings.TrimSpace(r.PostFormValue("reference"))
	day, month, year := strings.TrimSpace(r.PostFormValue("dob-day")), strings.TrimSpace(r.PostFormValue("dob-month")), strings.TrimSpace(r.PostFormValue("dob-year"))
	v["Name"], v["Reference"], v["Day"], v["Month"], v["Year"] = name, ref, day, month, year
	var errs []fieldError
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		errs = append(errs, fieldError{Field: "name", Key: "onboard.error.name"})
	case n > 200:
		errs = append(errs, fieldError{Field: "name", Key: "onboard.error.name-long"})
	}
	born, ok := realDate(day, month, year)
	if !ok || !born.Before(p.now()) {
		errs = append(errs, fieldError{Field: "dob", Key: "onboard.error.dob"})
	}
	if utf8.RuneCountInString(ref) > 40 {
		errs = append(errs, fieldError{Field: "reference", Key: "onboard.error.reference"})
	}
	if errs != nil {
		v["Errors"] = errs
		p.render(w, r, s, http.StatusUnprocessableEntity, "org-onboard-start", v)
		return
	}
	a, err := p.Accounts.CreateUnclaimed(r.Context(), name)
	if err != nil {
		p.Log.ErrorContext(r.Context(), "making an unclaimed account failed", "err", err)
		p.fail(w, r, s)
		return
	}
	person, err := p.Onboard.Start(r.Context(), m.Org.Slug, onboard.Person{
		Name: a.DisplayName, Born: born.Format(time.DateOnly), Reference: ref,
		Username: a.Username, Pod: a.Pod, StartedBy: s.Name,
	})
	if err != nil {
		p.Log.ErrorContext(r.Context(), "recording an unclaimed pod failed", "err", err)
		if p.DeleteAccount != nil {
			p.DeleteAccount(r.Context(), a.Username)
		}
		p.fail(w, r, s)
		return
	}
	p.flash(r.Context(), s, "flash.onboard-started")
	redirect(w, r, "/org/onboard/"+person.ID)
}

// onboardPerson is the organisation's person, if their pod is its and
// still unclaimed; otherwise the page for an address that shows nothing.
func (p *Pages) onboardPersonOf(w http.ResponseWriter, r *http.Request, s *Session, m staffMember) (onboard.Person, bool) {
	person, err := p.Onboard.Get(r.Context(), m.Org.Slug, mux.Vars(r)["id"])
	if errors.Is(err, onboard.ErrNotFound) {
		p.notFound(w, r, s)
		return person, false
	}
	if err != nil {
		p.Log.ErrorContext(r.Context(), "reading an unclaimed pod failed", "err", err)
		p.fail(w, r, s)
		return person, false
	}
	return person, true
}

// added is a document the organisation added, for its page.
type added struct {
	Where, Name string
	Modified    time.Time
}

func (p *Pages) onboardPerson(w http.ResponseWriter, r *http.Request, s *Session, m staffMember) {
	person, ok := p.onboardPersonOf(w, r, s, m)
	if !ok {
		return
	}
	var docs []added
	for _, pl := range places {
		_, members, err := p.Pods.List(r.Context(), person.Pod, pod.Path(pl.Value))
		if err != nil {
			continue
		}
		for _, mb := range members {
			if mb.ContentType != "application/ld+json" && !strings.HasSuffix(mb.Name, "/") {
				docs = append(docs, added{Where: pl.Label, Name: mb.Name, Modified: mb.Modified})
			}
		}
	}
	ni, _, _ := p.readRecord(r.Context(), person.Pod, niRecord)
	p.render(w, r, s, http.StatusOK, "org-onboard-person", view{"Org": m.Org, "Person": person, "Docs": docs, "NI": str(ni, "niNumber")})
}

// onboardAdd adds a document to the unclaimed pod, as the leaver's own
// page does, marked as added by the organisation.
func (p *Pages) onboardAdd(w http.ResponseWriter, r *http.Request, s *Session, m staffMember) {
	person, ok := p.onboardPersonOf(w, r, s, m)
	if !ok {
		return
	}
	r = r.WithContext(pod.WithAddedBy(r.Context(), orgAddedBy+m.Org.Slug))
	p.addDocumentTo(w, r, s, person.Pod, m.Org.Name, "/org/onboard/"+person.ID)
}

// onboardNI records the person's National Insurance number in their
// unclaimed pod, as the leaver's own page does, marked as added by the
// organisation.
func (p *Pages) onboardNI(w http.ResponseWriter, r *http.Request, s *Session, m staffMember) {
	person, ok := p.onboardPersonOf(w, r, s, m)
	if !ok {
		return
	}
	r = r.WithContext(pod.WithAddedBy(r.Context(), orgAddedBy+m.Org.Slug))
	p.nationalInsuranceIn(w, r, s, person.Pod, "/org/onboard/"+person.ID, niWords{Heading: "onboard.ni.question", Key: "flash.onboard-ni-saved"})
}

// onboardLetter offers to print a claim letter (GET) and prints one with
// a new code, voiding any earlier letter's (POST).
func (p *Pages) onboardLetter(w http.ResponseWriter, r *http.Request, s *Session, m staffMember) {
	person, ok := p.onboardPersonOf(w, r, s, m)
	if !ok {
		return
	}
	if r.Method == http.MethodGet {
		p.render(w, r, s, http.StatusOK, "org-onboard-letter-ask", view{"Org": m.Org, "Person": person})
		return
	}
	person, letter, err := p.Onboard.NewLetter(r.Context(), m.Org.Slug, person.ID)
	if errors.Is(err, onboard.ErrNotFound) {
		p.notFound(w, r, s)
		return
	}
	if err != nil {
		p.Log.ErrorContext(r.Context(), "making a claim code failed", "err", err)
		p.fail(w, r, s)
		return
	}
	link := p.claimLink(letter.Code)
	c, err := qr.Encode(link)
	if err != nil {
		p.fail(w, r, s)
		return
	}
	// The class keeps the code within a 320 px wide screen (and 16rem on
	// paper and wider screens).
	svg := template.HTML(bytes.Replace(c.SVGTitled(words(r.Context()).Text("letter.qr-alt")), []byte("<svg "), []byte(`<svg class="app-qr" `), 1))
	p.render(w, r, s, http.StatusOK, "org-onboard-letter", view{
		"Org": m.Org, "Person": person, "Code": letter.Code, "Expires": letter.Expires,
		"Link": link, "Short": p.BaseURL + "/claim", "QR": svg,
	})
}

// claimLink is the address on a claim letter's QR code.
func (p *Pages) claimLink(code string) string {
	return p.BaseURL + "/claim?code=" + url.QueryEscape(code)
}

// claim is where a person claims the pod an organisation started for them:
// the letter's code, their date of birth and a password of their own. A
// wrong, used, replaced or expired code and a wrong date of birth get the
// same answer, and guesses are throttled as sign-in is. Someone signed in
// is asked to sign out first: a pod is never joined to another account.
func (p *Pages) claim(w http.ResponseWriter, r *http.Request, s *Session) {
	if s != nil {
		p.render(w, r, s, http.StatusConflict, "claim", view{"SignedInAs": s.Name})
		return
	}
	code := strings.TrimSpace(r.FormValue("code"))
	v := view{"Code": code}
	if r.Method == http.MethodGet {
		p.render(w, r, nil, http.StatusOK, "claim", v)
		return
	}
	day, month, year := strings.TrimSpace(r.PostFormValue("dob-day")), strings.TrimSpace(r.PostFormValue("dob-month")), strings.TrimSpace(r.PostFormValue("dob-year"))
	pw, pw2 := r.PostFormValue("password"), r.PostFormValue("password2")
	v["Day"], v["Month"], v["Year"] = day, month, year
	var errs []fieldError
	if code == "" {
		errs = append(errs, fieldError{Field: "code", Key: "claim.error.code"})
	}
	born, ok := realDate(day, month, year)
	if !ok {
		errs = append(errs, fieldError{Field: "dob", Key: "claim.error.dob"})
	}
	errs = append(errs, newPasswordErrors(pw, pw2)...)
	if errs != nil {
		v["Errors"] = errs
		p.render(w, r, nil, http.StatusUnprocessableEntity, "claim", v)
		return
	}
	key := strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(code))
	attempt, wait, err := p.Throttle.Begin(r.Context(), auth.UserKey("claim:"+key), auth.IPKey(r))
	if err != nil {
		p.Log.ErrorContext(r.Context(), "claiming a pod failed", "err", err)
		p.fail(w, r, nil)
		return
	}
	if attempt == nil {
		v["Errors"] = []fieldError{{Field: "code", Key: "reset.error.wait"}}
		problem.RetryAfter(w, wait)
		p.render(w, r, nil, http.StatusTooManyRequests, "claim", v)
		return
	}
	defer attempt.Done()
	person, err := p.Onboard.Claim(r.Context(), code, born.Format(time.DateOnly))
	if errors.Is(err, onboard.ErrNoClaim) {
		attempt.Fail()
		v["Errors"] = []fieldError{{Field: "code", Key: "claim.error.bad"}}
		p.render(w, r, nil, http.StatusUnprocessableEntity, "claim", v)
		return
	}
	if err != nil {
		p.Log.ErrorContext(r.Context(), "claiming a pod failed", "err", err)
		p.fail(w, r, nil)
		return
	}
	attempt.Succeed()
	if err := p.Accounts.SetPassword(r.Context(), person.Username, pw); err != nil {
		p.Log.ErrorContext(r.Context(), "setting a claimed account's password failed", "err", err)
		p.fail(w, r, nil)
		return
	}
	a, err := p.Accounts.Get(r.Context(), person.Username)
	if err == nil && a.Kind == account.Leaver {
		if s, err = p.sessions.start(r.Context(), w, r, a); err == nil {
			p.flash(r.Context(), s, "flash.claimed")
			redirect(w, r, "/my")
			return
		}
	}
	p.render(w, r, nil, http.StatusOK, "problem", view{"Heading": "set-up.done", "Body": "reset.done.body"})
}
