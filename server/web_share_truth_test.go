package server_test

import (
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
)

// Issue 15, items 2 and 3: what My shares and Who has looked say is the
// whole truth, named as the leaver named it; the wizard shares exactly
// the addresses and fields chosen, and says before sharing which of them
// would tell the recipient about prison.

// putExample stores a file of the example pod at the same path in the
// leaver's pod, through the API.
func (s *testServer) putExample(podURL, tok, path, contentType string) {
	s.t.Helper()
	b, err := os.ReadFile("../examples/pod/" + path)
	if err != nil {
		s.t.Fatal(err)
	}
	if r := s.do("PUT", podURL+path, tok, strings.NewReader(string(b)), "Content-Type", contentType); r.status != http.StatusCreated {
		s.t.Fatalf("PUT %s: %d %s", path, r.status, r.body)
	}
}

// ticked are the values of the checkboxes a page shows ticked for name.
func ticked(p page, name string) []string {
	var out []string
	re := regexp.MustCompile(`<input[^>]*name="` + name + `"[^>]*>`)
	for _, tag := range re.FindAllString(p.body, -1) {
		if strings.Contains(tag, " checked") {
			out = append(out, regexp.MustCompile(`value="([^"]*)"`).FindStringSubmatch(tag)[1])
		}
	}
	return out
}

// shareWhat answers the first question of the share wizard with what and,
// if the details question follows, keeps what the page ticks except the
// fields in leave; it ends on the check page.
func (b *browser) shareWhat(what url.Values, leave ...string) {
	b.t.Helper()
	b.get("/my/share").redirects("/my/share/what")
	if next := b.send("/my/share/what", what).want(http.StatusSeeOther).header.Get("Location"); next == "/my/share/details" {
		b.chooseDetails(leave...)
	} else if next != "/my/share/who" {
		b.t.Fatalf("what goes to %q", next)
	}
	b.send("/my/share/who", url.Values{"name": {"Acme Lettings"}, "kind": {"landlord"}}).redirects("/my/share/why")
	b.send("/my/share/why", url.Values{"purpose": {"tenancy-application"}}).redirects("/my/share/how-long")
	b.send("/my/share/how-long", url.Values{"length": {"2w"}}).redirects("/my/share/check")
}

// chooseDetails answers the details question, keeping what is ticked but
// leave.
func (b *browser) chooseDetails(leave ...string) {
	b.t.Helper()
	page := b.form("/my/share/details").shows("Do you want to leave anything out?")
	keep := url.Values{}
	for _, v := range ticked(page, "keep") {
		gone := false
		for _, l := range leave {
			gone = gone || strings.HasSuffix(v, l)
		}
		if !gone {
			keep.Add("keep", v)
		}
	}
	keep.Set("csrf", b.csrf)
	next := b.post("/my/share/details", keep).want(http.StatusSeeOther).header.Get("Location")
	if next != "/my/share/who" && next != "/my/share/check" {
		b.t.Fatalf("details go to %q", next)
	}
}

// makeShare sends the check page and returns the share's link on this
// server.
func (b *browser) makeShare() string {
	b.t.Helper()
	b.form("/my/share/check")
	loc := b.send("/my/share/check", nil).want(http.StatusSeeOther).header.Get("Location")
	link := b.get(loc).want(http.StatusOK).find(`id="link"[^>]* value="([^"]+)"`)
	u, err := url.Parse(link)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.s.url + u.Path
}

