package server_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/jpeg"
	"math/rand"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// Issue 15, items 6 and 7: addresses the way people remember them, and
// pages for phones on weak connections.

// historyEntries reads the address history's entries through the API.
func historyEntries(t *testing.T, s *testServer, podURL, tok string) []map[string]any {
	t.Helper()
	r := s.do("GET", podURL+"housing/address-history.jsonld", tok, nil)
	expect(t, r, http.StatusOK)
	var doc struct {
		Entries []map[string]any `json:"entries"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Entries
}

func TestWebAddressesByMonth(t *testing.T) {
	s := newTestServer(t)
	s.leaver("jo")
	b := s.signedIn(t, "jo", webPassword, "/my")
	b.addAddress(address{"1 Old Street", "Bradford", "BD1 1AA", "1", "2018", "4", "2024", "family"})
	b.addAddress(address{"The Hostel", "Leeds", "LS9 9ZZ", "5", "2024", "6", "2024", "hostel"})
	b.addAddress(address{"2 Park Row", "Leeds", "LS1 5AB", "6", "2024", "", "", "own-tenancy"})
	// To April, then from May; May 2024 to June 2024, then June 2024
	// onwards: no gap.
	b.get("/my/addresses").want(http.StatusOK).shows("From May 2024 to June 2024", "From June 2024 to now").
		hides("There is a gap", "You have not said where you lived")

	t.Run("a missing month links to adding it", func(t *testing.T) {
		s.leaver("lee")
		b := s.signedIn(t, "lee", webPassword, "/my")
		b.addAddress(address{"1 Old Street", "Bradford", "BD1 1AA", "1", "2018", "5", "2024", "family"})
		b.addAddress(address{"2 Park Row", "Leeds", "LS1 5AB", "7", "2024", "", "", "own-tenancy"})
		list := b.get("/my/addresses").want(http.StatusOK).shows("You have not said where you lived in June 2024.")
		add := list.find(`<a class="govuk-link" href="(/my/addresses/add\?[^"]+)">Add where you lived then`)
		if add != "/my/addresses/add?from=2024-06&to=2024-06" {
			t.Errorf("the gap links to %q", add)
		}
		b.get(add).redirects(step + "address")
		b.send(step+"address", url.Values{"line1": {"Sofa at a friend's"}, "town": {"Leeds"}}).redirects(step + "moved-in")
		b.form(step+"moved-in").shows(`name="from-month" type="text" inputmode="numeric" value="6"`, `value="2024"`)
		b.send(step+"moved-in", url.Values{"from-month": {"6"}, "from-year": {"2024"}}).redirects(step + "still")
		b.form(step + "still").shows(`value="no" checked`)
		b.send(step+"still", url.Values{"still": {"no"}}).redirects(step + "moved-out")
		b.form(step + "moved-out").shows(`name="to-month" type="text" inputmode="numeric" value="6"`)
		b.send(step+"moved-out", url.Values{"to-month": {"6"}, "to-year": {"2024"}}).redirects(step + "kind")
		b.send(step+"kind", url.Values{"kind": {"friends"}}).redirects("/my/addresses/check")
		b.send("/my/addresses/check", nil).redirects("/my/addresses")
		b.get("/my/addresses").want(http.StatusOK).shows("Sofa at a friend&#39;s, Leeds").hides("You have not said where you lived")
	})
}

