package consent_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/access"
	"github.com/satchel-project/satchel/consent"
)

// The consent API as a leaver's client, a helper's and a stranger's see
// it: statuses, problem bodies and what is written to the access log.

type api struct {
	*fixture
	r      *mux.Router
	now    time.Time
	owner  access.Principal
	helper access.Principal
	// tooMany makes FindHelper refuse as after too many lookups.
	tooMany bool
}

func newAPI(t *testing.T) *api {
	t.Helper()
	return newAPIOver(t, newFixture(t, t.TempDir()))
}

// newAPIOver serves the consent API of fixture f.
func newAPIOver(t *testing.T, f *fixture) *api {
	t.Helper()
	a := &api{fixture: f, now: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)}
	clockAt(a.fixture, &a.now)
	a.owner = access.Principal{Account: "owneracct", Name: "Jo Bloggs", Kind: access.Leaver, Pod: string(a.pod), AuthTime: a.now}
	a.helper = access.Principal{Account: "helperacct", Name: "Sam Helper", Kind: access.Helper}
	h := &consent.Handler{
		Service: a.svc,
		FindHelper: func(ctx context.Context, username string) (consent.HelperAccount, error) {
			if a.tooMany {
				return consent.HelperAccount{}, consent.ErrTooManyLookups
			}
			if username == "sam" {
				return consent.HelperAccount{ID: "helperacct", Username: "sam", Name: "Sam Helper"}, nil
			}
			return consent.HelperAccount{}, consent.ErrNotHelper
		},
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	a.r = mux.NewRouter()
	h.Routes(a.r)
	return a
}

type reply struct {
	*httptest.ResponseRecorder
	t *testing.T
}

// do sends a request as who; a body is sent as JSON.
func (a *api) do(t *testing.T, who access.Principal, method, target, body string) reply {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req = req.WithContext(access.WithPrincipal(req.Context(), who))
	rec := httptest.NewRecorder()
	a.r.ServeHTTP(rec, req)
	return reply{rec, t}
}

// want checks the status and, for a problem, its code.
func (r reply) want(status int, code string) reply {
	r.t.Helper()
	if r.Code != status {
		r.t.Fatalf("status %d, want %d: %s", r.Code, status, r.Body)
	}
	if code != "" {
		if !strings.Contains(r.Body.String(), `"`+code+`"`) {
			r.t.Fatalf("problem %s, want code %q", r.Body, code)
		}
	}
	return r
}

func (r reply) json() map[string]any {
	r.t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body.Bytes(), &m); err != nil {
		r.t.Fatalf("%v: %s", err, r.Body)
	}
	return m
}

const shareBody = `{"recipient":{"name":"Acme Lettings","kind":"landlord"},"purpose":"tenancy-application","items":[{"path":"documents/letter.pdf"}]}`

// delegate lets the helper act in the owner's pod with rights.
func (a *api) delegate(t *testing.T, rights ...consent.Right) {
	t.Helper()
	if err := a.svc.SetHelper(context.Background(), consent.Delegation{Pod: a.pod, LeaverName: "Jo Bloggs", Helper: a.helper.Account, HelperUser: "sam", HelperName: "Sam Helper", Rights: rights}); err != nil {
		t.Fatal(err)
	}
}

