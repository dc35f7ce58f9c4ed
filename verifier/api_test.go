package verifier_test

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

	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/pod/podtest"
	"github.com/satchel-project/satchel/verifier"
)

// apiSetup is a verifier's routes over a pod holding one PDF, with the
// consent service to make shares of it.
func apiSetup(t *testing.T, floor time.Duration) (*httptest.Server, *consent.Service, pod.PodID) {
	t.Helper()
	ctx := context.Background()
	pods, cust := podtest.New(t)
	signer, _ := cust.Signer(ctx, "grants")
	svc, err := consent.Open(ctx, pods, signer, "https://satchel.example.org")
	if err != nil {
		t.Fatal(err)
	}
	id, _ := pods.CreatePod(ctx)
	doc := []byte("%PDF-1.4\n")
	if _, _, err := pods.Put(ctx, id, "documents/a.pdf", "application/pdf", int64(len(doc)), bytes.NewReader(doc), pod.Preconditions{}); err != nil {
		t.Fatal(err)
	}
	m := mux.NewRouter()
	(&verifier.Handler{Verifier: verifier.New(svc, pods, nil), RefusalFloor: floor, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}).Routes(m)
	ts := httptest.NewServer(m)
	t.Cleanup(ts.Close)
	return ts, svc, id
}

