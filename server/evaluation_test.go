package server_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/evaluation"
	podpkg "github.com/satchel-project/satchel/pod"
)

// secret is a NOMIS ID and a name that only the evaluation's space holds.
const (
	evalNomis = "Q7777QQ"
	evalName  = "Zebedeeevaluation"
)

func (s *testServer) evaluator(username string) string {
	s.t.Helper()
	a, err := s.b.Accounts.Create(context.Background(), username, account.Evaluator, "Evaluation partner", "correct-horse-battery")
	if err != nil {
		s.t.Fatal(err)
	}
	tok, _, err := s.b.Tokens.Issue(a)
	if err != nil {
		s.t.Fatal(err)
	}
	return tok
}

func TestEvaluationExportOnlyForTheEvaluationRole(t *testing.T) {
	s := newTestServer(t)
	ctx := context.Background()
	podURL, leaverTok := leaverWithHistory(t, s)
	id := podpkg.PodID(podIDOf(s, podURL))
	if _, err := s.b.Issuers.CreateOrg(ctx, "hmp", "HMP Example"); err != nil {
		t.Fatal(err)
	}
	staff, _ := s.b.Accounts.CreateWith(ctx, "tutor", account.Issuer, "A Tutor", "correct-horse-battery", "hmp")
	staffTok, _, _ := s.b.Tokens.Issue(staff)
	admin, _ := s.b.Accounts.CreateWith(ctx, "boss", account.Issuer, "The Boss", "correct-horse-battery", "hmp")
	admin, _ = s.b.Accounts.SetOrgAdmin(ctx, "boss", true)
	adminTok, _, _ := s.b.Tokens.Issue(admin)
	op, _ := s.b.Accounts.Create(ctx, "op", account.Operator, "Operator", "correct-horse-battery")
	opTok, _, _ := s.b.Tokens.Issue(op)
	evalTok := s.evaluator("eva")

	s.b.Evaluation.Agree(ctx, id)
	s.b.Evaluation.Enter(ctx, "hmp", id, evaluation.Details{NomisID: evalNomis, FirstName: evalName, DateOfRelease: "2024-01-15"})
	exportURL := s.url + "/api/v1/evaluation/export?quarter=2026Q4"
	for who, tok := range map[string]string{"staff": staffTok, "an organisation admin": adminTok, "an operator's account": opTok, "the leaver": leaverTok} {
		r := s.do("GET", exportURL, tok, nil)
		if r.status != http.StatusNotFound || bytes.Contains(r.body, []byte(evalNomis)) {
			t.Errorf("export asked for by %s: %d %s", who, r.status, r.body)
		}
		if r := s.do("GET", s.url+"/api/v1/evaluation/log", tok, nil); r.status != http.StatusNotFound {
			t.Errorf("log asked for by %s: %d", who, r.status)
		}
	}
	expect(t, s.do("GET", exportURL, "", nil), http.StatusUnauthorized)
	if logs, _ := s.b.Evaluation.Logs(ctx); len(logs) != 0 {
		t.Fatalf("refused exports were logged as made: %+v", logs)
	}

	r := s.do("GET", exportURL, evalTok, nil)
	expect(t, r, http.StatusOK)
	if !strings.HasPrefix(string(r.body), "nomis_id,") || !strings.Contains(string(r.body), evalNomis+",,,,"+evalName) {
		t.Fatalf("export: %s", r.body)
	}
	// The outcomes Satchel sees: settled at release (the own tenancy from
	// 2024-01-15) and 3 months on; one share to a landlord.
	if _, r := s.share(leaverTok, currentAddressOnly); r.status != http.StatusCreated {
		t.Fatal(r.status)
	}
	r = s.do("GET", exportURL, evalTok, nil)
	if !strings.Contains(string(r.body), ",yes,yes,1,0,0,") {
		t.Errorf("outcomes not observed: %s", r.body)
	}
	r = s.do("GET", exportURL+"&part=counts", evalTok, nil)
	if !strings.Contains(string(r.body), "participants,all,<5") {
		t.Errorf("counts: %s", r.body)
	}
	expect(t, s.do("GET", s.url+"/api/v1/evaluation/export?quarter=Q4", evalTok, nil), http.StatusBadRequest)
	var logs []evaluation.Log
	lr := s.do("GET", s.url+"/api/v1/evaluation/log", evalTok, nil)
	json.Unmarshal(lr.body, &logs)
	if len(logs) != 3 || logs[0].Quarter != "2026Q4" || logs[0].Rows != 1 || !strings.HasPrefix(logs[0].Who, "Evaluation partner") {
		t.Fatalf("log: %s", lr.body)
	}

	// Withdrawing leaves the next export.
	s.b.Evaluation.Withdraw(ctx, id)
	r = s.do("GET", exportURL, evalTok, nil)
	if bytes.Contains(r.body, []byte(evalNomis)) || strings.Count(strings.TrimSpace(string(r.body)), "\n") != 0 {
		t.Fatalf("export after withdrawal: %s", r.body)
	}
}

