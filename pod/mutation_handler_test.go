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
	} {
		for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
			w := hp.req(c.who, m, c.target, "x", "Content-Type: text/plain")
			expect(t, c.what+" "+m, w, http.StatusNotFound, "not-found")
			if w.Header().Get("WAC-Allow") != "" || strings.Contains(w.Body.String(), "tenancy") {
				t.Errorf("%s %s learnt something: %v %s", c.what, m, w.Header(), w.Body)
			}
		}
	}
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