func TestWebHelperAddsAddress(t *testing.T) {
	s := newTestServer(t)
	podURL, tok := s.leaver("jo")
	s.helperAccount("helen", "Helen Helper")
	s.helperAccount("harry", "Harry Viewer")
	jo := s.signedIn(t, "jo", webPassword, "/my")
	jo.addAddress(olderAddress)
	jo.send("/my/helpers/add", url.Values{"username": {"helen"}, "rights": {"add"}}).redirects("/my/helpers")
	jo.send("/my/helpers/add", url.Values{"username": {"harry"}, "rights": {"view"}}).redirects("/my/helpers")
	jo.get("/my/helpers").want(http.StatusOK).shows("Add documents and addresses (never change or remove what is there)")
	before := historyEntries(t, s, podURL, tok)
	pod := podIDOf(s, podURL)
	base := "/helping/" + pod + "/addresses"

	helen := s.signedIn(t, "helen", webPassword, "/helping")
	helen.get("/helping/"+pod).want(http.StatusOK).shows(`href="`+base+`/add"`, "Add an address for them")
	helen.get(base + "/add").redirects(base + "/step/address")
	helen.form(base+"/step/address").shows("Adding an address for Test jo", `action="`+base+`/step/address"`)
	helen.send(base+"/step/address", url.Values{"line1": {currentAddress.line1}, "town": {currentAddress.town}}).redirects(base + "/step/moved-in")
	helen.send(base+"/step/moved-in", url.Values{"from-month": {"1"}, "from-year": {"2024"}}).redirects(base + "/step/still")
	helen.send(base+"/step/still", url.Values{"still": {"yes"}}).redirects(base + "/step/kind")
	helen.send(base+"/step/kind", url.Values{"kind": {"own-tenancy"}}).redirects(base + "/check")
	helen.form(base+"/check").shows("2 Park Row", "January 2024", `href="`+base+`/step/address"`).hides("/my/addresses")
	helen.send(base+"/check", nil).redirects("/helping/" + pod)
	helen.get("/helping/" + pod).want(http.StatusOK).shows("Your address is saved.")

	after := historyEntries(t, s, podURL, tok)
	if len(after) != len(before)+1 || !reflect.DeepEqual(after[:len(before)], before) {
		t.Fatalf("the history went from %v to %v; want the same entries and one more", before, after)
	}
	jo.get("/my/addresses").want(http.StatusOK).shows("1 Old Street, Bradford, BD1 1AA", "2 Park Row, Leeds")
	jo.get("/my/looked").want(http.StatusOK).shows("Helen Helper, your helper, added")

	// Never change or remove: there are no such pages for a helper, the
	// leaver's are not theirs, and the pod API refuses a replacement.
	id := strings.TrimPrefix(before[0]["id"].(string), "#")
	helen.get(base + "/change/" + id).want(http.StatusNotFound)
	helen.get("/my/addresses/change/" + id).want(http.StatusNotFound)
	helen.get("/my/addresses/remove/" + id).want(http.StatusNotFound)
	helen.form("/sign-out")
	helen.post("/my/addresses/remove/"+id, url.Values{"csrf": {helen.csrf}}).want(http.StatusNotFound)
	helenTok := s.helper("helen2", "Helen Two")
	s.choose(t, tok, "helen2", `"add"`)
	r := s.do("PUT", podURL+"housing/address-history.jsonld", helenTok, strings.NewReader(`{"@context":"https://w3id.org/satchel/v1","id":"#history","type":"AddressHistory","entries":[]}`), "Content-Type", "application/ld+json")
	expect(t, r, http.StatusForbidden)
	r = s.do("DELETE", podURL+"housing/address-history.jsonld", helenTok, nil)
	expect(t, r, http.StatusForbidden)
	if got := historyEntries(t, s, podURL, tok); !reflect.DeepEqual(got, after) {
		t.Fatalf("the history changed to %v", got)
	}

	// A helper without add cannot add one.
	harry := s.signedIn(t, "harry", webPassword, "/helping")
	harry.get("/helping/" + pod).want(http.StatusOK).hides("Add an address for them")
	harry.get(base + "/add").want(http.StatusNotFound)
	harry.get(base + "/step/address").want(http.StatusNotFound)
	harry.form("/sign-out")
	harry.post(base+"/check", url.Values{"csrf": {harry.csrf}}).want(http.StatusNotFound)
}