func TestEvaluationCSVFromStaff(t *testing.T) {
	s := newTestServer(t)
	ctx := context.Background()
	for _, o := range []string{"hmp", "elsewhere"} {
		if _, err := s.b.Issuers.CreateOrg(ctx, o, "Org "+o); err != nil {
			t.Fatal(err)
		}
	}
	staff, _ := s.b.Accounts.CreateWith(ctx, "tutor", account.Issuer, "A Tutor", "correct-horse-battery", "hmp")
	staffTok, _, _ := s.b.Tokens.Issue(staff)
	clerk, _ := s.b.Accounts.CreateWith(ctx, "clerk", account.Issuer, "A Clerk", "correct-horse-battery", "elsewhere")
	clerkTok, _, _ := s.b.Tokens.Issue(clerk)
	var enrol = map[string]string{}
	var pods = map[string]podpkg.PodID{}
	for _, name := range []string{"agreed", "withdrew", "never"} {
		u, _ := s.leaver(name)
		pods[name] = podpkg.PodID(podIDOf(s, u))
		e, err := s.b.Issuers.Enrol(ctx, pods[name], "hmp", name)
		if err != nil {
			t.Fatal(err)
		}
		enrol[name] = e.ID
	}
	s.b.Evaluation.Agree(ctx, pods["agreed"])
	s.b.Evaluation.Agree(ctx, pods["withdrew"])
	s.b.Evaluation.Withdraw(ctx, pods["withdrew"])
	csv := "enrolment,nomis_id\n" + enrol["agreed"] + ",A1111AA\n" + enrol["withdrew"] + ",B2222BB\n" + enrol["never"] + ",C3333CC\n"
	r := s.do("POST", s.url+"/api/v1/issuers/elsewhere/evaluation.csv", staffTok, strings.NewReader(csv), "Content-Type", "text/csv")
	expect(t, r, http.StatusForbidden)
	r = s.do("POST", s.url+"/api/v1/issuers/elsewhere/evaluation.csv", clerkTok, strings.NewReader(csv), "Content-Type", "text/csv")
	expect(t, r, http.StatusOK) // their own organisation, but nobody is enrolled with them
	if bytes.Contains(r.body, []byte(`"kept":true`)) {
		t.Fatalf("another organisation's staff reached hmp's people: %s", r.body)
	}
	r = s.do("POST", s.url+"/api/v1/issuers/hmp/evaluation.csv", staffTok, strings.NewReader(csv), "Content-Type", "text/csv")
	expect(t, r, http.StatusOK)
	var out struct{ Rows []evaluation.RowResult }
	json.Unmarshal(r.body, &out)
	if len(out.Rows) != 3 || !out.Rows[0].Kept || out.Rows[1].Kept || !strings.Contains(out.Rows[1].Reason, "withdrawn") || out.Rows[2].Kept || !strings.Contains(out.Rows[2].Reason, "not agreed") {
		t.Fatalf("rows: %s", r.body)
	}
	for _, name := range []string{"withdrew", "never"} {
		if per, _ := s.b.Evaluation.Get(ctx, pods[name]); per.Details != nil {
			t.Errorf("kept %s's row: %+v", name, per.Details)
		}
	}
}