func (a *api) log(t *testing.T) []consent.LogEntry {
	t.Helper()
	l, err := a.svc.Log(context.Background(), a.pod)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestAPICreateByOwner: the owner's new share, as their client sees it.
func TestAPICreateByOwner(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	m := a.do(t, a.owner, "POST", "/api/v1/grants", shareBody).want(http.StatusCreated, "").json()
	id := m["id"].(string)
	self := base + "/api/v1/grants/" + id
	g, _, err := a.svc.Resolve(context.Background(), strings.TrimPrefix(m["shareURL"].(string), base+"/s/"))
	if err != nil || string(g.ID) != id {
		t.Fatalf("the share link %v does not lead to the share: %v", m["shareURL"], err)
	}
	for k, want := range map[string]any{
		"status": "active", "sharedBy": "Jo Bloggs", "purpose": "tenancy-application", "receipt": self + "/receipt",
		"maxViews": float64(0), "views": float64(0), "expires": a.now.Add(consent.DefaultTTL).Format(time.RFC3339),
		"credential": g.Credential,
	} {
		if m[k] != want {
			t.Errorf("%s: %v, want %v", k, m[k], want)
		}
	}
	if qr := m["qr"].(map[string]any); qr["png"] != self+"/qr.png" || qr["svg"] != self+"/qr.svg" {
		t.Errorf("qr: %v", qr)
	}
	for _, k := range []string{"shareCode", "revokedAt"} {
		if _, ok := m[k]; ok {
			t.Errorf("a new share with no date of birth known has %s: %v", k, m[k])
		}
	}
	// Named as they choose, for a length they choose, with a code once
	// their date of birth is known.
	putRecord(t, a.fixture, "identity/birth.jsonld", `{"type":"BirthCertificate","birthDate":"1990-04-23"}`)
	body := `{"sharedBy":"Jo B","recipient":{"name":"Acme Lettings","kind":"landlord"},"purpose":"tenancy-application","items":[{"path":"documents/letter.pdf"}],"expiresIn":"7d","maxViews":2}`
	r := a.do(t, a.owner, "POST", "/api/v1/grants", body).want(http.StatusCreated, "")
	m = r.json()
	if m["sharedBy"] != "Jo B" || m["expires"] != a.now.Add(7*24*time.Hour).Format(time.RFC3339) || m["maxViews"] != float64(2) {
		t.Errorf("named share: %v", m)
	}
	if loc := r.Header().Get("Location"); loc != base+"/api/v1/grants/"+m["id"].(string) {
		t.Errorf("Location %q", loc)
	}
	if c, _ := m["shareCode"].(string); len(c) != 11 {
		t.Errorf("share code %v", m["shareCode"])
	}
	if log := a.log(t); len(log) != 0 {
		t.Errorf("the owner's own shares are logged: %+v", log)
	}
	// One that starts later says so.
	later := `{"recipient":{"name":"Acme Lettings","kind":"landlord"},"purpose":"tenancy-application","items":[{"path":"documents/letter.pdf"}],"notBefore":"` + a.now.Add(time.Hour).Format(time.RFC3339) + `"}`
	if m := a.do(t, a.owner, "POST", "/api/v1/grants", later).want(http.StatusCreated, "").json(); m["status"] != "scheduled" {
		t.Errorf("a share starting in an hour is %v", m["status"])
	}
}

// TestAPICreateRefusals: what a client is told when a share cannot be made.
func TestAPICreateRefusals(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	req := httptest.NewRequest("POST", "/api/v1/grants", strings.NewReader(shareBody))
	req.Header.Set("Content-Type", "text/plain")
	rec := httptest.NewRecorder()
	a.r.ServeHTTP(rec, req.WithContext(access.WithPrincipal(req.Context(), a.owner)))
	reply{rec, t}.want(http.StatusUnsupportedMediaType, "unsupported-type")

	a.do(t, a.owner, "POST", "/api/v1/grants", `{"recipient":`).want(http.StatusBadRequest, "bad-request")
	a.do(t, a.owner, "POST", "/api/v1/grants", `{"colour":"red"}`).want(http.StatusBadRequest, "bad-request")
	a.do(t, access.Principal{}, "POST", "/api/v1/grants", shareBody).want(http.StatusUnauthorized, "unauthenticated")
	a.do(t, a.helper, "POST", "/api/v1/grants", shareBody).want(http.StatusForbidden, "no-pod")

	for what, c := range map[string]struct{ body, words string }{
		"an unknown purpose": {`{"recipient":{"name":"Acme","kind":"landlord"},"purpose":"curiosity","items":[{"path":"documents/letter.pdf"}]}`, "Say why you are sharing"},
		"a missing item":     {`{"recipient":{"name":"Acme","kind":"landlord"},"purpose":"other","items":[{"path":"documents/none.pdf"}]}`, "There is nothing called documents/none.pdf"},
		"a bad length":       {`{"recipient":{"name":"Acme","kind":"landlord"},"purpose":"other","items":[{"path":"documents/letter.pdf"}],"expiresIn":"forever"}`, "is not a length of time"},
	} {
		r := a.do(t, a.owner, "POST", "/api/v1/grants", c.body)
		if r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body.String(), "invalid-share") || !strings.Contains(r.Body.String(), c.words) {
			t.Errorf("%s: %d %s, want 422 saying %q", what, r.Code, r.Body, c.words)
		}
	}
	// Nothing was made.
	if list, _ := a.svc.List(context.Background(), a.pod); len(list) != 0 {
		t.Errorf("%d shares after refusals", len(list))
	}
}

