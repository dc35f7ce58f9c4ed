package server_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/consent"
	podpkg "github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/server"
)

// The leaver's and helper's pages (package web), driven the way a browser
// drives them: cookies kept, redirects not followed, every form sent with
// the csrf token its page showed.

const webPassword = "correct-horse-battery" // s.leaver's password

// browser is one person at one browser.
type browser struct {
	t    *testing.T
	s    *testServer
	c    *http.Client
	csrf string // the csrf token of the last form opened
}

func (s *testServer) browser(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, s: s, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// page is one response as the browser got it.
type page struct {
	t      *testing.T
	url    string
	status int
	header http.Header
	body   string
}

var (
	csrfRE = regexp.MustCompile(`name="csrf" value="([^"]*)"`)
	tagRE  = regexp.MustCompile(`(?s)<[^>]*>`)
	wsRE   = regexp.MustCompile(`\s+`)
)

// text is the page's words without markup, for failure messages.
func (p page) text() string {
	s := strings.TrimSpace(wsRE.ReplaceAllString(html.UnescapeString(tagRE.ReplaceAllString(p.body, " ")), " "))
	if len(s) > 1500 {
		s = s[:1500] + "…"
	}
	return s
}

func (p page) want(status int) page {
	p.t.Helper()
	if p.status != status {
		p.t.Fatalf("%s: status %d, want %d; Location %q; page: %s", p.url, p.status, status, p.header.Get("Location"), p.text())
	}
	return p
}

func (p page) redirects(to string) page {
	p.t.Helper()
	p.want(http.StatusSeeOther)
	if loc := p.header.Get("Location"); loc != to {
		p.t.Fatalf("%s: redirects to %q, want %q", p.url, loc, to)
	}
	return p
}

func (p page) shows(texts ...string) page {
	p.t.Helper()
	for _, s := range texts {
		if !strings.Contains(p.body, s) {
			p.t.Fatalf("%s (status %d) does not show %q; page: %s", p.url, p.status, s, p.text())
		}
	}
	return p
}

func (p page) hides(texts ...string) page {
	p.t.Helper()
	for _, s := range texts {
		if strings.Contains(p.body, s) {
			p.t.Fatalf("%s (status %d) shows %q, which it must not; page: %s", p.url, p.status, s, p.text())
		}
	}
	return p
}

// find returns the first submatch of re in the page.
func (p page) find(re string) string {
	p.t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(p.body)
	if m == nil {
		p.t.Fatalf("%s: nothing matches %s; page: %s", p.url, re, p.text())
	}
	return html.UnescapeString(m[1])
}

// cookie returns the raw Set-Cookie line that sets cookie name to a value
// ("" if the response sets none).
func (p page) cookie(name string) string {
	for _, c := range p.header.Values("Set-Cookie") {
		if strings.HasPrefix(c, name+"=") && !strings.HasPrefix(c, name+"=;") {
			return c
		}
	}
	return ""
}

func (b *browser) do(method, path string, body io.Reader, headers ...string) page {
	b.t.Helper()
	u := path
	if strings.HasPrefix(path, "/") {
		u = b.s.url + path
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		b.t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return page{t: b.t, url: method + " " + path, status: resp.StatusCode, header: resp.Header, body: string(data)}
}

func (b *browser) get(path string) page { b.t.Helper(); return b.do("GET", path, nil) }

// form opens a page with a form and keeps its csrf token.
func (b *browser) form(path string) page {
	b.t.Helper()
	p := b.get(path).want(http.StatusOK)
	b.csrf = p.find(`name="csrf" value="([^"]*)"`)
	return p
}

// post sends v exactly as given, as a urlencoded form.
func (b *browser) post(path string, v url.Values, headers ...string) page {
	b.t.Helper()
	return b.do("POST", path, strings.NewReader(v.Encode()), append([]string{"Content-Type", "application/x-www-form-urlencoded"}, headers...)...)
}

// send opens the form at path and sends v with its csrf token, as a person
// filling it in does.
func (b *browser) send(path string, v url.Values) page {
	b.t.Helper()
	b.form(path)
	if v == nil {
		v = url.Values{}
	}
	v.Set("csrf", b.csrf)
	return b.post(path, v)
}

func (b *browser) signIn(username, password string) page {
	b.t.Helper()
	return b.send("/sign-in", url.Values{"username": {username}, "password": {password}})
}

// signedIn is a new browser signed in as username, which lands on home.
func (s *testServer) signedIn(t *testing.T, username, password, home string) *browser {
	t.Helper()
	b := s.browser(t)
	b.signIn(username, password).redirects(home)
	return b
}

// helperAccount makes a helper's account.
func (s *testServer) helperAccount(username, name string) {
	s.t.Helper()
	if _, err := s.b.Accounts.Create(context.Background(), username, account.Helper, name, webPassword); err != nil {
		s.t.Fatal(err)
	}
}

// part is one part of a multipart form; a csrf part with no data gets the
// browser's token.
type part struct {
	name, file string
	data       []byte
}

func (b *browser) upload(path string, parts ...part) page {
	b.t.Helper()
	b.form(path)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		if p.name == "csrf" && p.data == nil {
			p.data = []byte(b.csrf)
		}
		var w io.Writer
		var err error
		if p.file != "" {
			w, err = mw.CreateFormFile(p.name, p.file)
		} else {
			w, err = mw.CreateFormField(p.name)
		}
		if err != nil {
			b.t.Fatal(err)
		}
		w.Write(p.data)
	}
	mw.Close()
	return b.do("POST", path, &buf, "Content-Type", mw.FormDataContentType())
}

func field(name, value string) part { return part{name: name, data: []byte(value)} }

func idCardPNG(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("../examples/pod/documents/id-card.png")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const photoTitle = "Photo of my ID card"

// addPhoto uploads the ID card photo and returns the address of its bytes
// (the <img> on its page).
func (b *browser) addPhoto() string {
	b.t.Helper()
	b.upload("/my/documents/add", part{name: "csrf"}, field("title", photoTitle), field("where", "identity/"),
		part{name: "file", file: "id-card.png", data: idCardPNG(b.t)}).redirects("/my")
	thing := b.get("/my").want(http.StatusOK).shows(photoTitle).find(`href="(/my/things/[^"]+)">` + photoTitle + `<`)
	return b.get(thing).want(http.StatusOK).find(`<img[^>]* src="(/my/file/[^"]+)"`)
}

// address is one answer to the address questions; no toYear: they still
// live there.
type address struct {
	line1, town, postcode, fromMonth, fromYear, toMonth, toYear, kind string
}

var (
	olderAddress   = address{"1 Old Street", "Bradford", "BD1 1AA", "3", "2019", "5", "2020", "hostel"}
	currentAddress = address{"2 Park Row", "Leeds", "LS1 5AB", "1", "2024", "", "", "own-tenancy"}
)

const step = "/my/addresses/step/"

func (b *browser) addAddress(a address) {
	b.t.Helper()
	b.get("/my/addresses/add").redirects(step + "address")
	b.send(step+"address", url.Values{"line1": {a.line1}, "town": {a.town}, "postcode": {a.postcode}}).redirects(step + "moved-in")
	b.send(step+"moved-in", url.Values{"from-month": {a.fromMonth}, "from-year": {a.fromYear}}).redirects(step + "still")
	if a.toYear == "" {
		b.send(step+"still", url.Values{"still": {"yes"}}).redirects(step + "kind")
	} else {
		b.send(step+"still", url.Values{"still": {"no"}}).redirects(step + "moved-out")
		b.send(step+"moved-out", url.Values{"to-month": {a.toMonth}, "to-year": {a.toYear}}).redirects(step + "kind")
	}
	b.send(step+"kind", url.Values{"kind": {a.kind}}).redirects("/my/addresses/check")
	b.send("/my/addresses/check", nil).redirects("/my/addresses")
}

// shareCurrentAddress goes through the share questions, sharing the
// current address with Acme Lettings, and returns the share's ID, its
// link (on this server) and the check page shown before it was made.
func (b *browser) shareCurrentAddress() (id, link string, check page) {
	b.t.Helper()
	return b.shareCurrentAddressAt("/my")
}

// shareCurrentAddressAt is shareCurrentAddress through the share pages
// under base: "/my" for the leaver, "/helping/POD" for a helper.
func (b *browser) shareCurrentAddressAt(base string) (id, link string, check page) {
	b.t.Helper()
	b.get(base + "/share").redirects(base + "/share/what")
	item := "housing/address-history.jsonld"
	b.send(base+"/share/what", url.Values{"item": {item}}).want(http.StatusUnprocessableEntity).shows("Select which addresses to share")
	b.send(base+"/share/what", url.Values{"item": {item}, "part": {"current"}}).redirects(base + "/share/who")
	b.send(base+"/share/who", url.Values{"name": {"Acme Lettings"}, "kind": {"landlord"}}).redirects(base + "/share/why")
	b.send(base+"/share/why", url.Values{"purpose": {"tenancy-application"}}).redirects(base + "/share/how-long")
	b.send(base+"/share/how-long", url.Values{"length": {"2w"}}).redirects(base + "/share/check")
	check = b.get(base + "/share/check").want(http.StatusOK)
	loc := b.send(base+"/share/check", nil).want(http.StatusSeeOther).header.Get("Location")
	m := regexp.MustCompile(`^` + regexp.QuoteMeta(base) + `/shares/([A-Za-z0-9_-]+)$`).FindStringSubmatch(loc)
	if m == nil {
		b.t.Fatalf("making a share redirects to %q, want %s/shares/{id}", loc, base)
	}
	link = b.get(loc).want(http.StatusOK).find(`id="link"[^>]* value="([^"]+)"`)
	u, err := url.Parse(link)
	if err != nil || !strings.HasPrefix(u.Path, "/s/") || len(u.Path) < 10 {
		b.t.Fatalf("share link %q is not a /s/ link", link)
	}
	return m[1], b.s.url + u.Path, check
}

func TestWebSignIn(t *testing.T) {
	s := newTestServer(t)
	s.leaver("jo")
	creds := url.Values{"username": {"jo"}, "password": {webPassword}}

	b := s.browser(t)
	p := b.form("/sign-in")
	if c := p.cookie("satchel-pre"); c == "" {
		t.Fatalf("GET /sign-in sets no pre-session cookie: %q", p.header.Values("Set-Cookie"))
	}
	if b.csrf == "" {
		t.Fatal("the sign-in form has an empty csrf token")
	}
	p = b.send("/sign-in", creds).redirects("/my")
	c := p.cookie("satchel")
	if c == "" || !strings.Contains(c, "HttpOnly") || !strings.Contains(c, "SameSite=Lax") || !strings.Contains(c, "Path=/") {
		t.Fatalf("session cookie %q: want HttpOnly, SameSite=Lax and Path=/", c)
	}
	b.get("/my").want(http.StatusOK).shows("My things")

	t.Run("wrong password", func(t *testing.T) {
		b := s.browser(t)
		p := b.signIn("jo", "not-the-password").want(http.StatusUnauthorized).shows("Your username or password is not right")
		if c := p.cookie("satchel"); c != "" {
			t.Fatalf("a wrong password set a session cookie %q", c)
		}
		b.get("/my").redirects("/sign-in")
	})
	t.Run("no or wrong csrf", func(t *testing.T) {
		for _, token := range []string{"", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"} {
			b := s.browser(t)
			b.form("/sign-in")
			v := url.Values{"username": {"jo"}, "password": {webPassword}}
			if token != "" {
				v.Set("csrf", token)
			}
			p := b.post("/sign-in", v).want(http.StatusForbidden)
			if c := p.cookie("satchel"); c != "" {
				t.Fatalf("csrf %q: session cookie %q", token, c)
			}
			b.get("/my").redirects("/sign-in")
		}
	})
	t.Run("another browser's csrf", func(t *testing.T) {
		other := s.browser(t)
		other.form("/sign-in")
		b := s.browser(t)
		b.form("/sign-in")
		b.post("/sign-in", url.Values{"username": {"jo"}, "password": {webPassword}, "csrf": {other.csrf}}).want(http.StatusForbidden)
		b.get("/my").redirects("/sign-in")
	})
	t.Run("cross-site", func(t *testing.T) {
		b := s.browser(t)
		b.form("/sign-in")
		v := url.Values{"username": {"jo"}, "password": {webPassword}, "csrf": {b.csrf}}
		p := b.post("/sign-in", v, "Sec-Fetch-Site", "cross-site").want(http.StatusForbidden)
		if c := p.cookie("satchel"); c != "" {
			t.Fatalf("cross-site sign-in set a session cookie %q", c)
		}
		b.get("/my").redirects("/sign-in")
	})
}

func TestWebSecurityHeaders(t *testing.T) {
	s := newTestServer(t)
	s.leaver("jo")
	anon := s.browser(t)
	jo := s.signedIn(t, "jo", webPassword, "/my")
	for _, c := range []struct {
		b    *browser
		path string
	}{{anon, "/"}, {anon, "/sign-in"}, {jo, "/my"}} {
		p := c.b.get(c.path).want(http.StatusOK)
		csp := p.header.Get("Content-Security-Policy")
		var script []string
		for _, d := range strings.Split(csp, ";") {
			if f := strings.Fields(d); len(f) > 0 && f[0] == "script-src" {
				script = f[1:]
			}
		}
		if len(script) != 1 || script[0] != "'self'" || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: Content-Security-Policy %q, want script-src 'self' only", c.path, csp)
		}
		if v := p.header.Get("X-Frame-Options"); v != "DENY" {
			t.Errorf("%s: X-Frame-Options %q", c.path, v)
		}
		if v := p.header.Get("Cache-Control"); v != "no-store" {
			t.Errorf("%s: Cache-Control %q", c.path, v)
		}
	}
}

func TestWebWhoMaySeeWhat(t *testing.T) {
	s := newTestServer(t)
	s.leaver("jo")
	s.helperAccount("helen", "Helen Helper")
	s.browser(t).get("/my").redirects("/sign-in")
	helper := s.signedIn(t, "helen", webPassword, "/helping")
	helper.get("/helping").want(http.StatusOK).shows("People I help")
	helper.get("/my").want(http.StatusNotFound)
	helper.get("/my/shares").want(http.StatusNotFound)
	jo := s.signedIn(t, "jo", webPassword, "/my")
	jo.get("/helping").want(http.StatusNotFound)
}

func TestWebSignOut(t *testing.T) {
	s := newTestServer(t)
	s.leaver("jo")
	b := s.signedIn(t, "jo", webPassword, "/my")
	u, _ := url.Parse(s.url)
	var old string
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "satchel" {
			old = c.Value
		}
	}
	if old == "" {
		t.Fatal("no session cookie in the jar")
	}
	// A sign-out (or any form) without this session's token, or from
	// another site, does nothing.
	b.form("/sign-out")
	b.post("/sign-out", url.Values{}).want(http.StatusForbidden)
	b.post("/sign-out", url.Values{"csrf": {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}).want(http.StatusForbidden)
	b.post("/sign-out", url.Values{"csrf": {b.csrf}}, "Sec-Fetch-Site", "cross-site").want(http.StatusForbidden)
	b.get("/my").want(http.StatusOK)

	b.send("/sign-out", nil).redirects("/")
	b.get("/my").redirects("/sign-in")

	replay := s.browser(t)
	replay.do("GET", "/my", nil, "Cookie", "satchel="+old).redirects("/sign-in")
}

func TestWebUpload(t *testing.T) {
	s := newTestServer(t, func(c *server.Config) { c.MaxUpload = 4096 })
	s.leaver("jo")
	b := s.signedIn(t, "jo", webPassword, "/my")
	b.form("/my/documents/add").shows("Add a document")
	img := b.addPhoto()
	f := b.get(img).want(http.StatusOK)
	if ct := f.header.Get("Content-Type"); ct != "image/png" {
		t.Errorf("image Content-Type %q", ct)
	}
	if !bytes.Equal([]byte(f.body), idCardPNG(t)) {
		t.Errorf("the image is %d bytes, not the %d uploaded", len(f.body), len(idCardPNG(t)))
	}

	t.Run("text pretending to be a photo", func(t *testing.T) {
		b.upload("/my/documents/add", part{name: "csrf"}, field("title", "Fake photo"), field("where", "identity/"),
			part{name: "file", file: "photo.png", data: []byte("This is only text, not a photo at all.\n")}).
			want(http.StatusUnprocessableEntity).shows("The file must be a photo or a PDF")
		b.get("/my").want(http.StatusOK).hides("Fake photo")
	})
	t.Run("file before csrf", func(t *testing.T) {
		b.upload("/my/documents/add", part{name: "file", file: "id-card.png", data: idCardPNG(t)},
			part{name: "csrf"}, field("title", "Sneaky"), field("where", "identity/")).want(http.StatusForbidden)
		b.get("/my").want(http.StatusOK).hides("Sneaky")
	})
	t.Run("wrong csrf", func(t *testing.T) {
		b.upload("/my/documents/add", field("csrf", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), field("title", "Forged"),
			field("where", "identity/"), part{name: "file", file: "id-card.png", data: idCardPNG(t)}).want(http.StatusForbidden)
		b.get("/my").want(http.StatusOK).hides("Forged")
	})
	t.Run("too big", func(t *testing.T) {
		for _, size := range []int{5000, 100 << 10} {
			big := append(idCardPNG(t), make([]byte, size)...)
			b.upload("/my/documents/add", part{name: "csrf"}, field("title", "Huge photo"), field("where", "identity/"),
				part{name: "file", file: "huge.png", data: big}).want(http.StatusRequestEntityTooLarge)
			b.get("/my").want(http.StatusOK).hides("Huge photo")
		}
	})
}

func TestWebAddresses(t *testing.T) {
	s := newTestServer(t)
	pod, tok := s.leaver("jo")
	b := s.signedIn(t, "jo", webPassword, "/my")
	b.get("/my/addresses").want(http.StatusOK).shows("You have not added any addresses yet.")

	a := olderAddress
	b.get("/my/addresses/add").redirects(step + "address")
	b.send(step+"address", url.Values{"line1": {a.line1}, "town": {a.town}, "postcode": {a.postcode}}).redirects(step + "moved-in")
	b.send(step+"moved-in", url.Values{"from-month": {"13"}, "from-year": {"2019"}}).
		want(http.StatusUnprocessableEntity).shows("Enter a month from 1 to 12")
	b.send(step+"moved-in", url.Values{"from-month": {a.fromMonth}, "from-year": {a.fromYear}}).redirects(step + "still")
	b.send(step+"still", url.Values{"still": {"no"}}).redirects(step + "moved-out")
	b.send(step+"moved-out", url.Values{"to-month": {"1"}, "to-year": {"2018"}}).
		want(http.StatusUnprocessableEntity).shows("must be after")
	b.send(step+"moved-out", url.Values{"to-month": {a.toMonth}, "to-year": {a.toYear}}).redirects(step + "kind")
	b.send(step+"kind", url.Values{"kind": {a.kind}}).redirects("/my/addresses/check")
	b.form("/my/addresses/check").shows("Check your answers", "1 Old Street", "Bradford", "BD1 1AA", "March 2019", "May 2020", "A hostel")
	b.send("/my/addresses/check", nil).redirects("/my/addresses")
	b.get("/my/addresses").want(http.StatusOK).shows("Your address is saved.", "1 Old Street, Bradford, BD1 1AA")

	b.addAddress(currentAddress)
	list := b.get("/my/addresses").want(http.StatusOK).shows("1 Old Street, Bradford, BD1 1AA", "2 Park Row, Leeds, LS1 5AB", "From January 2024 to now")

	r := s.do("GET", pod+"housing/address-history.jsonld", tok, nil)
	expect(t, r, http.StatusOK)
	var doc struct {
		Entries []map[string]any `json:"entries"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Entries) != 2 {
		t.Fatalf("stored history has %d entries, want 2: %s", len(doc.Entries), r.body)
	}
	for _, e := range doc.Entries {
		street, _ := e["address"].(map[string]any)["streetAddress"].(string)
		_, hasTo := e["to"]
		switch street {
		case "2 Park Row":
			if hasTo || e["from"] != "2024-01-01" || e["accommodationKind"] != "own-tenancy" {
				t.Errorf("current address stored as %v", e)
			}
		case "1 Old Street":
			if e["to"] != "2020-05-01" || e["from"] != "2019-03-01" || e["accommodationKind"] != "hostel" {
				t.Errorf("older address stored as %v", e)
			}
		default:
			t.Errorf("unexpected entry %v", e)
		}
	}
	// May 2020 to January 2024 is not covered (as far as it lies within the
	// last five years).
	list.shows("There is a gap from")
}

func TestWebShareWizard(t *testing.T) {
	s := newTestServer(t)
	s.leaver("jo")
	b := s.signedIn(t, "jo", webPassword, "/my")
	b.addAddress(olderAddress)
	b.addAddress(currentAddress)

	id, link, check := b.shareCurrentAddress()
	check.shows("This is what Acme Lettings will see", "2 Park Row").hides("Old Street", "Bradford")
	b.get("/my/shares/" + id).want(http.StatusOK).shows(`src="/my/shares/` + id + `/qr.png"`)
	qr := b.get("/my/shares/" + id + "/qr.png").want(http.StatusOK)
	if _, err := png.Decode(strings.NewReader(qr.body)); err != nil || qr.header.Get("Content-Type") != "image/png" {
		t.Fatalf("QR code: Content-Type %q, decode error %v", qr.header.Get("Content-Type"), err)
	}

	anon := s.browser(t)
	anon.get(link).want(http.StatusOK).shows("2 Park Row").hides("Old Street", "Bradford")
	b.get("/my/looked").want(http.StatusOK).shows("Someone with the link you gave Acme Lettings opened")

	b.form("/my/shares/" + id + "/withdraw").shows("Are you sure you want to withdraw this share?")
	b.send("/my/shares/"+id+"/withdraw", nil).redirects("/my/shares")
	anon.get(link).want(http.StatusGone).shows("This link no longer works").hides("2 Park Row")
	shares := b.get("/my/shares").want(http.StatusOK).shows("Withdrawn or ended", "Acme Lettings", "Nobody can see your things now.")
	if i, j := strings.Index(shares.body, "Withdrawn or ended"), strings.LastIndex(shares.body, "Acme Lettings"); j < i {
		t.Fatalf("Acme Lettings is not listed under Withdrawn or ended: %s", shares.text())
	}
}

func TestWebOtherLeaverSeesNothing(t *testing.T) {
	s := newTestServer(t)
	s.leaver("jo")
	s.leaver("sam")
	jo := s.signedIn(t, "jo", webPassword, "/my")
	img := jo.addPhoto()
	jo.addAddress(currentAddress)
	id, _, _ := jo.shareCurrentAddress()
	jo.get("/my/shares/" + id).want(http.StatusOK)

	sam := s.signedIn(t, "sam", webPassword, "/my")
	sam.get("/my/shares/" + id).want(http.StatusNotFound).hides("Acme Lettings")
	sam.get("/my/shares/" + id + "/qr.png").want(http.StatusNotFound)
	sam.get("/my/shares/" + id + "/withdraw").want(http.StatusNotFound)
	sam.get(img).want(http.StatusNotFound)
	sam.get("/my").want(http.StatusOK).hides(photoTitle)
}

func TestWebHelpers(t *testing.T) {
	s := newTestServer(t)
	s.leaver("jo")
	s.leaver("sam") // a leaver who did not choose helen
	s.helperAccount("helen", "Helen Helper")
	jo := s.signedIn(t, "jo", webPassword, "/my")
	jo.addPhoto()
	jo.send("/my/helpers/add", url.Values{"username": {"nobody"}, "rights": {"view"}}).
		want(http.StatusUnprocessableEntity).shows("There is no helper with that username")
	jo.send("/my/helpers/add", url.Values{"username": {"helen"}, "rights": {"view", "add"}}).redirects("/my/helpers")
	jo.get("/my/helpers").want(http.StatusOK).shows("Helen Helper", "See my things", "Add documents")

	helen := s.signedIn(t, "helen", webPassword, "/helping")
	pod := helen.get("/helping").want(http.StatusOK).shows("Test jo").find(`href="/helping/([^"/]+)"`)
	helen.get("/helping/"+pod).want(http.StatusOK).shows("Helping Test jo", photoTitle).hides("Reset their password")
	jo.get("/my/looked").want(http.StatusOK).shows("Helen Helper, your helper, looked at")

	// Without the reset right, a helper cannot start a reset (the code
	// would let them take the account over).
	reset := "/helping/" + pod + "/reset"
	helen.get(reset).want(http.StatusNotFound)
	helen.form("/sign-out") // any page with a form, for the session's csrf token
	helen.post(reset, url.Values{"csrf": {helen.csrf}, "username": {"jo"}}).want(http.StatusNotFound)
	jo.send("/my/helpers/add", url.Values{"username": {"helen"}, "rights": {"view", "add", "reset"}}).redirects("/my/helpers")
	helen.get("/helping/" + pod).want(http.StatusOK).shows("Reset their password")
	for _, wrong := range []string{"nobody", "sam"} {
		helen.send(reset, url.Values{"username": {wrong}}).want(http.StatusUnprocessableEntity).shows("That is not the username of this person")
	}
	code := helen.send(reset, url.Values{"username": {"jo"}}).want(http.StatusOK).
		find(`class="app-code">([2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4})<`)

	const newPassword = "a-brand-new-password"
	s.browser(t).send("/reset", url.Values{"username": {"jo"}, "code": {code}, "password": {newPassword}, "password2": {newPassword}}).
		want(http.StatusOK).shows("Your password is changed")
	s.browser(t).signIn("jo", webPassword).want(http.StatusUnauthorized)
	jo.get("/my").redirects("/sign-in")
	jo2 := s.signedIn(t, "jo", newPassword, "/my")
	jo2.get("/my/looked").want(http.StatusOK).shows("Helen Helper, your helper, started a password reset")

	remove := jo2.get("/my/helpers").want(http.StatusOK).find(`href="(/my/helpers/[^"/]+/remove)"`)
	jo2.send(remove, nil).redirects("/my/helpers")
	jo2.get("/my/helpers").want(http.StatusOK).shows("You have no helpers.")
	helen.get("/helping/" + pod).want(http.StatusNotFound)
	helen.get("/helping").want(http.StatusOK).hides("Test jo")
}

