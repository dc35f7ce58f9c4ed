package issuer_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/access"
	"github.com/satchel-project/satchel/issuer"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/pod/podtest"
)

// api is the issuer's routes with the caller chosen per request: the
// principal middleware is stood in for by a map of who is asking.
type api struct {
	t    *testing.T
	ts   *httptest.Server
	s    *issuer.Service
	as   map[string]access.Principal
	pod  pod.PodID
	pod2 pod.PodID
}

func newAPI(t *testing.T) *api {
	t.Helper()
	ctx := context.Background()
	pods, cust := podtest.New(t)
	s, err := issuer.Open(ctx, pods, cust, "https://satchel.example.org", issuer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for slug, name := range map[string]string{"hmp-example": "HMP Example Education", "acme-training": "Acme Training"} {
		if _, err := s.CreateOrg(ctx, slug, name); err != nil {
			t.Fatal(err)
		}
	}
	p1, _ := pods.CreatePod(ctx)
	p2, _ := pods.CreatePod(ctx)
	a := &api{t: t, s: s, pod: p1, pod2: p2, as: map[string]access.Principal{
		"jo":     {Account: "jo", Name: "Jo", Kind: access.Leaver, Pod: string(p1)},
		"sam":    {Account: "sam", Name: "Sam", Kind: access.Leaver, Pod: string(p2)},
		"helper": {Account: "hh", Name: "Helen", Kind: access.Helper},
		"hmp":    {Account: "st", Name: "Staff", Kind: access.Issuer, Org: "hmp-example"},
		"acme":   {Account: "ac", Name: "Acme staff", Kind: access.Issuer, Org: "acme-training"},
	}}
	r := mux.NewRouter()
	r.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if p, ok := a.as[req.Header.Get("X-Test-As")]; ok {
				req = req.WithContext(access.WithPrincipal(req.Context(), p))
			}
			next.ServeHTTP(w, req)
		})
	})
	(&issuer.Handler{Service: s, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}).Routes(r)
	a.ts = httptest.NewServer(r)
	t.Cleanup(a.ts.Close)
	return a
}

