package cli

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/satchel-project/satchel/consent"
)

// addressHistory is a valid Satchel AddressHistory record.
const addressHistory = `{"@context":"https://w3id.org/satchel/v1","type":"AddressHistory","entries":[
 {"id":"#custody","type":"AddressHistoryEntry","address":{"type":"PostalAddress","addressLocality":"HMP Example"},"from":"2021-03-01","to":"2024-01-15","accommodationKind":"custody"},
 {"id":"#current","type":"AddressHistoryEntry","address":{"type":"PostalAddress","streetAddress":"2 Park Row","addressLocality":"Leeds","postalCode":"LS1 5AB"},"from":"2024-01-15","accommodationKind":"own-tenancy"}]}`

// leaverWithRecords signs jo in and puts an address history and a letter
// in the pod.
func leaverWithRecords(t *testing.T) (*user, string) {
	t.Helper()
	base := testServer(t, 0)
	u := newUser(t, testPassword)
	u.must("login", "--server", base, "--username", "jo")
	dir := t.TempDir()
	u.must("put", writeFile(t, filepath.Join(dir, "history.jsonld"), []byte(addressHistory)), "housing/history.jsonld")
	u.must("put", writeFile(t, filepath.Join(dir, "letter.pdf"), letter), "documents/letter.pdf")
	return u, base
}

// open fetches a share link as a recipient would, without any sign-in.
func open(t *testing.T, link string) (int, string) {
	t.Helper()
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

var withdrawRE = regexp.MustCompile(`Withdraw it with: satchel revoke ([a-z2-7]{26})\n`)

// share runs satchel share and returns the link and the share's ID.
func (u *user) share(args ...string) (link, id string, stderr string) {
	u.t.Helper()
	code, out, errs := u.run(append([]string{"share"}, args...)...)
	if code != 0 {
		u.t.Fatalf("satchel share %s: exit %d: %s", strings.Join(args, " "), code, errs)
	}
	if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "\n") {
		u.t.Fatalf("share printed %q on stdout; want the link on one line", out)
	}
	m := withdrawRE.FindStringSubmatch(errs)
	if m == nil {
		u.t.Fatalf("share summary %q does not say how to withdraw it", errs)
	}
	return strings.TrimSpace(out), m[1], errs
}

