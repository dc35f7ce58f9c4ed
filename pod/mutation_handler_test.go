package pod_test

// The pod's HTTP handler as a client, a helper or an outsider sees it:
// statuses, problem codes, headers and the bytes stored, for the decisions
// handler.go makes before storage is reached (issue 18).

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/satchel-project/satchel/access"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/pod/podtest"
	"github.com/satchel-project/satchel/vault"
)

const testBase = "https://satchel.example"

// handlerPod is a handler over one fresh pod, with a helper whose rights
// the test sets and an audit hook that records what it is told.
type handlerPod struct {
	h     *pod.Handler
	svc   *pod.Service
	id    pod.PodID
	owner access.Principal

	mu        sync.Mutex
	rights    []access.Right
	delegErr  error
	auditErr  error
	audited   []string
	delegated int
}

func newHandlerPod(t *testing.T) *handlerPod {
	t.Helper()
	svc, _ := podtest.New(t)
	id, err := svc.CreatePod(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	hp := &handlerPod{svc: svc, id: id, owner: access.Principal{Account: "acct-owner", Name: "Owner", Kind: access.Leaver, Pod: string(id)}}
	hp.h = &pod.Handler{
		Service:   svc,
		BaseURL:   testBase,
		MaxUpload: 4096,
		Delegated: func(_ context.Context, pid pod.PodID, account string) ([]access.Right, error) {
			hp.mu.Lock()
			defer hp.mu.Unlock()
			hp.delegated++
			if pid != id || account != "acct-helper" {
				return nil, nil
			}
			return hp.rights, hp.delegErr
		},
		Audit: func(_ context.Context, pid pod.PodID, actor, action string, p pod.Path) error {
			hp.mu.Lock()
			defer hp.mu.Unlock()
			if hp.auditErr != nil {
				return hp.auditErr
			}
			hp.audited = append(hp.audited, actor+" "+action+" "+string(p))
			return nil
		},
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	return hp
}

var helper = access.Principal{Account: "acct-helper", Name: "Sam Support", Kind: access.Helper}

// req is one request: who (zero: nobody signed in), method, the raw path
// (escaped, as on the wire), headers ("Name: value") and a body.
func (hp *handlerPod) req(who access.Principal, method, target, body string, headers ...string) *httptest.ResponseRecorder {
	var r *http.Request
	if body == "" {
		r = httptest.NewRequest(method, "http://satchel.example"+target, nil)
	} else {
		r = httptest.NewRequest(method, "http://satchel.example"+target, strings.NewReader(body))
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		r.Header.Add(k, v)
	}
	if who.SignedIn() {
		r = r.WithContext(access.WithPrincipal(r.Context(), who))
	}
	w := httptest.NewRecorder()
	hp.h.ServeHTTP(w, r)
	return w
}

func (hp *handlerPod) path(p string) string { return pod.Prefix + string(hp.id) + "/" + p }

// code is the problem code of a problem document ("" for any other body).
func code(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	if w.Header().Get("Content-Type") != "application/problem+json" {
		return ""
	}
	var b struct {
		Code   string `json:"code"`
		Detail string `json:"detail"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil {
		t.Fatalf("problem body %q: %v", w.Body, err)
	}
	return b.Code
}

func detail(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	var b struct {
		Detail string `json:"detail"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil {
		t.Fatalf("problem body %q: %v", w.Body, err)
	}
	return b.Detail
}

func expect(t *testing.T, what string, w *httptest.ResponseRecorder, status int, problemCode string) {
	t.Helper()
	if w.Code != status || code(t, w) != problemCode {
		t.Errorf("%s: %d %q, want %d %q (body %s)", what, w.Code, code(t, w), status, problemCode, w.Body)
	}
}

func (hp *handlerPod) stored(t *testing.T, p string) (string, bool) {
	t.Helper()
	_, rc, err := hp.svc.Get(context.Background(), hp.id, pod.Path(p))
	if errors.Is(err, pod.ErrNotFound) {
		return "", false
	}
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), true
}

func (hp *handlerPod) put(t *testing.T, p, body string) {
	t.Helper()
	if w := hp.req(hp.owner, http.MethodPut, hp.path(p), body, "Content-Type: text/plain"); w.Code != http.StatusCreated && w.Code != http.StatusNoContent {
		t.Fatalf("PUT %s: %d %s", p, w.Code, w.Body)
	}
}

// The address-length limit comes before anything else, at exactly 3 ×
// MaxPathBytes + len(Prefix) + 40 bytes of escaped path; ParsePath's own
// limits answer 414 too, and a malformed path 400, signed in or not.
func TestHandlerAddressLimits(t *testing.T) {
	hp := newHandlerPod(t)
	limit := 3*pod.MaxPathBytes + len(pod.Prefix) + 40
	atLimit := pod.Prefix + strings.Repeat("a", limit-len(pod.Prefix)-1) + "/"
	if len(atLimit) != limit {
		t.Fatalf("built %d bytes, want %d", len(atLimit), limit)
	}
	// At the limit the address is read (a pod ID that cannot exist: 404),
	// one byte over it is refused unread.
	expect(t, "at the limit", hp.req(hp.owner, http.MethodGet, atLimit, ""), http.StatusNotFound, "not-found")
	expect(t, "at the limit, signed out", hp.req(access.Principal{}, http.MethodGet, atLimit, ""), http.StatusUnauthorized, "unauthenticated")
	expect(t, "one over", hp.req(hp.owner, http.MethodGet, atLimit+"b", ""), http.StatusRequestURITooLong, "path-too-long")
	expect(t, "one over, signed out", hp.req(access.Principal{}, http.MethodGet, "/"+atLimit, ""), http.StatusRequestURITooLong, "path-too-long")

	seg := strings.Repeat("s", pod.MaxSegmentBytes)
	expect(t, "longest name", hp.req(hp.owner, http.MethodGet, hp.path("documents/"+seg), ""), http.StatusNotFound, "not-found")
	expect(t, "name one byte too long", hp.req(hp.owner, http.MethodGet, hp.path("documents/"+seg+"s"), ""), http.StatusRequestURITooLong, "path-too-long")
	deep := strings.Repeat("d/", pod.MaxDepth+1)
	expect(t, "too deep", hp.req(hp.owner, http.MethodGet, hp.path(deep), ""), http.StatusRequestURITooLong, "path-too-long")

	for _, bad := range []string{
		"..", "../", "%2e%2e/", "%2E%2E/", "documents/%2e%2e/access-log/", "documents/./x.pdf", "documents/%2e/x.pdf",
		"documents//x.pdf", "/documents/", "documents/a%2Fb.pdf", "documents/a%2fb.pdf", "documents/a%5Cb.pdf",
		"documents/a\\b.pdf", "documents/a%00b.pdf", "documents/a%0Ab.pdf", "documents/%ff.pdf",
	} {
		for _, who := range []access.Principal{hp.owner, {}} {
			for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodOptions} {
				w := hp.req(who, m, hp.path(bad), "x", "Content-Type: text/plain")
				expect(t, m+" "+bad, w, http.StatusBadRequest, "bad-path")
			}
		}
	}
	// Nothing was written anywhere by the refused PUTs.
	_, members, err := hp.svc.List(context.Background(), hp.id, "documents/")
	if err != nil || len(members) != 0 {
		t.Errorf("documents/ after refused writes: %v, %v", members, err)
	}
}

func TestPodIDShape(t *testing.T) {
	base := strings.Repeat("m", 24)
	for _, ok := range []string{base + "az", base + "27", "abcdefghijklmnopqrstuvwxyz", "zzzzzzzzzzzzzzzzzzzzzzzz72"[:26]} {
		if !pod.PodID(ok).Valid() {
			t.Errorf("%q refused", ok)
		}
	}
	for _, bad := range []string{base + "a`", base + "a{", base + "21", base + "28", base + "aA", base + "a-", base + "a", base + "aaa", ""} {
		if pod.PodID(bad).Valid() {
			t.Errorf("%q accepted", bad)
		}
	}
}

// Another pod, a pod that does not exist, a malformed pod ID and a helper
// with no rights all get the same 404; nobody signed in gets 401.
func TestHandlerOutsiders(t *testing.T) {
	hp := newHandlerPod(t)
	hp.put(t, "housing/lease.txt", "tenancy")
	other, err := hp.svc.CreatePod(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	stranger := access.Principal{Account: "acct-other", Name: "Other", Kind: access.Leaver, Pod: string(other)}
	for _, c := range []struct {
		what   string
		who    access.Principal
		target string
	}{
		{"another leaver", stranger, hp.path("housing/lease.txt")},
		{"another leaver, root", stranger, hp.path("")},
		{"a helper with no rights", helper, hp.path("housing/lease.txt")},
		{"owner, missing pod", hp.owner, pod.Prefix + strings.Repeat("q", 26) + "/housing/lease.txt"},
		{"owner, malformed pod ID", hp.owner, pod.Prefix + "ABC/housing/lease.txt"},
		{"owner, no slash after the pod ID", hp.owner, pod.Prefix + string(hp.id)},
		{"owner, outside /pods/", hp.owner, "/files/" + string(hp.id) + "/housing/lease.txt"},
		{"owner, encoded slash after the pod ID", hp.owner, pod.Prefix + string(hp.id) + "%2Fhousing/lease.txt"},
		{"owner, dot segment for the pod ID", hp.owner, pod.Prefix + "%2e%2e/" + string(hp.id) + "/housing/lease.txt"},
		{"owner, upper-case pod ID", hp.owner, pod.Prefix + strings.ToUpper(string(hp.id)) + "/housing/lease.txt"},
		{"the owner of the other pod", stranger, pod.Prefix + string(other) + "x/housing/"},
	} {
		for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
			w := hp.req(c.who, m, c.target, "x", "Content-Type: text/plain")
			expect(t, c.what+" "+m, w, http.StatusNotFound, "not-found")
			if w.Header().Get("WAC-Allow") != "" || strings.Contains(w.Body.String(), "tenancy") {
				t.Errorf("%s %s learnt something: %v %s", c.what, m, w.Header(), w.Body)
			}
		}
	}
	// A helper with every right in this pod has none in another.
	hp.rights = []access.Right{access.View, access.Add, access.Share, access.Reset}
	for _, m := range []string{http.MethodGet, http.MethodPut} {
		w := hp.req(helper, m, pod.Prefix+string(other)+"/documents/x.txt", "x", "Content-Type: text/plain")
		expect(t, "helper in another pod "+m, w, http.StatusNotFound, "not-found")
	}
	hp.rights = nil
	w := hp.req(access.Principal{}, http.MethodGet, hp.path("housing/lease.txt"), "")
	expect(t, "signed out", w, http.StatusUnauthorized, "unauthenticated")
	if w.Header().Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}
	if got, _ := hp.stored(t, "housing/lease.txt"); got != "tenancy" {
		t.Errorf("lease after outsiders: %q", got)
	}
	if len(hp.audited) != 0 {
		t.Errorf("outsiders audited: %v", hp.audited)
	}
	// The owner reads the subfolder asked for, not the root.
	w = hp.req(hp.owner, http.MethodGet, hp.path("housing/"), "", "Accept: application/ld+json")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "lease.txt") || strings.Contains(w.Body.String(), "qualifications/") {
		t.Errorf("owner GET housing/: %d %s", w.Code, w.Body)
	}
	if got := w.Header().Get("WAC-Allow"); got != `user="read write append",public=""` {
		t.Errorf("owner WAC-Allow %q", got)
	}
}

