package web

import (
	"net/http"
	"regexp"
	"strings"

	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/schemas"
)

// niRecord is where the leaver's National Insurance number is kept.
const niRecord pod.Path = "identity/national-insurance.jsonld"

var niNumber = regexp.MustCompile(`^[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][0-9]{6}[A-D]$`)

// nationalInsurance adds or corrects the leaver's National Insurance
// number: one question on one page.
func (p *Pages) nationalInsurance(w http.ResponseWriter, r *http.Request, s *Session) {
	p.nationalInsuranceIn(w, r, s, s.Pod, "/my", niWords{Heading: "ni.title", Key: "flash.ni-saved"})
}

// niWords are the catalogue keys of the NI number's question (Heading)
// and of the message once it is saved (Key).
type niWords struct{ Heading, Key string }

// nationalInsuranceIn asks for the NI number of pod id and saves it, then
// goes back to back: the leaver's own, or (with pod.WithAddedBy in the
// request's context) one an organisation started for someone in custody.
func (p *Pages) nationalInsuranceIn(w http.ResponseWriter, r *http.Request, s *Session, id pod.PodID, back string, words niWords) {
	ctx := r.Context()
	doc, etag, err := p.readRecord(ctx, id, niRecord)
	if err != nil {
		p.fail(w, r, s)
		return
	}
	current := str(doc, "niNumber")
	v := view{"Value": current, "Action": r.URL.Path, "Back": back, "Question": words.Heading}
	if r.Method == http.MethodGet {
		p.render(w, r, s, http.StatusOK, "record-ni", v)
		return
	}
	typed := r.PostFormValue("ni")
	compact := strings.ToUpper(strings.Join(strings.Fields(typed), ""))
	if !niNumber.MatchString(compact) {
		v["Value"], v["Errors"] = typed, []fieldError{{Field: "ni", Key: "ni.error"}}
		p.render(w, r, s, http.StatusUnprocessableEntity, "record-ni", v)
		return
	}
	spaced := compact[:2] + " " + compact[2:4] + " " + compact[4:6] + " " + compact[6:8] + " " + compact[8:]
	doc = map[string]any{"@context": schemas.ContextURL, "id": "#ni", "type": "NationalInsuranceNumber", "niNumber": spaced}
	if err := p.writeRecord(ctx, id, niRecord, doc, etag); err != nil {
		// A change made elsewhere in the meantime is kept; the leaver
		// sees it and can try again.
		p.Log.WarnContext(r.Context(), "saving an NI number failed", "err", err)
		p.fail(w, r, s)
		return
	}
	p.flash(ctx, s, words.Key)
	redirect(w, r, back)
}

// Records built from a few questions, one a page (see recordform.go).

// dateOfBirth is the question of q's Field and Heading, asked as every
// form asks a date of birth.
func dateOfBirth(q question) *question {
	dob := question{
		ID: "birth-date", Kind: askDate, Past: true, Autocomplete: "bday",
		Label: "record.change.birth-date", HintKey: "record.birth-date.hint",
		MissingKey: "record.error.birth-date", BadKey: "record.error.birth-date-real", FutureKey: "record.error.birth-date-past",
	}
	dob.Field, dob.Heading = q.Field, q.Heading
	return &dob
}

// birthCertificateForm adds or corrects the leaver's birth certificate.
var birthCertificateForm = &recordForm{
	Slug: "birth-certificate", Path: "identity/birth-certificate.jsonld", Type: "BirthCertificate", ID: "#certificate",
	Questions: []*question{
		{ID: "name", Kind: askText, Field: "name", Heading: "birth-certificate.q.name", Label: "record.change.name",
			HintKey: "birth-certificate.name.hint", MissingKey: "birth-certificate.error.name", Autocomplete: "name"},
		dateOfBirth(question{Field: "birthDate", Heading: "birth-certificate.q.birth-date"}),
		{ID: "place", Kind: askText, Field: "placeOfBirth", Optional: true, Heading: "birth-certificate.q.place",
			Label: "record.change.place", HintKey: "birth-certificate.place.hint"},
		{ID: "form", Kind: askRadios, Field: "certificateForm", Heading: "birth-certificate.q.form",
			Label: "record.change.certificate-form", HintKey: "birth-certificate.form.hint", MissingKey: "birth-certificate.error.form",
			Options: []option{
				{Value: "short", Label: "birth-certificate.form.short"},
				{Value: "full", Label: "birth-certificate.form.full"},
			}},
	},
	TitleKey: "birth-certificate.title", SaveKey: "birth-certificate.save", SavedKey: "flash.birth-certificate-saved",
	AddKey: "things.add-birth-certificate", ChangeKey: "things.change-birth-certificate",
}

