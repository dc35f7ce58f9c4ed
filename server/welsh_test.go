package server_test

import (
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// Every page in Welsh (issue 15, item 9): chosen with the language link on
// every page, kept in a cookie, or asked for by the browser.

// welshDate is a date and time as the Welsh pages write it.
var welshDate = regexp.MustCompile(`Dydd (Sul|Llun|Mawrth|Mercher|Iau|Gwener|Sadwrn) \d{1,2} (Ionawr|Chwefror|Mawrth|Ebrill|Mai|Mehefin|Gorffennaf|Awst|Medi|Hydref|Tachwedd|Rhagfyr) 20\d\d am \d{1,2}:\d\d(yb|yp)`)

// languageLink follows the page's language link, which must offer name,
// and returns where it went back to.
func (b *browser) languageLink(p page, name string) page {
	b.t.Helper()
	m := regexp.MustCompile(`<a class="govuk-link" href="(/language\?[^"]+)" lang="[a-z]+" hreflang="[a-z]+">` + name + `</a>`).FindStringSubmatch(p.body)
	if m == nil {
		b.t.Fatalf("%s has no language link to %s; page: %s", p.url, name, p.text())
	}
	return b.get(html.UnescapeString(m[1]))
}

func TestWelshLanguageLink(t *testing.T) {
	s := newTestServer(t)
	b := s.browser(t)
	help := b.get("/help").want(http.StatusOK).shows(`<html lang="en"`, "If you cannot sign in")
	sw := b.languageLink(help, "Cymraeg").redirects("/help")
	c := sw.cookie("lang")
	if !strings.HasPrefix(c, "lang=cy;") || !strings.Contains(c, "SameSite=Lax") || !strings.Contains(c, "Path=/") {
		t.Fatalf("the language link sets %q, want lang=cy for the whole site, SameSite=Lax", c)
	}
	cy := b.get("/help").want(http.StatusOK).
		shows(`<html lang="cy"`, "Sefydlu eich cyfrif", "gallu mewngofnodi", "Preifatrwydd", "Datganiad hygyrchedd").
		hides("If you cannot sign in", "Privacy")
	// Every page keeps the choice.
	b.get("/sign-in").want(http.StatusOK).shows(`<html lang="cy"`, "Enw defnyddiwr", "Cyfrinair").hides("Username")
	b.get("/cookies").want(http.StatusOK).shows(`<code>lang</code>`, "gyda&#39;r ddolen English neu Cymraeg")

	// And back.
	b.languageLink(cy, "English").redirects("/help")
	b.get("/help").want(http.StatusOK).shows(`<html lang="en"`, "If you cannot sign in")
	b.get("/cookies").want(http.StatusOK).shows(`<code>lang</code>`, "Keeps the language you chose")

	// The link goes back only to a path on this site.
	for _, back := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example", "evil.example"} {
		b.get("/language?to=cy&back=" + strings.ReplaceAll(back, "/", "%2F")).redirects("/")
	}
	b.get("/language?to=cy&back=/my/shares%3Fx%3D1").redirects("/my/shares?x=1")
	// A language there is no catalogue for changes nothing.
	if c := b.get("/language?to=xx&back=/help").redirects("/help").cookie("lang"); c != "" {
		t.Fatalf("to=xx sets %q", c)
	}
}

func TestWelshFromBrowser(t *testing.T) {
	s := newTestServer(t)
	b := s.browser(t)
	b.do("GET", "/sign-in", nil, "Accept-Language", "cy-GB,cy;q=0.9,en;q=0.8").want(http.StatusOK).
		shows(`<html lang="cy"`, "Mewngofnodi", "Enw defnyddiwr", ">English</a>").hides("Username")
	b.do("GET", "/sign-in", nil, "Accept-Language", "en-GB,en;q=0.9,cy;q=0.8").want(http.StatusOK).
		shows(`<html lang="en"`, "Username", ">Cymraeg</a>")
	// The cookie wins over the browser.
	b.get("/language?to=en&back=/sign-in").redirects("/sign-in")
	b.do("GET", "/sign-in", nil, "Accept-Language", "cy").want(http.StatusOK).shows(`<html lang="en"`, "Username")
}

func TestWelshDatesAndRecipientPage(t *testing.T) {
	s := newTestServer(t)
	s.leaver("jo")
	b := s.signedIn(t, "jo", webPassword, "/my")
	b.addAddress(currentAddress)
	_, link, _ := b.shareCurrentAddress()
	s.browser(t).get(link).want(http.StatusOK)

	b.get("/language?to=cy&back=/my/looked").redirects("/my/looked")
	looked := b.get("/my/looked").want(http.StatusOK).shows(`<html lang="cy"`, "Pwy sydd wedi edrych", "Fy mhethau")
	if !welshDate.MatchString(looked.body) {
		t.Fatalf("Who has looked has no date in Welsh; page: %s", looked.text())
	}
	for _, en := range []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", " at "} {
		looked.hides(en)
	}
	b.get("/my/shares").want(http.StatusOK).shows(`<html lang="cy"`, "Fy nolenni", "Acme Lettings")

	// The recipient's page: in Welsh for a Welsh browser, with the date the
	// share ends in Welsh and a link back to English that returns to it.
	landlord := s.browser(t)
	path := strings.TrimPrefix(link, s.url)
	p := landlord.do("GET", path, nil, "Accept-Language", "cy").want(http.StatusOK).
		shows(`<html lang="cy"`, "Preifatrwydd", "landlord neu asiant gosod tai", "i wneud cais am denantiaeth", "2 Park Row")
	if !welshDate.MatchString(p.body) {
		t.Fatalf("the recipient's page has no date in Welsh; page: %s", p.text())
	}
	landlord.languageLink(p, "English").redirects(path)
	landlord.do("GET", path, nil, "Accept-Language", "cy").want(http.StatusOK).
		shows(`<html lang="en"`, "landlord or letting agent", ">Cymraeg</a>")
	// An ended link says so in Welsh too.
	gone := s.browser(t)
	gone.do("GET", "/s/not-a-real-token-at-all", nil, "Accept-Language", "cy").want(http.StatusGone).
		shows(`<html lang="cy"`, "ddolen hon ddim yn gweithio bellach")
}
