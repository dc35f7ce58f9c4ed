package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/issuer"
	"github.com/satchel-project/satchel/onboard"
	podpkg "github.com/satchel-project/satchel/pod"
)

// The roles every route is tried with.
const (
	anon       = "anonymous"
	owner      = "owner"
	other      = "other leaver"
	hView      = "helper:view"
	hAdd       = "helper:add"
	hShare     = "helper:share"
	hReset     = "helper:reset"
	hNone      = "helper not chosen"
	hRemoved   = "helper removed"
	staff      = "organisation staff"
	otherStaff = "another organisation's staff"
	orgAdmin   = "organisation admin"
	linkActive = "link holder (active)"
	linkEnded  = "link holder (ended)"
)

var roles = []string{anon, owner, other, hView, hAdd, hShare, hReset, hNone, hRemoved, staff, orgAdmin, otherStaff, linkActive, linkEnded}

var helperRoles = []string{hView, hAdd, hShare, hReset, hNone, hRemoved}

// expect is a row's answers: Default for every role not named.
type answers struct {
	Default int
	Roles   map[string]int
}

func (a answers) of(role string) int {
	if c, ok := a.Roles[role]; ok {
		return c
	}
	return a.Default
}

// with returns a with roles answering code.
func (a answers) with(code int, rs ...string) answers {
	m := map[string]int{}
	for k, v := range a.Roles {
		m[k] = v
	}
	for _, r := range rs {
		m[r] = code
	}
	a.Roles = m
	return a
}

func all(code int) answers { return answers{Default: code} }

// signedIn: anonymous visitors and link holders get anon, everyone else
// code.
func signedIn(anonCode, code int) answers {
	return all(code).with(anonCode, anon, linkActive, linkEnded)
}

// route is one row of the table: a registered route (method and template),
// the request that tries it, and the answer each role gets.
type route struct {
	Method, Template string
	// Send is the method sent, if not Method ("*" routes take any).
	Send string
	// Path is the request's path, with {pod}, {grant}, {token} filled in.
	Path string
	Body string
	CT   string
	Want answers
}

