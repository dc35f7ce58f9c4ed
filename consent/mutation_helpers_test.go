package consent_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/satchel-project/satchel/access"
	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/pod"
)

// TestAPIHelpers: an owner chooses a helper by username with some rights,
// lists and removes them; the helper sees who chose them.
func TestAPIHelpers(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	if h := a.do(t, a.owner, "GET", "/api/v1/helpers", "").want(http.StatusOK, "").json()["helpers"].([]any); len(h) != 0 {
		t.Errorf("helpers of a new pod: %v", h)
	}
	if c := a.do(t, a.helper, "GET", "/api/v1/chosen", "").want(http.StatusOK, "").json()["chosenBy"].([]any); len(c) != 0 {
		t.Errorf("a new helper is chosen by %v", c)
	}
	m := a.do(t, a.owner, "POST", "/api/v1/helpers", `{"username":"sam","rights":["share","view"]}`).want(http.StatusCreated, "").json()
	if !reflect.DeepEqual(m["rights"], []any{"view", "share"}) || m["helper"] != "helperacct" || m["leaverName"] != "Jo Bloggs" || m["pod"] != string(a.pod) {
		t.Errorf("chosen: %v", m)
	}
	h := a.do(t, a.owner, "GET", "/api/v1/helpers", "").want(http.StatusOK, "").json()["helpers"].([]any)
	if len(h) != 1 || h[0].(map[string]any)["helperUsername"] != "sam" {
		t.Errorf("helpers: %v", h)
	}
	c := a.do(t, a.helper, "GET", "/api/v1/chosen", "").want(http.StatusOK, "").json()["chosenBy"].([]any)
	if len(c) != 1 {
		t.Fatalf("chosen by %v", c)
	}
	if e := c[0].(map[string]any); e["leaverName"] != "Jo Bloggs" || e["pod"] != a.svc.PodURL(a.pod) || !reflect.DeepEqual(e["rights"], []any{"view", "share"}) {
		t.Errorf("chosen by %v", e)
	}
	// The helper can now list the pod's shares.
	a.do(t, a.helper, "GET", "/api/v1/grants?pod="+string(a.pod), "").want(http.StatusOK, "")

	a.do(t, a.owner, "DELETE", "/api/v1/helpers/nobody", "").want(http.StatusNotFound, "not-found")
	a.do(t, a.owner, "DELETE", "/api/v1/helpers/sam", "").want(http.StatusNoContent, "")
	r := a.do(t, a.owner, "DELETE", "/api/v1/helpers/sam", "").want(http.StatusNotFound, "not-found")
	if !strings.Contains(r.Body.String(), "You have not chosen a helper called sam") {
		t.Errorf("removing again: %s", r.Body)
	}
	if c := a.do(t, a.helper, "GET", "/api/v1/chosen", "").want(http.StatusOK, "").json()["chosenBy"].([]any); len(c) != 0 {
		t.Errorf("after removal the helper is chosen by %v", c)
	}
	a.do(t, a.helper, "GET", "/api/v1/grants?pod="+string(a.pod), "").want(http.StatusNotFound, "not-found")
}