func TestShareLifecycle(t *testing.T) {
	u, base := leaverWithRecords(t)
	dir := t.TempDir()
	png := filepath.Join(dir, "link.png")

	link, id, summary := u.share("--to", "Acme Lettings", "--kind", "landlord", "--purpose", "tenancy-application",
		"--field", "housing/history.jsonld=/entries/#current/address", "--expires", "7d", "--max-views", "3", "--qr", png)
	if !strings.HasPrefix(link, base+"/s/") {
		t.Fatalf("link %q", link)
	}
	summaryRE := regexp.MustCompile(`^Acme Lettings \(landlord or letting agent\) can see housing/history\.jsonld \(only /entries/#current/address\) until [A-Z][a-z]+day \d{1,2} [A-Z][a-z]+ \d{4} at \d\d:\d\d UTC\. They can open the link at most 3 times\.\n`)
	if !summaryRE.MatchString(summary) || !strings.Contains(summary, "The QR code for the link is in "+png+".") {
		t.Errorf("share summary:\n%s", summary)
	}
	if data, err := os.ReadFile(png); err != nil || !bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("--qr %s wrote %d bytes, %v; want a PNG", png, len(data), err)
	}

	// A folder, shared whole, with its QR code as SVG; --item after the
	// other flags and a folder given as its full address work too.
	svg := filepath.Join(dir, "letters.svg")
	link2, id2, summary2 := u.share("--to", "Hope Housing", "--kind", "support-service", "--purpose", "support-referral",
		"--why", "help with a deposit", "--qr", svg, "--item", u.session().Pod+"documents/", "--as", "Jo")
	if !strings.Contains(summary2, "Hope Housing (support service) can see documents/ until ") || strings.Contains(summary2, "at most") {
		t.Errorf("folder share summary:\n%s", summary2)
	}
	if data, err := os.ReadFile(svg); err != nil || !bytes.Contains(data, []byte("<svg")) {
		t.Errorf("--qr %s wrote %q, %v; want an SVG", svg, data, err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 2 {
		t.Errorf("left in the QR folder: %v", ents)
	}

	code, page := open(t, link)
	if code != http.StatusOK || !strings.Contains(page, "Acme Lettings") {
		t.Fatalf("share link: %d\n%s", code, page)
	}
	if code, page := open(t, link2); code != http.StatusOK || !strings.Contains(page, "Hope Housing") {
		t.Errorf("second share link: %d\n%s", code, page)
	}

	shares := u.must("shares")
	active, _, _ := strings.Cut(shares, "Withdrawn")
	if !strings.HasPrefix(shares, "Active\n") || !strings.Contains(active, id) || !strings.Contains(active, id2) ||
		!strings.Contains(shares, "Views:  1 of 3") || !strings.Contains(shares, "Views:  1 (no limit)") ||
		!strings.Contains(shares, "help with a deposit") || strings.Contains(shares, "Withdrawn") {
		t.Errorf("shares before revoke:\n%s", shares)
	}

	// The access log: newest first, one sentence each.
	lines := strings.Split(strings.TrimSuffix(u.must("log"), "\n"), "\n")
	sentenceRE := regexp.MustCompile(`^Acme Lettings looked at housing/history\.jsonld on (Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day \d{1,2} [A-Z][a-z]+ \d{4} at \d{1,2}:\d\d(am|pm) \(view 1 of 3\)\.$`)
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "Hope Housing looked at documents/ on ") || !strings.HasSuffix(lines[0], " (view 1).") ||
		!sentenceRE.MatchString(lines[1]) {
		t.Errorf("log:\n%s", strings.Join(lines, "\n"))
	}

	receipt := u.must("receipt", id)
	for _, want := range []string{"Acme Lettings", "satchel revoke " + id, "/entries/#current/address", link} {
		if !strings.Contains(receipt, want) {
			t.Errorf("receipt lacks %q:\n%s", want, receipt)
		}
	}
	if r2 := u.must("receipt", id2); !strings.Contains(r2, `as "Jo"`) || !strings.Contains(r2, "help with a deposit") {
		t.Errorf("receipt of the share made --as Jo:\n%s", r2)
	}
	saved := filepath.Join(t.TempDir(), "receipt.txt")
	u.must("receipt", id, "-o", saved)
	if got, err := os.ReadFile(saved); err != nil || string(got) != receipt {
		t.Errorf("receipt -o wrote %q, %v", got, err)
	}

	if out := u.must("revoke", id); out != "Withdrawn: Acme Lettings can no longer use this link.\n" {
		t.Errorf("revoke printed %q", out)
	}
	if code, page := open(t, link); code != http.StatusGone {
		t.Errorf("link after revoke: %d\n%s", code, page)
	}
	if code, _ := open(t, link2); code != http.StatusOK {
		t.Errorf("the other link stopped working: %d", code)
	}
	if out := u.must("revoke", strings.ToUpper(id)); !strings.Contains(out, "already withdrawn") {
		t.Errorf("second revoke printed %q", out)
	}

	shares = u.must("shares")
	active, withdrawn, ok := strings.Cut(shares, "\nWithdrawn\n")
	if !ok || !strings.HasPrefix(shares, "Active\n") || strings.Contains(active, id) || !strings.Contains(active, id2) ||
		!strings.Contains(withdrawn, id) || !strings.Contains(withdrawn, "Status: withdrawn ") {
		t.Errorf("shares after revoke:\n%s", shares)
	}
	if only := u.must("shares", "--status", "withdrawn"); !strings.HasPrefix(only, "Withdrawn\n") || strings.Contains(only, id2) {
		t.Errorf("shares --status withdrawn:\n%s", only)
	}
	if code, out, errs := u.run("shares", "--status", "expired"); code != 0 || out != "" || errs != "You have no shares that are expired.\n" {
		t.Errorf("shares --status expired: %d %q %q", code, out, errs)
	}
	u.checkNoSecrets(u.session().AccessToken)
}

