package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/consent"
)

// helper makes a helper account and returns its token.
func (s *testServer) helper(username, name string) string {
	s.t.Helper()
	a, err := s.b.Accounts.Create(context.Background(), username, account.Helper, name, "correct-horse-battery")
	if err != nil {
		s.t.Fatal(err)
	}
	tok, _, err := s.b.Tokens.Issue(a)
	if err != nil {
		s.t.Fatal(err)
	}
	return tok
}

func TestHelpersActOnlyAsDelegated(t *testing.T) {
	s := newTestServer(t)
	pod, tok := leaverWithHistory(t, s)
	podID := strings.Split(strings.TrimPrefix(pod, s.url+"/pods/"), "/")[0]
	sam := s.helper("sam.support", "Sam Support")
	record := pod + "housing/history.jsonld"

	// Not chosen yet: the helper sees nothing, as for a missing pod.
	expect(t, s.do("GET", record, sam, nil), http.StatusNotFound)

	choose := func(rights string) {
		t.Helper()
		r := s.do("POST", s.url+"/api/v1/helpers", tok, strings.NewReader(`{"username":"sam.support","rights":[`+rights+`]}`), "Content-Type", "application/json")
		expect(t, r, http.StatusCreated)
	}
	choose(`"view"`)
	expect(t, s.do("GET", record, sam, nil), http.StatusOK)
	expect(t, s.do("GET", pod+"access-log/", sam, nil), http.StatusForbidden)
	r := s.do("POST", pod+"documents/", sam, strings.NewReader("%PDF-1.4\n"), "Content-Type", "application/pdf", "Slug", "letter")
	expect(t, r, http.StatusForbidden)
	r.problem(t)
	_, sr := s.share(sam, `{"pod":"`+podID+`","recipient":{"name":"Acme Lettings","kind":"landlord"},"purpose":"tenancy-application","items":[{"path":"housing/"}]}`)
	expect(t, sr, http.StatusForbidden)
	if !strings.Contains(string(sr.body), "not allowed you to share") {
		t.Fatalf("share without the right: %s", sr.body)
	}

	choose(`"view","add","share"`)
	expect(t, s.do("POST", pod+"documents/", sam, strings.NewReader("%PDF-1.4\n"), "Content-Type", "application/pdf", "Slug", "letter"), http.StatusCreated)
	// Add means add: no replacing, no deleting, nowhere but documents/.
	expect(t, s.do("PUT", pod+"documents/letter.pdf", sam, strings.NewReader("%PDF-1.4\nnew"), "Content-Type", "application/pdf"), http.StatusPreconditionFailed)
	expect(t, s.do("DELETE", pod+"documents/letter.pdf", sam, nil), http.StatusForbidden)
	expect(t, s.do("PUT", pod+"housing/x.jsonld", sam, strings.NewReader(history), "Content-Type", "application/ld+json"), http.StatusForbidden)
	g, sr := s.share(sam, `{"pod":"`+podID+`","recipient":{"name":"Acme Lettings","kind":"landlord"},"purpose":"tenancy-application","items":[{"path":"housing/"}]}`)
	expect(t, sr, http.StatusCreated)
	if !strings.Contains(string(s.do("GET", g.ShareURL, "", nil).body), "Test jo (with help from Sam Support)") {
		t.Fatal("a share made by a helper does not show the leaver's name")
	}

	// The helper sees who chose them.
	ch := s.do("GET", s.url+"/api/v1/chosen", sam, nil)
	if !strings.Contains(string(ch.body), "Test jo") || !strings.Contains(string(ch.body), podID) {
		t.Fatalf("chosen: %s", ch.body)
	}

	// Everything the helper did is in the leaver's log under their name.
	var log struct{ Entries []consent.LogEntry }
	json.Unmarshal(s.do("GET", s.url+"/api/v1/log", tok, nil).body, &log)
	kinds := map[string]int{}
	for _, e := range log.Entries {
		if e.Who == "Sam Support" {
			kinds[e.Type]++
		}
	}
	if kinds["helper-view"] < 1 || kinds["helper-add"] < 1 || kinds["share"] != 1 {
		t.Fatalf("log entries by the helper: %v", kinds)
	}

	// Withdrawn: the very next request is refused.
	expect(t, s.do("DELETE", s.url+"/api/v1/helpers/sam.support", tok, nil), http.StatusNoContent)
	expect(t, s.do("GET", record, sam, nil), http.StatusNotFound)
	_, sr = s.share(sam, `{"pod":"`+podID+`","recipient":{"name":"A","kind":"landlord"},"purpose":"tenancy-application","items":[{"path":"housing/"}]}`)
	expect(t, sr, http.StatusNotFound)

	// Only helper accounts can be chosen.
	s.leaver("lee")
	r = s.do("POST", s.url+"/api/v1/helpers", tok, strings.NewReader(`{"username":"lee","rights":["view"]}`), "Content-Type", "application/json")
	expect(t, r, http.StatusUnprocessableEntity)
}