// The evaluation's data never appears in the leaver's pod, listings,
// shares or download, nor in storage in the clear.
func TestEvaluationDataNeverLeavesItsSpace(t *testing.T) {
	s := newTestServer(t)
	ctx := context.Background()
	s.leaver("jo")
	b := s.signedIn(t, "jo", webPassword, "/my")
	b.get("/my/data").want(http.StatusOK).shows("/my/evaluation")
	b.form("/my/evaluation").shows("Yes, I will take part", "Saying no changes nothing")
	b.post("/my/evaluation/agree", url.Values{"csrf": {b.csrf}}).redirects("/my/evaluation")
	a, _ := s.b.Accounts.Get(ctx, "jo")
	if _, err := s.b.Evaluation.Enter(ctx, "hmp", a.Pod, evaluation.Details{NomisID: evalNomis, FirstName: evalName}); err != nil {
		t.Fatal(err)
	}
	b.form("/my/evaluation").shows("You said yes on", evalNomis, evalName, "Stop taking part")
	b.post("/my/evaluation/answer", url.Values{"csrf": {b.csrf}}).want(http.StatusUnprocessableEntity)
	b.post("/my/evaluation/answer", url.Values{"csrf": {b.csrf}, "settled": {"yes"}}).redirects("/my/evaluation")

	b.addAddress(currentAddress)
	_, link, _ := b.shareCurrentAddress()
	tok, _, _ := s.b.Tokens.Issue(a)
	var seen [][]byte
	seen = append(seen, s.do("GET", link, "", nil).body)
	seen = append(seen, []byte(b.get("/my").body), []byte(b.get("/my/shares").body))
	seen = append(seen, s.do("GET", s.url+"/api/v1/grants", tok, nil).body)
	var walk func(string)
	walk = func(u string) {
		r := s.do("GET", u, tok, nil)
		seen = append(seen, r.body)
		var c struct {
			Contains []struct {
				ID string `json:"@id"`
			} `json:"ldp:contains"`
		}
		if strings.HasSuffix(u, "/") && json.Unmarshal(r.body, &c) == nil {
			for _, m := range c.Contains {
				if m.ID != "" {
					walk(m.ID)
				}
			}
		}
	}
	walk(s.podURL(string(a.Pod)))
	dl := b.get("/my/data/download").want(http.StatusOK)
	z, err := zip.NewReader(strings.NewReader(dl.body), int64(len(dl.body)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range z.File {
		rc, _ := f.Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		seen = append(seen, data)
	}
	if len(z.File) < 2 {
		t.Fatalf("the download has %d files", len(z.File))
	}
	for i, bs := range seen {
		if bytes.Contains(bs, []byte(evalNomis)) || bytes.Contains(bs, []byte(evalName)) {
			t.Errorf("evaluation data in answer %d: %.300s", i, bs)
		}
	}
	filepath.WalkDir(s.b.Config.DataDir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if data, _ := os.ReadFile(path); bytes.Contains(data, []byte(evalNomis)) {
				t.Errorf("evaluation data in the clear in %s", path)
			}
		}
		return nil
	})

	// Stopping deletes what is held, at once.
	b.form("/my/evaluation")
	b.post("/my/evaluation/withdraw", url.Values{"csrf": {b.csrf}}).redirects("/my/evaluation")
	b.get("/my/evaluation").shows("You stopped taking part on", "Yes, I will take part").hides(evalNomis, evalName)
	per, _ := s.b.Evaluation.Get(ctx, a.Pod)
	if per.Details != nil || per.Answers != nil || per.Agreed().IsZero() || per.WithdrewAt().IsZero() {
		t.Fatalf("after withdrawal: %+v", per)
	}
}

func TestEvaluationFormOnTheOrganisationsPages(t *testing.T) {
	s := newTestServer(t)
	ctx := context.Background()
	for _, o := range []string{"hmp", "elsewhere"} {
		if _, err := s.b.Issuers.CreateOrg(ctx, o, "Org "+o); err != nil {
			t.Fatal(err)
		}
	}
	s.b.Accounts.CreateWith(ctx, "tutor", account.Issuer, "A Tutor", webPassword, "hmp")
	s.b.Accounts.CreateWith(ctx, "clerk", account.Issuer, "A Clerk", webPassword, "elsewhere")
	u, _ := s.leaver("jo")
	id := podpkg.PodID(podIDOf(s, u))
	e, err := s.b.Issuers.Enrol(ctx, id, "hmp", "Jo B")
	if err != nil {
		t.Fatal(err)
	}
	page := "/org/people/" + e.ID + "/evaluation"
	staff := s.signedIn(t, "tutor", webPassword, "/org")
	staff.get("/org/people").shows(page)

	// Not agreed: no form, and nothing a post sends is kept.
	staff.get(page).want(http.StatusOK).shows("has not agreed to take part").hides("Send details")
	staff.form("/org/issue") // for a CSRF token: the page has no form
	staff.post(page, url.Values{"csrf": {staff.csrf}, "nomis_id": {evalNomis}}).want(http.StatusConflict)
	if per, _ := s.b.Evaluation.Get(ctx, id); per.Details != nil {
		t.Fatalf("kept without consent: %+v", per.Details)
	}

	s.b.Evaluation.Agree(ctx, id)
	staff.form(page).shows("They agreed to take part", "NOMIS ID", "Send details")
	staff.post(page, url.Values{"csrf": {staff.csrf}, "nomis_id": {evalNomis}, "date_of_release": {"1/10/2026"}}).want(http.StatusUnprocessableEntity).shows("Write the date like 2026-10-31")
	if per, _ := s.b.Evaluation.Get(ctx, id); per.Details != nil {
		t.Fatalf("kept a form with a bad date: %+v", per.Details)
	}
	staff.post(page, url.Values{"csrf": {staff.csrf}, "nomis_id": {evalNomis}, "first_name": {evalName}, "date_of_release": {"2026-10-01"}}).redirects("/org/people")
	per, _ := s.b.Evaluation.Get(ctx, id)
	if per.Details == nil || per.Details.NomisID != evalNomis || per.Details.DateOfRelease != "2026-10-01" || per.EnteredBy != "hmp" {
		t.Fatalf("not kept: %+v", per)
	}
	// Write-only: staff never see what is held.
	staff.get(page).shows("Your organisation last sent details on").hides(evalNomis, evalName)

	other := s.signedIn(t, "clerk", webPassword, "/org")
	other.get(page).want(http.StatusNotFound).hides("Jo B")
}