// TestAPIHelpersRefusals: choosing a helper needs a recent sign-in, JSON,
// known rights and a username that names a helper.
func TestAPIHelpersRefusals(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	a.do(t, access.Principal{}, "POST", "/api/v1/helpers", `{"username":"sam","rights":["view"]}`).want(http.StatusUnauthorized, "unauthenticated")
	a.do(t, access.Principal{}, "GET", "/api/v1/chosen", "").want(http.StatusUnauthorized, "unauthenticated")
	a.do(t, a.helper, "GET", "/api/v1/helpers", "").want(http.StatusForbidden, "no-pod")
	a.do(t, a.helper, "DELETE", "/api/v1/helpers/sam", "").want(http.StatusForbidden, "no-pod")

	stale := a.owner
	stale.AuthTime = a.now.Add(-access.RecentSignIn - time.Second)
	a.do(t, stale, "POST", "/api/v1/helpers", `{"username":"sam","rights":["view"]}`).want(http.StatusUnauthorized, "sign-in-again")
	a.do(t, stale, "DELETE", "/api/v1/helpers/sam", "").want(http.StatusUnauthorized, "sign-in-again")
	a.do(t, stale, "GET", "/api/v1/helpers", "").want(http.StatusOK, "")

	req := httptest.NewRequest("POST", "/api/v1/helpers", strings.NewReader(`{"username":"sam","rights":["view"]}`))
	rec := httptest.NewRecorder()
	a.r.ServeHTTP(rec, req.WithContext(access.WithPrincipal(req.Context(), a.owner)))
	reply{rec, t}.want(http.StatusUnsupportedMediaType, "unsupported-type")
	a.do(t, a.owner, "POST", "/api/v1/helpers", `{"username":`).want(http.StatusBadRequest, "bad-request")
	for _, rights := range []string{`[]`, `["fly"]`, `["view","read-log"]`, `[""]`} {
		a.do(t, a.owner, "POST", "/api/v1/helpers", `{"username":"sam","rights":`+rights+`}`).want(http.StatusUnprocessableEntity, "invalid-helper")
	}
	r := a.do(t, a.owner, "POST", "/api/v1/helpers", `{"username":"pat","rights":["view"]}`).want(http.StatusUnprocessableEntity, "invalid-helper")
	if !strings.Contains(r.Body.String(), "There is no helper called pat") {
		t.Errorf("an unknown helper: %s", r.Body)
	}
	a.tooMany = true
	r = a.do(t, a.owner, "POST", "/api/v1/helpers", `{"username":"sam","rights":["view"]}`).want(http.StatusTooManyRequests, "slow-down")
	if r.Header().Get("Retry-After") != "60" {
		t.Errorf("Retry-After %q", r.Header().Get("Retry-After"))
	}
	if ds, _ := a.svc.Helpers(context.Background(), a.pod); len(ds) != 0 {
		t.Errorf("helpers after refusals: %+v", ds)
	}
}

// TestParseRights: rights as typed, in the order they are shown, each once.
func TestParseRights(t *testing.T) {
	t.Parallel()
	got, err := consent.ParseRights(" Reset,share ,, VIEW,add,view")
	if want := []consent.Right{consent.RightView, consent.RightAdd, consent.RightShare, consent.RightReset}; err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("ParseRights: %v %v, want %v", got, err, want)
	}
	if got, err := consent.ParseRights("share,view"); err != nil || !reflect.DeepEqual(got, []consent.Right{consent.RightView, consent.RightShare}) {
		t.Errorf("share,view: %v %v", got, err)
	}
	for _, in := range []string{"", " , ", "view,fly", "change"} {
		if got, err := consent.ParseRights(in); err == nil {
			t.Errorf("ParseRights(%q) = %v, want a refusal", in, got)
		}
	}
}

