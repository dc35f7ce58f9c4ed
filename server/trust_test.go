package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/satchel-project/satchel/account"
)

// choose lets username help the leaver with tok with rights (JSON strings).
func (s *testServer) choose(t *testing.T, tok, username, rights string) {
	t.Helper()
	r := s.do("POST", s.url+"/api/v1/helpers", tok, strings.NewReader(`{"username":"`+username+`","rights":[`+rights+`]}`), "Content-Type", "application/json")
	expect(t, r, http.StatusCreated)
}

func podIDOf(s *testServer, podURL string) string {
	return strings.Split(strings.TrimPrefix(podURL, s.url+"/pods/"), "/")[0]
}

// A helper with only the share right cannot share what they may not see,
// nor open it through a link of their own.
func TestHelperSharesOnlyWhatTheyMaySee(t *testing.T) {
	s := newTestServer(t)
	pod, tok := leaverWithHistory(t, s)
	id := podIDOf(s, pod)
	sam := s.helper("sam.support", "Sam Support")
	s.choose(t, tok, "sam.support", `"share"`)
	for _, items := range []string{`[{"path":"housing/"}]`, `[{"path":"housing/history.jsonld"}]`, `[{"path":"identity/"}]`, `[{"path":"access-log/"}]`} {
		_, r := s.share(sam, `{"pod":"`+id+`","recipient":{"name":"Me","kind":"other"},"purpose":"other","items":`+items+`}`)
		expect(t, r, http.StatusForbidden)
		if strings.Contains(string(r.body), "shareURL") {
			t.Fatalf("a refused share still made a link: %s", r.body)
		}
	}
	// With view too, the helper can share, but never the access log.
	s.choose(t, tok, "sam.support", `"view","share"`)
	_, r := s.share(sam, `{"pod":"`+id+`","recipient":{"name":"Me","kind":"other"},"purpose":"other","items":[{"path":"access-log/"}]}`)
	expect(t, r, http.StatusForbidden)
	g, r := s.share(sam, `{"pod":"`+id+`","recipient":{"name":"Acme Lettings","kind":"landlord"},"purpose":"tenancy-application","items":[{"path":"housing/history.jsonld"}]}`)
	expect(t, r, http.StatusCreated)
	if g.ShareURL == "" {
		t.Fatal("the helper did not get the link of the share they made")
	}
}

// A helper never sees the links of the leaver's other shares, and shares in
// the leaver's name, saying they helped.
func TestHelperNeverSeesOtherRecipientsLinks(t *testing.T) {
	s := newTestServer(t)
	pod, tok := leaverWithHistory(t, s)
	id := podIDOf(s, pod)
	own, r := s.share(tok, currentAddressOnly)
	expect(t, r, http.StatusCreated)
	ownToken := own.ShareURL[strings.LastIndex(own.ShareURL, "/")+1:]
	sam := s.helper("sam.support", "Sam Support")
	s.choose(t, tok, "sam.support", `"view","share"`)

	// sharedBy cannot be chosen by a helper.
	_, r = s.share(sam, `{"pod":"`+id+`","sharedBy":"HMP Example","recipient":{"name":"Acme","kind":"landlord"},"purpose":"tenancy-application","items":[{"path":"housing/history.jsonld"}]}`)
	expect(t, r, http.StatusUnprocessableEntity)
	mine, r := s.share(sam, `{"pod":"`+id+`","recipient":{"name":"Bank","kind":"bank"},"purpose":"open-bank-account","items":[{"path":"housing/history.jsonld"}]}`)
	expect(t, r, http.StatusCreated)
	page := s.do("GET", mine.ShareURL, "", nil)
	if !strings.Contains(string(page.body), "Test jo (with help from Sam Support)") {
		t.Fatalf("a helper's share does not say who helped: %s", page.body)
	}

	list := s.do("GET", s.url+"/api/v1/grants?pod="+id, sam, nil)
	expect(t, list, http.StatusOK)
	if strings.Contains(string(list.body), ownToken) {
		t.Fatalf("the helper's list shows the leaver's own share link: %s", list.body)
	}
	var got struct {
		Grants []map[string]any `json:"grants"`
	}
	json.Unmarshal(list.body, &got)
	if len(got.Grants) != 2 {
		t.Fatalf("the helper sees %d shares, want 2", len(got.Grants))
	}
	for _, g := range got.Grants {
		_, hasLink := g["shareURL"]
		if (g["id"] == mine.ID) != hasLink {
			t.Errorf("share %v: link shown = %v", g["id"], hasLink)
		}
		if _, ok := g["credential"]; ok {
			t.Errorf("share %v: the signed grant is in the list", g["id"])
		}
	}
	// The owner's endpoints for one share are the owner's alone.
	for _, p := range []string{"", "/receipt", "/qr.png", "/qr.svg"} {
		r := s.do("GET", s.url+"/api/v1/grants/"+own.ID+p, sam, nil)
		if r.status == http.StatusOK || strings.Contains(string(r.body), ownToken) {
			t.Errorf("GET grant%s as a helper: %d", p, r.status)
		}
	}
	// The link still works for its recipient: the helper never used it up.
	expect(t, s.do("GET", own.ShareURL, "", nil), http.StatusOK)
}

