package issuer_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/satchel-project/satchel/consent/statuslist"
	"github.com/satchel-project/satchel/credentials/dataintegrity"
	"github.com/satchel-project/satchel/issuer"
	"github.com/satchel-project/satchel/schemas"
)

// A bulk issuance file, sent by staff, issues every good row and says what
// was wrong with each other one, with the counts; only staff of the
// organisation may send one; a file without its header is refused whole.
func TestBulkIssueOverHTTP(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	_, e := a.do("jo", "POST", "/api/v1/issuers/hmp-example/enrolment", "application/json", `{"name": "Jo Bloggs"}`)
	enrolment, _ := e["id"].(string)
	const url = "/api/v1/issuers/hmp-example/issue.csv"
	file := "enrolment,course_name,level,accredited,learning_start,learning_end,outcome,establishment\n" +
		enrolment + ",English,Level 1,yes,2025-01-06,2025-06-27,Achieved,HMP Example\n" +
		enrolment + ",Maths,Level 1,maybe,2025-01-06,2025-06-27,Achieved,HMP Example\n" +
		"nonesuch,Art,Level 1,no,2025-01-06,2025-06-27,Achieved,HMP Example\n" +
		enrolment + ",Science,Level 2,no,2025-01-06,2025-06-27,Achieved,HMP Example\n"
	for who, want := range map[string]int{"": 401, "jo": 403, "acme": 403} {
		if code, m := a.do(who, "POST", url, "text/csv", file); code != want || m["issued"] != nil {
			t.Errorf("as %q: %d %v, want %d", who, code, m, want)
		}
	}
	if list, _ := a.s.IssuedBy(context.Background(), "hmp-example"); len(list) != 0 {
		t.Fatalf("refused senders issued %d", len(list))
	}
	code, m := a.do("hmp", "POST", url, "text/csv", file)
	if code != 200 || m["issued"] != 2.0 || m["failed"] != 2.0 {
		t.Fatalf("as staff: %d %v, want 2 issued and 2 failed", code, m)
	}
	rows, _ := m["rows"].([]any)
	want := []string{`"issued":true`, `accredited must be yes or no, not \"maybe\"`, "this person has not allowed this issuer to send them records", `"issued":true`}
	for i, w := range want {
		if i >= len(rows) || !strings.Contains(toJSON(rows[i]), w) || !strings.Contains(toJSON(rows[i]), `"row":`+string(rune('1'+i))) {
			t.Errorf("row %d: %v, want %s", i+1, rows, w)
		}
	}
	if list, _ := a.s.IssuedBy(context.Background(), "hmp-example"); len(list) != 2 {
		t.Errorf("%d credentials issued, want 2", len(list))
	}
	code, m = a.do("hmp", "POST", url, "text/csv", "")
	if code != 422 || !strings.Contains(toJSON(m), "The file has no header row") {
		t.Errorf("an empty file: %d %v", code, m)
	}
	code, m = a.do("hmp", "POST", url, "text/csv", "enrolment,course_name\n"+enrolment+",English\n")
	if code != 422 || !strings.Contains(toJSON(m), "The header has no level column.") {
		t.Errorf("a file without the level column: %d %v", code, m)
	}
}