// TestDelegations: what a helper may do in a pod is what its owner last
// chose; forgetting a pod or a helper removes both sides.
func TestDelegations(t *testing.T) {
	t.Parallel()
	f := newFixture(t, t.TempDir())
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	clockAt(f, &now)
	for _, bad := range []consent.Delegation{
		{Helper: "helperacct", Rights: []consent.Right{consent.RightView}},
		{Pod: f.pod, Rights: []consent.Right{consent.RightView}},
		{Pod: f.pod, Helper: "helperacct"},
	} {
		wantInvalid(t, "an incomplete delegation", f.svc.SetHelper(ctx, bad), "name the helper")
	}
	other, err := f.pods.CreatePod(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []consent.Delegation{
		{Pod: f.pod, LeaverName: "Jo", Helper: "helperacct", HelperUser: "zed", Rights: []consent.Right{consent.RightView}},
		{Pod: f.pod, LeaverName: "Jo", Helper: "otheracct", HelperUser: "amy", Rights: []consent.Right{consent.RightAdd}},
		{Pod: other, LeaverName: "Al", Helper: "helperacct", HelperUser: "zed", Rights: []consent.Right{consent.RightShare}},
		{Pod: f.pod, LeaverName: "Jo", Helper: "helperacct", HelperUser: "zed", Rights: []consent.Right{consent.RightView, consent.RightShare}},
	} {
		if err := f.svc.SetHelper(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	d, err := f.svc.Delegation(ctx, f.pod, "helperacct")
	if err != nil || !d.Can(consent.RightShare) || !d.Can(consent.RightView) || d.Can(consent.RightAdd) || !d.Created.Equal(now) {
		t.Errorf("the latest choice: %+v %v", d, err)
	}
	hs, err := f.svc.Helpers(ctx, f.pod)
	if err != nil || len(hs) != 2 || hs[0].HelperUser != "amy" || hs[1].HelperUser != "zed" {
		t.Errorf("helpers by username: %+v %v", hs, err)
	}
	ch, err := f.svc.Chosen(ctx, "helperacct")
	if err != nil || len(ch) != 2 {
		t.Errorf("chosen by two: %+v %v", ch, err)
	}
	for what, c := range map[string]struct {
		p      pod.PodID
		helper string
	}{
		"a helper not chosen": {f.pod, "nobodyacct"},
		"a damaged pod":       {"../x", "helperacct"},
		"a damaged helper":    {f.pod, "Helper"},
		"an empty helper":     {f.pod, ""},
		"a helper too long":   {f.pod, strings.Repeat("a", 65)},
	} {
		if _, err := f.svc.Delegation(ctx, c.p, c.helper); !errors.Is(err, consent.ErrNoDelegation) {
			t.Errorf("%s: %v", what, err)
		}
	}
	long := strings.Repeat("a", 64)
	if err := f.svc.SetHelper(ctx, consent.Delegation{Pod: f.pod, Helper: long, Rights: []consent.Right{consent.RightView}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Delegation(ctx, f.pod, long); err != nil {
		t.Errorf("a helper ID of 64 characters: %v", err)
	}
	if err := f.svc.RemoveHelper(ctx, f.pod, long); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RemoveHelper(ctx, f.pod, long); !errors.Is(err, consent.ErrNoDelegation) {
		t.Errorf("removing twice: %v", err)
	}

	// The owner of f.pod leaves: their choices go, the other pod's stay.
	if err := f.svc.ForgetPod(ctx, f.pod); err != nil {
		t.Fatal(err)
	}
	if hs, _ := f.svc.Helpers(ctx, f.pod); len(hs) != 0 {
		t.Errorf("helpers after ForgetPod: %+v", hs)
	}
	if ch, _ := f.svc.Chosen(ctx, "helperacct"); len(ch) != 1 || ch[0].Pod != other {
		t.Errorf("chosen after ForgetPod: %+v", ch)
	}
	// The helper leaves: no pod that chose them lists them.
	third, err := f.pods.CreatePod(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SetHelper(ctx, consent.Delegation{Pod: third, LeaverName: "Bo", Helper: "helperacct", HelperUser: "zed", Rights: []consent.Right{consent.RightAdd}}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.ForgetHelper(ctx, "helperacct"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []pod.PodID{other, third} {
		if hs, _ := f.svc.Helpers(ctx, p); len(hs) != 0 {
			t.Errorf("helpers of %s after ForgetHelper: %+v", p, hs)
		}
	}
	if ch, _ := f.svc.Chosen(ctx, "helperacct"); len(ch) != 0 {
		t.Errorf("chosen after ForgetHelper: %+v", ch)
	}
	if err := f.svc.ForgetHelper(ctx, "../x"); err != nil {
		t.Errorf("forgetting a damaged helper ID: %v", err)
	}
}

// TestRecordTime: an entry written without a time gets the service's.
func TestRecordTime(t *testing.T) {
	t.Parallel()
	f := newFixture(t, t.TempDir())
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	clockAt(f, &now)
	at := now.Add(-time.Hour)
	if err := f.svc.Record(ctx, f.pod, consent.LogEntry{Type: "share", Who: "Sam", At: at}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Record(ctx, f.pod, consent.LogEntry{Type: "revoke", Who: "Sam"}); err != nil {
		t.Fatal(err)
	}
	log, err := f.svc.Log(ctx, f.pod)
	if err != nil || len(log) != 2 {
		t.Fatalf("log %+v %v", log, err)
	}
	if log[0].Type != "revoke" || !log[0].At.Equal(now) || log[1].Type != "share" || !log[1].At.Equal(at) {
		t.Errorf("log newest first with times: %+v", log)
	}
}
