package server_test

import (
	"encoding/json"
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