func TestEveryRouteForEveryRole(t *testing.T) {
	s := newTestServer(t)
	ctx := context.Background()
	// The owner, with a record, a document, a live share and an ended one.
	podURL, ownerTok := leaverWithHistory(t, s)
	pod := podIDOf(s, podURL)
	expect(t, s.do("PUT", podURL+"documents/letter.pdf", ownerTok, strings.NewReader("%PDF-1.4\n"), "Content-Type", "application/pdf"), http.StatusCreated)
	live, r := s.share(ownerTok, currentAddressOnly)
	expect(t, r, http.StatusCreated)
	ended, r := s.share(ownerTok, currentAddressOnly)
	expect(t, r, http.StatusCreated)
	expect(t, s.do("POST", s.url+"/api/v1/grants/"+ended.ID+"/revoke", ownerTok, nil), http.StatusNoContent)
	token := func(g grantResp) string { return g.ShareURL[strings.LastIndex(g.ShareURL, "/")+1:] }

	tokens := map[string]string{owner: ownerTok}
	_, tokens[other] = s.leaver("lee")
	for _, h := range helperRoles {
		name := strings.NewReplacer(":", "-", " ", "-").Replace(h)
		tokens[h] = s.helper(name, "Helper "+name)
		switch h {
		case hNone:
		case hRemoved:
			s.choose(t, ownerTok, name, `"view","add","share","reset"`)
			expect(t, s.do("DELETE", s.url+"/api/v1/helpers/"+name, ownerTok, nil), http.StatusNoContent)
		default:
			s.choose(t, ownerTok, name, `"`+strings.TrimPrefix(h, "helper:")+`"`)
		}
	}
	for _, org := range []struct{ slug, user, role string }{{"hmp", "tutor", staff}, {"hmp", "boss", orgAdmin}, {"elsewhere", "clerk", otherStaff}} {
		if _, err := s.b.Issuers.Org(ctx, org.slug); err != nil {
			if _, err := s.b.Issuers.CreateOrg(ctx, org.slug, "Org "+org.slug); err != nil {
				t.Fatal(err)
			}
		}
		a, err := s.b.Accounts.CreateWith(ctx, org.user, account.Issuer, "Staff "+org.user, "correct-horse-battery", org.slug)
		if err != nil {
			t.Fatal(err)
		}
		if org.role == orgAdmin {
			if a, err = s.b.Accounts.SetOrgAdmin(ctx, org.user, true); err != nil {
				t.Fatal(err)
			}
		}
		tokens[org.role], _, _ = s.b.Tokens.Issue(a)
	}
	// The owner is enrolled with hmp, which sent them a record.
	enrolment, err := s.b.Issuers.Enrol(ctx, podpkg.PodID(pod), "hmp", "Jo B")
	if err != nil {
		t.Fatal(err)
	}
	_, issued, err := s.b.Issuers.Issue(ctx, "hmp", enrolment.ID, issuer.Qualification{CourseName: "English", Level: "Level 1", LearningStart: "2025-01-06", LearningEnd: "2025-06-27", Outcome: "Achieved", Establishment: "HMP Example"})
	if err != nil {
		t.Fatal(err)
	}
	joinCode, err := s.b.Issuers.JoinCode(ctx, "hmp")
	if err != nil {
		t.Fatal(err)
	}
	// The same people in browsers.
	users := map[string]string{owner: "jo", other: "lee", staff: "tutor", orgAdmin: "boss", otherStaff: "clerk"}
	for _, h := range helperRoles {
		users[h] = strings.NewReplacer(":", "-", " ", "-").Replace(h)
	}
	browsers := map[string]*browser{}
	csrf := map[string]string{}
	for role, user := range users {
		b := s.browser(t)
		browsers[role] = b
		b.signIn(user, "correct-horse-battery").want(http.StatusSeeOther)
		p := b.get("/sign-out").want(http.StatusOK)
		csrf[role] = p.find(`name="csrf" value="([^"]*)"`)
	}

	// hmp started a pod for someone in custody, not yet claimed.
	unclaimed, err := s.b.Accounts.CreateUnclaimed(ctx, "Kim Custody")
	if err != nil {
		t.Fatal(err)
	}
	started, err := s.b.Web.Onboard.Start(ctx, "hmp", onboard.Person{Name: "Kim Custody", Born: "1990-01-02", Reference: "A1234BC", Username: unclaimed.Username, Pod: unclaimed.Pod})
	if err != nil {
		t.Fatal(err)
	}

	fill := strings.NewReplacer("{pod}", pod, "{grant}", live.ID, "{enrolment}", enrolment.ID, "{issued}", issued.ID, "{join}", joinCode, "{onboard}", started.ID)
	rows := routeTable()
	registered := map[string]bool{}
	s.b.Router().Walk(func(rt *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		if rt.GetHandler() == nil {
			return nil // a subrouter: its routes are walked too
		}
		tpl, _ := rt.GetPathTemplate()
		methods, _ := rt.GetMethods()
		if len(methods) == 0 {
			methods = []string{"*"}
		}
		for _, m := range methods {
			registered[m+" "+tpl] = true
		}
		return nil
	})
	covered := map[string]bool{}
	for _, row := range rows {
		covered[row.Method+" "+row.Template] = true
	}
	var missing []string
	for k := range registered {
		if !covered[k] {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	for _, k := range missing {
		t.Errorf("route %s has no row in the route table: add one saying what every role gets", k)
	}
	for k := range covered {
		if !registered[k] {
			t.Errorf("the route table has a row for %s, which is not a route", k)
		}
	}

	cells := 0
	for _, row := range rows {
		for _, role := range roles {
			path := fill.Replace(row.Path)
			switch role {
			case linkEnded:
				path = strings.ReplaceAll(path, "{token}", token(ended))
			default:
				path = strings.ReplaceAll(path, "{token}", token(live))
			}
			method := row.Method
			if row.Send != "" {
				method = row.Send
			} else if method == "*" {
				method = "POST"
			}
			var got int
			if web(row.Template) {
				b := browsers[role]
				if b == nil {
					b = s.browser(t)
				}
				body := strings.ReplaceAll(fill.Replace(row.Body), "{csrf}", url.QueryEscape(csrf[role]))
				if method == http.MethodPost && body == "" {
					body = url.Values{"csrf": {csrf[role]}}.Encode()
				}
				ct := row.CT
				if ct == "" && method == http.MethodPost {
					ct = "application/x-www-form-urlencoded"
				}
				var hd []string
				if ct != "" {
					hd = []string{"Content-Type", ct}
				}
				got = b.do(method, path, strings.NewReader(body), hd...).status
			} else {
				var hd []string
				if row.CT != "" {
					hd = []string{"Content-Type", row.CT}
				}
				got = s.do(method, s.url+path, tokens[role], strings.NewReader(fill.Replace(row.Body)), hd...).status
			}
			cells++
			want := row.Want.of(role)
			if got != want {
				t.Errorf("%s %s as %s: %d, want %d", method, path, role, got, want)
			}
		}
	}
	t.Logf("route table: %d rows, %d registered routes, %d cells", len(rows), len(registered), cells)
	// The live link still works: nothing in the table used it up or ended it.
	expect(t, s.do("GET", live.ShareURL, "", nil), http.StatusOK)
	// And sign-out-everywhere did end the owner's token.
	expect(t, s.do("GET", podURL, ownerTok, nil), http.StatusUnauthorized)
}

// web reports whether a route is one of the web pages (sessions) rather
// than the API (bearer tokens).
func web(tpl string) bool {
	for _, p := range []string{"/my", "/helping", "/org", "/join/", "/sign-in", "/sign-out", "/reset", "/assets/", "/start", "/privacy", "/cookies", "/accessibility", "/help", "/language", "/claim"} {
		if strings.HasPrefix(tpl, p) {
			return true
		}
	}
	return tpl == "/"
}

func routeTable() []route {
	const (
		ok, created, noContent, seeOther = 200, 201, 204, 303
		bad, unauth, forbidden, notFound = 400, 401, 403, 404
		notAllowed, gone, unsupported    = 405, 410, 415
		unprocessable                    = 422
		conflict                         = 409
	)
	// API answers for one's own things: 401 without a token; the owner and
	// the other leaver get their own; those without a pod are refused.
	ownAPI := func(code int) answers {
		return signedIn(unauth, forbidden).with(code, owner, other)
	}
	// A pod resource: what each role gets, by the rights they hold.
	podRes := func(ownerCode int, helpers map[string]int) answers {
		a := signedIn(unauth, notFound).with(ownerCode, owner)
		for _, h := range []string{hView, hAdd, hShare, hReset} {
			a = a.with(forbidden, h)
		}
		for h, c := range helpers {
			a = a.with(c, h)
		}
		return a
	}
	// Leaver pages: signed-out visitors go to sign in; other kinds get 404.
	leaverPage := func(code int) answers {
		return signedIn(seeOther, notFound).with(code, owner, other)
	}
	// Helper pages about the owner's pod: by the right the page needs.
	helperPage := func(rights ...string) answers {
		a := signedIn(seeOther, notFound)
		for _, r := range rights {
			a = a.with(ok, r)
		}
		return a
	}
	staffOnly := func(code, others int) answers {
		return signedIn(unauth, others).with(code, staff, orgAdmin)
	}
	// An organisation's pages: each member of staff sees their own
	// organisation's; signed-out visitors go to sign in; others get 404.
	orgPage := func(code int) answers {
		return signedIn(seeOther, notFound).with(code, staff, orgAdmin, otherStaff)
	}
	// A page about one of hmp's records: another organisation's staff
	// get 404, as for one that does not exist.
	hmpPage := func(code int) answers {
		return signedIn(seeOther, notFound).with(code, staff, orgAdmin)
	}
	// Its admins' pages: hmp's admin only.
	adminPage := func(code int) answers {
		return signedIn(seeOther, notFound).with(code, orgAdmin)
	}
	jsonCT := "application/json"
	rec := `{"@context":"https://w3id.org/satchel/v1","type":"Document","title":"T","file":"letter.pdf"}`
	// A patch that changes nothing: the record stays as every row expects.
	patchNoop := `DELETE DATA { <#current> <https://w3id.org/satchel#accommodationKind> "own-tenancy" } ;
INSERT DATA { <#current> <https://w3id.org/satchel#accommodationKind> "own-tenancy" }`
	return []route{
		{Method: "GET", Template: "/healthz", Path: "/healthz", Want: all(ok)},
		{Method: "HEAD", Template: "/healthz", Path: "/healthz", Want: all(ok)},
		{Method: "GET", Template: "/readyz", Path: "/readyz", Want: all(ok)},
		{Method: "HEAD", Template: "/readyz", Path: "/readyz", Want: all(ok)},
		// (Wrong passwords are throttled: auth_test.go; here, no password.)
		{Method: "*", Template: "/auth/token", Path: "/auth/token", Body: `{}`, CT: jsonCT, Want: all(bad)},
		// Pods: every method, by right.
		{Method: "*", Template: "/pods/", Path: "/pods/{pod}/documents/", Body: "%PDF-1.4\n", CT: "application/pdf", Want: podRes(created, map[string]int{hAdd: created})},
		{Method: "*", Template: "/pods/", Send: "GET", Path: "/pods/{pod}/housing/history.jsonld", Want: podRes(ok, map[string]int{hView: ok})},
		{Method: "*", Template: "/pods/", Send: "HEAD", Path: "/pods/{pod}/housing/history.jsonld", Want: podRes(ok, map[string]int{hView: ok})},
		{Method: "*", Template: "/pods/", Send: "GET", Path: "/pods/{pod}/access-log/", Want: podRes(ok, nil)},
		{Method: "*", Template: "/pods/", Send: "GET", Path: "/pods/{pod}/", Want: podRes(ok, map[string]int{hView: ok})},
		{Method: "*", Template: "/pods/", Send: "GET", Path: "/pods/NOSUCHPODAAAAAAAAAAAAAAAAA/", Want: signedIn(unauth, notFound)},
		{Method: "*", Template: "/pods/", Send: "GET", Path: "/pods/{pod}/documents/letter.pdf", Want: podRes(ok, map[string]int{hView: ok})},
		{Method: "*", Template: "/pods/", Send: "PUT", Path: "/pods/{pod}/documents/linked.jsonld", Body: rec, CT: "application/ld+json", Want: podRes(created, map[string]int{hAdd: unprocessable})},
		{Method: "*", Template: "/pods/", Send: "PUT", Path: "/pods/{pod}/housing/new.pdf", Body: "%PDF-1.4\n", CT: "application/pdf", Want: podRes(created, nil)},
		{Method: "*", Template: "/pods/", Send: "DELETE", Path: "/pods/{pod}/documents/no-such.pdf", Want: podRes(notFound, nil)},
		// PATCH: records only, by the owner only; a file is not a record.
		{Method: "*", Template: "/pods/", Send: "PATCH", Path: "/pods/{pod}/documents/letter.pdf", Want: podRes(unsupported, nil)},
		{Method: "*", Template: "/pods/", Send: "PATCH", Path: "/pods/{pod}/documents/letter.pdf", Body: patchNoop, CT: "application/sparql-update", Want: podRes(notAllowed, nil)},
		{Method: "*", Template: "/pods/", Send: "PATCH", Path: "/pods/{pod}/housing/history.jsonld", Body: patchNoop, CT: "application/sparql-update", Want: podRes(noContent, nil)},
		// Schemas and published keys: public.
		{Method: "GET", Template: "/ns/satchel/v1", Path: "/ns/satchel/v1", Want: all(ok)},
		{Method: "HEAD", Template: "/ns/satchel/v1", Path: "/ns/satchel/v1", Want: all(ok)},
		{Method: "GET", Template: "/ns/satchel/consent/v1", Path: "/ns/satchel/consent/v1", Want: all(ok)},
		{Method: "HEAD", Template: "/ns/satchel/consent/v1", Path: "/ns/satchel/consent/v1", Want: all(ok)},
		{Method: "GET", Template: "/schemas/", Path: "/schemas/", Want: all(ok)},
		{Method: "HEAD", Template: "/schemas/", Path: "/schemas/", Want: all(ok)},
		{Method: "GET", Template: "/schemas/{name}", Path: "/schemas/document.json", Want: all(ok)},
		{Method: "HEAD", Template: "/schemas/{name}", Path: "/schemas/document.json", Want: all(ok)},
		{Method: "GET", Template: "/status/revocation", Path: "/status/revocation", Want: all(ok)},
		{Method: "GET", Template: "/.well-known/jwks.json", Path: "/.well-known/jwks.json", Want: all(ok)},
		{Method: "GET", Template: "/.well-known/did.json", Path: "/.well-known/did.json", Want: all(ok)},
		// The consent API.
		{Method: "POST", Template: "/api/v1/grants", Path: "/api/v1/grants", CT: jsonCT,
			Body: `{"recipient":{"name":"X","kind":"other"},"purpose":"other","items":[{"path":"housing/history.jsonld"}]}`,
			// The other leaver has no such item in their own pod.
			Want: ownAPI(created).with(unprocessable, other)},
		{Method: "POST", Template: "/api/v1/grants", Path: "/api/v1/grants", CT: jsonCT,
			Body: fmt.Sprintf(`{"pod":"%s","recipient":{"name":"X","kind":"other"},"purpose":"other","items":[{"path":"housing/history.jsonld"}]}`, "{pod}"),
			Want: signedIn(unauth, notFound).with(created, owner).with(forbidden, hView, hAdd, hShare, hReset)},
		{Method: "GET", Template: "/api/v1/grants", Path: "/api/v1/grants", Want: ownAPI(ok)},
		{Method: "GET", Template: "/api/v1/grants", Path: "/api/v1/grants?pod={pod}", Want: signedIn(unauth, notFound).with(ok, owner).with(forbidden, hView, hAdd, hReset).with(forbidden, hShare)},
		{Method: "GET", Template: "/api/v1/grants/{id}", Path: "/api/v1/grants/{grant}", Want: ownAPI(ok).with(notFound, other)},
		{Method: "POST", Template: "/api/v1/grants/{id}/revoke", Path: "/api/v1/grants/NOSUCHGRANT/revoke", Want: ownAPI(notFound)},
		{Method: "POST", Template: "/api/v1/grants/{id}/revoke", Path: "/api/v1/grants/NOSUCHGRANT/revoke?pod={pod}", Want: signedIn(unauth, notFound).with(forbidden, hView, hAdd, hShare, hReset)},
		{Method: "GET", Template: "/api/v1/grants/{id}/receipt", Path: "/api/v1/grants/{grant}/receipt", Want: ownAPI(ok).with(notFound, other)},
		{Method: "GET", Template: "/api/v1/grants/{id}/qr.png", Path: "/api/v1/grants/{grant}/qr.png", Want: ownAPI(ok).with(notFound, other)},
		{Method: "GET", Template: "/api/v1/grants/{id}/qr.svg", Path: "/api/v1/grants/{grant}/qr.svg", Want: ownAPI(ok).with(notFound, other)},
		{Method: "GET", Template: "/api/v1/log", Path: "/api/v1/log", Want: ownAPI(ok)},
		{Method: "POST", Template: "/api/v1/helpers", Path: "/api/v1/helpers", CT: jsonCT, Body: `{"username":"no-such-helper","rights":["view"]}`, Want: ownAPI(unprocessable)},
		{Method: "GET", Template: "/api/v1/helpers", Path: "/api/v1/helpers", Want: ownAPI(ok)},
		{Method: "DELETE", Template: "/api/v1/helpers/{username}", Path: "/api/v1/helpers/no-such-helper", Want: ownAPI(notFound)},
		{Method: "GET", Template: "/api/v1/chosen", Path: "/api/v1/chosen", Want: signedIn(unauth, ok)},
		// Organisations.
		{Method: "GET", Template: "/issuers/{org}", Path: "/issuers/hmp", Want: all(ok)},
		{Method: "GET", Template: "/issuers/{org}/did.json", Path: "/issuers/hmp/did.json", Want: all(ok)},
		{Method: "GET", Template: "/issuers/{org}/status", Path: "/issuers/hmp/status", Want: all(ok)},
		{Method: "GET", Template: "/api/v1/enrolments", Path: "/api/v1/enrolments", Want: ownAPI(ok)},
		{Method: "POST", Template: "/api/v1/issuers/{org}/enrolment", Path: "/api/v1/issuers/hmp/enrolment", CT: jsonCT, Body: `{"name":"Jo B"}`, Want: ownAPI(created)},
		{Method: "DELETE", Template: "/api/v1/issuers/{org}/enrolment", Path: "/api/v1/issuers/elsewhere/enrolment", Want: ownAPI(forbidden)},
		{Method: "GET", Template: "/api/v1/issuers/{org}/enrolled", Path: "/api/v1/issuers/hmp/enrolled", Want: staffOnly(ok, forbidden)},
		{Method: "POST", Template: "/api/v1/issuers/{org}/issue", Path: "/api/v1/issuers/hmp/issue", CT: jsonCT, Body: `{}`, Want: staffOnly(forbidden, forbidden)}, // no enrolment code: not enrolled
		{Method: "POST", Template: "/api/v1/issuers/{org}/issue.csv", Path: "/api/v1/issuers/hmp/issue.csv", CT: "text/csv", Body: "", Want: staffOnly(unprocessable, forbidden)},
		{Method: "POST", Template: "/api/v1/issuers/{org}/evaluation.csv", Path: "/api/v1/issuers/hmp/evaluation.csv", CT: "text/csv", Body: "", Want: staffOnly(unprocessable, forbidden)},
		// The evaluation role is not among the roles: to every one of them
		// the export does not exist (see TestEvaluationExportOnlyForTheEvaluationRole).
		{Method: "GET", Template: "/api/v1/evaluation/export", Path: "/api/v1/evaluation/export?quarter=2026Q4", Want: signedIn(unauth, notFound)},
		{Method: "GET", Template: "/api/v1/evaluation/log", Path: "/api/v1/evaluation/log", Want: signedIn(unauth, notFound)},
		{Method: "POST", Template: "/api/v1/issuers/{org}/credentials/{id}/revoke", Path: "/api/v1/issuers/hmp/credentials/NOSUCH/revoke", Want: staffOnly(notFound, forbidden)},
		{Method: "POST", Template: "/credentials/issue", Path: "/credentials/issue", CT: jsonCT, Body: `{}`, Want: staffOnly(bad, forbidden).with(bad, otherStaff)},
		{Method: "POST", Template: "/credentials/verify", Path: "/credentials/verify", CT: jsonCT, Body: `{}`, Want: all(bad)},
		{Method: "POST", Template: "/presentations/verify", Path: "/presentations/verify", CT: jsonCT, Body: `{}`, Want: all(bad)},
		// What a recipient opens.
		{Method: "GET", Template: "/s/{token}", Path: "/s/{token}", Want: all(ok).with(gone, linkEnded)},
		// HEAD (like a link preview) gets the same neutral page for every link.
		{Method: "HEAD", Template: "/s/{token}", Path: "/s/{token}", Want: all(ok)},
		{Method: "GET", Template: "/s/{token}/grant", Path: "/s/{token}/grant", Want: all(ok).with(gone, linkEnded)},
		{Method: "GET", Template: "/s/{token}/items/", Path: "/s/{token}/items/housing/history.jsonld", Want: all(ok).with(gone, linkEnded)},
		{Method: "HEAD", Template: "/s/{token}/items/", Path: "/s/{token}/items/housing/history.jsonld", Want: all(ok)},
		{Method: "POST", Template: "/api/v1/verify", Path: "/api/v1/verify", CT: jsonCT, Body: `{"token":"{token}"}`, Want: all(ok)},
		// The web pages.
		{Method: "*", Template: "/assets/", Path: "/assets/satchel.css", Want: all(notAllowed)},
		// Signed in, the start and sign-in pages lead on to one's own pages.
		{Method: "GET", Template: "/", Path: "/", Want: signedIn(ok, seeOther)},
		{Method: "HEAD", Template: "/", Path: "/", Want: signedIn(ok, seeOther)},
		{Method: "GET", Template: "/sign-in", Path: "/sign-in", Want: signedIn(ok, seeOther)},
		// Signed out, a form without its pre-sign-in token is refused.
		{Method: "POST", Template: "/sign-in", Path: "/sign-in", Want: signedIn(forbidden, unprocessable)},
		{Method: "GET", Template: "/reset", Path: "/reset", Want: all(ok)},
		{Method: "POST", Template: "/reset", Path: "/reset", Want: signedIn(forbidden, unprocessable)},
		{Method: "GET", Template: "/start", Path: "/start", Want: signedIn(ok, seeOther)},
		{Method: "POST", Template: "/start", Path: "/start", Want: signedIn(forbidden, unprocessable)},
		// The pages every public service has: for everyone.
		{Method: "GET", Template: "/privacy", Path: "/privacy", Want: all(ok)},
		{Method: "GET", Template: "/cookies", Path: "/cookies", Want: all(ok)},
		{Method: "GET", Template: "/accessibility", Path: "/accessibility", Want: all(ok)},
		{Method: "GET", Template: "/help", Path: "/help", Want: all(ok)},
		{Method: "GET", Template: "/help/lost-phone", Path: "/help/lost-phone", Want: all(ok)},
		// The language link: keeps the choice in a cookie and goes back to
		// a path on this site.
		{Method: "GET", Template: "/language", Path: "/language?to=cy&back=/help", Want: all(seeOther)},
		// What a recipient uses without an account: check a share code,
		// read about Satchel, report a problem. A form without its
		// pre-sign-in token is refused (landlord_test.go sends them whole).
		{Method: "GET", Template: "/check", Path: "/check", Want: all(ok)},
		{Method: "POST", Template: "/check", Path: "/check", Want: all(forbidden)},
		{Method: "GET", Template: "/about", Path: "/about", Want: all(ok)},
		{Method: "GET", Template: "/report", Path: "/report", Want: all(ok)},
		{Method: "POST", Template: "/report", Path: "/report", Want: all(forbidden)},
		// One's own account, leaver's or helper's: password and devices.
		{Method: "GET", Template: "/my/password", Path: "/my/password", Want: signedIn(seeOther, ok)},
		{Method: "POST", Template: "/my/password", Path: "/my/password", Want: signedIn(seeOther, unprocessable)},
		{Method: "GET", Template: "/my/devices", Path: "/my/devices", Want: signedIn(seeOther, ok)},
		{Method: "GET", Template: "/sign-out", Path: "/sign-out", Want: signedIn(seeOther, ok)},
		{Method: "GET", Template: "/my", Path: "/my", Want: leaverPage(ok)},
		{Method: "GET", Template: "/my/things/{path:.+}", Path: "/my/things/housing/history.jsonld", Want: leaverPage(ok).with(notFound, other)},
		{Method: "GET", Template: "/my/file/{path:.+}", Path: "/my/file/documents/letter.pdf", Want: leaverPage(ok).with(notFound, other)},
		{Method: "GET", Template: "/my/delete/{path:.+}", Path: "/my/delete/documents/letter.pdf", Want: leaverPage(ok).with(notFound, other)},
		{Method: "POST", Template: "/my/delete/{path:.+}", Path: "/my/delete/documents/no-such.pdf", Want: leaverPage(notFound)},
		{Method: "POST", Template: "/my/keep/{path:.+}", Path: "/my/keep/inbox/no-such.jsonld", Want: leaverPage(notFound)},
		{Method: "GET", Template: "/my/documents/add", Path: "/my/documents/add", Want: leaverPage(ok)},
		{Method: "POST", Template: "/my/documents/add", Path: "/my/documents/add", Want: leaverPage(forbidden)}, // not multipart: no csrf part
		{Method: "GET", Template: "/my/records/national-insurance", Path: "/my/records/national-insurance", Want: leaverPage(ok)},
		{Method: "POST", Template: "/my/records/national-insurance", Path: "/my/records/national-insurance", Want: leaverPage(unprocessable)},
		{Method: "GET", Template: "/my/records/{form}", Path: "/my/records/bank", Want: leaverPage(seeOther)},
		{Method: "GET", Template: "/my/records/{form}/check", Path: "/my/records/bank/check", Want: leaverPage(seeOther)},
		{Method: "POST", Template: "/my/records/{form}/check", Path: "/my/records/bank/check", Want: leaverPage(seeOther)},
		{Method: "GET", Template: "/my/records/{form}/{question}", Path: "/my/records/bank/no-such-question", Want: leaverPage(notFound)},
		{Method: "POST", Template: "/my/records/{form}/{question}", Path: "/my/records/bank/no-such-question", Want: leaverPage(notFound)},
		{Method: "GET", Template: "/my/addresses", Path: "/my/addresses", Want: leaverPage(ok)},
		{Method: "GET", Template: "/my/addresses/add", Path: "/my/addresses/add", Want: leaverPage(seeOther)},
		{Method: "GET", Template: "/my/addresses/change/{id}", Path: "/my/addresses/change/no-such", Want: leaverPage(notFound)},
		{Method: "GET", Template: "/my/addresses/step/{step}", Path: "/my/addresses/step/address", Want: leaverPage(ok)},
		{Method: "POST", Template: "/my/addresses/step/{step}", Path: "/my/addresses/step/address", Want: leaverPage(unprocessable)},
		{Method: "GET", Template: "/my/addresses/check", Path: "/my/addresses/check", Want: leaverPage(seeOther)},
		{Method: "POST", Template: "/my/addresses/check", Path: "/my/addresses/check", Want: leaverPage(seeOther)},
		{Method: "GET", Template: "/my/addresses/remove/{id}", Path: "/my/addresses/remove/no-such", Want: leaverPage(notFound)},
		{Method: "POST", Template: "/my/addresses/remove/{id}", Path: "/my/addresses/remove/no-such", Want: leaverPage(notFound)},
		{Method: "GET", Template: "/my/share", Path: "/my/share", Want: leaverPage(seeOther)},
		{Method: "GET", Template: "/my/share/{step}", Path: "/my/share/who", Want: leaverPage(ok)},
		{Method: "POST", Template: "/my/share/{step}", Path: "/my/share/who", Want: leaverPage(unprocessable)},
		{Method: "GET", Template: "/my/shares", Path: "/my/shares", Want: leaverPage(ok)},
		{Method: "GET", Template: "/my/shares/{id}", Path: "/my/shares/{grant}", Want: leaverPage(ok).with(notFound, other)},
		{Method: "GET", Template: "/my/shares/{id}/print", Path: "/my/shares/{grant}/print", Want: leaverPage(ok).with(notFound, other)},
		{Method: "GET", Template: "/my/shares/{id}/qr.png", Path: "/my/shares/{grant}/qr.png", Want: leaverPage(ok).with(notFound, other)},
		{Method: "GET", Template: "/my/shares/{id}/withdraw", Path: "/my/shares/{grant}/withdraw", Want: leaverPage(ok).with(notFound, other)},
		{Method: "POST", Template: "/my/shares/{id}/withdraw", Path: "/my/shares/NOSUCH/withdraw", Want: leaverPage(notFound)},
		// A share code for a share made without a date of birth: none sent.
		{Method: "POST", Template: "/my/shares/{id}/code", Path: "/my/shares/{grant}/code", Want: leaverPage(unprocessable).with(notFound, other)},
		{Method: "POST", Template: "/helping/{pod}/shares/{id}/code", Path: "/helping/{pod}/shares/{grant}/code", Want: helperPage()},
		{Method: "GET", Template: "/my/looked", Path: "/my/looked", Want: leaverPage(ok)},
		{Method: "GET", Template: "/my/helpers", Path: "/my/helpers", Want: leaverPage(ok)},
		{Method: "GET", Template: "/my/helpers/add", Path: "/my/helpers/add", Want: leaverPage(ok)},
		{Method: "POST", Template: "/my/helpers/add", Path: "/my/helpers/add", Want: leaverPage(unprocessable)},
		{Method: "GET", Template: "/my/helpers/{helper}/remove", Path: "/my/helpers/no-such/remove", Want: leaverPage(notFound)},
		{Method: "POST", Template: "/my/helpers/{helper}/remove", Path: "/my/helpers/no-such/remove", Want: leaverPage(notFound)},
		{Method: "GET", Template: "/my/data", Path: "/my/data", Want: leaverPage(ok)},
		{Method: "GET", Template: "/my/evaluation", Path: "/my/evaluation", Want: leaverPage(ok)},
		{Method: "POST", Template: "/my/evaluation/agree", Path: "/my/evaluation/agree", Want: leaverPage(seeOther)},
		{Method: "POST", Template: "/my/evaluation/answer", Path: "/my/evaluation/answer", Want: leaverPage(unprocessable)},
		{Method: "POST", Template: "/my/evaluation/report", Path: "/my/evaluation/report", Want: leaverPage(unprocessable)},
		{Method: "POST", Template: "/my/evaluation/withdraw", Path: "/my/evaluation/withdraw", Want: leaverPage(seeOther)},
		{Method: "GET", Template: "/my/data/download", Path: "/my/data/download", Want: leaverPage(ok)},
		{Method: "GET", Template: "/my/data/delete", Path: "/my/data/delete", Want: leaverPage(ok)},
		{Method: "POST", Template: "/my/data/delete", Path: "/my/data/delete", Want: leaverPage(unprocessable)},
		{Method: "GET", Template: "/helping", Path: "/helping", Want: signedIn(seeOther, notFound).with(ok, helperRoles...)},
		{Method: "GET", Template: "/helping/{pod}", Path: "/helping/{pod}", Want: helperPage(hView, hAdd, hShare, hReset)},
		{Method: "GET", Template: "/helping/{pod}/file/{path:.+}", Path: "/helping/{pod}/file/documents/letter.pdf", Want: helperPage(hView)},
		{Method: "GET", Template: "/helping/{pod}/file/{path:.+}", Path: "/helping/{pod}/file/access-log/", Want: helperPage()},
		{Method: "GET", Template: "/helping/{pod}/add", Path: "/helping/{pod}/add", Want: helperPage(hAdd)},
		{Method: "POST", Template: "/helping/{pod}/add", Path: "/helping/{pod}/add", Want: helperPage().with(forbidden, hAdd)}, // not multipart: no csrf part
		// A helper with add may add an address (a new entry only: web_phone_test.go).
		{Method: "GET", Template: "/helping/{pod}/addresses/add", Path: "/helping/{pod}/addresses/add", Want: helperPage().with(seeOther, hAdd)},
		{Method: "GET", Template: "/helping/{pod}/addresses/step/{step}", Path: "/helping/{pod}/addresses/step/address", Want: helperPage(hAdd)},
		{Method: "POST", Template: "/helping/{pod}/addresses/step/{step}", Path: "/helping/{pod}/addresses/step/address", Want: helperPage().with(unprocessable, hAdd)},
		{Method: "GET", Template: "/helping/{pod}/addresses/check", Path: "/helping/{pod}/addresses/check", Want: helperPage().with(seeOther, hAdd)},
		{Method: "POST", Template: "/helping/{pod}/addresses/check", Path: "/helping/{pod}/addresses/check", Want: helperPage().with(seeOther, hAdd)},
		{Method: "GET", Template: "/helping/{pod}/reset", Path: "/helping/{pod}/reset", Want: helperPage(hReset)},
		{Method: "POST", Template: "/helping/{pod}/reset", Path: "/helping/{pod}/reset", Want: helperPage().with(unprocessable, hReset)},
		// Sharing for someone needs share and view: no single right is enough.
		{Method: "GET", Template: "/helping/{pod}/share", Path: "/helping/{pod}/share", Want: helperPage()},
		{Method: "GET", Template: "/helping/{pod}/share/{step}", Path: "/helping/{pod}/share/who", Want: helperPage()},
		{Method: "POST", Template: "/helping/{pod}/share/{step}", Path: "/helping/{pod}/share/who", Want: helperPage()},
		{Method: "GET", Template: "/helping/{pod}/shares", Path: "/helping/{pod}/shares", Want: helperPage()},
		{Method: "GET", Template: "/helping/{pod}/shares/{id}", Path: "/helping/{pod}/shares/{grant}", Want: helperPage()},
		{Method: "GET", Template: "/helping/{pod}/shares/{id}/print", Path: "/helping/{pod}/shares/{grant}/print", Want: helperPage()},
		{Method: "GET", Template: "/helping/{pod}/shares/{id}/qr.png", Path: "/helping/{pod}/shares/{grant}/qr.png", Want: helperPage()},
		{Method: "GET", Template: "/helping/{pod}/shares/{id}/withdraw", Path: "/helping/{pod}/shares/{grant}/withdraw", Want: helperPage()},
		{Method: "POST", Template: "/helping/{pod}/shares/{id}/withdraw", Path: "/helping/{pod}/shares/{grant}/withdraw", Want: helperPage()},
		// An organisation's pages.
		{Method: "GET", Template: "/org", Path: "/org", Want: orgPage(ok)},
		{Method: "GET", Template: "/org/qr.png", Path: "/org/qr.png", Want: orgPage(ok)},
		{Method: "GET", Template: "/org/people", Path: "/org/people", Want: orgPage(ok)},
		// By these rows the owner has agreed and stopped again (the
		// /my/evaluation rows), so there is no form and nothing is kept.
		{Method: "GET", Template: "/org/people/{enrolment}/evaluation", Path: "/org/people/{enrolment}/evaluation", Want: orgPage(ok).with(notFound, otherStaff)},
		{Method: "POST", Template: "/org/people/{enrolment}/evaluation", Path: "/org/people/{enrolment}/evaluation", Want: orgPage(conflict).with(notFound, otherStaff)},
		{Method: "GET", Template: "/org/issue", Path: "/org/issue?to={enrolment}", Want: orgPage(ok)},
		{Method: "POST", Template: "/org/issue", Path: "/org/issue", Want: orgPage(unprocessable)},
		// Another organisation's person is no one to issue to.
		{Method: "POST", Template: "/org/issue", Path: "/org/issue", Body: "csrf={csrf}&to={enrolment}&course=English&accredited=no&level=1&start-day=6&start-month=1&start-year=2025&end-day=27&end-month=6&end-year=2025&outcome=Achieved&establishment=HMP",
			Want: orgPage(seeOther).with(unprocessable, otherStaff)},
		{Method: "GET", Template: "/org/issue/check", Path: "/org/issue/check", Want: orgPage(seeOther).with(ok, staff, orgAdmin)},
		// (Without its csrf token: refused; web_org_test.go sends it whole.)
		{Method: "POST", Template: "/org/issue/check", Path: "/org/issue/check", Body: "x=1", Want: orgPage(forbidden)},
		{Method: "GET", Template: "/org/upload", Path: "/org/upload", Want: orgPage(ok)},
		{Method: "POST", Template: "/org/upload", Path: "/org/upload", Want: orgPage(forbidden)}, // not multipart: no csrf part
		{Method: "GET", Template: "/org/issued", Path: "/org/issued", Want: orgPage(ok)},
		{Method: "GET", Template: "/org/issued/{id}/withdraw", Path: "/org/issued/{issued}/withdraw", Want: hmpPage(ok)},
		{Method: "POST", Template: "/org/issued/{id}/withdraw", Path: "/org/issued/{issued}/withdraw", Want: hmpPage(unprocessable)}, // no reason
		{Method: "GET", Template: "/org/staff", Path: "/org/staff", Want: adminPage(ok)},
		{Method: "GET", Template: "/org/staff/add", Path: "/org/staff/add", Want: adminPage(ok)},
		{Method: "POST", Template: "/org/staff/add", Path: "/org/staff/add", Want: adminPage(unprocessable)},
		{Method: "POST", Template: "/org/staff/{username}/role", Path: "/org/staff/clerk/role", Want: adminPage(notFound)},
		{Method: "POST", Template: "/org/staff/{username}/role", Path: "/org/staff/jo/role", Want: adminPage(notFound)},
		{Method: "GET", Template: "/org/staff/{username}/remove", Path: "/org/staff/tutor/remove", Want: adminPage(ok)},
		{Method: "GET", Template: "/org/staff/{username}/remove", Path: "/org/staff/clerk/remove", Want: adminPage(notFound)},
		{Method: "POST", Template: "/org/staff/{username}/remove", Path: "/org/staff/clerk/remove", Want: adminPage(notFound)},
		// Pre-release onboarding: hmp's unclaimed pod is hmp's staff's only.
		{Method: "GET", Template: "/org/onboard", Path: "/org/onboard", Want: orgPage(ok)},
		{Method: "GET", Template: "/org/onboard/start", Path: "/org/onboard/start", Want: orgPage(ok)},
		{Method: "POST", Template: "/org/onboard/start", Path: "/org/onboard/start", Want: orgPage(unprocessable)},
		{Method: "GET", Template: "/org/onboard/{id}", Path: "/org/onboard/{onboard}", Want: hmpPage(ok)},
		{Method: "GET", Template: "/org/onboard/{id}/add", Path: "/org/onboard/{onboard}/add", Want: hmpPage(ok)},
		{Method: "POST", Template: "/org/onboard/{id}/add", Path: "/org/onboard/{onboard}/add", Want: hmpPage(forbidden)}, // not multipart: no csrf part
		{Method: "GET", Template: "/org/onboard/{id}/letter", Path: "/org/onboard/{onboard}/letter", Want: hmpPage(ok)},
		{Method: "POST", Template: "/org/onboard/{id}/letter", Path: "/org/onboard/{onboard}/letter", Want: hmpPage(ok)},
		{Method: "GET", Template: "/org/onboard/{id}/national-insurance", Path: "/org/onboard/{onboard}/national-insurance", Want: hmpPage(ok)},
		{Method: "POST", Template: "/org/onboard/{id}/national-insurance", Path: "/org/onboard/{onboard}/national-insurance", Want: hmpPage(unprocessable)},
		// Claiming is for someone signed out; anyone signed in is told to sign out first.
		{Method: "GET", Template: "/claim", Path: "/claim", Want: signedIn(ok, conflict)},
		{Method: "POST", Template: "/claim", Path: "/claim", Want: signedIn(forbidden, conflict)},
		// Enrolment on the web: the leaver, or a helper with add.
		{Method: "GET", Template: "/my/organisations", Path: "/my/organisations", Want: leaverPage(ok)},
		{Method: "GET", Template: "/my/organisations/join", Path: "/my/organisations/join?code={join}", Want: leaverPage(ok)},
		{Method: "POST", Template: "/my/organisations/join", Path: "/my/organisations/join", Want: leaverPage(unprocessable)},
		{Method: "GET", Template: "/my/organisations/{org}/stop", Path: "/my/organisations/hmp/stop", Want: leaverPage(ok)}, // both enrolled by the API row above
		{Method: "POST", Template: "/my/organisations/{org}/stop", Path: "/my/organisations/elsewhere/stop", Want: leaverPage(notFound)},
		{Method: "GET", Template: "/helping/{pod}/organisations", Path: "/helping/{pod}/organisations", Want: helperPage(hAdd)},
		{Method: "GET", Template: "/helping/{pod}/organisations/join", Path: "/helping/{pod}/organisations/join", Want: helperPage(hAdd)},
		{Method: "POST", Template: "/helping/{pod}/organisations/join", Path: "/helping/{pod}/organisations/join", Want: helperPage().with(unprocessable, hAdd)},
		// Where an organisation's QR code leads: a leaver goes on to say yes.
		{Method: "GET", Template: "/join/{code}", Path: "/join/{join}", Want: all(ok).with(seeOther, owner, other)},
		{Method: "GET", Template: "/join/{code}", Path: "/join/ABCD2345", Want: all(notFound)},
		// Last, since they end sign-ins.
		{Method: "POST", Template: "/sign-out", Path: "/sign-out", Want: all(seeOther)},
		// Every browser is signed out by now (account_web_test.go tries it
		// signed in).
		{Method: "POST", Template: "/my/devices/sign-out-everywhere", Path: "/my/devices/sign-out-everywhere", Want: all(seeOther)},
		// Ends every sign-in of whoever sends it.
		// Only servers sharing S3 storage, with a member's token, may make
		// one forget objects; this test server is on local storage.
		{Method: "*", Template: "/internal/cache/invalidate", Send: "POST", Path: "/internal/cache/invalidate", Body: `{"keys":["x"]}`, CT: jsonCT, Want: all(notFound)},
		{Method: "POST", Template: "/auth/sign-out-everywhere", Path: "/auth/sign-out-everywhere", Want: signedIn(unauth, noContent)},
	}
}