// do sends a request as who ("" for nobody) and returns the status and the
// decoded JSON body (nil if none).
func (a *api) do(who, method, path, contentType, body string) (int, map[string]any) {
	a.t.Helper()
	req, _ := http.NewRequest(method, a.ts.URL+path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if who != "" {
		req.Header.Set("X-Test-As", who)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

func (a *api) issueBody(enrolment string) string {
	b, _ := json.Marshal(map[string]any{"enrolment": enrolment, "qualification": q})
	return string(b)
}

// Only a leaver with a pod enrols and withdraws; only staff of an
// organisation see whom it may send records to, issue and withdraw its
// credentials; staff of another organisation are refused as not staff.
func TestIssuerAPIPermissions(t *testing.T) {
	a := newAPI(t)
	const enrol = "/api/v1/issuers/hmp-example/enrolment"
	for who, want := range map[string]int{"": 401, "helper": 403, "hmp": 403} {
		if code, _ := a.do(who, "POST", enrol, "application/json", `{}`); code != want {
			t.Errorf("enrol as %q: %d, want %d", who, code, want)
		}
	}
	code, e := a.do("jo", "POST", enrol, "application/json", `{}`)
	if code != 201 || e["id"] == "" {
		t.Fatalf("enrol as jo: %d %v", code, e)
	}
	enrolment, _ := e["id"].(string)
	if code, _ := a.do("jo", "POST", "/api/v1/issuers/nobody/enrolment", "application/json", `{}`); code != 404 {
		t.Errorf("enrol with an unknown issuer: %d, want 404", code)
	}
	if code, m := a.do("jo", "GET", "/api/v1/enrolments", "", ""); code != 200 || !strings.Contains(toJSON(m), "hmp-example") {
		t.Errorf("jo's enrolments: %d %v", code, m)
	}
	if code, m := a.do("sam", "GET", "/api/v1/enrolments", "", ""); code != 200 || strings.Contains(toJSON(m), "hmp-example") {
		t.Errorf("sam sees jo's enrolments: %d %v", code, m)
	}

	const enrolled = "/api/v1/issuers/hmp-example/enrolled"
	for who, want := range map[string]int{"": 401, "jo": 403, "acme": 403} {
		if code, m := a.do(who, "GET", enrolled, "", ""); code != want || strings.Contains(toJSON(m), "Jo") {
			t.Errorf("enrolled as %q: %d %v, want %d and no names", who, code, m, want)
		}
	}
	if code, m := a.do("hmp", "GET", enrolled, "", ""); code != 200 || !strings.Contains(toJSON(m), `"leaverName":"Jo"`) {
		t.Errorf("enrolled as hmp staff: %d %v", code, m)
	}

	const issue = "/api/v1/issuers/hmp-example/issue"
	for who, want := range map[string]int{"": 401, "jo": 403, "acme": 403} {
		if code, _ := a.do(who, "POST", issue, "application/json", a.issueBody(enrolment)); code != want {
			t.Errorf("issue as %q: %d, want %d", who, code, want)
		}
	}
	if code, _ := a.do("acme", "POST", "/api/v1/issuers/acme-training/issue", "application/json", a.issueBody(enrolment)); code != 403 {
		t.Errorf("acme issuing to someone who enrolled with hmp only: %d, want 403 (not enrolled)", code)
	}
	code, out := a.do("hmp", "POST", issue, "application/json", a.issueBody(enrolment))
	if code != 201 || out["verifiableCredential"] == nil {
		t.Fatalf("issue as hmp staff: %d %v", code, out)
	}
	vc, _ := out["verifiableCredential"].(map[string]any)
	if v := a.s.Verify(context.Background(), vc); !v.Valid || v.IssuerName != "HMP Example Education" {
		t.Fatalf("the issued credential: %+v", v)
	}
	id, _ := out["id"].(string)
	revoke := "/api/v1/issuers/hmp-example/credentials/" + id + "/revoke"
	for who, want := range map[string]int{"": 401, "jo": 403, "acme": 403} {
		if code, _ := a.do(who, "POST", revoke, "", ""); code != want {
			t.Errorf("revoke as %q: %d, want %d", who, code, want)
		}
	}
	if v := a.s.Verify(context.Background(), vc); !v.Valid {
		t.Fatalf("refused revocations withdrew the credential: %+v", v)
	}
	if code, _ := a.do("hmp", "POST", "/api/v1/issuers/hmp-example/credentials/nonesuch/revoke", "", ""); code != 404 {
		t.Errorf("revoke an unknown credential: %d, want 404", code)
	}
	if code, _ := a.do("hmp", "POST", revoke, "", ""); code != 204 {
		t.Errorf("revoke as hmp staff: %d, want 204", code)
	}
	if v := a.s.Verify(context.Background(), vc); v.Valid || v.Status != "revoked" {
		t.Errorf("after revocation: %+v", v)
	}

	// Withdrawing the enrolment stops further records; another leaver's
	// withdrawal does not touch it.
	a.do("sam", "DELETE", enrol, "", "")
	if code, _ := a.do("hmp", "POST", issue, "application/json", a.issueBody(enrolment)); code != 201 {
		t.Errorf("after sam withdrew, issuing to jo: %d, want 201", code)
	}
	if code, _ := a.do("jo", "DELETE", enrol, "", ""); code != 204 {
		t.Errorf("withdraw as jo: %d, want 204", code)
	}
	if code, m := a.do("jo", "GET", "/api/v1/enrolments", "", ""); code != 200 || strings.Contains(toJSON(m), "hmp-example") {
		t.Errorf("jo's enrolments after withdrawing: %d %v, want none", code, m)
	}
	if code, m := a.do("hmp", "GET", enrolled, "", ""); code != 200 || strings.Contains(toJSON(m), `"Jo"`) {
		t.Errorf("hmp's list after jo withdrew: %d %v, want jo gone", code, m)
	}
	if code, m := a.do("hmp", "POST", issue, "application/json", a.issueBody(enrolment)); code != 403 {
		t.Errorf("issue after withdrawal: %d %v, want 403", code, m)
	}
}

// The issue API refuses what is not a qualification in JSON, and a
// qualification that fails its checks says why (422).
func TestIssuerAPIIssueRequests(t *testing.T) {
	a := newAPI(t)
	_, e := a.do("jo", "POST", "/api/v1/issuers/hmp-example/enrolment", "application/json", `{"name": "Jo Bloggs"}`)
	enrolment, _ := e["id"].(string)
	const issue = "/api/v1/issuers/hmp-example/issue"
	bad := q
	bad.CourseName = ""
	badBody, _ := json.Marshal(map[string]any{"enrolment": enrolment, "qualification": bad})
	for name, c := range map[string]struct {
		ct, body string
		want     int
	}{
		"form":          {"application/x-www-form-urlencoded", "enrolment=" + enrolment, 415},
		"not JSON":      {"application/json", `{"enrolment":`, 400},
		"unknown field": {"application/json", `{"enrolment": "` + enrolment + `", "secret": 1}`, 400},
		"no course":     {"application/json", string(badBody), 422},
		"unknown enrol": {"application/json", a.issueBody("nonesuch"), 403},
	} {
		if code, _ := a.do("hmp", "POST", issue, c.ct, c.body); code != c.want {
			t.Errorf("%s: %d, want %d", name, code, c.want)
		}
	}
}

// An organisation's public identity: its page, its DID document with the
// key that verifies what it issues, and 404 for one that does not exist.
func TestIssuerPublicIdentity(t *testing.T) {
	a := newAPI(t)
	resp, err := http.Get(a.ts.URL + "/issuers/hmp-example/did.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	json.NewDecoder(resp.Body).Decode(&doc)
	resp.Body.Close()
	vm, err := a.s.VerificationMethod(context.Background(), "hmp-example")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || doc["id"] != a.s.DID("hmp-example") || !strings.Contains(toJSON(doc), vm) || resp.Header.Get("Content-Type") != "application/did+json" {
		t.Errorf("DID document: %d %v (want %s)", resp.StatusCode, doc, vm)
	}
	resp, err = http.Get(a.ts.URL + "/issuers/hmp-example")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "HMP Example Education") || !strings.Contains(string(page), a.s.StatusListURL("hmp-example")) {
		t.Errorf("issuer page: %d %s", resp.StatusCode, page)
	}
	for _, p := range []string{"/issuers/nonesuch", "/issuers/nonesuch/did.json"} {
		resp, err := http.Get(a.ts.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("%s: %d, want 404", p, resp.StatusCode)
		}
	}
}

func toJSON(v any) string { b, _ := json.Marshal(v); return string(b) }