func TestWebMyData(t *testing.T) {
	s := newTestServer(t)
	s.leaver("jo")
	b := s.signedIn(t, "jo", webPassword, "/my")
	img := b.addPhoto()
	b.addAddress(currentAddress)
	_, link, _ := b.shareCurrentAddress()
	// The page shows a preview (?preview=1&v=…); the file is at the path.
	photoPath, err := url.PathUnescape(strings.TrimPrefix(strings.SplitN(img, "?", 2)[0], "/my/file/"))
	if err != nil {
		t.Fatal(err)
	}

	dl := b.get("/my/data/download").want(http.StatusOK)
	if ct := dl.header.Get("Content-Type"); ct != "application/zip" {
		t.Errorf("download Content-Type %q", ct)
	}
	z, err := zip.NewReader(strings.NewReader(dl.body), int64(len(dl.body)))
	if err != nil {
		t.Fatalf("download is not a zip: %v", err)
	}
	files := map[string][]byte{}
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name], err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
	}
	if !bytes.Contains(files["summary.txt"], []byte(photoTitle)) || !bytes.Contains(files["summary.txt"], []byte(photoPath)) {
		t.Errorf("summary.txt does not mention %q at %s: %s", photoTitle, photoPath, files["summary.txt"])
	}
	if !bytes.Equal(files[photoPath], idCardPNG(t)) {
		t.Errorf("the zip's %s is %d bytes, not the photo", photoPath, len(files[photoPath]))
	}
	if !bytes.Contains(files["housing/address-history.jsonld"], []byte("2 Park Row")) {
		t.Errorf("the zip has no address history with the address")
	}

	b.send("/my/data/delete", url.Values{"password": {"not-my-password"}}).
		want(http.StatusUnprocessableEntity).shows("Your password is not right")
	b.get("/my").want(http.StatusOK).shows(photoTitle)
	s.browser(t).get(link).want(http.StatusOK).shows("2 Park Row")

	b.send("/my/data/delete", url.Values{"password": {webPassword}}).want(http.StatusOK).shows("Your account is deleted")
	b.get("/my").redirects("/sign-in")
	s.browser(t).signIn("jo", webPassword).want(http.StatusUnauthorized)
	s.browser(t).get(link).want(http.StatusGone).shows("This link no longer works").hides("2 Park Row")
}

