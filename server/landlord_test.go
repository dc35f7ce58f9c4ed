package server_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// The landlord's page (issue 15, item 4) and the check a landlord makes
// themselves at /check with a share code (item 5).

// gappyHistory is out of date order on purpose, with a gap of 5 weeks
// in 2024 (10 May to 14 June) and its first address far enough back to
// cover any five years before it.
const gappyHistory = `{"@context":"https://w3id.org/satchel/v1","type":"AddressHistory","entries":[
 {"id":"#current","type":"AddressHistoryEntry","address":{"type":"PostalAddress","streetAddress":"Flat 2, 8 Park Row","addressLocality":"Leeds","postalCode":"LS1 9ZZ"},"from":"2024-06-14","accommodationKind":"own-tenancy","provider":"Example Lettings Ltd"},
 {"id":"#family","type":"AddressHistoryEntry","address":{"type":"PostalAddress","streetAddress":"14 Example Road","addressLocality":"Bradford"},"from":"2010-05-01","to":"2021-08-14","accommodationKind":"family"},
 {"id":"#hostel","type":"AddressHistoryEntry","address":{"type":"PostalAddress","streetAddress":"The Example Hostel","addressLocality":"Leeds"},"from":"2021-08-14","to":"2024-05-10","accommodationKind":"hostel",
  "reference":{"type":"Person","name":"Sam Keyworker","relationship":"Key worker","telephone":"0113 496 0999"}}]}`

const coveringHistory = `{"@context":"https://w3id.org/satchel/v1","type":"AddressHistory","entries":[
 {"id":"#family","type":"AddressHistoryEntry","address":{"type":"PostalAddress","streetAddress":"14 Example Road","addressLocality":"Bradford"},"from":"2010-05-01","to":"2024-01-15","accommodationKind":"family"},
 {"id":"#current","type":"AddressHistoryEntry","address":{"type":"PostalAddress","streetAddress":"2 Park Row","addressLocality":"Leeds"},"from":"2024-01-15","accommodationKind":"own-tenancy"}]}`

const birthCertificate = `{"@context":"https://w3id.org/satchel/v1","type":"BirthCertificate","certificateForm":"short","name":"Jo Bloggs","birthDate":"1985-03-27"}`

const idDocument = `{"@context":"https://w3id.org/satchel/v1","type":"IdentityDocument","documentType":"driving-licence","holder":{"type":"Person","name":"Jo Bloggs","birthDate":"1985-03-27"}}`

// landlordShare is a leaver with history, who shares it (and, if id, an
// identity document) with a landlord; it returns the share and the leaver's
// token.
func landlordShare(t *testing.T, s *testServer, user, history string, id bool) (grantResp, string) {
	t.Helper()
	pod, tok := s.leaver(user)
	expect(t, s.do("PUT", pod+"housing/history.jsonld", tok, strings.NewReader(history), "Content-Type", "application/ld+json"), http.StatusCreated)
	items := `{"path":"housing/history.jsonld"}`
	if id {
		expect(t, s.do("PUT", pod+"identity/licence.jsonld", tok, strings.NewReader(idDocument), "Content-Type", "application/ld+json"), http.StatusCreated)
		items += `,{"path":"identity/licence.jsonld"}`
	}
	g, r := s.share(tok, `{"sharedBy":"Jo Bloggs","recipient":{"name":"Acme Lettings","kind":"landlord"},"purpose":"tenancy-application","items":[`+items+`]}`)
	expect(t, r, http.StatusCreated)
	return g, tok
}

