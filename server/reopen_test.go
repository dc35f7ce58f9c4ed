package server_test

import (
	"net/http"
	"strings"
	"testing"
)

// A browser that opened a one-view link may open its page again within
// the opening's window (to change language, or after going back) without
// using it up; anyone else still finds it used up.
func TestReopeningTheSamePageIsTheSameView(t *testing.T) {
	s := newTestServer(t)
	_, tok := leaverWithHistory(t, s)
	g, r := s.share(tok, strings.Replace(currentAddressOnly, `"expiresIn":"7d"`, `"expiresIn":"7d","maxViews":1`, 1))
	expect(t, r, http.StatusCreated)
	landlord := s.browser(t)
	landlord.get(g.ShareURL).want(http.StatusOK)
	landlord.get(g.ShareURL).want(http.StatusOK)
	landlord.get("/language?to=cy&back=" + strings.TrimPrefix(g.ShareURL, s.url))
	landlord.get(g.ShareURL).want(http.StatusOK)
	s.browser(t).get(g.ShareURL).want(http.StatusGone)
	if v := s.do("GET", s.url+"/api/v1/grants/"+g.ID, tok, nil); !strings.Contains(string(v.body), `"views":1`) {
		t.Fatalf("views after one browser's three openings: %s", v.body)
	}
	// A cookie naming another time is no opening of this share.
	other := s.browser(t)
	req, _ := http.NewRequest("GET", g.ShareURL, nil)
	req.Header.Set("Cookie", "satchel-opening=1700000000000000000")
	resp, err := other.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusGone {
		t.Fatalf("a made-up opening cookie: %d, want 410", resp.StatusCode)
	}
}