// OPTIONS and CORS preflights are answered without sign-in and without
// looking at storage; other requests echo the Origin.
func TestHandlerOptionsAndCORS(t *testing.T) {
	hp := newHandlerPod(t)
	folder := "OPTIONS, HEAD, GET, POST, PUT, DELETE"

	w := hp.req(access.Principal{}, http.MethodOptions, hp.path("documents/"), "")
	if w.Code != http.StatusNoContent || w.Header().Get("Allow") != folder || w.Header().Get("Accept-Post") == "" {
		t.Errorf("OPTIONS: %d %v", w.Code, w.Header())
	}
	for _, h := range []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Access-Control-Max-Age"} {
		if w.Header().Get(h) != "" {
			t.Errorf("OPTIONS without Origin sets %s", h)
		}
	}

	w = hp.req(access.Principal{}, http.MethodOptions, hp.path("documents/x.pdf"), "",
		"Origin: https://app.example", "Access-Control-Request-Method: PUT", "Access-Control-Request-Headers: content-type, if-match")
	want := map[string]string{
		"Allow":                        "OPTIONS, HEAD, GET, PUT, PATCH, DELETE",
		"Access-Control-Allow-Origin":  "https://app.example",
		"Access-Control-Allow-Methods": "OPTIONS, HEAD, GET, PUT, PATCH, DELETE",
		"Access-Control-Allow-Headers": "content-type, if-match",
		"Access-Control-Max-Age":       "600",
	}
	if w.Code != http.StatusNoContent {
		t.Errorf("preflight: %d", w.Code)
	}
	for k, v := range want {
		if got := w.Header().Get(k); got != v {
			t.Errorf("preflight %s = %q, want %q", k, got, v)
		}
	}

	// A preflight that asks for no headers is allowed none.
	w = hp.req(access.Principal{}, http.MethodOptions, hp.path("documents/x.pdf"), "", "Origin: https://app.example", "Access-Control-Request-Method: GET")
	if w.Header().Get("Access-Control-Allow-Methods") == "" || w.Header().Get("Access-Control-Allow-Headers") != "" {
		t.Errorf("preflight without headers: %v", w.Header())
	}
	// An Origin without a requested method is not a preflight.
	w = hp.req(access.Principal{}, http.MethodOptions, hp.path("documents/x.pdf"), "", "Origin: https://app.example")
	if w.Header().Get("Access-Control-Allow-Origin") != "https://app.example" || w.Header().Get("Access-Control-Allow-Methods") != "" || w.Header().Get("Access-Control-Max-Age") != "" {
		t.Errorf("OPTIONS with Origin only: %v", w.Header())
	}

	// Refusals carry CORS headers too, so a browser client can read them.
	w = hp.req(access.Principal{}, http.MethodGet, hp.path("documents/"), "", "Origin: https://app.example")
	expect(t, "signed out GET with Origin", w, http.StatusUnauthorized, "unauthenticated")
	if w.Header().Get("Access-Control-Allow-Origin") != "https://app.example" || !strings.Contains(w.Header().Get("Access-Control-Expose-Headers"), "WAC-Allow") {
		t.Errorf("CORS on a 401: %v", w.Header())
	}

	for p, allow := range map[string]string{
		"":                   "OPTIONS, HEAD, GET, POST, PUT",
		"housing/":           folder,
		"housing/a.pdf":      "OPTIONS, HEAD, GET, PUT, PATCH, DELETE",
		"housing/a.pdf.meta": "OPTIONS, HEAD, GET",
		"access-log/":        "OPTIONS, HEAD, GET",
		"access-log/x.json":  "OPTIONS, HEAD, GET",
	} {
		if got := hp.req(access.Principal{}, http.MethodOptions, hp.path(p), "").Header().Get("Allow"); got != allow {
			t.Errorf("Allow of %q = %q, want %q", p, got, allow)
		}
	}
}