// "Add" means add: a helper's record may link only to files that helper
// added, so it can neither hide, co-share nor delete the leaver's files.
func TestHelperRecordsLinkOnlyToTheirOwnFiles(t *testing.T) {
	s := newTestServer(t)
	pod, tok := s.leaver("jo")
	expect(t, s.do("PUT", pod+"documents/licence.pdf", tok, strings.NewReader("%PDF-1.4\nthe leaver's"), "Content-Type", "application/pdf"), http.StatusCreated)
	sam := s.helper("sam.support", "Sam Support")
	s.choose(t, tok, "sam.support", `"add"`)

	record := func(file string) string {
		return `{"@context":"https://w3id.org/satchel/v1","type":"Document","title":"Letter","file":"` + file + `"}`
	}
	for _, link := range []string{"licence.pdf", "./licence.pdf", "../documents/licence.pdf", pod + "documents/licence.pdf", "../identity/", "nothing-here.pdf"} {
		r := s.do("PUT", pod+"documents/hide.jsonld", sam, strings.NewReader(record(link)), "Content-Type", "application/ld+json")
		expect(t, r, http.StatusUnprocessableEntity)
		if !strings.Contains(string(r.body), "files they added themselves") {
			t.Fatalf("link %q: %s", link, r.body)
		}
		r = s.do("POST", pod+"documents/", sam, strings.NewReader(record(link)), "Content-Type", "application/ld+json", "Slug", "hide")
		expect(t, r, http.StatusUnprocessableEntity)
	}
	// Nothing was written.
	expect(t, s.do("GET", pod+"documents/hide.jsonld", tok, nil), http.StatusNotFound)

	// A file the helper added, then a record for it: fine.
	r := s.do("POST", pod+"documents/", sam, strings.NewReader("%PDF-1.4\nthe helper's"), "Content-Type", "application/pdf", "Slug", "letter")
	expect(t, r, http.StatusCreated)
	added := r.header.Get("Location")
	name := added[strings.LastIndex(added, "/")+1:]
	expect(t, s.do("PUT", pod+"documents/letter.jsonld", sam, strings.NewReader(record(name)), "Content-Type", "application/ld+json"), http.StatusCreated)
	// The owner's records may link to anything in the pod.
	expect(t, s.do("PUT", pod+"documents/licence.jsonld", tok, strings.NewReader(record("licence.pdf")), "Content-Type", "application/ld+json"), http.StatusCreated)
	// The leaver's file is untouched.
	got := s.do("GET", pod+"documents/licence.pdf", tok, nil)
	if string(got.body) != "%PDF-1.4\nthe leaver's" {
		t.Fatalf("the leaver's file changed: %q", got.body)
	}
}

