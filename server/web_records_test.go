package server_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/satchel-project/satchel/schemas"
)

// The record forms: a birth certificate and an ID, each asked one
// question a page, checked, then saved into the pod.

const (
	bcForm = "/my/records/birth-certificate"
	idForm = "/my/records/id"
)

// storedRecord reads a record through the pod API, checks that it is still
// a valid record, and returns it.
func storedRecord(t *testing.T, s *testServer, podURL, token, path string) map[string]any {
	t.Helper()
	r := s.do("GET", podURL+path, token, nil)
	expect(t, r, http.StatusOK)
	if _, err := schemas.Validate(r.body, path); err != nil {
		t.Fatalf("%s is not a valid record: %v\n%s", path, err, r.body)
	}
	var doc map[string]any
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func wantFields(t *testing.T, doc map[string]any, want map[string]any) {
	t.Helper()
	for k, v := range want {
		if got := doc[k]; got != v {
			t.Errorf("%s = %v, want %v; record %v", k, got, v, doc)
		}
	}
}

func TestWebRecordBirthCertificate(t *testing.T) {
	s := newTestServer(t)
	pod, tok := s.leaver("jo")
	b := s.signedIn(t, "jo", webPassword, "/my")
	b.get("/my").want(http.StatusOK).shows(`href="`+bcForm+`">Add your birth certificate<`, `href="`+idForm+`">Add your ID<`,
		"Add your National Insurance number")

	// No draft yet: a question sends the leaver to the start.
	b.get(bcForm + "/place").redirects(bcForm)
	b.get(bcForm).redirects(bcForm + "/name")
	b.form(bcForm+"/name").shows("What name is on the birth certificate?", "Your birth certificate", `href="/my" class="govuk-back-link"`)
	b.send(bcForm+"/name", url.Values{"name": {"  "}}).want(http.StatusUnprocessableEntity).
		shows("There is a problem", `href="#name"`, "Enter the name on the birth certificate")
	b.send(bcForm+"/name", url.Values{"name": {strings.Repeat("a", 201)}}).want(http.StatusUnprocessableEntity).
		shows("This is too long")
	b.send(bcForm+"/name", url.Values{"name": {" Jo Bloggs "}}).redirects(bcForm + "/birth-date")

	b.form(bcForm+"/birth-date").shows("What is the date of birth on it?", "Day", "Month", "Year",
		`name="birth-date-day"`, `autocomplete="bday-day"`, `href="`+bcForm+`/name" class="govuk-back-link"`)
	b.send(bcForm+"/birth-date", url.Values{"birth-date-day": {"31"}, "birth-date-month": {"2"}, "birth-date-year": {"1990"}}).
		want(http.StatusUnprocessableEntity).
		shows("The date of birth must be a real date", `href="#birth-date"`, `value="31"`, `govuk-form-group--error`)
	b.send(bcForm+"/birth-date", url.Values{"birth-date-day": {"1"}, "birth-date-month": {"1"}, "birth-date-year": {"2199"}}).
		want(http.StatusUnprocessableEntity).shows("The date of birth must be in the past")
	b.send(bcForm+"/birth-date", nil).want(http.StatusUnprocessableEntity).shows("Enter the date of birth")
	b.send(bcForm+"/birth-date", url.Values{"birth-date-day": {"23"}, "birth-date-month": {"04"}, "birth-date-year": {"1990"}}).
		redirects(bcForm + "/place")

	// The place is optional.
	b.send(bcForm+"/place", nil).redirects(bcForm + "/form")
	b.form(bcForm+"/form").shows("Is it a short or a full certificate?", "A short one has only your name, date and place of birth.")
	b.send(bcForm+"/form", url.Values{"form": {"long"}}).want(http.StatusUnprocessableEntity).
		shows("Select if it is a short or a full certificate")
	b.send(bcForm+"/form", url.Values{"form": {"short"}}).redirects(bcForm + "/check")

	b.form(bcForm+"/check").shows("Check your answers", "Jo Bloggs", "23 April 1990", "Not given", "Short",
		`href="`+bcForm+`/place">Change<span class="govuk-visually-hidden"> the place of birth`, "Save birth certificate")

	// Change from the check page comes back to the check page.
	b.form(bcForm + "/place").shows(`href="` + bcForm + `/check" class="govuk-back-link"`)
	b.send(bcForm+"/place", url.Values{"place": {"Bradford"}}).redirects(bcForm + "/check")
	b.send(bcForm+"/form", url.Values{"form": {"full"}}).redirects(bcForm + "/check")
	b.form(bcForm+"/check").shows("Bradford", "Full").hides("Not given")

	b.send(bcForm+"/check", nil).redirects("/my")
	b.get("/my").want(http.StatusOK).shows("Your birth certificate is saved.", "Change your birth certificate", "Add your ID")
	// The draft is gone.
	b.get(bcForm + "/check").redirects(bcForm)

	doc := storedRecord(t, s, pod, tok, "identity/birth-certificate.jsonld")
	wantFields(t, doc, map[string]any{
		"@context": schemas.ContextURL, "id": "#certificate", "type": "BirthCertificate",
		"name": "Jo Bloggs", "birthDate": "1990-04-23", "placeOfBirth": "Bradford", "certificateForm": "full",
	})
	if len(doc) != 7 {
		t.Errorf("the record has fields it was not given: %v", doc)
	}
}

func TestWebRecordCorrectBirthCertificate(t *testing.T) {
	s := newTestServer(t)
	pod, tok := s.leaver("jo")
	// Put through the pod API, with fields the form does not ask about.
	const kept = `{"@context":"https://w3id.org/satchel/v1","id":"#certificate","type":"BirthCertificate",` +
		`"certificateForm":"short","name":"Jo Blogs","birthDate":"1990-04-23","placeOfBirth":"Bradford",` +
		`"registrationDistrict":"Bradford","entryNumber":"123/45","issueDate":"2024-03-11"}`
	expect(t, s.do("PUT", pod+"identity/birth-certificate.jsonld", tok, strings.NewReader(kept), "Content-Type", "application/ld+json"), http.StatusCreated)

	b := s.signedIn(t, "jo", webPassword, "/my")
	b.get("/my").want(http.StatusOK).shows(`href="` + bcForm + `">Change your birth certificate<`)
	b.get(bcForm).redirects(bcForm + "/check")
	b.form(bcForm+"/check").shows("Jo Blogs", "23 April 1990", "Bradford", "Short")
	b.form(bcForm + "/name").shows(`value="Jo Blogs"`)
	b.send(bcForm+"/name", url.Values{"name": {"Jo Bloggs"}}).redirects(bcForm + "/check")
	// Leaving the optional place blank takes it out.
	b.send(bcForm+"/place", url.Values{"place": {""}}).redirects(bcForm + "/check")
	b.form(bcForm+"/check").shows("Jo Bloggs", "Not given")
	b.send(bcForm+"/check", nil).redirects("/my")

	doc := storedRecord(t, s, pod, tok, "identity/birth-certificate.jsonld")
	wantFields(t, doc, map[string]any{
		"name": "Jo Bloggs", "birthDate": "1990-04-23", "certificateForm": "short",
		"registrationDistrict": "Bradford", "entryNumber": "123/45", "issueDate": "2024-03-11",
	})
	if _, ok := doc["placeOfBirth"]; ok {
		t.Errorf("the place of birth left blank is still there: %v", doc)
	}
}

func TestWebRecordIDDocument(t *testing.T) {
	s := newTestServer(t)
	pod, tok := s.leaver("jo")
	b := s.signedIn(t, "jo", webPassword, "/my")
	b.get(idForm).redirects(idForm + "/kind")
	b.form(idForm+"/kind").shows("What kind of ID is it?", "Passport", "Driving licence", "Photo ID card from a prison", "Something else")
	b.send(idForm+"/kind", nil).want(http.StatusUnprocessableEntity).shows("Select what kind of ID it is")
	b.send(idForm+"/kind", url.Values{"kind": {"passport"}}).redirects(idForm + "/name")
	b.send(idForm+"/name", nil).want(http.StatusUnprocessableEntity).shows("Enter the name on your ID")
	b.send(idForm+"/name", url.Values{"name": {"Jo Bloggs"}}).redirects(idForm + "/birth-date")
	b.send(idForm+"/birth-date", url.Values{"birth-date-day": {"30"}, "birth-date-month": {"2"}, "birth-date-year": {"1990"}}).
		want(http.StatusUnprocessableEntity).shows("The date of birth must be a real date")
	b.send(idForm+"/birth-date", url.Values{"birth-date-day": {"23"}, "birth-date-month": {"4"}, "birth-date-year": {"1990"}}).
		redirects(idForm + "/expiry")
	b.send(idForm+"/expiry", url.Values{"expiry-day": {"27"}, "expiry-month": {"13"}, "expiry-year": {"2031"}}).
		want(http.StatusUnprocessableEntity).shows("The expiry date must be a real date")
	// An expiry date may be in the future.
	b.send(idForm+"/expiry", url.Values{"expiry-day": {"27"}, "expiry-month": {"3"}, "expiry-year": {"2031"}}).redirects(idForm + "/check")
	b.form(idForm+"/check").shows("Passport", "Jo Bloggs", "23 April 1990", "27 March 2031", "Save ID")

	// Change the kind from the check page, and come back to it.
	b.form(idForm + "/kind").shows(`value="passport" checked`)
	b.send(idForm+"/kind", url.Values{"kind": {"prison-id-card"}}).redirects(idForm + "/check")
	b.form(idForm + "/check").shows("Photo ID card from a prison").hides(">Passport<")
	b.send(idForm+"/check", nil).redirects("/my")
	b.get("/my").want(http.StatusOK).shows("Your ID is saved.", `href="`+idForm+`">Change your ID<`)

	doc := storedRecord(t, s, pod, tok, "identity/id-card.jsonld")
	wantFields(t, doc, map[string]any{"id": "#card", "type": "IdentityDocument", "documentType": "prison-id-card", "expiryDate": "2031-03-27"})
	holder, _ := doc["holder"].(map[string]any)
	wantFields(t, holder, map[string]any{"type": "Person", "name": "Jo Bloggs", "birthDate": "1990-04-23"})

	// Correcting it keeps what the form does not ask; a blank expiry date
	// takes it out.
	r := s.do("GET", pod+"identity/id-card.jsonld", tok, nil)
	withNumber := strings.Replace(string(r.body), `"documentType"`, `"documentNumber":"A1234BC","issuingAuthority":"HMP Example","documentType"`, 1)
	expect(t, s.do("PUT", pod+"identity/id-card.jsonld", tok, strings.NewReader(withNumber),
		"Content-Type", "application/ld+json", "If-Match", r.header.Get("ETag")), http.StatusNoContent)
	b.get(idForm).redirects(idForm + "/check")
	b.send(idForm+"/expiry", url.Values{"expiry-day": {""}, "expiry-month": {""}, "expiry-year": {""}}).redirects(idForm + "/check")
	b.send(idForm+"/check", nil).redirects("/my")
	doc = storedRecord(t, s, pod, tok, "identity/id-card.jsonld")
	wantFields(t, doc, map[string]any{"documentNumber": "A1234BC", "issuingAuthority": "HMP Example", "documentType": "prison-id-card"})
	if _, ok := doc["expiryDate"]; ok {
		t.Errorf("the expiry date left blank is still there: %v", doc)
	}
}

// A record of the form's type kept under another name is the one the form
// corrects; a document whose description took the form's usual name is
// left alone.
func TestWebRecordFindsAndKeepsOthers(t *testing.T) {
	s := newTestServer(t)
	pod, tok := s.leaver("jo")
	passport := `{"@context":"https://w3id.org/satchel/v1","type":"IdentityDocument","documentType":"passport",` +
		`"holder":{"name":"Jo Bloggs","birthDate":"1990-04-23"}}`
	expect(t, s.do("PUT", pod+"identity/passport.jsonld", tok, strings.NewReader(passport), "Content-Type", "application/ld+json"), http.StatusCreated)
	described := `{"@context":"https://w3id.org/satchel/v1","id":"#document","type":"Document","title":"Birth certificate","file":"birth-certificate.png"}`
	expect(t, s.do("PUT", pod+"identity/birth-certificate.jsonld", tok, strings.NewReader(described), "Content-Type", "application/ld+json"), http.StatusCreated)

	b := s.signedIn(t, "jo", webPassword, "/my")
	b.get("/my").want(http.StatusOK).shows("Change your ID", "Add your birth certificate")
	b.get(idForm).redirects(idForm + "/check")
	b.send(idForm+"/name", url.Values{"name": {"Jo Anne Bloggs"}}).redirects(idForm + "/check")
	b.send(idForm+"/check", nil).redirects("/my")
	doc := storedRecord(t, s, pod, tok, "identity/passport.jsonld")
	if h, _ := doc["holder"].(map[string]any); h["name"] != "Jo Anne Bloggs" || h["birthDate"] != "1990-04-23" {
		t.Errorf("passport holder %v", h)
	}
	expect(t, s.do("GET", pod+"identity/id-card.jsonld", tok, nil), http.StatusNotFound)

	b.get(bcForm).redirects(bcForm + "/name")
	b.send(bcForm+"/name", url.Values{"name": {"Jo Bloggs"}}).redirects(bcForm + "/birth-date")
	b.send(bcForm+"/birth-date", url.Values{"birth-date-day": {"23"}, "birth-date-month": {"4"}, "birth-date-year": {"1990"}}).redirects(bcForm + "/place")
	b.send(bcForm+"/place", url.Values{"place": {"Bradford"}}).redirects(bcForm + "/form")
	b.send(bcForm+"/form", url.Values{"form": {"short"}}).redirects(bcForm + "/check")
	b.send(bcForm+"/check", nil).redirects("/my")
	b.get("/my").want(http.StatusOK).shows("Change your birth certificate")
	r := s.do("GET", pod+"identity/birth-certificate.jsonld", tok, nil)
	expect(t, r, http.StatusOK)
	if !strings.Contains(string(r.body), `"Document"`) {
		t.Errorf("the document's description was replaced: %s", r.body)
	}
	// And the next time, the form finds the certificate where it went.
	b.get(bcForm).redirects(bcForm + "/check")
	b.form(bcForm+"/check").shows("Jo Bloggs", "Bradford")
}

func TestWebRecordUnknownForm(t *testing.T) {
	s := newTestServer(t)
	s.leaver("jo")
	b := s.signedIn(t, "jo", webPassword, "/my")
	b.get("/my/records/library-card").want(http.StatusNotFound)
	b.get(bcForm + "/shoe-size").want(http.StatusNotFound)
	// A draft of one form does not answer another's questions.
	b.get(bcForm).redirects(bcForm + "/name")
	b.get(idForm + "/name").redirects(idForm)
	// The National Insurance page still works.
	b.form("/my/records/national-insurance").shows("What is your National Insurance number?")
	// Signed out, the forms ask to sign in.
	s.browser(t).get(bcForm).redirects("/sign-in")
}

func TestWebRecordBankAccount(t *testing.T) {
	const form = "/my/records/bank"
	s := newTestServer(t)
	pod, tok := s.leaver("jo")
	b := s.signedIn(t, "jo", webPassword, "/my")
	b.get("/my").want(http.StatusOK).shows(`href="` + form + `">Add your bank account<`)
	b.get(form).redirects(form + "/bank")
	b.send(form+"/bank", nil).want(http.StatusUnprocessableEntity).shows("Enter the name of your bank or building society")
	b.send(form+"/bank", url.Values{"bank": {"Example Building Society"}}).redirects(form + "/holder")
	b.send(form+"/holder", url.Values{"holder": {"Jo Bloggs"}}).redirects(form + "/sort-code")
	for _, bad := range []string{"12345", "12 34 5x", "1234567"} {
		b.send(form+"/sort-code", url.Values{"sort-code": {bad}}).want(http.StatusUnprocessableEntity).shows("Enter a sort code of 6 numbers")
	}
	b.send(form+"/sort-code", url.Values{"sort-code": {"12 34 56"}}).redirects(form + "/number")
	b.send(form+"/number", url.Values{"number": {"1234 567"}}).want(http.StatusUnprocessableEntity).shows("Enter an account number of 8 numbers")
	b.send(form+"/number", url.Values{"number": {"1234 5678"}}).redirects(form + "/check")
	b.form(form+"/check").shows("Example Building Society", "Jo Bloggs", "12-34-56", "12345678", "Save bank account")
	b.send(form+"/check", nil).redirects("/my")
	b.get("/my").want(http.StatusOK).shows("Your bank account is saved.", `href="`+form+`">Change your bank account<`)
	doc := storedRecord(t, s, pod, tok, "finance/bank-account.jsonld")
	wantFields(t, doc, map[string]any{"type": "BankAccount", "bankName": "Example Building Society", "accountHolder": "Jo Bloggs", "sortCode": "12-34-56", "accountNumber": "12345678"})
}