// The access log can be read by the owner only, and changed by nobody.
func TestHandlerAccessLogReadOnly(t *testing.T) {
	hp := newHandlerPod(t)
	logPath, err := hp.svc.AppendLog(context.Background(), hp.id, []byte(`{"action":"view"}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{http.MethodGet, http.MethodHead} {
		if w := hp.req(hp.owner, m, hp.path(string(logPath)), ""); w.Code != http.StatusOK {
			t.Errorf("owner %s of a log entry: %d %s", m, w.Code, w.Body)
		}
		if w := hp.req(hp.owner, m, hp.path("access-log/"), ""); w.Code != http.StatusOK {
			t.Errorf("owner %s of the log: %d %s", m, w.Code, w.Body)
		}
	}
	for _, c := range []struct{ method, p string }{
		{http.MethodPut, string(logPath)},
		{http.MethodPut, "access-log/forged.json"},
		{http.MethodPost, "access-log/"},
		{http.MethodDelete, string(logPath)},
		{http.MethodPatch, string(logPath)},
	} {
		w := hp.req(hp.owner, c.method, hp.path(c.p), `{"action":"nothing"}`, "Content-Type: application/json")
		expect(t, "owner "+c.method+" "+c.p, w, http.StatusMethodNotAllowed, "read-only")
		if w.Header().Get("Allow") != "OPTIONS, HEAD, GET" {
			t.Errorf("%s %s: Allow %q", c.method, c.p, w.Header().Get("Allow"))
		}
	}
	if got, _ := hp.stored(t, string(logPath)); got != `{"action":"view"}` {
		t.Errorf("log entry now %q", got)
	}
	if _, ok := hp.stored(t, "access-log/forged.json"); ok {
		t.Error("a forged log entry was stored")
	}
	hp.rights = []access.Right{access.View, access.Add, access.Share, access.Reset}
	w := hp.req(helper, http.MethodGet, hp.path("access-log/"), "")
	expect(t, "helper reads the log", w, http.StatusForbidden, "not-delegated")
	if d := detail(t, w); d != "Only the person whose pod it is can read its access log." {
		t.Errorf("helper reads the log: %q", d)
	}
}

type recordProblems struct{ msg string }

func (e recordProblems) Error() string    { return e.msg }
func (e recordProblems) ProblemList() any { return []string{"the date is missing"} }

// A helper does what the owner delegated and no more: with View they read
// (not the log), with Add they create in documents/ but never replace,
// delete or write elsewhere; each use is recorded before it happens, and
// the owner's own requests are not.
func TestHandlerHelperRights(t *testing.T) {
	hp := newHandlerPod(t)
	hp.put(t, "documents/letter.txt", "original")
	hp.put(t, "housing/lease.txt", "tenancy")
	hp.audited = nil

	hp.rights = []access.Right{access.View}
	w := hp.req(helper, http.MethodGet, hp.path("housing/lease.txt"), "")
	if w.Code != http.StatusOK || w.Body.String() != "tenancy" || w.Header().Get("WAC-Allow") != `user="read",public=""` {
		t.Errorf("helper with view reads: %d %q %v", w.Code, w.Body, w.Header())
	}
	w = hp.req(helper, http.MethodPut, hp.path("documents/new.txt"), "new", "Content-Type: text/plain")
	expect(t, "helper with view writes", w, http.StatusForbidden, "not-delegated")
	if !strings.Contains(detail(t, w), "add new files to documents/ only") {
		t.Errorf("helper with view writes: %q", detail(t, w))
	}
	if got := strings.Join(hp.audited, "|"); got != "Sam Support view housing/lease.txt" {
		t.Errorf("audited %q", got)
	}
	hp.audited = nil

	hp.rights = []access.Right{access.Add}
	// Add without View: the pod exists for them, but not to read.
	expect(t, "helper with add reads", hp.req(helper, http.MethodGet, hp.path("documents/letter.txt"), ""), http.StatusForbidden, "not-delegated")
	w = hp.req(helper, http.MethodPut, hp.path("documents/new.txt"), "from the helper", "Content-Type: text/plain")
	if w.Code != http.StatusCreated || w.Header().Get("WAC-Allow") != `user="append",public=""` {
		t.Errorf("helper adds: %d %v %s", w.Code, w.Header(), w.Body)
	}
	if got, _ := hp.stored(t, "documents/new.txt"); got != "from the helper" {
		t.Errorf("added %q", got)
	}
	w = hp.req(helper, http.MethodPost, hp.path("documents/"), "posted", "Content-Type: text/plain", "Slug: note")
	if w.Code != http.StatusCreated || !strings.HasPrefix(w.Header().Get("Location"), testBase+hp.path("documents/")) {
		t.Errorf("helper posts: %d %v %s", w.Code, w.Header(), w.Body)
	}
	// Replacing is refused, whatever preconditions the helper sends.
	res, err := hp.svc.Stat(context.Background(), hp.id, "documents/letter.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, hdr := range []string{"X-None: 1", `If-Match: "` + res.ETag + `"`, "If-Match: *", "If-None-Match: \"nothing\""} {
		w = hp.req(helper, http.MethodPut, hp.path("documents/letter.txt"), "overwritten", "Content-Type: text/plain", hdr)
		expect(t, "helper replaces with "+hdr, w, http.StatusPreconditionFailed, "changed")
	}
	if got, _ := hp.stored(t, "documents/letter.txt"); got != "original" {
		t.Errorf("letter after the helper: %q", got)
	}
	for _, c := range []struct{ method, p, detail string }{
		{http.MethodPut, "housing/new.txt", "add new files to documents/ only"},
		{http.MethodPost, "housing/", "add new files to documents/ only"},
		{http.MethodPut, "documents/folder/", "add new files to documents/ only"},
		{http.MethodDelete, "documents/letter.txt", "Only the person whose pod it is can change or delete things in it."},
		{http.MethodPatch, "documents/letter.txt", "Only the person whose pod it is can change or delete things in it."},
	} {
		w := hp.req(helper, c.method, hp.path(c.p), "x", "Content-Type: text/plain")
		expect(t, "helper with add: "+c.method+" "+c.p, w, http.StatusForbidden, "not-delegated")
		if !strings.Contains(detail(t, w), c.detail) {
			t.Errorf("%s %s: %q", c.method, c.p, detail(t, w))
		}
	}
	if _, ok := hp.stored(t, "housing/new.txt"); ok {
		t.Error("helper wrote outside documents/")
	}
	if got, _ := hp.stored(t, "documents/letter.txt"); got != "original" {
		t.Errorf("letter after the helper: %q", got)
	}
	want := "Sam Support add documents/new.txt|Sam Support add documents/|" + strings.Repeat("Sam Support add documents/letter.txt|", 4)
	if got := strings.Join(hp.audited, "|") + "|"; got != want {
		t.Errorf("audited\n%q, want\n%q", got, want)
	}

	// The owner is not recorded in their own log.
	hp.audited = nil
	hp.put(t, "documents/mine.txt", "mine")
	if w := hp.req(hp.owner, http.MethodGet, hp.path("documents/mine.txt"), ""); w.Code != http.StatusOK {
		t.Errorf("owner GET: %d", w.Code)
	}
	if len(hp.audited) != 0 {
		t.Errorf("owner audited: %v", hp.audited)
	}

	// If the rights cannot be loaded, or the use cannot be recorded,
	// nothing happens.
	hp.delegErr = pod.ErrUnavailable
	expect(t, "rights unavailable", hp.req(helper, http.MethodPut, hp.path("documents/n1.txt"), "x", "Content-Type: text/plain"), http.StatusServiceUnavailable, "unavailable")
	hp.delegErr, hp.auditErr = nil, pod.ErrUnavailable
	expect(t, "audit unavailable", hp.req(helper, http.MethodPut, hp.path("documents/n2.txt"), "x", "Content-Type: text/plain"), http.StatusServiceUnavailable, "unavailable")
	for _, p := range []string{"documents/n1.txt", "documents/n2.txt"} {
		if _, ok := hp.stored(t, p); ok {
			t.Errorf("%s stored", p)
		}
	}
}

// Methods and addresses that cannot be used, and records the checker
// refuses, each say why.
func TestHandlerRefusalsSayWhy(t *testing.T) {
	hp := newHandlerPod(t)
	hp.put(t, "documents/a.txt", "a")
	for _, c := range []struct{ method, p, allow, detail string }{
		{"PROPFIND", "documents/", "OPTIONS, HEAD, GET, POST, PUT, DELETE", "This address does not support PROPFIND."},
		{http.MethodPost, "documents/a.txt", "OPTIONS, HEAD, GET, PUT, PATCH, DELETE", "This address does not support POST."},
		{http.MethodPut, "documents/a.txt.meta", "OPTIONS, HEAD, GET", "This is a description the server writes; it cannot be changed."},
		{http.MethodDelete, "documents/", "OPTIONS, HEAD, GET, POST, PUT, DELETE", "This folder is part of every pod and cannot be deleted."},
		{http.MethodDelete, "", "OPTIONS, HEAD, GET, POST, PUT", "The top folder of a pod cannot be deleted. To delete everything, delete the account."},
	} {
		w := hp.req(hp.owner, c.method, hp.path(c.p), "x", "Content-Type: text/plain")
		expect(t, c.method+" "+c.p, w, http.StatusMethodNotAllowed, "method-not-allowed")
		if w.Header().Get("Allow") != c.allow || detail(t, w) != c.detail {
			t.Errorf("%s %s: Allow %q, %q", c.method, c.p, w.Header().Get("Allow"), detail(t, w))
		}
	}
	if got, _ := hp.stored(t, "documents/a.txt"); got != "a" {
		t.Errorf("a.txt now %q", got)
	}

	for msg, want := range map[string]string{"": "This record cannot be stored as it is.", "the date is missing": "The date is missing."} {
		hp.h.CheckRecord = func([]byte, pod.Path) error { return recordProblems{msg} }
		w := hp.req(hp.owner, http.MethodPut, hp.path("housing/r.jsonld"), `{"@id":""}`, "Content-Type: application/ld+json")
		expect(t, "record refused with "+msg, w, http.StatusUnprocessableEntity, "invalid-record")
		if d := detail(t, w); d != want || !strings.Contains(w.Body.String(), `"problems":["the date is missing"]`) {
			t.Errorf("record refused with %q: %q %s", msg, d, w.Body)
		}
	}
	if _, ok := hp.stored(t, "housing/r.jsonld"); ok {
		t.Error("a refused record was stored")
	}
}

// What a client sends that cannot be stored is refused before anything is
// written: a body over the limit, a missing or unknown type, content that
// is not what its type says, a body for a folder; and conditional requests
// hold to the ETag.
func TestHandlerUploadsAndConditions(t *testing.T) {
	hp := newHandlerPod(t)
	max := int(hp.h.MaxUpload)
	for _, c := range []struct {
		what, body, ctype string
		status            int
		code              string
	}{
		{"at the limit", strings.Repeat("t", max), "text/plain", http.StatusCreated, ""},
		{"over the limit", strings.Repeat("t", max+1), "text/plain", http.StatusRequestEntityTooLarge, "too-large"},
		{"no type", "x", "", http.StatusBadRequest, "missing-content-type"},
		{"unknown type", "<html>", "text/html", http.StatusUnsupportedMediaType, "unsupported-type"},
		{"a PDF that is not", "MZ\x90\x00", "application/pdf", http.StatusUnsupportedMediaType, "type-mismatch"},
		{"text with a NUL", "a\x00b", "text/plain", http.StatusUnsupportedMediaType, "type-mismatch"},
		{"JSON that is not", "{", "application/json", http.StatusBadRequest, "bad-json"},
	} {
		hdrs := []string{}
		if c.ctype != "" {
			hdrs = append(hdrs, "Content-Type: "+c.ctype)
		}
		w := hp.req(hp.owner, http.MethodPut, hp.path("documents/u.txt"), c.body, hdrs...)
		expect(t, c.what, w, c.status, c.code)
		got, ok := hp.stored(t, "documents/u.txt")
		if ok != (c.status == http.StatusCreated) || ok && got != c.body {
			t.Errorf("%s: stored %v (%d bytes)", c.what, ok, len(got))
		}
		hp.req(hp.owner, http.MethodDelete, hp.path("documents/u.txt"), "")
	}
	expect(t, "PUT a folder with a body", hp.req(hp.owner, http.MethodPut, hp.path("documents/sub/"), "x", "Content-Type: text/plain"), http.StatusConflict, "container-body")
	if w := hp.req(hp.owner, http.MethodGet, hp.path("documents/sub/"), ""); w.Code != http.StatusNotFound {
		t.Errorf("folder made from a PUT with a body: %d", w.Code)
	}

	hp.put(t, "documents/c.txt", "one")
	w := hp.req(hp.owner, http.MethodGet, hp.path("documents/c.txt"), "")
	etag := w.Header().Get("ETag")
	if w.Code != http.StatusOK || etag == "" || w.Body.String() != "one" {
		t.Fatalf("GET: %d %q %q", w.Code, etag, w.Body)
	}
	if w := hp.req(hp.owner, http.MethodGet, hp.path("documents/c.txt"), "", "If-None-Match: "+etag); w.Code != http.StatusNotModified || w.Body.Len() != 0 {
		t.Errorf("If-None-Match current: %d %q", w.Code, w.Body)
	}
	if w := hp.req(hp.owner, http.MethodGet, hp.path("documents/c.txt"), "", "If-None-Match: W/"+etag); w.Code != http.StatusOK {
		t.Errorf("If-None-Match weak: %d (weak validators never match)", w.Code)
	}
	if w := hp.req(hp.owner, http.MethodGet, hp.path("documents/c.txt"), "", `If-Match: "stale"`); w.Code != http.StatusPreconditionFailed || w.Body.Len() != 0 {
		t.Errorf("If-Match stale: %d %q", w.Code, w.Body)
	}
	expect(t, "PUT If-Match stale", hp.req(hp.owner, http.MethodPut, hp.path("documents/c.txt"), "two", "Content-Type: text/plain", `If-Match: "stale", W/`+etag), http.StatusPreconditionFailed, "changed")
	expect(t, "PUT If-None-Match *", hp.req(hp.owner, http.MethodPut, hp.path("documents/c.txt"), "two", "Content-Type: text/plain", "If-None-Match: *"), http.StatusPreconditionFailed, "changed")
	expect(t, "DELETE If-Match stale", hp.req(hp.owner, http.MethodDelete, hp.path("documents/c.txt"), "", `If-Match: "stale"`), http.StatusPreconditionFailed, "changed")
	if got, _ := hp.stored(t, "documents/c.txt"); got != "one" {
		t.Errorf("after refused conditional writes: %q", got)
	}
	if w := hp.req(hp.owner, http.MethodPut, hp.path("documents/c.txt"), "two", "Content-Type: text/plain", `If-Match: "stale", `+etag); w.Code != http.StatusNoContent {
		t.Errorf("PUT If-Match listing the current ETag: %d %s", w.Code, w.Body)
	}
	if got, _ := hp.stored(t, "documents/c.txt"); got != "two" {
		t.Errorf("after the conditional write: %q", got)
	}
}

// When a helper's use cannot be recorded, the helper is told what kind of
// failure it was, and nothing is written.
func TestHandlerFailuresSayWhat(t *testing.T) {
	hp := newHandlerPod(t)
	hp.rights = []access.Right{access.Add}
	for _, c := range []struct {
		err        error
		status     int
		code       string
		retryAfter string
	}{
		{pod.ErrBusy, http.StatusServiceUnavailable, "busy", "1"},
		{vault.ErrUnavailable, http.StatusServiceUnavailable, "unavailable", "5"},
		{pod.ErrUnavailable, http.StatusServiceUnavailable, "unavailable", "5"},
		{errors.New("disk on fire"), http.StatusInternalServerError, "internal", ""},
	} {
		hp.auditErr = c.err
		w := hp.req(helper, http.MethodPut, hp.path("documents/f.txt"), "x", "Content-Type: text/plain")
		expect(t, c.err.Error(), w, c.status, c.code)
		if w.Header().Get("Retry-After") != c.retryAfter || strings.Contains(w.Body.String(), "fire") {
			t.Errorf("%v: Retry-After %q, body %s", c.err, w.Header().Get("Retry-After"), w.Body)
		}
	}
	if strings.Contains(detailOf(hp, pod.ErrUnavailable), "keys") || !strings.Contains(detailOf(hp, vault.ErrUnavailable), "keys") {
		t.Error("storage and key custody failures are not told apart")
	}
	// A client that went away gets nothing written back.
	hp.auditErr = context.Canceled
	if w := hp.req(helper, http.MethodPut, hp.path("documents/f.txt"), "x", "Content-Type: text/plain"); w.Body.Len() != 0 {
		t.Errorf("cancelled: %d %s", w.Code, w.Body)
	}
	if _, ok := hp.stored(t, "documents/f.txt"); ok {
		t.Error("written although the audit failed")
	}

	// Storage's own refusals.
	hp.auditErr = nil
	hp.put(t, "documents/sub/a.txt", "a")
	expect(t, "DELETE a folder with things in it", hp.req(hp.owner, http.MethodDelete, hp.path("documents/sub/"), ""), http.StatusConflict, "not-empty")
	expect(t, "a file where a folder is", hp.req(hp.owner, http.MethodPut, hp.path("documents/sub"), "x", "Content-Type: text/plain"), http.StatusConflict, "conflict")
	expect(t, "DELETE what is not there", hp.req(hp.owner, http.MethodDelete, hp.path("documents/none.txt"), ""), http.StatusNotFound, "not-found")
	if got, _ := hp.stored(t, "documents/sub/a.txt"); got != "a" {
		t.Errorf("a.txt now %q", got)
	}
}

func detailOf(hp *handlerPod, err error) string {
	hp.auditErr = err
	w := hp.req(helper, http.MethodPut, hp.path("documents/f.txt"), "x", "Content-Type: text/plain")
	return w.Body.String()
}