func TestShareRefusals(t *testing.T) {
	u, _ := leaverWithRecords(t)
	ok := []string{"share", "--to", "Acme Lettings", "--kind", "landlord", "--purpose", "tenancy-application"}
	with := func(args ...string) []string { return append(append([]string{}, ok...), args...) }
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{with("--item", "housing/"), 0, ""},
		{[]string{"share", "--to", "Acme Lettings", "--kind", "landlady", "--purpose", "tenancy-application", "--item", "housing/"}, 2,
			`--kind "landlady" is not a kind of organisation Satchel knows: use landlord, employer, bank, support-service or other.`},
		{[]string{"share", "--to", "Acme Lettings", "--kind", "landlord", "--purpose", "flat", "--item", "housing/"}, 2,
			`--purpose "flat" is not a reason for sharing Satchel knows: use tenancy-application,`},
		{[]string{"share", "--to", "Acme Lettings", "--purpose", "other", "--item", "housing/"}, 2, "Say what kind of organisation Acme Lettings is with --kind"},
		{[]string{"share", "--kind", "bank", "--purpose", "other", "--item", "housing/"}, 2, "Say who you are sharing with"},
		{with(), 2, "Say what to share with --item PATH"},
		{with("housing/"), 2, "Say what to share with --item, e.g. --item housing/"},
		{with("--item", "housing/nothing.jsonld"), 1, "There is nothing called housing/nothing.jsonld in your pod"},
		{with("--item", "housing"), 1, "end it with a slash (housing/)"},
		{with("--item", "letters/"), 1, "There is no folder letters/ in your pod"},
		{with("--item", "housing/../x"), 2, "is not a path in your pod"},
		{with("--item", "/"), 2, "not the whole pod"},
		{with("--item", "http://elsewhere.example/pods/x/a.pdf"), 1, "is not in it."},
		{with("--item", "housing/", "--expires", "200d"), 2, "--expires 200d is too long: a share can last at most 90 days."},
		{with("--item", "housing/", "--expires", "4m"), 2, "a share can last at most 90 days."},
		{with("--item", "housing/", "--expires", "soon"), 2, `--expires "soon" is not a length of time like 1d, 7d, 2w or 1m`},
		{with("--item", "housing/", "--max-views", "-1"), 2, "--max-views must be a number from 1 to 1000"},
		{with("--item", "housing/", "--qr", "link.gif"), 2, "must end in .png or .svg"},
		{with("--item", "housing/", "--qr", filepath.Join(t.TempDir(), "no", "such", "link.png")), 2, "there is no folder"},
		{with("--field", "housing/=/entries"), 2, "parts can be chosen of a record, not of a folder"},
		{with("--field", "housing/history.jsonld"), 2, "must be a record and one part of it"},
		{with("--field", "housing/history.jsonld=/nothing"), 1, "has no part /nothing"},
		{[]string{"revoke"}, 2, "Give the ID of the share to withdraw"},
		{[]string{"revoke", "../log"}, 2, `"../log" is not a share ID`},
		{[]string{"revoke", strings.Repeat("a", 26)}, 1, "There is no share like that."},
		{[]string{"receipt", strings.Repeat("a", 26)}, 1, "There is no share like that."},
		{[]string{"shares", "--status", "finished"}, 2, `--status "finished" is not one Satchel knows`},
	} {
		code, out, errs := u.run(tc.args...)
		if code != tc.code || !strings.Contains(errs, tc.want) {
			t.Errorf("%q: exit %d, %q; want exit %d and %q", tc.args, code, errs, tc.code, tc.want)
			continue
		}
		if code != 0 {
			if out != "" {
				t.Errorf("%q printed %q on stdout", tc.args, out)
			}
			plainSentence(t, errs)
		}
	}
	// Only the first, good, share was made.
	if shares := u.must("shares"); strings.Count(shares, "    With:") != 1 {
		t.Errorf("shares after refusals:\n%s", shares)
	}
	if code, _, errs := u.run("log"); code != 0 || errs != "Nobody has opened anything you shared yet.\n" {
		t.Errorf("empty log: %d %q", code, errs)
	}
	u.checkNoSecrets(u.session().AccessToken)
}

func TestShareCommandsNeedSignIn(t *testing.T) {
	u := newUser(t, testPassword)
	for _, args := range [][]string{
		{"share", "--to", "A", "--kind", "bank", "--purpose", "other", "--item", "documents/"},
		{"shares"}, {"log"}, {"revoke", strings.Repeat("a", 26)}, {"receipt", strings.Repeat("a", 26)},
	} {
		code, _, errs := u.run(args...)
		if code != 1 || !strings.Contains(errs, "You are not signed in") {
			t.Errorf("%v: exit %d, %q", args, code, errs)
		}
	}
}

