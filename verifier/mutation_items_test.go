package verifier_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/verifier"
)

var cardTitle = regexp.MustCompile(`<h3 class="govuk-summary-card__title">([^<]*)</h3>`)

// cards are the titles of the share page's cards, in order.
func cards(page string) []string {
	var out []string
	for _, m := range cardTitle.FindAllStringSubmatch(page, -1) {
		out = append(out, m[1])
	}
	return out
}

// A document shared with the record that describes it is called by the
// title the person gave it, and so is the record; the record does not show
// the file's name in the pod. A title is taken only from a Document record
// in the same folder that names that very file.
func TestDocumentsNamedByTheirRecords(t *testing.T) {
	t.Parallel()
	w := newSignedWorld(t)
	w.put("documents/licence.pdf", "application/pdf", []byte("%PDF-1.4\n"))
	w.put("documents/other.pdf", "application/pdf", []byte("%PDF-1.4\n"))
	w.put("letters/licence.pdf", "application/pdf", []byte("%PDF-1.4\n"))
	w.putJSON("documents/licence.jsonld", map[string]any{"@context": "https://w3id.org/satchel/v1", "type": "Document", "title": "Licence conditions",
		"documentKind": "licence-conditions", "file": "licence.pdf", "dateIssued": "2024-02-02", "issuedBy": "Probation Service"})
	w.putJSON("documents/untitled.jsonld", map[string]any{"@context": "https://w3id.org/satchel/v1", "type": "Document", "file": "other.pdf"})
	w.putJSON("documents/note.jsonld", map[string]any{"@context": "https://w3id.org/satchel/v1", "type": "BirthCertificate", "file": "other.pdf", "title": "Not a document"})

	page := w.open(consent.Item{Path: "documents/licence.jsonld"}, consent.Item{Path: "documents/licence.pdf"}, consent.Item{Path: "letters/licence.pdf"},
		consent.Item{Path: "documents/other.pdf"}, consent.Item{Path: "documents/untitled.jsonld"}, consent.Item{Path: "documents/note.jsonld"})
	want := []string{"Licence conditions", "Licence conditions", "PDF document", "PDF document", "Document", "Birth certificate"}
	if got := cards(page); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("cards %q, want %q", got, want)
	}
	for _, w := range []string{"Probation Service", "2 February 2024", "Licence conditions", "Uploaded by Jo Bloggs"} {
		if !strings.Contains(page, w) {
			t.Errorf("the page lacks %q", w)
		}
	}
	if strings.Contains(page, ">licence.pdf<") || strings.Contains(page, ">other.pdf<") {
		t.Errorf("a record shows the name of its file in the pod:\n%s", page)
	}
	// With its title not shared, the record names nothing.
	page = w.open(consent.Item{Path: "documents/licence.jsonld", Fields: []string{"/documentKind"}}, consent.Item{Path: "documents/licence.pdf"})
	if got := cards(page); strings.Join(got, "|") != "Document|PDF document" {
		t.Errorf("with the title not shared: cards %q", got)
	}
}

// A record's values are in words: yes and no, dates, codes (only in the
// fields that hold codes), lists numbered from 1; a field no schema names
// is named from its own name.
func TestRecordRowsInWords(t *testing.T) {
	t.Parallel()
	w := newSignedWorld(t)
	w.putJSON("notes/note.jsonld", map[string]any{"@context": "https://w3id.org/satchel/v1", "type": "Note",
		"paid": false, "signed": true, "count": 3, "nothing": nil, "documentKind": "licence-conditions", "comment": "licence-conditions",
		"first_visit": "2024-02-03", "next-step": "call", "contacts": []any{map[string]any{"name": "Sam"}, map[string]any{"name": "Alex"}}})
	page := w.open(consent.Item{Path: "notes/note.jsonld"})
	rows := regexp.MustCompile(`<dt class="govuk-summary-list__key">([^<]*)</dt><dd class="govuk-summary-list__value">([^<]*)</dd>`).FindAllStringSubmatch(page, -1)
	var got []string
	for _, r := range rows {
		got = append(got, r[1]+"="+r[2])
	}
	want := []string{"Comment=licence-conditions", "1. Name=Sam", "2. Name=Alex", "Count=3", "Document kind=Licence conditions",
		"First visit=3 February 2024", "Next step=call", "Paid=No", "Signed=Yes"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("rows\n%q\nwant\n%q", got, want)
	}
	if rs := verifier.Rows(context.Background(), "Note", map[string]any{"paid": true, "id": "#x", "type": "Note"}); len(rs) != 1 || rs[0] != (verifier.Row{Label: "Paid", Value: "Yes"}) {
		t.Errorf("Rows = %+v", rs)
	}
}