// phonePhoto is a photo as a phone camera takes it: w×h, detailed enough
// that JPEG cannot make it small.
func phonePhoto(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	rnd := rand.New(rand.NewSource(1))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Y[img.YOffset(x, y)] = uint8(x*255/w/2 + y*255/h/4 + rnd.Intn(64))
		}
	}
	for i := range img.Cb {
		img.Cb[i], img.Cr[i] = uint8(100+rnd.Intn(40)), uint8(120+rnd.Intn(40))
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// addDocument uploads data as a document called title in where/ and
// returns its page.
func (b *browser) addDocument(title, where, name string, data []byte) page {
	b.t.Helper()
	b.upload("/my/documents/add", part{name: "csrf"}, field("title", title), field("where", where),
		part{name: "file", file: name, data: data}).redirects("/my")
	thing := b.get("/my").want(http.StatusOK).find(`href="(/my/things/[^"]+)">` + title + `<`)
	return b.get(thing).want(http.StatusOK)
}

func TestWebPhotoPreview(t *testing.T) {
	s := newTestServer(t)
	s.leaver("jo")
	s.leaver("lee")
	b := s.signedIn(t, "jo", webPassword, "/my")
	photo := phonePhoto(t, 3000, 2000)
	item := b.addDocument("Photo of my tenancy letter", "housing/", "letter.jpg", photo)
	src := item.find(`<img[^>]* src="([^"]+)"`)
	if !strings.HasPrefix(src, "/my/file/housing/") || !strings.Contains(src, "preview=1") {
		t.Fatalf("the photo is shown from %q, not a preview", src)
	}
	pv := b.get(src).want(http.StatusOK)
	if ct := pv.header.Get("Content-Type"); ct != "image/jpeg" {
		t.Errorf("preview Content-Type %q", ct)
	}
	if cc := pv.header.Get("Cache-Control"); !strings.Contains(cc, "private") || !strings.Contains(cc, "max-age=31536000") {
		t.Errorf("preview Cache-Control %q: want private, kept", cc)
	}
	img, err := jpeg.Decode(strings.NewReader(pv.body))
	if err != nil {
		t.Fatalf("the preview is not a JPEG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 480 || b.Dy() != 320 {
		t.Errorf("preview is %d×%d, want 480×320", b.Dx(), b.Dy())
	}
	if len(pv.body)*20 > len(photo) {
		t.Errorf("preview is %d bytes, the photo %d: want under a twentieth", len(pv.body), len(photo))
	}
	t.Logf("photo %d bytes, preview %d bytes", len(photo), len(pv.body))
	// Asked again, the browser's copy is still good.
	b.do("GET", src, nil, "If-None-Match", pv.header.Get("ETag")).want(http.StatusNotModified)

	// The original downloads unchanged.
	dl := item.find(`href="([^"]+\?download=1)"`)
	if orig := b.get(dl).want(http.StatusOK); orig.body != string(photo) {
		t.Errorf("the download is %d bytes, not the %d-byte photo", len(orig.body), len(photo))
	}
	// Nobody else gets it: signed out, or another leaver (whose own pod has
	// nothing there).
	s.browser(t).get(src).redirects("/sign-in")
	s.signedIn(t, "lee", webPassword, "/my").get(src).want(http.StatusNotFound)

	t.Run("not a photo", func(t *testing.T) {
		pdf := b.addDocument("Letter from the council", "documents/", "letter.pdf", []byte("%PDF-1.4\n%%EOF\n"))
		pdf.hides("<img")
		file := pdf.find(`href="(/my/file/[^"?]+)\?download=1"`)
		b.get(file + "?preview=1").want(http.StatusNotFound)
	})
	t.Run("a small photo is its own preview", func(t *testing.T) {
		small := b.addDocument("Small photo", "identity/", "id.png", idCardPNG(t))
		if got := b.get(small.find(`<img[^>]* src="([^"]+)"`)).want(http.StatusOK).body; got != string(idCardPNG(t)) {
			t.Errorf("the preview of a 320×200 photo is %d bytes, not the photo itself", len(got))
		}
	})
}

func TestWebUploadSendsOnce(t *testing.T) {
	s := newTestServer(t)
	s.leaver("jo")
	b := s.signedIn(t, "jo", webPassword, "/my")
	b.form("/my/documents/add").shows(`data-upload`, `<progress id="upload-progress"`, `<script type="module" src="/assets/upload.js">`,
		"Sending your file. Keep this page open until it is done.")
	js := b.get("/assets/upload.js").want(http.StatusOK)
	if ct := js.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
		t.Errorf("upload.js Content-Type %q", ct)
	}
	// The second press sends nothing; the button is disabled at the first;
	// the bar follows the upload's progress events.
	js.shows("if (sent) {", "event.preventDefault();", "button.disabled = true;",
		"xhr.upload.addEventListener('progress'", "bar.value = Math.round((100 * e.loaded) / e.total);")
}

func TestWebItemPageShareThis(t *testing.T) {
	s := newTestServer(t)
	s.leaver("jo")
	b := s.signedIn(t, "jo", webPassword, "/my")
	item := b.addDocument("Letter from the council", "documents/", "letter.pdf", []byte("%PDF-1.4\n%%EOF\n"))
	share := item.shows("Share this").find(`href="(/my/share\?item=[^"]+)"`)
	path, err := url.Parse(share)
	if err != nil {
		t.Fatal(err)
	}
	want := path.Query().Get("item")
	if !strings.HasPrefix(want, "documents/") {
		t.Fatalf("Share this names %q", want)
	}
	b.get(share).redirects("/my/share/what")
	b.get("/my/share/what").want(http.StatusOK).shows(`value="` + want + `" checked`)
	// Something that is not one of theirs is not chosen for them.
	b.get("/my/share?item=identity/nothing.jsonld").redirects("/my/share/what")
	b.get("/my/share/what").want(http.StatusOK).hides("checked")
}

func TestWebMyThingsFirst(t *testing.T) {
	s := newTestServer(t)
	s.leaver("jo")
	b := s.signedIn(t, "jo", webPassword, "/my")
	b.addDocument("Letter from the council", "documents/", "letter.pdf", []byte("%PDF-1.4\n%%EOF\n"))
	my := b.get("/my").want(http.StatusOK)
	at := func(s string) int {
		t.Helper()
		i := strings.Index(my.body, s)
		if i < 0 {
			t.Fatalf("My things does not show %q; page: %s", s, my.text())
		}
		return i
	}
	lastThing := at("Letter from the council")
	for _, h := range []string{"Who I am", "Where I have lived", "Sent to you"} {
		if at(h) > at("Add or change") {
			t.Errorf("the heading %q comes after the actions", h)
		}
	}
	for _, action := range []string{`href="/my/documents/add"`, "Add your ID", "Add your National Insurance number", `href="/my/addresses/add"`} {
		if at(action) < lastThing || at(action) < at("Sent to you") {
			t.Errorf("the action %q comes before the leaver's things", action)
		}
	}
}