func TestLogSentence(t *testing.T) {
	loc := time.FixedZone("test", 0)
	e := logEntry{Grant: "g", Who: "Acme Lettings", Resource: "housing/history.jsonld", Views: 1,
		At: time.Date(2026, 12, 3, 14, 15, 0, 0, time.UTC)}
	e.Recipient.Name, e.Recipient.Kind = "Acme Lettings", "other"
	if got, want := logSentence(e, 3, loc), "Acme Lettings looked at housing/history.jsonld on Thursday 3 December 2026 at 2:15pm (view 1 of 3)."; got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	e.Who, e.Field, e.At = "Sam Smith", "/entries/#current/address", time.Date(2026, 12, 3, 9, 5, 0, 0, time.UTC)
	if got, want := logSentence(e, 0, time.FixedZone("BST", 3600)), "Sam Smith (for Acme Lettings) looked at /entries/#current/address of housing/history.jsonld on Thursday 3 December 2026 at 10:05am (view 1)."; got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	at := time.Date(2026, 12, 3, 0, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		e    logEntry
		want string
	}{
		{logEntry{Type: "helper-view", Who: "Sam Support", Resource: "housing/", At: at}, "Sam Support, your helper, looked at housing/ on Thursday 3 December 2026 at 12:30am."},
		{logEntry{Type: "helper-add", Who: "Sam Support", Resource: "documents/letter.pdf", At: at}, "Sam Support, your helper, added documents/letter.pdf on Thursday 3 December 2026 at 12:30am."},
		{logEntry{Type: "share", Who: "Sam Support", At: at, Recipient: e.Recipient}, "Sam Support, your helper, shared some of your records with Acme Lettings (someone else) on Thursday 3 December 2026 at 12:30am."},
		{logEntry{Type: "revoke", At: at, Recipient: e.Recipient}, "Your helper withdrew your share with Acme Lettings on Thursday 3 December 2026 at 12:30am."},
		{logEntry{Type: "view", At: at, Views: 2, Recipient: e.Recipient}, "Acme Lettings looked at what you shared on Thursday 3 December 2026 at 12:30am (view 2)."},
		{logEntry{Type: "\x1b[2Jodd", Who: "X\x07", At: at}, "X used your pod on Thursday 3 December 2026 at 12:30am ([2Jodd)."},
	} {
		if got := logSentence(tc.e, 0, time.UTC); got != tc.want {
			t.Errorf("got  %q\nwant %q", got, tc.want)
		}
	}
}

// What a helper does in the pod is in the log too, in words.
func TestLogNamesHelpers(t *testing.T) {
	jo, _ := leaverWithRecords(t)
	sam := newUser(t, testPassword)
	sam.must("login", "--server", jo.session().Server, "--username", "sam.support")
	jo.must("helpers", "add", "sam.support", "--can", "view")
	sam.must("ls", jo.session().Pod+"housing/")
	log := jo.must("log")
	if !strings.HasPrefix(log, "Sam Support, your helper, looked at housing/ on ") || strings.Count(log, "\n") != 1 {
		t.Errorf("log:\n%s", log)
	}
}

func TestKindsAndPurposesMatchTheServer(t *testing.T) {
	if len(kindOrder) != len(consent.RecipientKinds) {
		t.Errorf("kinds %v; the server has %v", kindOrder, consent.RecipientKinds)
	}
	for _, k := range kindOrder {
		if _, ok := consent.RecipientKinds[consent.RecipientKind(k)]; !ok {
			t.Errorf("kind %q is not the server's", k)
		}
	}
	if len(purposeOrder) != len(consent.Purposes) {
		t.Errorf("purposes %v; the server has %v", purposeOrder, consent.Purposes)
	}
	for _, p := range purposeOrder {
		if _, ok := consent.Purposes[p]; !ok {
			t.Errorf("purpose %q is not the server's", p)
		}
	}
}

func TestShareItems(t *testing.T) {
	s := &session{Server: "https://s.example", Pod: "https://s.example/pods/abc/"}
	items, err := shareItems(s, []shareArg{
		{false, "documents/"},
		{true, "housing/history.jsonld=/entries/#current/address"},
		{false, "/housing/history.jsonld"},
		{true, "housing/history.jsonld=/entries/#current/address"},
		{true, "https://s.example/pods/abc/housing/history.jsonld=/entries/#custody"},
		{false, "https://s.example/pods/abc/my%20letters/"},
	})
	want := []shareItem{
		{Path: "documents/"},
		{Path: "housing/history.jsonld", Fields: []string{"/entries/#current/address", "/entries/#custody"}},
		{Path: "my letters/"},
	}
	if err != nil || len(items) != len(want) {
		t.Fatalf("got %+v, %v", items, err)
	}
	for i := range want {
		if items[i].Path != want[i].Path || strings.Join(items[i].Fields, " ") != strings.Join(want[i].Fields, " ") {
			t.Errorf("item %d = %+v; want %+v", i, items[i], want[i])
		}
	}
}