func TestWebLookedNamesDocumentsByTitle(t *testing.T) {
	s := newTestServer(t)
	s.leaver("jo")
	s.helperAccount("helen", "Helen Helper")
	jo := s.signedIn(t, "jo", webPassword, "/my")
	jo.addPhoto()
	jo.send("/my/helpers/add", url.Values{"username": {"helen"}, "rights": {"view"}}).redirects("/my/helpers")
	helen := s.signedIn(t, "helen", webPassword, "/helping")
	pod := helen.get("/helping").find(`href="/helping/([^"/]+)"`)
	file := helen.get("/helping/" + pod).find(`href="(/helping/[^"/]+/file/[^"]+)">` + photoTitle + `<`)
	helen.get(file).want(http.StatusOK)
	jo.get("/my/looked").want(http.StatusOK).shows("Helen Helper, your helper, looked at “" + photoTitle + "”").
		hides("photo-of-my-id-card.png")
}

func TestWebHelperSharesForLeaver(t *testing.T) {
	s := newTestServer(t)
	s.leaver("jo")
	s.helperAccount("helen", "Helen Helper")
	jo := s.signedIn(t, "jo", webPassword, "/my")
	jo.addAddress(olderAddress)
	jo.addAddress(currentAddress)
	jo.send("/my/helpers/add", url.Values{"username": {"helen"}, "rights": {"share"}}).redirects("/my/helpers")
	helen := s.signedIn(t, "helen", webPassword, "/helping")
	pod := helen.get("/helping").find(`href="/helping/([^"/]+)"`)
	base := "/helping/" + pod

	// Sharing for someone shows what they have and what the recipient
	// will see, so it needs the view right too.
	helen.get(base).want(http.StatusOK).hides("Share for them")
	helen.get(base + "/share").want(http.StatusNotFound)
	jo.send("/my/helpers/add", url.Values{"username": {"helen"}, "rights": {"view", "share"}}).redirects("/my/helpers")
	helen.get(base).want(http.StatusOK).shows("Share for them")

	id, link, check := helen.shareCurrentAddressAt(base)
	check.shows("You are doing this for Test jo", "This is what Acme Lettings will see", "2 Park Row").hides("Old Street")
	s.browser(t).get(link).want(http.StatusOK).shows("Test jo has shared", "2 Park Row").hides("Old Street", "Helen")
	jo.get("/my/shares").want(http.StatusOK).shows("Acme Lettings")
	jo.get("/my/looked").want(http.StatusOK).shows("Helen Helper, your helper, shared some of your things with Acme Lettings")

	helen.send(base+"/shares/"+id+"/withdraw", nil).redirects(base + "/shares")
	s.browser(t).get(link).want(http.StatusGone).shows("This link no longer works")
	jo.get("/my/looked").want(http.StatusOK).shows("Helen Helper, your helper, withdrew your share with Acme Lettings")

	// Another pod's shares are not reachable through this helper's pages.
	helen.get("/helping/" + strings.Repeat("a", 26) + "/shares").want(http.StatusNotFound)
}