// TestAPIHelperShares: a helper the owner let view and share makes shares
// in the owner's name, with their own; the owner's log says so; a helper
// not chosen, or not allowed to share, cannot.
func TestAPIHelperShares(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	withPod := func(body string) string { return `{"pod":"` + string(a.pod) + `",` + body[1:] }
	a.do(t, a.helper, "POST", "/api/v1/grants", withPod(shareBody)).want(http.StatusNotFound, "not-found")
	a.do(t, a.helper, "GET", "/api/v1/grants?pod="+string(a.pod), "").want(http.StatusNotFound, "not-found")
	a.delegate(t, consent.RightView)
	r := a.do(t, a.helper, "POST", "/api/v1/grants", withPod(shareBody)).want(http.StatusForbidden, "not-delegated")
	if !strings.Contains(r.Body.String(), "Jo Bloggs has not allowed you to share this") {
		t.Errorf("a helper who may only view is told %s", r.Body)
	}
	a.delegate(t, consent.RightView, consent.RightShare)
	r = a.do(t, a.helper, "POST", "/api/v1/grants", withPod(`{"recipient":{"name":"Acme","kind":"landlord"},"purpose":"other","items":[{"path":"access-log/x.json"}]}`)).want(http.StatusForbidden, "not-delegated")
	if !strings.Contains(r.Body.String(), "Jo Bloggs has not allowed you to share this") {
		t.Errorf("refusal to share the access log: %s", r.Body)
	}
	a.do(t, a.helper, "POST", "/api/v1/grants", withPod(`{"sharedBy":"Sam","recipient":{"name":"Acme","kind":"landlord"},"purpose":"other","items":[{"path":"documents/letter.pdf"}]}`)).want(http.StatusUnprocessableEntity, "invalid-share")

	m := a.do(t, a.helper, "POST", "/api/v1/grants", withPod(shareBody)).want(http.StatusCreated, "").json()
	if m["sharedBy"] != "Jo Bloggs (with help from Sam Helper)" {
		t.Errorf("a helper's share is shown as made by %v", m["sharedBy"])
	}
	helperShare := m["id"].(string)
	ownerShare := a.do(t, a.owner, "POST", "/api/v1/grants", shareBody).want(http.StatusCreated, "").json()["id"].(string)

	log := a.log(t)
	if len(log) != 1 || log[0].Type != "share" || string(log[0].Grant) != helperShare || log[0].Who != "Sam Helper" || log[0].Recipient.Name != "Acme Lettings" || log[0].Purpose != "tenancy-application" {
		t.Fatalf("log after a helper's share: %+v", log)
	}

	// The helper lists every share but sees only their own one's link.
	list := a.do(t, a.helper, "GET", "/api/v1/grants?pod="+string(a.pod), "").want(http.StatusOK, "").json()["grants"].([]any)
	if len(list) != 2 {
		t.Fatalf("the helper lists %d shares", len(list))
	}
	for _, x := range list {
		sh := x.(map[string]any)
		_, link := sh["shareURL"]
		if _, cred := sh["credential"]; cred {
			t.Errorf("a list shows a credential: %v", sh)
		}
		if want := sh["id"] == helperShare; link != want {
			t.Errorf("helper sees the link of %v: %v, want %v", sh["id"], link, want)
		}
	}
	// The owner's link is not theirs to see, even by ID.
	a.do(t, a.helper, "GET", "/api/v1/grants/"+ownerShare, "").want(http.StatusForbidden, "no-pod")

	// The helper withdraws a share; the log says who.
	a.do(t, a.helper, "POST", "/api/v1/grants/"+ownerShare+"/revoke?pod="+string(a.pod), "").want(http.StatusNoContent, "")
	log = a.log(t)
	if len(log) != 2 || log[0].Type != "revoke" || string(log[0].Grant) != ownerShare || log[0].Who != "Sam Helper" {
		t.Fatalf("log after a helper's withdrawal: %+v", log)
	}
	// A helper whose delegation is withdrawn can do nothing more.
	if err := a.svc.RemoveHelper(context.Background(), a.pod, a.helper.Account); err != nil {
		t.Fatal(err)
	}
	a.do(t, a.helper, "POST", "/api/v1/grants/"+helperShare+"/revoke?pod="+string(a.pod), "").want(http.StatusNotFound, "not-found")
	if sh, _ := a.svc.Get(context.Background(), a.pod, consent.GrantID(helperShare)); sh.Revoked {
		t.Errorf("a removed helper withdrew a share")
	}
}