func TestLandlordPage(t *testing.T) {
	s := newTestServer(t)
	g, _ := landlordShare(t, s, "jo", gappyHistory, true)
	p := s.browser(t).get(g.ShareURL).want(http.StatusOK)

	// One line on top, then the addresses in date order.
	p.shows("Has a gap of 5 weeks in 2024", "Addresses, oldest first",
		"1 May 2010 to 14 August 2021", "Since 14 June 2024", "Reference: Sam Keyworker (Key worker), 0113 496 0999", "Hostel")
	order := []string{"Has a gap of 5 weeks", "14 Example Road", "The Example Hostel", "Flat 2, 8 Park Row"}
	for i := 1; i < len(order); i++ {
		if strings.Index(p.body, order[i-1]) > strings.Index(p.body, order[i]) {
			t.Fatalf("%q comes after %q: %s", order[i-1], order[i], p.text())
		}
	}
	// Labels a person uses: no paths, field names or "Holder: Holder's name".
	p.shows("Holder&#39;s name", "Date of birth", "27 March 1985", "Driving licence")
	p.hides("Holder: ", "/entries", "#current", "accommodationKind", "birthDate", "2024-06-14")

	// The green box says what Satchel checked, and what it did not.
	p.shows("This link is valid, and Jo Bloggs shared these with you.", "Satchel has not checked that these documents are genuine")
	p.hides("This share is genuine")

	// The technical checks are folded away, with their dates in words.
	details := regexp.MustCompile(`(?s)<details class="govuk-details">(.*?)</details>`).FindStringSubmatch(p.body)
	if details == nil || !strings.Contains(details[1], "Passed: not withdrawn") || !strings.Contains(details[1], "Passed: valid until ") {
		t.Fatalf("the checks are not inside a details element: %s", p.text())
	}
	if strings.Count(p.body, "Passed:") != strings.Count(details[1], "Passed:") {
		t.Fatal("some checks are outside the details element")
	}
	if ts := regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d`).FindString(p.body); ts != "" {
		t.Fatalf("a timestamp %q on the page, not a date in words", ts)
	}

	// What to do next: the official routes, Satchel's own check, about
	// and reporting a problem.
	p.shows("What to do next", `href="https://www.gov.uk/check-tenant-right-to-rent-documents"`,
		`href="https://www.gov.uk/government/publications/right-to-rent-document-checks-a-user-guide"`,
		"not a Right to Rent check", s.b.Config.BaseURL+"/check", `href="/about"`, `href="/report"`)

	// A history that covers five years says so.
	covered, _ := landlordShare(t, s, "lee", coveringHistory, false)
	s.browser(t).get(covered.ShareURL).want(http.StatusOK).shows("Covers the last 5 years").hides("Has a gap")
}

func TestAboutAndReport(t *testing.T) {
	s := newTestServer(t)
	b := s.browser(t)
	b.get("/about").want(http.StatusOK).shows("About Satchel", "does not check that the documents themselves are genuine", `href="/check"`)
	b.form("/report").shows("What is the problem?", "I think a page is pretending to be Satchel")
	b.send("/report", nil).want(http.StatusUnprocessableEntity).shows("Select what the problem is")
	b.send("/report", url.Values{"kind": {"not-satchel"}}).want(http.StatusOK).
		shows("Thank you for telling us", "We do not keep anything about you")
	// A form from elsewhere is refused.
	s.browser(t).post("/report", url.Values{"kind": {"other"}}).want(http.StatusForbidden)
}

// checkCode sends the /check form as a landlord fills it in.
func (b *browser) checkCode(code, day, month, year string) page {
	b.t.Helper()
	return b.send("/check", url.Values{"code": {code}, "dob-day": {day}, "dob-month": {month}, "dob-year": {year}})
}

func TestShareCode(t *testing.T) {
	s := newTestServer(t)
	pod, tok := s.leaver("jo")
	expect(t, s.do("PUT", pod+"housing/history.jsonld", tok, strings.NewReader(coveringHistory), "Content-Type", "application/ld+json"), http.StatusCreated)
	expect(t, s.do("PUT", pod+"identity/birth.jsonld", tok, strings.NewReader(birthCertificate), "Content-Type", "application/ld+json"), http.StatusCreated)
	r := s.do("POST", s.url+"/api/v1/grants", tok, strings.NewReader(currentAddressOnly), "Content-Type", "application/json")
	expect(t, r, http.StatusCreated)
	var g struct {
		ID, ShareURL, ShareCode string
	}
	json.Unmarshal(r.body, &g)
	if !regexp.MustCompile(`^[A-Z2-9]{3}-[A-Z2-9]{3}-[A-Z2-9]{3}$`).MatchString(g.ShareCode) {
		t.Fatalf("share code %q", g.ShareCode)
	}
	token := g.ShareURL[strings.LastIndex(g.ShareURL, "/")+1:]

	// The share's page shows the code to read out, and ways to send it
	// that work without JavaScript.
	jo := s.signedIn(t, "jo", webPassword, "/my")
	ready := jo.get("/my/shares/"+g.ID).want(http.StatusOK).shows(g.ShareCode, s.b.Config.BaseURL+"/check",
		`href="sms:?&amp;body=`, `href="https://wa.me/?text=`, `src="/assets/share.js"`, "data-share-url=")
	if !strings.Contains(ready.body, url.PathEscape(g.ShareCode)) {
		t.Fatalf("the text message does not hold the code: %s", ready.body)
	}
	expect(t, s.do("GET", s.url+"/assets/share.js", "", nil), http.StatusOK)

	// The right code and date of birth open the share, as its link does,
	// typed as a person might.
	landlord := s.browser(t)
	landlord.form("/check").shows("Share code", "Their date of birth")
	to := landlord.checkCode(strings.ToLower(strings.ReplaceAll(g.ShareCode, "-", " ")), "27", "3", "1985").want(http.StatusSeeOther).header.Get("Location")
	if to != "/s/"+token {
		t.Fatalf("/check sends to %q", to)
	}
	landlord.get(to).want(http.StatusOK).shows("2 Park Row", "This link is valid")
	var sh struct{ Views int }
	json.Unmarshal(s.do("GET", s.url+"/api/v1/grants/"+g.ID, tok, nil).body, &sh)
	if sh.Views != 1 {
		t.Fatalf("opening through /check counted %d views, want 1", sh.Views)
	}

	// A wrong date of birth and a wrong code get the same refusal.
	other := "AAA-AAA-AAA"
	if g.ShareCode == other {
		other = "BBB-BBB-BBB"
	}
	stranger := s.browser(t)
	wrongDOB := stranger.checkCode(g.ShareCode, "28", "3", "1985").want(http.StatusUnprocessableEntity)
	wrongCode := stranger.checkCode(other, "27", "3", "1985").want(http.StatusUnprocessableEntity)
	const refusal = "We could not find a share with this share code and date of birth"
	wrongDOB.shows(refusal).hides("2 Park Row")
	wrongCode.shows(refusal)
	errorOf := func(p page) string { return p.find(`(?s)<p id="code-error" class="govuk-error-message">(.*?)</p>`) }
	if errorOf(wrongDOB) != errorOf(wrongCode) {
		t.Fatalf("a wrong date of birth says %q, a wrong code %q", errorOf(wrongDOB), errorOf(wrongCode))
	}

	// A withdrawn share says it has ended, and shows nothing.
	expect(t, s.do("POST", s.url+"/api/v1/grants/"+g.ID+"/revoke", tok, nil), http.StatusNoContent)
	s.browser(t).checkCode(g.ShareCode, "27", "3", "1985").want(http.StatusGone).
		shows("This share has ended", "withdrew it").hides("2 Park Row")
	// Guessing is throttled, as sign-in is.
	throttled := false
	for i := 0; i < 10 && !throttled; i++ {
		p := stranger.checkCode(g.ShareCode, "1", "1", "1990")
		switch p.status {
		case http.StatusTooManyRequests:
			p.shows("There were too many wrong tries")
			throttled = true
		case http.StatusUnprocessableEntity:
		default:
			t.Fatalf("try %d: %d", i, p.status)
		}
	}
	if !throttled {
		t.Fatal("12 wrong tries were never throttled")
	}

}

func TestShareCodeAskedWhenNoDateOfBirth(t *testing.T) {
	s := newTestServer(t)
	_, tok := leaverWithHistory(t, s)
	g, _ := s.share(tok, currentAddressOnly)
	jo := s.signedIn(t, "jo", webPassword, "/my")
	jo.form("/my/shares/"+g.ID).shows("Your date of birth", "Make a share code").hides("You can also type the share code")
	jo.post("/my/shares/"+g.ID+"/code", url.Values{"csrf": {jo.csrf}, "dob-day": {"31"}, "dob-month": {"2"}, "dob-year": {"1985"}}).
		want(http.StatusUnprocessableEntity).shows("Enter your date of birth")
	jo.post("/my/shares/"+g.ID+"/code", url.Values{"csrf": {jo.csrf}, "dob-day": {"27"}, "dob-month": {"3"}, "dob-year": {"1985"}}).
		redirects("/my/shares/" + g.ID)
	code := jo.get("/my/shares/" + g.ID).want(http.StatusOK).find(`id="share-code">([A-Z2-9-]{11})<`)
	s.browser(t).checkCode(code, "27", "3", "1985").want(http.StatusSeeOther)
}
