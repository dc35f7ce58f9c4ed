package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/auth"
	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/internal/problem"
)

// The pages a landlord, bank or employer uses without an account: /check,
// where they type a share code and the date of birth of the person who
// shared (on Satchel's own address, so a copycat page cannot pass as
// Satchel); /about, what Satchel is; and /report, to tell us of a problem.
func (p *Pages) recipientRoutes(r *mux.Router) {
	get, post := http.MethodGet, http.MethodPost
	r.Handle("/check", p.public(p.checkCode)).Methods(get, post)
	r.Handle("/about", p.public(p.about)).Methods(get)
	r.Handle("/report", p.public(p.report)).Methods(get, post)
	p.shareCodeRoutes(r)
}

// checkCode asks for a share code and a date of birth and, for a pair that
// names a share, opens the share's page as its link does (an opening,
// logged and counted). A code that names no share and a wrong date of
// birth get the same answer, and failures are throttled as sign-in's are.
func (p *Pages) checkCode(w http.ResponseWriter, r *http.Request, s *Session) {
	if r.Method == http.MethodGet {
		p.render(w, r, s, http.StatusOK, "check", nil)
		return
	}
	typed := strings.TrimSpace(r.PostFormValue("code"))
	day, month, year := r.PostFormValue("dob-day"), r.PostFormValue("dob-month"), r.PostFormValue("dob-year")
	v := view{"Code": typed, "Day": day, "Month": month, "Year": year}
	code := consent.ParseCode(typed)
	birth, dateOK := realDate(day, month, year)
	var errs []fieldError
	switch {
	case typed == "":
		errs = append(errs, fieldError{Field: "code", Key: "code-check.error.code"})
	case code == "":
		errs = append(errs, fieldError{Field: "code", Key: "code-check.error.code-form"})
	}
	if !dateOK {
		errs = append(errs, fieldError{Field: "dob", Key: "code-check.error.dob"})
	}
	if errs != nil {
		v["Errors"] = errs
		p.render(w, r, s, http.StatusUnprocessableEntity, "check", v)
		return
	}
	// Counted apart from sign-ins: a landlord's wrong tries must not stop
	// people signing in from the same address, nor the other way round.
	attempt, wait, err := p.Throttle.Begin(r.Context(), "code:"+code, "check-"+auth.IPKey(r))
	if err != nil {
		p.Log.ErrorContext(r.Context(), "share code throttle failed", "err", err)
		p.fail(w, r, s)
		return
	}
	if attempt == nil {
		v["Wait"] = true
		problem.RetryAfter(w, wait)
		p.render(w, r, s, http.StatusTooManyRequests, "check", v)
		return
	}
	defer attempt.Done()
	g, st, err := p.Consent.ResolveCode(r.Context(), code, birth)
	if errors.Is(err, consent.ErrNoGrant) {
		attempt.Fail()
		v["Errors"] = []fieldError{{Field: "code", Key: "code-check.error.wrong"}}
		p.render(w, r, s, http.StatusUnprocessableEntity, "check", v)
		return
	}
	if err != nil {
		p.Log.ErrorContext(r.Context(), "share code lookup failed", "err", err)
		p.fail(w, r, s)
		return
	}
	attempt.Succeed()
	d := consent.Decide(g, st, consent.Request{Path: g.Items[0].Path, Opening: true}, p.now())
	if !d.Allowed {
		if key := codeEnded(d.Reason); key != "" {
			p.render(w, r, s, http.StatusGone, "check", view{"Ended": key})
			return
		}
	}
	// The share's own page: it decides, logs and counts the opening.
	redirect(w, r, "/s/"+g.Token)
}

// codeEnded is what /check says of a share that cannot be opened, for
// a consent decision's reason (a catalogue key), or "".
func codeEnded(r consent.Reason) (key string) {
	switch r {
	case consent.Revoked:
		key = "code-check.ended.revoked"
	case consent.Expired:
		key = "code-check.ended.expired"
	case consent.UsedUp:
		key = "code-check.ended.used-up"
	case consent.NotYetValid:
		key = "code-check.ended.not-yet"
	}
	return key
}

// about says what Satchel is, for someone a share was sent to.
func (p *Pages) about(w http.ResponseWriter, r *http.Request, s *Session) {
	p.render(w, r, s, http.StatusOK, "about", view{"CheckAt": strings.TrimSuffix(p.Consent.ShareURL(""), "/s/") + "/check"})
}

// reportKinds are the problems /report offers.
var reportKinds = []option{
	{Value: "not-satchel", Label: "report.kind.not-satchel"},
	{Value: "not-working", Label: "report.kind.not-working"},
	{Value: "looks-wrong", Label: "report.kind.looks-wrong"},
	{Value: "other", Label: "report.kind.other"},
}

// report takes a report of a problem: only which kind it is, with no
// words typed and nothing about the person, so that nothing personal is
// kept. It is logged for the people who run the service.
func (p *Pages) report(w http.ResponseWriter, r *http.Request, s *Session) {
	v := view{"Kinds": reportKinds}
	if r.Method == http.MethodGet {
		p.render(w, r, s, http.StatusOK, "report", v)
		return
	}
	kind := r.PostFormValue("kind")
	if optionLabel(reportKinds, kind) == "" {
		v["Errors"] = []fieldError{{Field: "kind", Key: "report.error.kind"}}
		p.render(w, r, s, http.StatusUnprocessableEntity, "report", v)
		return
	}
	p.Log.InfoContext(r.Context(), "problem reported", "kind", kind, "day", p.now().UTC().Format(time.DateOnly))
	v["Done"] = kind
	p.render(w, r, s, http.StatusOK, "report", v)
}