// TestWebIssuedRecords: a qualification an issuer signed into the inbox
// shows on My things with who signed it, and can be kept (filed into
// qualifications/) or deleted.
func TestWebIssuedRecords(t *testing.T) {
	s := newTestServer(t)
	staff, _, _, enrolment := issuerSetup(t, s)
	for i := 0; i < 2; i++ {
		r := s.do("POST", s.url+"/api/v1/issuers/hmp-example-education/issue", staff, strings.NewReader(`{"enrolment":"`+enrolment+`","qualification":`+qualification+`}`), "Content-Type", "application/json")
		expect(t, r, http.StatusCreated)
	}
	jo := s.signedIn(t, "jo", webPassword, "/my")
	my := jo.get("/my").want(http.StatusOK).shows("Sent to you", "Functional Skills English", "signed by HMP Example - Education Department")
	things := regexp.MustCompile(`href="(/my/things/inbox/[^"]+)"`).FindAllStringSubmatch(my.body, -1)
	if len(things) != 2 {
		t.Fatalf("My things links %d inbox records, want 2: %s", len(things), my.text())
	}
	jo.form(things[0][1]).want(http.StatusOK).shows("Sent and signed by HMP Example - Education Department. Satchel checked the signature.", "Keep it in my qualifications")
	jo.post("/my/keep/"+strings.TrimPrefix(things[0][1], "/my/things/"), url.Values{"csrf": {jo.csrf}}).redirects("/my")
	jo.get(things[0][1]).want(http.StatusNotFound)
	kept := regexp.MustCompile(`href="(/my/things/qualifications/[^"]+)"`).FindStringSubmatch(jo.get("/my").body)
	if kept == nil {
		t.Fatal("the kept record is not listed under qualifications")
	}
	jo.get(kept[1]).want(http.StatusOK).shows("Satchel checked the signature.").hides("Keep it in my qualifications")

	del := "/my/delete/" + strings.TrimPrefix(things[1][1], "/my/things/")
	jo.form(del).shows("You cannot get it back after you delete it.")
	jo.send(del, nil).redirects("/my")
	jo.get("/my").want(http.StatusOK).shows("Nothing has been sent to you.")
}

// TestWebShareTooMany: a share names at most consent.MaxItems things; the
// wizard says so on the question, not with a failure at the end.
func TestWebShareTooMany(t *testing.T) {
	s := newTestServer(t)
	podURL, _ := s.leaver("jo")
	id := podpkg.PodID(strings.Split(strings.TrimPrefix(podURL, s.url+"/pods/"), "/")[0])
	items := url.Values{}
	for i := 0; i <= consent.MaxItems; i++ {
		p := podpkg.Path(fmt.Sprintf("documents/letter-%02d.pdf", i))
		body := "%PDF-1.4 letter"
		if _, _, err := s.b.Pods.Put(context.Background(), id, p, "application/pdf", int64(len(body)), strings.NewReader(body), podpkg.Preconditions{}); err != nil {
			t.Fatal(err)
		}
		items.Add("item", string(p))
	}
	jo := s.signedIn(t, "jo", webPassword, "/my")
	jo.get("/my/share").redirects("/my/share/what")
	jo.send("/my/share/what", items).want(http.StatusUnprocessableEntity).shows("That is too many things for one share")
	items["item"] = items["item"][:consent.MaxItems]
	jo.send("/my/share/what", items).redirects("/my/share/who")
}
