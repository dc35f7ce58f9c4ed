package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// chosenBy lists the leaver names a helper's GET /api/v1/chosen shows.
func chosenBy(t *testing.T, s *testServer, helperTok string) string {
	t.Helper()
	r := s.do("GET", s.url+"/api/v1/chosen", helperTok, nil)
	expect(t, r, http.StatusOK)
	return string(r.body)
}

// Deleting a leaver's account (here through the web page, as the leaver
// does it) leaves nothing behind: not their shares, not the helpers they
// chose, not their enrolments, and no token of theirs works.
func TestDeletingAnAccountLeavesNothing(t *testing.T) {
	s := newTestServer(t)
	ctx := context.Background()
	staff, podURL, _, _ := issuerSetup(t, s)
	jo, err := s.b.Accounts.Get(ctx, "jo")
	if err != nil {
		t.Fatal(err)
	}
	tok := tokenFor(t, s, "jo", webPassword)
	expect(t, s.do("PUT", podURL+"housing/history.jsonld", tok, strings.NewReader(history), "Content-Type", "application/ld+json"), http.StatusCreated)
	g, r := s.share(tok, currentAddressOnly)
	expect(t, r, http.StatusCreated)
	expect(t, s.do("GET", g.ShareURL, "", nil), http.StatusOK)
	sam := s.helper("sam.support", "Sam Support")
	expect(t, s.do("POST", s.url+"/api/v1/helpers", tok, strings.NewReader(`{"username":"sam.support","rights":["view"]}`), "Content-Type", "application/json"), http.StatusCreated)
	if !strings.Contains(chosenBy(t, s, sam), "Test jo") {
		t.Fatal("the helper does not see who chose them")
	}
	enrolled := s.do("GET", s.url+"/api/v1/issuers/hmp-example-education/enrolled", staff, nil)
	expect(t, enrolled, http.StatusOK)
	if !strings.Contains(string(enrolled.body), "Jo B") {
		t.Fatalf("the organisation does not list the enrolment: %s", enrolled.body)
	}

	b := s.signedIn(t, "jo", webPassword, "/my")
	b.get("/my/data/delete").want(http.StatusOK)
	b.send("/my/data/delete", url.Values{"password": {webPassword}}).want(http.StatusOK).shows("Your account is deleted")

	// No token of the account works.
	expect(t, s.do("GET", podURL, tok, nil), http.StatusUnauthorized)
	expect(t, s.do("GET", s.url+"/api/v1/grants", tok, nil), http.StatusUnauthorized)
	expect(t, s.do("GET", s.url+"/api/v1/grants/"+g.ID, tok, nil), http.StatusUnauthorized)
	// The share link is gone, as an unknown one is.
	expect(t, s.do("GET", g.ShareURL, "", nil), http.StatusGone)
	// Nothing of the account is listed anywhere.
	if shares, err := s.b.Consent.List(ctx, jo.Pod); err != nil || len(shares) != 0 {
		t.Fatalf("the deleted account's shares are still listed: %d, %v", len(shares), err)
	}
	if strings.Contains(chosenBy(t, s, sam), "Test jo") {
		t.Fatal("the helper still sees the deleted account")
	}
	enrolled = s.do("GET", s.url+"/api/v1/issuers/hmp-example-education/enrolled", staff, nil)
	expect(t, enrolled, http.StatusOK)
	var e struct{ Enrolled []map[string]string }
	if err := json.Unmarshal(enrolled.body, &e); err != nil || len(e.Enrolled) != 0 || strings.Contains(string(enrolled.body), "Jo B") {
		t.Fatalf("the organisation still lists the deleted account: %s", enrolled.body)
	}
	// The username is free again, for a new account that has none of it.
	podURL2, tok2 := s.leaver("jo")
	if podURL2 == podURL {
		t.Fatal("the new account has the old pod")
	}
	r = s.do("GET", s.url+"/api/v1/grants", tok2, nil)
	expect(t, r, http.StatusOK)
	if strings.Contains(string(r.body), g.ID) {
		t.Fatalf("the new account lists the old one's shares: %s", r.body)
	}
}

// Deleting a helper's account (here as the satchel command does, through
// Backend.DeleteAccount) takes them off the list of everyone who chose
// them.
func TestDeletingAHelperRemovesTheirDelegations(t *testing.T) {
	s := newTestServer(t)
	_, tok := s.leaver("jo")
	sam := s.helper("sam.support", "Sam Support")
	expect(t, s.do("POST", s.url+"/api/v1/helpers", tok, strings.NewReader(`{"username":"sam.support","rights":["view","share"]}`), "Content-Type", "application/json"), http.StatusCreated)
	r := s.do("GET", s.url+"/api/v1/helpers", tok, nil)
	expect(t, r, http.StatusOK)
	if !strings.Contains(string(r.body), "sam.support") {
		t.Fatalf("helpers: %s", r.body)
	}
	if err := s.b.DeleteAccount(context.Background(), "sam.support"); err != nil {
		t.Fatal(err)
	}
	expect(t, s.do("GET", s.url+"/api/v1/chosen", sam, nil), http.StatusUnauthorized)
	r = s.do("GET", s.url+"/api/v1/helpers", tok, nil)
	expect(t, r, http.StatusOK)
	if strings.Contains(string(r.body), "sam.support") {
		t.Fatalf("the leaver still lists the deleted helper: %s", r.body)
	}
	// A new helper account with the same username is not chosen by anyone.
	sam2 := s.helper("sam.support", "Sam Support")
	if strings.Contains(chosenBy(t, s, sam2), "Test jo") {
		t.Fatal("a new account with the deleted helper's username was chosen")
	}
}