func TestWebSharesNameEveryDocumentByItsTitle(t *testing.T) {
	s := newTestServer(t)
	podURL, tok := s.leaver("jo")
	jo := s.signedIn(t, "jo", webPassword, "/my")
	file := jo.addPhoto() // /my/file/identity%2Fphoto-of-my-id-card.png
	file, _, _ = strings.Cut(file, "?")
	path, err := url.PathUnescape(strings.TrimPrefix(file, "/my/file/"))
	if err != nil {
		t.Fatal(err)
	}
	// The photo alone, without the record that names it.
	_, r := s.share(tok, `{"recipient":{"name":"Acme Lettings","kind":"landlord"},"purpose":"tenancy-application","items":[{"path":"`+path+`"}],"expiresIn":"7d"}`)
	expect(t, r, http.StatusCreated)
	// A photo nobody named.
	s.putExample(podURL, tok, "documents/id-card.png", "image/png")
	_, r = s.share(tok, `{"recipient":{"name":"Best Bank","kind":"bank"},"purpose":"open-bank-account","items":[{"path":"documents/id-card.png"}],"expiresIn":"7d"}`)
	expect(t, r, http.StatusCreated)

	shares := jo.get("/my/shares").want(http.StatusOK).shows("Acme Lettings", photoTitle, "Best Bank", "A photo with no name").
		hides("photo-of-my-id-card", "id-card.png")
	if i, j := strings.Index(shares.body, "Acme Lettings"), strings.Index(shares.body, photoTitle); j < i {
		t.Fatalf("the photo is not listed with the share to Acme Lettings: %s", shares.text())
	}

	// Shared through the wizard, record and file are one thing.
	jo.shareWhat(url.Values{"item": {strings.TrimSuffix(path, ".png") + ".jsonld"}})
	jo.form("/my/share/check").shows(photoTitle)
	link := jo.makeShare()
	s.browser(t).get(link).want(http.StatusOK).shows(photoTitle)
	if n := strings.Count(jo.get("/my/shares").body, "<li>"+photoTitle+"</li>"); n != 2 {
		t.Fatalf("the photo is listed %d times in My shares, want once in each of two shares", n)
	}
}

func TestWebLookedSaysEveryItemOpened(t *testing.T) {
	s := newTestServer(t)
	s.leaver("jo")
	jo := s.signedIn(t, "jo", webPassword, "/my")
	jo.addPhoto()
	const letter = "Letter from the council"
	jo.upload("/my/documents/add", part{name: "csrf"}, field("title", letter), field("where", "documents/"),
		part{name: "file", file: "scan.png", data: idCardPNG(t)}).redirects("/my")

	jo.get("/my/share").redirects("/my/share/what")
	what := jo.form("/my/share/what")
	items := url.Values{}
	for _, title := range []string{photoTitle, letter} {
		items.Add("item", what.find(`value="([^"]+)">\s*<label[^>]*>`+title+`<`))
	}
	jo.shareWhat(items)
	link := jo.makeShare()

	landlord := s.browser(t)
	page := landlord.get(link).want(http.StatusOK).shows(photoTitle, letter)
	opened := regexp.MustCompile(`href="(?:https?://[^/"]+)?(/s/[^"?]+/items/[^"?]+)"`).FindAllStringSubmatch(page.body, -1)
	seen := map[string]bool{}
	for _, m := range opened {
		if !seen[m[1]] {
			seen[m[1]] = true
			landlord.get(m[1]).want(http.StatusOK)
		}
	}
	if len(seen) < 2 {
		t.Fatalf("the recipient's page links %d items, want the photo and the letter: %s", len(seen), page.text())
	}

	looked := jo.get("/my/looked").want(http.StatusOK)
	looked.shows(
		"Someone with the link you gave Acme Lettings opened “"+photoTitle+"”",
		"Someone with the link you gave Acme Lettings opened “"+letter+"”",
		"Someone with the link you gave Acme Lettings opened it on",
		photoTitle+" and "+letter+".",
	).hides("Acme Lettings looked at", ".png")
}

func TestWebShareOneAddress(t *testing.T) {
	s := newTestServer(t)
	s.leaver("jo")
	jo := s.signedIn(t, "jo", webPassword, "/my")
	jo.addAddress(olderAddress)
	jo.addAddress(currentAddress)

	jo.get("/my/share").redirects("/my/share/what")
	what := jo.form("/my/share/what").shows("Let me choose", "1 Old Street")
	older := what.find(`value="(#[^"]+)">\s*<label[^>]*>1 Old Street`)
	item := "housing/address-history.jsonld"
	jo.send("/my/share/what", url.Values{"item": {item}, "part": {"some"}}).want(http.StatusUnprocessableEntity).
		shows("Select at least one address")
	jo.shareWhat(url.Values{"item": {item}, "part": {"some"}, "entry": {older}})
	jo.form("/my/share/check").shows("Addresses: 1 that you chose", "Old Street").hides("Park Row")
	link := jo.makeShare()

	s.browser(t).get(link).want(http.StatusOK).shows("Old Street", "Bradford").hides("Park Row", "LS1 5AB")
	jo.get("/my/shares").want(http.StatusOK).shows("One address")
}