// Choosing helpers and changing what they may do need a recent sign-in.
func TestManagingHelpersNeedsARecentSignIn(t *testing.T) {
	s := newTestServer(t)
	a, err := s.b.Accounts.Create(context.Background(), "jo", account.Leaver, "Test jo", "correct-horse-battery")
	if err != nil {
		t.Fatal(err)
	}
	s.helper("sam.support", "Sam Support")
	a.SignedIn = time.Now().Add(-time.Hour)
	stale, _, err := s.b.Tokens.Issue(a)
	if err != nil {
		t.Fatal(err)
	}
	body := `{"username":"sam.support","rights":["view"]}`
	r := s.do("POST", s.url+"/api/v1/helpers", stale, strings.NewReader(body), "Content-Type", "application/json")
	expect(t, r, http.StatusUnauthorized)
	if p := r.problem(t); p["code"] != "sign-in-again" || !strings.Contains(r.header.Get("WWW-Authenticate"), "insufficient_user_authentication") {
		t.Fatalf("stale sign-in: %v %q", p, r.header.Get("WWW-Authenticate"))
	}
	// The stale token still reads the pod.
	expect(t, s.do("GET", s.podURL(string(a.Pod)), stale, nil), http.StatusOK)
	// A fresh sign-in may.
	fresh := login(s, "jo", "correct-horse-battery")
	expect(t, fresh, http.StatusOK)
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	json.Unmarshal(fresh.body, &tr)
	expect(t, s.do("POST", s.url+"/api/v1/helpers", tr.AccessToken, strings.NewReader(body), "Content-Type", "application/json"), http.StatusCreated)
	expect(t, s.do("DELETE", s.url+"/api/v1/helpers/sam.support", stale, nil), http.StatusUnauthorized)
	expect(t, s.do("DELETE", s.url+"/api/v1/helpers/sam.support", tr.AccessToken, nil), http.StatusNoContent)
}

// Nobody can list who has a helper's account by trying usernames: a miss
// looks the same whatever the username names, and misses are throttled.
func TestHelperUsernamesCannotBeListed(t *testing.T) {
	s := newTestServer(t)
	_, tok := s.leaver("jo")
	s.leaver("lee")
	add := func(user string) response {
		return s.do("POST", s.url+"/api/v1/helpers", tok, strings.NewReader(`{"username":"`+user+`","rights":["view"]}`), "Content-Type", "application/json")
	}
	a, b := add("lee"), add("no-such-person")
	expect(t, a, http.StatusUnprocessableEntity)
	expect(t, b, http.StatusUnprocessableEntity)
	if pa, pb := a.problem(t), b.problem(t); pa["code"] != pb["code"] || strings.ReplaceAll(pa["detail"].(string), "lee", "X") != strings.ReplaceAll(pb["detail"].(string), "no-such-person", "X") {
		t.Fatalf("a leaver's username and no account answer differently: %v / %v", pa, pb)
	}
	limited := false
	for i := 0; i < 20 && !limited; i++ {
		limited = add(fmt.Sprintf("guess-%d", i)).status == http.StatusTooManyRequests
	}
	if !limited {
		t.Fatal("20 usernames that name no helper were all looked up")
	}
}

// A forged credential in the leaver's own pod is not named after the
// organisation it claims, on My things, on its page or in the verify API.
func TestForgedIssuerNotNamedOnTheLeaversPages(t *testing.T) {
	s := newTestServer(t)
	if _, err := s.b.Issuers.CreateOrg(context.Background(), "hmp-example-education", hmpName); err != nil {
		t.Fatal(err)
	}
	pod, tok := s.leaver("jo")
	vc := forgedQualification(t, hmpName)
	expect(t, s.do("PUT", pod+"qualifications/english.jsonld", tok, strings.NewReader(string(mustJSON(vc))), "Content-Type", "application/ld+json"), http.StatusCreated)
	b := s.signedIn(t, "jo", webPassword, "/my")
	b.get("/my").want(http.StatusOK).hides(hmpName).shows("signed by a key Satchel does not know")
	b.get("/my/things/qualifications/english.jsonld").want(http.StatusOK).hides(hmpName, "Sent and signed by").shows("Satchel does not know who signed this")
	a, r := s.verifyVC(t, vc)
	if a.Valid || strings.Contains(string(r.body), `"issuerKnown":true`) || !strings.Contains(string(r.body), `"issuerKnown":false`) {
		t.Fatalf("/api/v1/verify: %s", r.body)
	}
}

// The web page that names a helper throttles misses as the API does.
func TestWebHelperUsernamesCannotBeListed(t *testing.T) {
	s := newTestServer(t)
	s.leaver("jo")
	b := s.signedIn(t, "jo", webPassword, "/my")
	limited := false
	for i := 0; i < 20 && !limited; i++ {
		p := b.send("/my/helpers/add", url.Values{"username": {fmt.Sprintf("guess-%d", i)}, "rights": {"view"}})
		p.want(http.StatusUnprocessableEntity)
		limited = strings.Contains(p.text(), "too many usernames")
	}
	if !limited {
		t.Fatal("20 usernames that name no helper were all looked up")
	}
}