// TestAPIOwnerManagesShares: list with a filter, show, withdraw, receipt,
// QR codes; another pod's owner sees none of it.
func TestAPIOwnerManagesShares(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	body := `{"recipient":{"name":"Acme Lettings","kind":"landlord"},"purpose":"tenancy-application","purposeText":"flat 2","items":[{"path":"documents/"}],"maxViews":1}`
	first := a.do(t, a.owner, "POST", "/api/v1/grants", body).want(http.StatusCreated, "").json()
	a.now = a.now.Add(time.Minute)
	second := a.do(t, a.owner, "POST", "/api/v1/grants", shareBody).want(http.StatusCreated, "").json()
	id1, id2 := first["id"].(string), second["id"].(string)

	list := a.do(t, a.owner, "GET", "/api/v1/grants", "").want(http.StatusOK, "").json()["grants"].([]any)
	if len(list) != 2 || list[0].(map[string]any)["id"] != id2 || list[1].(map[string]any)["id"] != id1 {
		t.Fatalf("list, newest first: %v", list)
	}
	if _, ok := list[0].(map[string]any)["shareURL"]; !ok {
		t.Errorf("the owner's list has no links")
	}
	a.do(t, access.Principal{}, "GET", "/api/v1/grants", "").want(http.StatusUnauthorized, "unauthenticated")

	show := a.do(t, a.owner, "GET", "/api/v1/grants/"+id1, "").want(http.StatusOK, "").json()
	if show["credential"] != first["credential"] || show["shareURL"] != first["shareURL"] || show["purposeText"] != "flat 2" {
		t.Errorf("show: %v", show)
	}
	a.do(t, a.owner, "GET", "/api/v1/grants/aaaaaaaaaaaaaaaaaaaaaaaaaa", "").want(http.StatusNotFound, "not-found")
	a.do(t, access.Principal{}, "GET", "/api/v1/grants/"+id1, "").want(http.StatusUnauthorized, "unauthenticated")

	// Another leaver, with a pod of their own.
	otherPod, err := a.pods.CreatePod(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	stranger := access.Principal{Account: "strangeracct", Name: "Al", Kind: access.Leaver, Pod: string(otherPod), AuthTime: a.now}
	for _, p := range []string{"", "/receipt", "/qr.png", "/qr.svg"} {
		a.do(t, stranger, "GET", "/api/v1/grants/"+id1+p, "").want(http.StatusNotFound, "not-found")
	}
	a.do(t, stranger, "POST", "/api/v1/grants/"+id1+"/revoke", "").want(http.StatusNotFound, "not-found")
	a.do(t, stranger, "POST", "/api/v1/grants/"+id1+"/revoke?pod="+string(a.pod), "").want(http.StatusNotFound, "not-found")
	if l := a.do(t, stranger, "GET", "/api/v1/grants", "").want(http.StatusOK, "").json()["grants"].([]any); len(l) != 0 {
		t.Errorf("a stranger lists %d shares", len(l))
	}

	r := a.do(t, a.owner, "GET", "/api/v1/grants/"+id1+"/receipt", "").want(http.StatusOK, "")
	if r.Header().Get("Content-Type") != "text/plain; charset=utf-8" || r.Header().Get("Cache-Control") != "no-store" || !strings.Contains(r.Header().Get("Content-Disposition"), "attachment") {
		t.Errorf("receipt headers: %v", r.Header())
	}
	for _, words := range []string{first["shareURL"].(string), "They can open it once.", "for 10 minutes", "documents/ (everything in this folder)", "to apply for a tenancy: flat 2", "Signed by: did:web:satchel.example.org"} {
		if !strings.Contains(r.Body.String(), words) {
			t.Errorf("the receipt does not say %q:\n%s", words, r.Body)
		}
	}
	r = a.do(t, a.owner, "GET", "/api/v1/grants/"+id1+"/qr.png", "").want(http.StatusOK, "")
	if r.Header().Get("Content-Type") != "image/png" || !bytes.HasPrefix(r.Body.Bytes(), []byte("\x89PNG")) || r.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("qr.png: %v, %q", r.Header(), r.Body.Bytes()[:8])
	}
	r = a.do(t, a.owner, "GET", "/api/v1/grants/"+id1+"/qr.svg", "").want(http.StatusOK, "")
	if r.Header().Get("Content-Type") != "image/svg+xml" || !strings.Contains(r.Body.String(), "Share link for Acme Lettings") {
		t.Errorf("qr.svg: %v, %.200s", r.Header(), r.Body)
	}

	a.now = a.now.Add(time.Minute)
	a.do(t, a.owner, "POST", "/api/v1/grants/"+id1+"/revoke", "").want(http.StatusNoContent, "")
	a.do(t, a.owner, "POST", "/api/v1/grants/"+id1+"/revoke", "").want(http.StatusNoContent, "")
	a.do(t, a.owner, "POST", "/api/v1/grants/aaaaaaaaaaaaaaaaaaaaaaaaaa/revoke", "").want(http.StatusNotFound, "not-found")
	show = a.do(t, a.owner, "GET", "/api/v1/grants/"+id1, "").want(http.StatusOK, "").json()
	if show["status"] != "revoked" || show["revokedAt"] != a.now.Format(time.RFC3339) {
		t.Errorf("after withdrawal: %v at %v", show["status"], show["revokedAt"])
	}
	revoked := a.do(t, a.owner, "GET", "/api/v1/grants?status=revoked", "").want(http.StatusOK, "").json()["grants"].([]any)
	if len(revoked) != 1 || revoked[0].(map[string]any)["id"] != id1 {
		t.Errorf("status=revoked lists %v", revoked)
	}
	active := a.do(t, a.owner, "GET", "/api/v1/grants?status=active", "").want(http.StatusOK, "").json()["grants"].([]any)
	if len(active) != 1 || active[0].(map[string]any)["id"] != id2 {
		t.Errorf("status=active lists %v", active)
	}
	if log := a.log(t); len(log) != 0 {
		t.Errorf("the owner's own withdrawal is logged: %+v", log)
	}
}