func share(t *testing.T, svc *consent.Service, id pod.PodID, maxViews int) consent.Grant {
	t.Helper()
	g, err := svc.Create(context.Background(), consent.NewGrant{
		Pod: id, SharedBy: "Jo", Recipient: consent.Recipient{Name: "Acme", Kind: consent.Landlord},
		Purpose: "tenancy-application", Items: []consent.Item{{Path: "documents/a.pdf"}}, MaxViews: maxViews,
	})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

type apiResult struct {
	Valid  bool             `json:"valid"`
	Status string           `json:"status"`
	Checks []verifier.Check `json:"checks"`
}

func (r apiResult) check(name string) (verifier.Check, bool) {
	for _, c := range r.Checks {
		if c.Check == name {
			return c, true
		}
	}
	return verifier.Check{}, false
}

// post sends body to POST /api/v1/verify and returns the status and the
// decoded answer.
func post(t *testing.T, ts *httptest.Server, contentType, body string) (int, apiResult) {
	t.Helper()
	resp, err := http.Post(ts.URL+"/api/v1/verify", contentType, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r apiResult
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode, r
}

func open(t *testing.T, ts *httptest.Server, token string) (int, string, time.Duration) {
	t.Helper()
	start := time.Now()
	resp, err := http.Get(ts.URL + "/s/" + token)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), time.Since(start)
}

// A link allowed one view is reported used up by the verify API once it
// has been opened once, and not before; a link allowed two is still valid
// after one opening.
func TestVerifyAPIViewLimit(t *testing.T) {
	t.Parallel()
	ts, svc, id := apiSetup(t, 0)
	once, twice := share(t, svc, id, 1), share(t, svc, id, 2)
	for _, g := range []consent.Grant{once, twice} {
		if code, r := post(t, ts, "application/json", `{"token": "`+g.Token+`"}`); code != 200 || !r.Valid || r.Status != "active" {
			t.Fatalf("before any view (max %d): %d %+v", g.MaxViews, code, r)
		}
		if code, body, _ := open(t, ts, g.Token); code != 200 {
			t.Fatalf("first opening (max %d): %d %s", g.MaxViews, code, body)
		}
	}
	code, r := post(t, ts, "application/json", `{"token": "`+once.Token+`"}`)
	if c, _ := r.check("views"); code != 200 || r.Valid || r.Status != "used-up" || c.Passed {
		t.Errorf("one view of one allowed: %d %+v, want used-up", code, r)
	}
	code, r = post(t, ts, "application/json", `{"token": "`+twice.Token+`"}`)
	if c, _ := r.check("views"); code != 200 || !r.Valid || r.Status != "active" || !c.Passed || !strings.Contains(c.Reason, "1 of 2") {
		t.Errorf("one view of two allowed: %d %+v, want active, opened 1 of 2", code, r)
	}
	// The share link's full address works as well as its token.
	if code, r := post(t, ts, "application/json", `{"token": "`+svc.ShareURL(twice.Token)+`"}`); code != 200 || !r.Valid {
		t.Errorf("the link's address: %d %+v", code, r)
	}
}

// An unknown link is "unknown", never "withdrawn": the verify API says the
// link does not work and claims nothing about withdrawal. A withdrawn link
// is "revoked".
func TestVerifyAPIUnknownIsNotWithdrawn(t *testing.T) {
	t.Parallel()
	ts, svc, id := apiSetup(t, 0)
	g := share(t, svc, id, 0)
	code, r := post(t, ts, "application/json", `{"token": "AAAAAAAAAAAAAAAAAAAAAA"}`)
	if c, ok := r.check("link"); code != 200 || r.Valid || r.Status != "unknown" || !ok || c.Passed {
		t.Errorf("unknown link: %d %+v", code, r)
	}
	if _, ok := r.check("revocation"); ok {
		t.Errorf("an unknown link has a revocation check: %+v", r)
	}
	if err := svc.Revoke(context.Background(), id, g.ID); err != nil {
		t.Fatal(err)
	}
	code, r = post(t, ts, "application/json", `{"token": "`+g.Token+`"}`)
	if c, ok := r.check("revocation"); code != 200 || r.Valid || r.Status != "revoked" || !ok || c.Passed {
		t.Errorf("withdrawn link: %d %+v", code, r)
	}
}

// The signed grant can be checked on its own, as JSON or as
// application/vc+jwt; requests that are not one of the three forms are
// refused with a status that says why.
func TestVerifyAPIRequests(t *testing.T) {
	t.Parallel()
	ts, svc, id := apiSetup(t, 0)
	g := share(t, svc, id, 0)
	cred, _ := json.Marshal(map[string]string{"credential": g.Credential})
	if code, r := post(t, ts, "application/json", string(cred)); code != 200 || !r.Valid || r.Status != "active" {
		t.Errorf("credential as JSON: %d %+v", code, r)
	}
	if code, r := post(t, ts, consent.CredentialType, g.Credential); code != 200 || !r.Valid {
		t.Errorf("credential as %s: %d %+v", consent.CredentialType, code, r)
	}
	altered := g.Credential[:len(g.Credential)-4] + "AAAA"
	if code, r := post(t, ts, consent.CredentialType, altered); code != 200 || r.Valid || r.Status != "invalid" {
		t.Errorf("altered credential: %d %+v", code, r)
	}
	for name, c := range map[string]struct {
		ct, body string
		want     int
	}{
		"two forms at once": {"application/json", `{"token": "` + g.Token + `", "credential": "x"}`, 400},
		"none":              {"application/json", `{}`, 400},
		"not JSON":          {"application/json", `{"token":`, 400},
		"form":              {"application/x-www-form-urlencoded", "token=" + g.Token, 415},
		"too large":         {"application/json", `{"token": "` + strings.Repeat("a", consent.MaxCredentialBytes+1024) + `"}`, 413},
	} {
		if code, _ := post(t, ts, c.ct, c.body); code != c.want {
			t.Errorf("%s: status %d, want %d", name, code, c.want)
		}
	}
}

// A refused link takes at least the refusal floor to answer, whether it
// never existed or was withdrawn, so that timing does not tell them apart;
// both answer 410, and only the withdrawn one says it was withdrawn.
func TestRefusalFloor(t *testing.T) {
	t.Parallel()
	const floor = 150 * time.Millisecond
	ts, svc, id := apiSetup(t, floor)
	g := share(t, svc, id, 0)
	if err := svc.Revoke(context.Background(), id, g.ID); err != nil {
		t.Fatal(err)
	}
	codeU, pageU, tookU := open(t, ts, "AAAAAAAAAAAAAAAAAAAAAA")
	codeW, pageW, tookW := open(t, ts, g.Token)
	if codeU != http.StatusGone || codeW != http.StatusGone {
		t.Fatalf("unknown link %d, withdrawn link %d; want 410 for both", codeU, codeW)
	}
	if tookU < floor || tookW < floor {
		t.Errorf("unknown link answered in %v, withdrawn in %v; want at least %v each", tookU, tookW, floor)
	}
	if !strings.Contains(pageU, "This link does not work") || strings.Contains(pageU, "withdrawn") {
		t.Errorf("the unknown link's page does not say the link does not work, or says it was withdrawn:\n%s", pageU)
	}
	if !strings.Contains(pageW, "withdrawn by the person who shared it") {
		t.Errorf("the withdrawn link's page does not say so:\n%s", pageW)
	}
}
