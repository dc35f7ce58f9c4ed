package verifier

import (
	"bytes"
	"context"
	"html/template"
	"time"

	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/pod"
)

// previewShift moves the preview's headings down two levels (its h1 becomes
// an h3), to sit under the leaver's page heading and the h2 above the
// preview. They keep the look they have on the share page.
const previewShift = 2

// Preview renders what the recipient of grant g will see when they open its
// share link, before the grant is made: g has no ID, token or credential
// yet. It shows the same items (read from g's pod, only the shared fields),
// the same sentences, warnings and notices (an issuer's name included) as
// the share page, and the checks a recipient sees while the share is in
// use, not withdrawn and not yet opened. It logs nothing and reads or
// changes no consent state.
//
// It differs from the share page only where a made grant is needed: each
// document's View and Download buttons link to docURL(path) (without
// buttons if docURL is nil); the signed grant is named but not linked; the
// signing key is not named in the checks. Headings start at h3.
//
// A zero g.NotBefore means now, a zero g.Expires NotBefore plus
// consent.DefaultTTL, as consent.Service.Create does. It returns g.Check's
// error if g could not be made as it is.
func (v *Verifier) Preview(ctx context.Context, g consent.Grant, docURL func(pod.Path) string) (template.HTML, error) {
	now := v.now().UTC().Truncate(time.Second)
	if g.NotBefore.IsZero() {
		g.NotBefore = now
	}
	if g.Expires.IsZero() {
		g.Expires = g.NotBefore.Add(consent.DefaultTTL)
	}
	if err := g.Check(); err != nil {
		return "", err
	}
	items := v.items(ctx, g, "")
	for i := range items {
		items[i].ViewURL, items[i].SaveURL = "", ""
		if docURL != nil {
			items[i].ViewURL = docURL(items[i].Path)
			items[i].SaveURL = items[i].ViewURL
		}
	}
	d := grantData(ctx, g, items, v.freshChecks(g))
	d.Shift = previewShift
	d.CheckAt = v.checkAddress()
	var b bytes.Buffer
	if err := pageTmpl.ExecuteTemplate(&b, "share", d); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil
}

// freshChecks are the checks VerifyToken reports for grant g while it is in
// use, not withdrawn and not yet opened, in the same order and words; the
// issuer-key check does not name the signing key, which is chosen when the
// grant is signed.
func (v *Verifier) freshChecks(g consent.Grant) []Check {
	r := Result{}
	r.add(Check{"link", true, "the link names a share"})
	r.add(Check{"issuer-key", true, "signed with a key this service publishes"})
	r.add(Check{"signature", true, "the signature matches: nothing was changed since it was signed"})
	r.add(Check{"not-before", true, "in use since " + g.NotBefore.UTC().Format(time.RFC3339)})
	r.add(Check{"expiry", true, "valid until " + g.Expires.UTC().Format(time.RFC3339)})
	r.add(Check{"revocation", true, "not withdrawn"})
	podURL := v.Consent.PodURL(g.Pod)
	var data []any
	for _, it := range g.Items {
		for _, u := range consent.ItemURLs(podURL, it) {
			data = append(data, u)
		}
	}
	r.add(scope(&consent.Verified{Credential: map[string]any{
		"credentialSubject": map[string]any{"id": podURL, "providedConsent": map[string]any{"forPersonalData": data}},
	}}))
	if g.MaxViews > 0 {
		r.add(Check{"views", true, "opened 0 of " + itoa(g.MaxViews) + " times allowed"})
	}
	return r.Checks
}