// TestAPIAccessLog: the owner reads what was seen, newest first; nobody
// else reads it.
func TestAPIAccessLog(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	if e := a.do(t, a.owner, "GET", "/api/v1/log", "").want(http.StatusOK, "").json()["entries"].([]any); len(e) != 0 {
		t.Errorf("a new pod's log: %v", e)
	}
	n := newGrant(a.pod)
	n.Items = []consent.Item{{Path: "documents/"}}
	n.MaxViews = 2
	g, err := a.svc.Create(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := a.svc.Use(ctx, g, consent.Visit{Request: consent.Request{Path: "documents/", Opening: true}, Who: "Acme Lettings"}); err != nil {
		t.Fatal(err)
	}
	a.now = a.now.Add(time.Minute)
	if _, err := a.svc.Use(ctx, g, consent.Visit{Request: consent.Request{Path: "documents/letter.pdf"}, Who: "Acme Lettings"}); err != nil {
		t.Fatal(err)
	}
	if d, err := a.svc.Use(ctx, g, consent.Visit{Request: consent.Request{Path: "identity/x"}, Who: "Acme Lettings"}); err != nil || d.Allowed {
		t.Fatalf("out of scope: %+v %v", d, err)
	}
	entries := a.do(t, a.owner, "GET", "/api/v1/log", "").want(http.StatusOK, "").json()["entries"].([]any)
	if len(entries) != 2 {
		t.Fatalf("log: %v", entries)
	}
	item, page := entries[0].(map[string]any), entries[1].(map[string]any)
	if item["resource"] != "documents/letter.pdf" || item["who"] != "Acme Lettings" || item["views"] != float64(1) || item["view"] != nil || item["opening"] != nil || item["at"] != a.now.Format(time.RFC3339) {
		t.Errorf("the item's entry: %v", item)
	}
	if page["resource"] != "documents/" || page["view"] != true || page["opening"] != true || page["type"] != "view" || page["grant"] != string(g.ID) {
		t.Errorf("the opening's entry: %v", page)
	}
	a.do(t, access.Principal{}, "GET", "/api/v1/log", "").want(http.StatusUnauthorized, "unauthenticated")
	a.do(t, a.helper, "GET", "/api/v1/log", "").want(http.StatusForbidden, "no-pod")
}

// TestUseOpensAndReopens: an opening records its time; the same browser
// reopening within the window is the same view; Use's log says which
// request used a view.
func TestUseOpensAndReopens(t *testing.T) {
	t.Parallel()
	f := newFixture(t, t.TempDir())
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	clockAt(f, &now)
	n := newGrant(f.pod)
	n.MaxViews = 2
	g, err := f.svc.Create(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	page := consent.Request{Path: "documents/letter.pdf", Opening: true}
	d, err := f.svc.Use(ctx, g, consent.Visit{Request: page})
	if err != nil || !d.Allowed || !d.View || !d.OpenedAt.Equal(now) {
		t.Fatalf("first opening: %+v %v", d, err)
	}
	first := now
	now = now.Add(time.Minute)
	again := page
	again.Reopens = first
	d, err = f.svc.Use(ctx, g, consent.Visit{Request: again})
	if err != nil || !d.Allowed || d.View || !d.OpenedAt.Equal(first) {
		t.Fatalf("reopening in the window: %+v %v", d, err)
	}
	d, err = f.svc.Use(ctx, g, consent.Visit{Request: page})
	if err != nil || !d.Allowed || !d.View || !d.OpenedAt.Equal(now) {
		t.Fatalf("another browser's opening: %+v %v", d, err)
	}
	sh, err := f.svc.Get(ctx, f.pod, g.ID)
	if err != nil || sh.Views != 2 || sh.Status != "used-up" || !sh.OpenedAt.Equal(now) {
		t.Errorf("after two views: %+v %v", sh.State, err)
	}
	// A share whose end has passed says so.
	now = g.Expires
	if sh, _ := f.svc.Get(ctx, f.pod, g.ID); sh.Status != "expired" {
		t.Errorf("at its end the share is %q", sh.Status)
	}
}