// idDocumentForm adds or corrects the leaver's ID. It is kept where the
// example pod keeps its ID card, identity/id-card.jsonld (id #card),
// whatever kind of ID it is.
var idDocumentForm = &recordForm{
	Slug: "id", Path: "identity/id-card.jsonld", Type: "IdentityDocument", ID: "#card",
	Objects: map[string]string{"holder": "Person"},
	Questions: []*question{
		{ID: "kind", Kind: askRadios, Field: "documentType", Heading: "id.q.kind", Label: "record.change.id-kind",
			MissingKey: "id.error.kind",
			Options: []option{
				{Value: "passport", Label: "id.kind.passport"},
				{Value: "driving-licence", Label: "id.kind.driving-licence"},
				{Value: "prison-id-card", Label: "id.kind.prison-id-card"},
				{Value: "other", Label: "id.kind.other"},
			}},
		{ID: "name", Kind: askText, Field: "holder/name", Heading: "id.q.name", Label: "record.change.name",
			HintKey: "id.name.hint", MissingKey: "id.error.name", Autocomplete: "name"},
		dateOfBirth(question{Field: "holder/birthDate", Heading: "id.q.birth-date"}),
		{ID: "expiry", Kind: askDate, Field: "expiryDate", Optional: true, Heading: "id.q.expiry", Label: "record.change.expiry",
			HintKey: "id.expiry.hint", BadKey: "id.error.expiry"},
	},
	TitleKey: "id.title", SaveKey: "id.save", SavedKey: "flash.id-saved",
	AddKey: "things.add-id", ChangeKey: "things.change-id",
}

// bankForm adds or corrects the leaver's bank or building society account.
var bankForm = &recordForm{
	Slug: "bank", Path: "finance/bank-account.jsonld", Type: "BankAccount", ID: "#account",
	Questions: []*question{
		{ID: "bank", Kind: askText, Field: "bankName", Heading: "bank.q.bank", Label: "record.change.bank",
			HintKey: "bank.bank.hint", MissingKey: "bank.error.bank"},
		{ID: "holder", Kind: askText, Field: "accountHolder", Heading: "bank.q.holder", Label: "record.change.holder",
			HintKey: "bank.holder.hint", MissingKey: "bank.error.holder", Autocomplete: "name"},
		{ID: "sort-code", Kind: askText, Field: "sortCode", Heading: "bank.q.sort-code", Label: "record.change.sort-code",
			HintKey: "bank.sort-code.hint", MissingKey: "bank.error.sort-code", BadKey: "bank.error.sort-code", Tidy: sortCode},
		{ID: "number", Kind: askText, Field: "accountNumber", Heading: "bank.q.number", Label: "record.change.account-number",
			HintKey: "bank.number.hint", MissingKey: "bank.error.number", BadKey: "bank.error.number", Tidy: accountNumber},
	},
	TitleKey: "bank.title", SaveKey: "bank.save", SavedKey: "flash.bank-saved",
	AddKey: "things.add-bank", ChangeKey: "things.change-bank",
}

// digitsOnly keeps the digits of s if everything else is spaces or
// dashes, as people type sort codes and account numbers.
func digitsOnly(s string) (string, bool) {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			b.WriteRune(c)
		case c == ' ' || c == '-':
		default:
			return "", false
		}
	}
	return b.String(), true
}

// sortCode reads a sort code typed as 123456, 12 34 56 or 12-34-56.
func sortCode(s string) (string, bool) {
	d, ok := digitsOnly(s)
	if !ok || len(d) != 6 {
		return "", false
	}
	return d[:2] + "-" + d[2:4] + "-" + d[4:], true
}

// accountNumber reads an 8-digit account number, spaces allowed.
func accountNumber(s string) (string, bool) {
	d, ok := digitsOnly(s)
	return d, ok && len(d) == 8
}