// An organisation's status list is served to anyone, signed with its key,
// fresh for a day, and says which of its credentials it withdrew; an
// organisation that does not exist has none.
func TestStatusListOverHTTP(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	ctx := context.Background()
	_, e := a.do("jo", "POST", "/api/v1/issuers/hmp-example/enrolment", "application/json", `{}`)
	enrolment, _ := e["id"].(string)
	var kept, withdrawn issuer.Issued
	for i, rec := range []*issuer.Issued{&kept, &withdrawn} {
		_, out := a.do("hmp", "POST", "/api/v1/issuers/hmp-example/issue", "application/json", a.issueBody(enrolment))
		id, _ := out["id"].(string)
		list, _ := a.s.IssuedBy(ctx, "hmp-example")
		for _, l := range list {
			if l.ID == id {
				*rec = l
			}
		}
		if rec.ID == "" {
			t.Fatalf("credential %d was not issued: %v", i, out)
		}
	}
	if code, _ := a.do("hmp", "POST", "/api/v1/issuers/hmp-example/credentials/"+withdrawn.ID+"/revoke", "", ""); code != 204 {
		t.Fatalf("revoke: %d", code)
	}
	resp, err := http.Get(a.ts.URL + "/issuers/hmp-example/status")
	if err != nil {
		t.Fatal(err)
	}
	var vc map[string]any
	json.NewDecoder(resp.Body).Decode(&vc)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/vc+ld+json" || resp.Header.Get("Access-Control-Allow-Origin") != "*" || resp.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("status list: %d %v", resp.StatusCode, resp.Header)
	}
	if _, err := dataintegrity.Verify(vc, func(string) (ed25519.PublicKey, error) {
		pub, _, err := a.s.PublicKey(ctx, "hmp-example")
		return pub, err
	}, dataintegrity.Options{Loader: schemas.DefaultLoader}); err != nil {
		t.Errorf("the status list's proof does not check out with the organisation's key: %v", err)
	}
	proof, _ := vc["proof"].(map[string]any)
	vm, _ := a.s.VerificationMethod(ctx, "hmp-example")
	if proof["verificationMethod"] != vm || vc["id"] != a.s.StatusListURL("hmp-example") {
		t.Errorf("status list signed by %v, id %v; want %s, %s", proof["verificationMethod"], vc["id"], vm, a.s.StatusListURL("hmp-example"))
	}
	from, _ := time.Parse(time.RFC3339, str(vc["validFrom"]))
	until, _ := time.Parse(time.RFC3339, str(vc["validUntil"]))
	if until.Sub(from) != 24*time.Hour {
		t.Errorf("status list valid from %v until %v, want a day", vc["validFrom"], vc["validUntil"])
	}
	subj, _ := vc["credentialSubject"].(map[string]any)
	for rec, want := range map[*issuer.Issued]bool{&kept: false, &withdrawn: true} {
		if set, err := statuslist.Check(subj, rec.StatusIndex); err != nil || set != want {
			t.Errorf("bit %d in the served list: %v %v, want %v", rec.StatusIndex, set, err, want)
		}
	}
	resp, err = http.Get(a.ts.URL + "/issuers/nonesuch/status")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("the status list of nobody: %d", resp.StatusCode)
	}
}

func str(v any) string { s, _ := v.(string); return s }

// Deleting an account withdraws every enrolment of its pod: no
// organisation lists the leaver or can send them anything, and other
// leavers' enrolments are untouched. A pod with none is no error.
func TestWithdrawAll(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	ctx := context.Background()
	ids := map[string]string{}
	for _, org := range []string{"hmp-example", "acme-training"} {
		for _, who := range []string{"jo", "sam"} {
			_, e := a.do(who, "POST", "/api/v1/issuers/"+org+"/enrolment", "application/json", `{}`)
			ids[who+"@"+org], _ = e["id"].(string)
		}
	}
	if err := a.s.WithdrawAll(ctx, a.pod); err != nil {
		t.Fatal(err)
	}
	if es, err := a.s.Enrolments(ctx, a.pod); err != nil || len(es) != 0 {
		t.Errorf("jo's enrolments after WithdrawAll: %+v %v", es, err)
	}
	for _, org := range []string{"hmp-example", "acme-training"} {
		es, _ := a.s.Enrolled(ctx, org)
		if len(es) != 1 || es[0].LeaverName != "Sam" {
			t.Errorf("%s lists %+v, want Sam only", org, es)
		}
		if _, _, err := a.s.Issue(ctx, org, ids["jo@"+org], q); !errors.Is(err, issuer.ErrNotEnrolled) {
			t.Errorf("%s issuing to jo after WithdrawAll: %v", org, err)
		}
		if _, _, err := a.s.Issue(ctx, org, ids["sam@"+org], q); err != nil {
			t.Errorf("%s issuing to sam: %v", org, err)
		}
	}
	if err := a.s.WithdrawAll(ctx, a.pod); err != nil {
		t.Errorf("WithdrawAll of a pod with no enrolments: %v", err)
	}
	if code, m := a.do("jo", "GET", "/api/v1/enrolments", "", ""); code != 200 || toJSON(m) != `{"enrolments":[]}` {
		t.Errorf("jo's enrolments over HTTP: %d %v", code, m)
	}
	if code, _ := a.do("jo", "DELETE", "/api/v1/issuers/hmp-example/enrolment", "", ""); code != 403 {
		t.Errorf("withdrawing an enrolment already gone: %d, want 403", code)
	}
	for who, want := range map[string]int{"": 401, "helper": 403, "hmp": 403} {
		if code, _ := a.do(who, "GET", "/api/v1/enrolments", "", ""); code != want {
			t.Errorf("enrolments as %q: %d, want %d", who, code, want)
		}
	}
}