func TestWebShareLeavesOutAField(t *testing.T) {
	s := newTestServer(t)
	podURL, tok := s.leaver("jo")
	s.putExample(podURL, tok, "housing/address-history.jsonld", "application/ld+json")
	jo := s.signedIn(t, "jo", webPassword, "/my")
	item := "housing/address-history.jsonld"

	jo.shareWhat(url.Values{"item": {item}, "part": {"all"}})
	jo.form("/my/share/check").shows("Sam Keyworker", "Park Row")
	// Change what is shared: leave out every address's reference.
	jo.send("/my/share/what", url.Values{"item": {item}, "part": {"all"}}).redirects("/my/share/check")
	jo.chooseDetails("/entries/*/reference")
	jo.form("/my/share/check").shows("Park Row").hides("Sam Keyworker", "0113 496 0999")
	link := jo.makeShare()
	s.browser(t).get(link).want(http.StatusOK).shows("Park Row").hides("Sam Keyworker", "0113 496 0999")
}

func TestWebShareWarnsAboutPrison(t *testing.T) {
	s := newTestServer(t)
	podURL, tok := s.leaver("jo")
	s.putExample(podURL, tok, "housing/address-history.jsonld", "application/ld+json")
	s.putExample(podURL, tok, "documents/id-card.png", "image/png")
	s.putExample(podURL, tok, "identity/id-card.jsonld", "application/ld+json")
	jo := s.signedIn(t, "jo", webPassword, "/my")
	history, card := "housing/address-history.jsonld", "identity/id-card.jsonld"

	jo.shareWhat(url.Values{"item": {history, card}, "part": {"all"}})
	check := jo.form("/my/share/check")
	check.shows("This may tell Acme Lettings that you have been in prison",
		"Photo ID card issued by a prison", "In custody", "HMP Example (fictional)", "Approved premises",
		"Your address from August 2021 to February 2024",
		`name="leave" value="`+card+`#/documentType"`, `name="leave" value="`+history+`#/entries/#custody"`)
	if i, j := strings.Index(check.body, "that you have been in prison"), strings.Index(check.body, `class="app-preview"`); i < 0 || j < i {
		t.Fatalf("the warning is not at the top of the check page: %s", check.text())
	}
	// A family home and a hostel's key worker say nothing about prison.
	warning := check.body[:strings.Index(check.body, `class="app-preview"`)]
	for _, quiet := range []string{"14 Example Road", "Sam Keyworker", "Park Row"} {
		if strings.Contains(warning, quiet) {
			t.Errorf("the warning names %q", quiet)
		}
	}

	// Leave out the kind of ID, then the time in custody.
	jo.post("/my/share/check", url.Values{"csrf": {jo.csrf}, "leave": {card + "#/documentType"}}).redirects("/my/share/check")
	check = jo.form("/my/share/check").shows("That is left out", "HMP Example (fictional)").hides("Photo ID card issued by a prison")
	jo.post("/my/share/check", url.Values{"csrf": {jo.csrf}, "leave": {history + "#/entries/#custody"}}).redirects("/my/share/check")
	jo.form("/my/share/check").shows("Approved premises").hides("In custody", "Your address from August 2021 to February 2024")

	link := jo.makeShare()
	s.browser(t).get(link).want(http.StatusOK).shows("Park Row", "A1234BC").hides("Photo ID card issued by a prison", "In custody")

	// Nothing left to warn about: no warning.
	jo.shareWhat(url.Values{"item": {history}, "part": {"current"}})
	jo.form("/my/share/check").shows("Park Row").hides("been in prison")
}
