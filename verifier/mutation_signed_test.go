package verifier_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/credentials/dataintegrity"
	"github.com/satchel-project/satchel/issuer"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/pod/podtest"
	"github.com/satchel-project/satchel/schemas"
	"github.com/satchel-project/satchel/verifier"
)

// signedWorld is a pod, the consent and issuing services over it, an
// organisation ("hmpps", "HM Prison and Probation Service") the pod's
// owner is enrolled with, and a share link server.
type signedWorld struct {
	t      *testing.T
	ctx    context.Context
	pods   *pod.Service
	svc    *consent.Service
	is     *issuer.Service
	v      *verifier.Verifier
	id     pod.PodID
	enrol  string
	server *httptest.Server
}

func newSignedWorld(t *testing.T) *signedWorld {
	t.Helper()
	ctx := context.Background()
	pods, cust := podtest.New(t)
	signer, _ := cust.Signer(ctx, "grants")
	svc, err := consent.Open(ctx, pods, signer, "https://satchel.example.org")
	if err != nil {
		t.Fatal(err)
	}
	is, err := issuer.Open(ctx, pods, cust, "https://satchel.example.org", issuer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := is.CreateOrg(ctx, "hmpps", "HM Prison and Probation Service"); err != nil {
		t.Fatal(err)
	}
	id, _ := pods.CreatePod(ctx)
	e, err := is.Enrol(ctx, id, "hmpps", "Jo Bloggs")
	if err != nil {
		t.Fatal(err)
	}
	v := verifier.New(svc, pods, is)
	m := mux.NewRouter()
	(&verifier.Handler{Verifier: v, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}).Routes(m)
	ts := httptest.NewServer(m)
	t.Cleanup(ts.Close)
	return &signedWorld{t, ctx, pods, svc, is, v, id, e.ID, ts}
}

// issue signs r for the pod's owner and stores it at p; it returns the
// issuer's record of it.
func (w *signedWorld) issue(p pod.Path, r issuer.Record) issuer.Issued {
	w.t.Helper()
	vc, rec, err := w.is.IssueRecord(w.ctx, "hmpps", w.enrol, r)
	if err != nil {
		w.t.Fatal(err)
	}
	w.putJSON(p, vc)
	return rec
}

func (w *signedWorld) putJSON(p pod.Path, doc any) {
	w.t.Helper()
	b, _ := json.Marshal(doc)
	w.put(p, "application/ld+json", b)
}

func (w *signedWorld) put(p pod.Path, ct string, b []byte) {
	w.t.Helper()
	if _, _, err := w.pods.Put(w.ctx, w.id, p, ct, int64(len(b)), bytes.NewReader(b), pod.Preconditions{}); err != nil {
		w.t.Fatal(err)
	}
}

// open shares items with an employer and returns the share page's text as
// a person reads it.
func (w *signedWorld) open(items ...consent.Item) string {
	w.t.Helper()
	g, err := w.svc.Create(w.ctx, consent.NewGrant{Pod: w.id, SharedBy: "Jo Bloggs", Recipient: consent.Recipient{Name: "Acme", Kind: consent.Employer},
		Purpose: "job-application", Items: items})
	if err != nil {
		w.t.Fatal(err)
	}
	r := fetch(w.t, w.server, "GET", "/s/"+g.Token, nil)
	if r.code != 200 {
		w.t.Fatalf("share page %d: %s", r.code, r.body)
	}
	return html.UnescapeString(r.body)
}

// ownSigned is vc signed by a key Satchel does not know.
func ownSigned(t *testing.T, vc map[string]any) map[string]any {
	t.Helper()
	pub, priv, _ := ed25519.GenerateKey(nil)
	did := dataintegrity.DIDKey(pub)
	vc["@context"] = []any{"https://www.w3.org/ns/credentials/v2", schemas.ContextURL}
	vc["issuer"] = map[string]any{"id": did, "name": "HM Prison and Probation Service"}
	if _, ok := vc["validFrom"]; !ok {
		vc["validFrom"] = "2026-01-01T00:00:00Z"
	}
	out, err := dataintegrity.Sign(vc, priv, did+"#"+strings.TrimPrefix(did, "did:key:"), time.Now(), "assertionMethod", dataintegrity.Options{Loader: schemas.DefaultLoader})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// day is the date n days before today (UTC), moved a day earlier if it is
// the first of a month, which an address history reads as the whole month.
func day(today time.Time, n int) string {
	d := today.AddDate(0, 0, -n)
	if d.Day() == 1 {
		d = d.AddDate(0, 0, -1)
	}
	return d.Format(time.DateOnly)
}

// historyWithGap is an address history from 2015 that ends on until, with
// no address after it.
func historyWithGap(until string) map[string]any {
	return map[string]any{"@context": schemas.ContextURL, "type": "AddressHistory", "entries": []any{
		map[string]any{"id": "#before", "type": "AddressHistoryEntry", "from": "2015-01-05", "to": until,
			"address": map[string]any{"type": "PostalAddress", "streetAddress": "14 Example Road", "addressLocality": "Bradford"}},
	}}
}

// Each signed custody period, stay and release document is titled by what
// it says, in words, and vouched for by the organisation that signed it.
func TestSignedRecordsTitledOnSharePage(t *testing.T) {
	t.Parallel()
	w := newSignedWorld(t)
	w.issue("housing/custody.jsonld", issuer.CustodyPeriod{Establishment: "HMP Example", From: "2021-08-14", To: "2024-02-02"})
	w.issue("housing/ap.jsonld", issuer.Stay{Place: "approved-premises", Provider: "Example House",
		Address: &issuer.PostalAddress{StreetAddress: "1 Example Lane", AddressLocality: "Leeds"}, From: "2024-02-02", To: "2024-05-10"})
	w.issue("housing/hostel.jsonld", issuer.Stay{Place: "hostel", Address: &issuer.PostalAddress{AddressLocality: "Wakefield"}, From: "2024-05-10"})
	w.issue("housing/release.jsonld", issuer.ReleaseDocument{Establishment: "HMP Example", ReleaseDate: "2024-02-02", LicenceEnd: "2025-02-02"})
	for p, want := range map[pod.Path]string{
		"housing/custody.jsonld": "In custody at HMP Example",
		"housing/ap.jsonld":      "Approved premises stay at Example House",
		"housing/hostel.jsonld":  "Hostel stay at Wakefield",
		"housing/release.jsonld": "Released from HMP Example",
	} {
		page := w.open(consent.Item{Path: p})
		if !strings.Contains(page, `<h3 class="govuk-summary-card__title">`+want+`</h3>`) {
			t.Errorf("%s: the card is not titled %q:\n%s", p, want, page)
		}
		if !strings.Contains(page, "Signed by HM Prison and Probation Service. Signature checked, not withdrawn.") || strings.Contains(page, "Qualification") {
			t.Errorf("%s: not shown as signed by the organisation, or called a qualification", p)
		}
	}
}

// A signed record that says nothing to name it by (a stay with neither a
// provider nor a town, a custody period or release without a prison, a
// qualification without a title) is called what its kind is, never by a
// stray field; one signed by a key Satchel does not know is the word of the
// person who shared it.
func TestSignedRecordsWithNothingToNameThemBy(t *testing.T) {
	t.Parallel()
	w := newSignedWorld(t)
	subject := func(typ string, fields map[string]any) map[string]any {
		fields["type"] = typ
		return fields
	}
	for name, c := range map[string]struct {
		typ, credential string
		subj            map[string]any
		want            string
	}{
		"stay by town":         {"AccommodationStay", "AccommodationStayCredential", map[string]any{"accommodationKind": "hostel", "address": map[string]any{"addressLocality": "York"}, "from": "2024-01-05"}, "Hostel stay at York"},
		"stay, no place":       {"AccommodationStay", "AccommodationStayCredential", map[string]any{"accommodationKind": "hostel", "title": "Palace", "from": "2024-01-05"}, "Qualification"},
		"custody, no prison":   {"CustodyPeriod", "CustodyPeriodCredential", map[string]any{"title": "Palace", "from": "2024-01-05"}, "Qualification"},
		"release, no prison":   {"ReleaseDocument", "ReleaseDocumentCredential", map[string]any{"title": "Palace", "releaseDate": "2024-01-05"}, "Qualification"},
		"approved, by town":    {"AccommodationStay", "AccommodationStayCredential", map[string]any{"accommodationKind": "approved-premises", "address": map[string]any{"addressLocality": "York"}, "from": "2024-01-05"}, "Approved premises stay at York"},
		"qualification titled": {"Qualification", "QualificationCredential", map[string]any{"title": "Forklift Licence"}, "Qualification: Forklift Licence"},
		"qualification":        {"Qualification", "QualificationCredential", map[string]any{"level": "Level 2"}, "Qualification"},
	} {
		p := pod.Path("housing/" + strings.ReplaceAll(name, " ", "-") + ".jsonld")
		w.putJSON(p, ownSigned(t, map[string]any{"type": []any{"VerifiableCredential", c.credential}, "credentialSubject": subject(c.typ, c.subj)}))
		page := w.open(consent.Item{Path: p})
		if !strings.Contains(page, `<h3 class="govuk-summary-card__title">`+c.want+`</h3>`) {
			t.Errorf("%s: the card is not titled %q:\n%s", name, c.want, page)
		}
		if !strings.Contains(page, "Signed by a key Satchel does not know — treat it as entered by Jo Bloggs.") || strings.Contains(page, "Signature checked") {
			t.Errorf("%s: not shown as the sharer's own word", name)
		}
	}
}

// A shared address history counts the custody periods and stays shared
// beside it whose signatures check out: a gap they cover is no gap. One
// still open runs to the day it was signed and no further; one withdrawn
// by its issuer, a release document, or one signed by an unknown key
// covers nothing.
func TestSignedPeriodsFillAddressGaps(t *testing.T) {
	t.Parallel()
	w := newSignedWorld(t)
	today := time.Now().UTC()
	ended, released := day(today, 400), day(today, 100)
	w.putJSON("housing/address-history.jsonld", historyWithGap(ended))
	history := consent.Item{Path: "housing/address-history.jsonld"}

	const wholeGap = "Has a gap of 13 months"
	page := w.open(history)
	if !strings.Contains(page, wholeGap) {
		t.Fatalf("the history alone does not show its gap:\n%s", page)
	}

	// A closed custody period up to a stay still open: no gap at all.
	w.issue("housing/custody.jsonld", issuer.CustodyPeriod{Establishment: "HMP Example", From: ended, To: released})
	w.issue("housing/stay.jsonld", issuer.Stay{Place: "hostel", Address: &issuer.PostalAddress{AddressLocality: "Leeds"}, From: released})
	page = w.open(history, consent.Item{Path: "housing/custody.jsonld"}, consent.Item{Path: "housing/stay.jsonld"})
	if !strings.Contains(page, "Covers the last 5 years") || strings.Contains(page, "Has a gap") {
		t.Errorf("a history with signed periods covering its gap:\n%s", page)
	}
	// The custody period alone leaves the stretch after it.
	page = w.open(history, consent.Item{Path: "housing/custody.jsonld"})
	if !strings.Contains(page, "Has a gap of 3 months") {
		t.Errorf("a custody period that ended, shared without what came after:\n%s", page)
	}
	// A release document vouches for no stretch of time.
	w.issue("housing/release.jsonld", issuer.ReleaseDocument{Establishment: "HMP Example", ReleaseDate: released})
	page = w.open(history, consent.Item{Path: "housing/custody.jsonld"}, consent.Item{Path: "housing/release.jsonld"})
	if !strings.Contains(page, "Has a gap of 3 months") {
		t.Errorf("a release document filled a gap:\n%s", page)
	}
	// The same stay, signed by a key Satchel does not know, fills nothing.
	w.putJSON("housing/own-stay.jsonld", ownSigned(t, map[string]any{"type": []any{"VerifiableCredential", "AccommodationStayCredential"},
		"credentialSubject": map[string]any{"type": "AccommodationStay", "accommodationKind": "hostel", "address": map[string]any{"addressLocality": "Leeds"}, "from": ended}}))
	page = w.open(history, consent.Item{Path: "housing/own-stay.jsonld"})
	if !strings.Contains(page, wholeGap) {
		t.Errorf("a stay signed by an unknown key filled the gap:\n%s", page)
	}
	// Withdrawn by the issuer: the gap is back.
	rec := w.issue("housing/withdrawn.jsonld", issuer.Stay{Place: "hostel", Address: &issuer.PostalAddress{AddressLocality: "Leeds"}, From: ended})
	if page = w.open(history, consent.Item{Path: "housing/withdrawn.jsonld"}); !strings.Contains(page, "Covers the last 5 years") {
		t.Errorf("an open stay from the end of the history:\n%s", page)
	}
	if err := w.is.Revoke(w.ctx, "hmpps", rec.ID); err != nil {
		t.Fatal(err)
	}
	if page = w.open(history, consent.Item{Path: "housing/withdrawn.jsonld"}); !strings.Contains(page, wholeGap) {
		t.Errorf("a withdrawn stay filled the gap:\n%s", page)
	}

	// An open stay vouches up to the day it was signed: ten days on, the
	// ten days since are a gap. (Signed on the first of a month, it is
	// read as vouching for that month.)
	later := today.AddDate(0, 0, 10)
	if today.Day() == 1 {
		later = today.AddDate(0, 1, 10)
	}
	verifier.SetClock(w.v, func() time.Time { return later })
	page = w.open(history, consent.Item{Path: "housing/stay.jsonld"}, consent.Item{Path: "housing/custody.jsonld"})
	if !strings.Contains(page, "Has a gap of 10 days") {
		t.Errorf("ten days after an open stay was signed:\n%s", page)
	}
	// Only a history's summary changes: one whose dates were not shared
	// still says nothing about cover.
	page = w.open(consent.Item{Path: "housing/address-history.jsonld", Fields: []string{"/entries/#before/address"}}, consent.Item{Path: "housing/stay.jsonld"})
	if !strings.Contains(page, "14 Example Road") || strings.Contains(page, "Covers the last") || strings.Contains(page, "Has a gap") {
		t.Errorf("a history without its dates was given a summary:\n%s", page)
	}
}

// Period is the stretch a signed custody period or stay vouches for, as an
// address history entry: custody is named as such, a stay keeps its kind
// and provider, an open end runs to the day it was signed; other
// credentials, and an open one with no date of signing, vouch for none.
func TestPeriod(t *testing.T) {
	t.Parallel()
	addr := map[string]any{"addressLocality": "Leeds"}
	cred := func(typ string, subj map[string]any, validFrom string) map[string]any {
		subj["type"] = typ
		vc := map[string]any{"type": []any{"VerifiableCredential", typ + "Credential"}, "credentialSubject": subj}
		if validFrom != "" {
			vc["validFrom"] = validFrom
		}
		return vc
	}
	for name, c := range map[string]struct {
		vc   map[string]any
		want map[string]any // nil: no period
	}{
		"custody": {cred("CustodyPeriod", map[string]any{"establishment": "HMP Example", "from": "2021-08-14", "to": "2024-02-02", "address": addr}, "2025-01-01T00:00:00Z"),
			map[string]any{"from": "2021-08-14", "to": "2024-02-02", "accommodationKind": "custody", "address": addr}},
		"custody, open": {cred("CustodyPeriod", map[string]any{"establishment": "HMP Example", "from": "2021-08-14"}, "2025-01-01T23:30:00+01:00"),
			map[string]any{"from": "2021-08-14", "to": "2025-01-01", "accommodationKind": "custody", "address": nil}},
		"stay": {cred("AccommodationStay", map[string]any{"accommodationKind": "approved-premises", "provider": "Example House", "from": "2024-02-02", "to": "2024-05-10", "address": addr}, ""),
			map[string]any{"from": "2024-02-02", "to": "2024-05-10", "accommodationKind": "approved-premises", "provider": "Example House", "address": addr}},
		"stay, open": {cred("AccommodationStay", map[string]any{"accommodationKind": "hostel", "from": "2024-02-02", "address": addr}, "2026-03-04T05:06:07Z"),
			map[string]any{"from": "2024-02-02", "to": "2026-03-04", "accommodationKind": "hostel", "address": addr}},
		"open, not dated": {cred("AccommodationStay", map[string]any{"accommodationKind": "hostel", "from": "2024-02-02", "address": addr}, ""), nil},
		"release":         {cred("ReleaseDocument", map[string]any{"establishment": "HMP Example", "releaseDate": "2024-02-02"}, "2025-01-01T00:00:00Z"), nil},
		"qualification":   {cred("Qualification", map[string]any{"title": "Forklift", "from": "2024-02-02", "to": "2024-03-03"}, "2025-01-01T00:00:00Z"), nil},
	} {
		got, ok := verifier.Period(c.vc)
		if ok != (c.want != nil) {
			t.Errorf("%s: period %v (%v), want %v", name, got, ok, c.want)
			continue
		}
		if c.want == nil {
			continue
		}
		g, _ := json.Marshal(got)
		want, _ := json.Marshal(c.want)
		if string(g) != string(want) {
			t.Errorf("%s: period %s, want %s", name, g, want)
		}
	}
}

// WithPeriods adds the periods to a history's entries without changing the
// history it was given; with none, the history is as it was.
func TestWithPeriods(t *testing.T) {
	t.Parallel()
	doc := historyWithGap("2023-06-10")
	before, _ := json.Marshal(doc)
	if got, _ := json.Marshal(verifier.WithPeriods(doc, nil)); string(got) != string(before) {
		t.Errorf("with no periods: %s", got)
	}
	p := map[string]any{"from": "2023-06-10", "to": "2024-01-01", "accommodationKind": "custody"}
	out := verifier.WithPeriods(doc, []map[string]any{p})
	entries, _ := out["entries"].([]any)
	if len(entries) != 2 || out["type"] != "AddressHistory" {
		t.Fatalf("with one period: %v", out)
	}
	if after, _ := json.Marshal(doc); string(after) != string(before) {
		t.Errorf("the history given was changed: %s", after)
	}
	if len(schemas.AddressGaps(out, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))) != 0 {
		t.Errorf("the period does not close the gap: %v", schemas.AddressGaps(out, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)))
	}
}