// What cannot be shown is said, card by card: a file no longer in the pod,
// a record that cannot be read, a folder that cannot be listed. A shared
// folder shows its files by name, not its subfolders; each kind of file is
// named, and one of no known kind is a file.
func TestItemsThatCannotBeShown(t *testing.T) {
	t.Parallel()
	w := newSignedWorld(t)
	w.put("documents/b.pdf", "application/pdf", []byte("%PDF-1.4\n"))
	w.put("documents/a.png", "image/png", []byte("\x89PNG\r\n"))
	w.put("documents/c.zip", "application/zip", []byte("PK"))
	w.put("documents/old/d.pdf", "application/pdf", []byte("%PDF-1.4\n"))
	w.put("documents/gone.pdf", "application/pdf", []byte("%PDF-1.4\n"))
	w.put("notes/broken.jsonld", "application/ld+json", []byte(`{"type": "Note", "text": "unfinished`))
	w.put("letters/x.pdf", "application/pdf", []byte("%PDF-1.4\n"))
	g, err := w.svc.Create(w.ctx, consent.NewGrant{Pod: w.id, SharedBy: "Jo Bloggs", Recipient: consent.Recipient{Name: "Acme", Kind: consent.Employer},
		Purpose: "job-application", Items: []consent.Item{{Path: "documents/gone.pdf"}, {Path: "notes/broken.jsonld"}, {Path: "letters/"}, {Path: "documents/"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []pod.Path{"documents/gone.pdf", "letters/x.pdf", "letters/"} {
		if err := w.pods.Delete(w.ctx, w.id, p, pod.Preconditions{}); err != nil {
			t.Fatal(err)
		}
	}
	r := fetch(t, w.server, "GET", "/s/"+g.Token, nil)
	if r.code != 200 {
		t.Fatalf("share page %d", r.code)
	}
	want := []string{"documents/gone.pdf", "notes/broken.jsonld", "letters/", "Picture (PNG)", "PDF document", "File"}
	if got := cards(r.body); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("cards %q, want %q", got, want)
	}
	for _, words := range []string{"This item is no longer in the pod.", "This record could not be read.", "This folder could not be read."} {
		if !strings.Contains(r.body, words) {
			t.Errorf("the page does not say %q", words)
		}
	}
	if strings.Contains(r.body, "d.pdf") || strings.Contains(r.body, "unfinished") {
		t.Errorf("the page shows a subfolder's file or a broken record's text:\n%s", r.body)
	}
	// Served on its own, the broken record is not sent at all, and the
	// file that is gone is not there.
	if r := fetch(t, w.server, "GET", "/s/"+g.Token+"/items/notes/broken.jsonld", nil); r.code != 503 || strings.Contains(r.body, "unfinished") {
		t.Errorf("the broken record: %d %s", r.code, r.body)
	}
	if r := fetch(t, w.server, "GET", "/s/"+g.Token+"/items/documents/gone.pdf", nil); r.code == 200 {
		t.Errorf("the file that is gone: %d %s", r.code, r.body)
	}
}

// A link that no longer works says why, in the visitor's language: not yet
// in use, expired, withdrawn, used up; an item not shared through a
// working link is 404 "not shared".
func TestRefusalsSayWhy(t *testing.T) {
	t.Parallel()
	ts, svc, id := apiSetup(t, 0)
	ctx := context.Background()
	later, err := svc.Create(ctx, consent.NewGrant{Pod: id, SharedBy: "Jo", Recipient: consent.Recipient{Name: "Acme", Kind: consent.Landlord},
		Purpose: "tenancy-application", Items: []consent.Item{{Path: "documents/a.pdf"}}, NotBefore: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	soon, err := svc.Create(ctx, consent.NewGrant{Pod: id, SharedBy: "Jo", Recipient: consent.Recipient{Name: "Acme", Kind: consent.Landlord},
		Purpose: "tenancy-application", Items: []consent.Item{{Path: "documents/a.pdf"}}, Expires: time.Now().Add(1500 * time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	withdrawn, once := share(t, svc, id, 0), share(t, svc, id, 1)
	if err := svc.Revoke(ctx, id, withdrawn.ID); err != nil {
		t.Fatal(err)
	}
	if r := fetch(t, ts, "GET", "/s/"+once.Token, nil); r.code != 200 {
		t.Fatalf("the one view: %d", r.code)
	}
	for name, c := range map[string]struct {
		token      string
		en, cy     string
		grantProbl string
	}{
		"not yet":   {later.Token, "This link cannot be used yet.", "Does dim modd defnyddio'r ddolen hon eto.", ""},
		"withdrawn": {withdrawn.Token, "withdrawn by the person who shared it", "wedi ei thynnu'n ôl", "revoked"},
		"used up":   {once.Token, "as many times as the person who shared it allowed", "cymaint o weithiau", ""}, // its grant is given out within the window of its one opening
		"unknown":   {"AAAAAAAAAAAAAAAAAAAAAA", "This link does not work.", "Dydy'r ddolen hon ddim yn gweithio.", "unknown-link"},
	} {
		en := fetch(t, ts, "GET", "/s/"+c.token, nil)
		cy := fetch(t, ts, "GET", "/s/"+c.token, map[string]string{"Accept-Language": "cy"})
		if en.code != 410 || !strings.Contains(en.body, htmlText(c.en)) || strings.Contains(en.body, "Acme") {
			t.Errorf("%s, in English: %d, want 410 saying %q:\n%s", name, en.code, c.en, en.body)
		}
		if cy.code != 410 || !strings.Contains(cy.body, htmlText(c.cy)) || !strings.Contains(cy.body, `lang="cy"`) {
			t.Errorf("%s, in Welsh: %d, want 410 saying %q", name, cy.code, c.cy)
		}
		if c.grantProbl != "" {
			if r := fetch(t, ts, "GET", "/s/"+c.token+"/grant", nil); r.code != 410 || !strings.Contains(r.body, `"type":"`) || !strings.Contains(r.body, c.grantProbl) || strings.Contains(r.body, "eyJ") {
				t.Errorf("%s: its grant: %d %s", name, r.code, r.body)
			}
		}
	}
	// The grant of a share not yet in use is given out: it is not a view,
	// and says itself when it starts.
	if r := fetch(t, ts, "GET", "/s/"+later.Token+"/grant", nil); r.code != 200 || r.body != later.Credential {
		t.Errorf("the grant of a share not yet in use: %d %s", r.code, r.body)
	}
	// An item not shared through a working link.
	other := share(t, svc, id, 0)
	if r := fetch(t, ts, "GET", "/s/"+other.Token+"/items/documents/b.pdf", nil); r.code != 404 || !strings.Contains(r.body, "not-shared") {
		t.Errorf("an item not shared: %d %s", r.code, r.body)
	}
	// Expired: wait out the short share's life by polling its status.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		if code, res := post(t, ts, "application/json", `{"token": "`+soon.Token+`"}`); code == 200 && res.Status == "expired" {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if r := fetch(t, ts, "GET", "/s/"+soon.Token, nil); r.code != 410 || !strings.Contains(r.body, "This link has expired.") {
		t.Errorf("expired: %d\n%s", r.code, r.body)
	}
	if r := fetch(t, ts, "GET", "/s/"+soon.Token+"/grant", nil); r.code != 410 || !strings.Contains(r.body, "expired") {
		t.Errorf("the grant of an expired share: %d %s", r.code, r.body)
	}
}

// htmlText is s as html/template writes it in a page.
func htmlText(s string) string { return strings.ReplaceAll(s, "'", "&#39;") }

// Whoever a share is for, a landlord is told it is not a Right to Rent
// check and an employer that it is not a Right to Work check, with the
// GOV.UK pages for each; a bank is told neither.
func TestOfficialChecksByRecipient(t *testing.T) {
	t.Parallel()
	ts, svc, id := apiSetup(t, 0)
	for _, c := range []struct {
		kind    consent.RecipientKind
		purpose string
		want    string
		not     []string
	}{
		{consent.Landlord, "other", "check-tenant-right-to-rent-documents", []string{"right-to-work"}},
		{consent.Employer, "other", "check-job-applicant-right-to-work", []string{"right-to-rent"}},
		{consent.Bank, "job-application", "check-job-applicant-right-to-work", []string{"right-to-rent"}},
		{consent.Bank, "open-bank-account", "", []string{"right-to-rent", "right-to-work", "govuk-warning-text"}},
	} {
		g, err := svc.Create(context.Background(), consent.NewGrant{Pod: id, SharedBy: "Jo", Recipient: consent.Recipient{Name: "Acme", Kind: c.kind},
			Purpose: c.purpose, PurposeText: "for the record", Items: []consent.Item{{Path: "documents/a.pdf"}}})
		if err != nil {
			t.Fatal(err)
		}
		r := fetch(t, ts, "GET", "/s/"+g.Token, nil)
		if r.code != 200 || c.want != "" && !strings.Contains(r.body, c.want) {
			t.Errorf("%s, %s: %d, lacks %q", c.kind, c.purpose, r.code, c.want)
		}
		for _, not := range c.not {
			if strings.Contains(r.body, not) {
				t.Errorf("%s, %s: says %q", c.kind, c.purpose, not)
			}
		}
	}
}
