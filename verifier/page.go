package verifier

import (
	"context"
	"html/template"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/web/lang"
)

type pageData struct {
	// Lang is the page's language code ("en", "cy"): its words and its
	// language link (see pageTmpl).
	Lang string
	// LangLink is the language link ("" for none): the other language's
	// page at the same address (lang.SwitchLink).
	LangLink  string
	Refused   string
	SharedBy  string
	Recipient string
	Kind      string
	Purpose   string
	Text      string
	Until     string
	Items     []Shown
	Checks    []Check
	Official  *official
	GrantURL  string // "": the grant is named but not linked (a preview)
	// Shift moves every heading down this many levels, for a share shown
	// inside another page. Classes keep the headings' look.
	Shift int
	// Window, for a share with a view limit, is how many minutes its items
	// can be read as part of this opening.
	Window int
	// Open, for a link preview or a HEAD request, is the link to open in a
	// browser; the page then shows nothing that was shared.
	Open string
	// CheckAt is the address of the page where a recipient types a share
	// code, on Satchel's own address ("https://satchel.example/check").
	CheckAt string
}

// H is the level of a heading that is at level n on the share page itself.
func (d pageData) H(n int) int { return n + d.Shift }

// official is the honest word on what a share is not, for purposes where
// a landlord or employer has a legal check to make, and the official
// routes for making it.
type official struct {
	Check, Words string
	Links        []govLink
}

// govLink is a GOV.UK page: Text is a catalogue key.
type govLink struct{ Text, URL string }

// officialChecks are the legal checks some purposes call for; Check,
// Words and each link's Text are catalogue keys.
var officialChecks = map[string]official{
	"tenancy-application": {
		Check: "verifier.official.rent",
		Words: "verifier.official.rent.words",
		Links: []govLink{
			{"verifier.next.rent", "https://www.gov.uk/check-tenant-right-to-rent-documents"},
			{"verifier.next.rent.no-passport", "https://www.gov.uk/government/publications/right-to-rent-document-checks-a-user-guide"},
		},
	},
	"job-application": {
		Check: "verifier.official.work",
		Words: "verifier.official.work.words",
		Links: []govLink{
			{"verifier.next.work", "https://www.gov.uk/check-job-applicant-right-to-work"},
			{"verifier.next.work.no-passport", "https://www.gov.uk/legal-right-to-work-in-the-uk"},
		},
	},
}

// officialFor is the legal check a share calls for: by its purpose, or
// else by who it is for.
func officialFor(g consent.Grant) (official, bool) {
	if o, ok := officialChecks[g.Purpose]; ok {
		return o, true
	}
	switch g.Recipient.Kind {
	case "landlord":
		return officialChecks["tenancy-application"], true
	case "employer":
		return officialChecks["job-application"], true
	}
	return official{}, false
}

// checkAddress is the address of the /check page on this service.
func (v *Verifier) checkAddress() string {
	return strings.TrimSuffix(v.Consent.ShareURL(""), "/s/") + "/check"
}

// checkWords puts the checks' dates in words, in c's language, for
// people: the API keeps them as timestamps.
func checkWords(c lang.Catalogue, checks []Check) []Check {
	out := make([]Check, len(checks))
	for i, ch := range checks {
		ch.Reason = timestampRE.ReplaceAllStringFunc(ch.Reason, func(ts string) string {
			t, err := time.Parse(time.RFC3339, ts)
			if err != nil {
				return ts
			}
			return c.DateTime(t)
		})
		out[i] = ch
	}
	return out
}

var timestampRE = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)`)

func (h *Handler) pageData(r *http.Request, g consent.Grant, res Result) pageData {
	link := "/s/" + tokenOf(r)
	ctx := lang.WithCode(r.Context(), lang.Choose(r))
	d := grantData(ctx, g, h.Verifier.items(ctx, g, link), res.Checks)
	d.LangLink = lang.SwitchLink(lang.Other(d.Lang), link)
	d.GrantURL = link + "/grant"
	d.CheckAt = h.Verifier.checkAddress()
	if g.MaxViews > 0 {
		d.Window = int(consent.OpeningWindow / time.Minute)
	}
	return d
}

// grantData is what the share page says of grant g, its items and checks:
// the same on the page and in a preview, in the language ctx carries.
func grantData(ctx context.Context, g consent.Grant, items []Shown, checks []Check) pageData {
	c := lang.Of(ctx)
	d := pageData{
		Lang:      lang.CodeOf(ctx),
		SharedBy:  g.SharedBy,
		Recipient: g.Recipient.Name,
		Kind:      kindWords(c, g.Recipient.Kind),
		Purpose:   purposeWords(c, g.Purpose),
		Text:      g.PurposeText,
		Until:     untilWords(c, g),
		Items:     items,
		Checks:    checkWords(c, checks),
	}
	if o, ok := officialFor(g); ok {
		d.Official = &o
	}
	return d
}

// untilWords is when grant g ends, in words, in London time.
func untilWords(c lang.Catalogue, g consent.Grant) string { return c.DateTime(g.Expires) }

// kindWords and purposeWords say what a recipient is, and why the share
// was made, in words.
func kindWords(c lang.Catalogue, k consent.RecipientKind) string {
	return c.Text("verifier.kind." + string(k))
}

func purposeWords(c lang.Catalogue, p string) string { return c.Text("verifier.purpose." + p) }

// refusal is what the page says of a link that does not (or no longer)
// work, for a consent decision's reason ("" for an unknown link), in
// c's language.
func refusal(c lang.Catalogue, reason consent.Reason) string {
	switch reason {
	case consent.NotYetValid:
		return c.Text("verifier.refused.not-yet")
	case consent.Expired:
		return c.Text("verifier.refused.expired")
	case consent.Revoked:
		return c.Text("verifier.refused.revoked")
	case consent.UsedUp:
		return c.Text("verifier.refused.used-up")
	case consent.OutOfScope:
		return c.Text("verifier.refused.out-of-scope")
	}
	return c.Text("verifier.refused.unknown")
}

func tokenOf(r *http.Request) string {
	p := r.URL.Path
	for i := len("/s/"); i < len(p); i++ {
		if p[i] == '/' {
			return p[len("/s/"):i]
		}
	}
	return p[len("/s/"):]
}

// pageTmpl is the page a share link opens, or the page saying it no longer
// works. Template "share" is what the recipient sees of a share (inside
// <main>); Verifier.Preview shows it to the leaver before they share.
var pageTmpl = inEachLanguage(template.Must(template.New("page").Funcs(template.FuncMap{"t": lang.English.Text, "langName": langName, "langOther": lang.Other}).Parse(`<!doctype html>
<html lang="{{.Lang}}" class="govuk-template">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="robots" content="noindex, nofollow">
<meta name="theme-color" content="#0b0c0c">
<title>{{if .Refused}}{{t "verifier.refused.title"}}{{else if .Open}}{{t "verifier.neutral.title"}}{{else}}{{t "verifier.title" .SharedBy}}{{end}} – {{t "service.name"}}</title>
<link rel="icon" href="/assets/images/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/satchel.css">
</head>
<body class="govuk-template__body">
<a href="#main-content" class="govuk-skip-link" data-module="govuk-skip-link">{{t "layout.skip"}}</a>
<header class="govuk-template__header">
<section class="govuk-service-navigation" aria-label="{{t "layout.service-info"}}" data-module="govuk-service-navigation">
<div class="govuk-width-container">
<div class="govuk-service-navigation__container">
<span class="govuk-service-navigation__service-name"><span class="govuk-service-navigation__text">{{t "service.name"}}</span></span>
</div>
</div>
</section>
</header>
<div class="govuk-width-container">
{{with .LangLink}}<p class="govuk-body-s govuk-!-text-align-right govuk-!-margin-top-2 govuk-!-margin-bottom-0"><a class="govuk-link" href="{{.}}" lang="{{langOther $.Lang}}" hreflang="{{langOther $.Lang}}">{{langName (langOther $.Lang)}}</a></p>{{end}}
<main class="govuk-main-wrapper" id="main-content">
<div class="govuk-grid-row">
<div class="govuk-grid-column-two-thirds">
{{if .Refused}}
<h1 class="govuk-heading-l">{{t "verifier.refused.title"}}</h1>
<p class="govuk-body">{{.Refused}}</p>
<p class="govuk-body">{{t "verifier.refused.nothing"}}</p>
{{else if .Open}}
<h1 class="govuk-heading-l">{{t "verifier.neutral.title"}}</h1>
<p class="govuk-body">{{t "verifier.neutral.body"}}</p>
<p class="govuk-body"><a class="govuk-link" href="{{.Open}}">{{t "verifier.neutral.open"}}</a></p>
{{else}}{{template "share" .}}{{end}}
</div>
</div>
</main>
</div>
<footer class="govuk-footer">
<div class="govuk-width-container">
<div class="govuk-footer__meta">
<div class="govuk-footer__meta-item govuk-footer__meta-item--grow">
<h2 class="govuk-visually-hidden">{{t "footer.links"}}</h2>
<ul class="govuk-footer__inline-list">
<li class="govuk-footer__inline-list-item"><a class="govuk-footer__link" href="/help">{{t "footer.help"}}</a></li>
<li class="govuk-footer__inline-list-item"><a class="govuk-footer__link" href="/privacy">{{t "footer.privacy"}}</a></li>
<li class="govuk-footer__inline-list-item"><a class="govuk-footer__link" href="/cookies">{{t "footer.cookies"}}</a></li>
<li class="govuk-footer__inline-list-item"><a class="govuk-footer__link" href="/accessibility">{{t "footer.accessibility"}}</a></li>
<li class="govuk-footer__inline-list-item"><a class="govuk-footer__link" href="/about">{{t "about.title"}}</a></li>
<li class="govuk-footer__inline-list-item"><a class="govuk-footer__link" href="/report">{{t "report.link"}}</a></li>
</ul>
</div>
</div>
</div>
</footer>
<script type="module" src="/assets/app.js"></script>
</body>
</html>
{{define "share"}}<div class="govuk-!-text-break-word">
<h{{.H 1}} class="govuk-heading-l">{{t "verifier.heading" .SharedBy}}</h{{.H 1}}>
<p class="govuk-body">{{t "verifier.shared-with" .Recipient .Kind .Purpose}}{{if .Text}} “{{.Text}}”{{end}}</p>
<p class="govuk-body">{{t "verifier.until" .Until}}</p>
<div class="govuk-notification-banner govuk-notification-banner--success" role="region" aria-labelledby="share-checked-title" data-module="govuk-notification-banner">
<div class="govuk-notification-banner__header">
<h{{.H 2}} class="govuk-notification-banner__title" id="share-checked-title">{{t "verifier.checked"}}</h{{.H 2}}>
</div>
<div class="govuk-notification-banner__content">
<p class="govuk-notification-banner__heading">{{t "verifier.valid" .SharedBy}}</p>
<p class="govuk-body">{{t "verifier.not-genuine"}}</p>
</div>
</div>
<h{{.H 2}} class="govuk-heading-m">{{t "verifier.what"}}</h{{.H 2}}>
{{if .Window}}<p class="govuk-body">{{t "verifier.window" .Window}}</p>{{end}}
{{range .Items}}
<div class="govuk-summary-card">
<div class="govuk-summary-card__title-wrapper">
<h{{$.H 3}} class="govuk-summary-card__title">{{.Title}}</h{{$.H 3}}>
</div>
<div class="govuk-summary-card__content">
{{if .Problem}}<p class="govuk-body">{{.Problem}}</p>{{else}}
<p class="govuk-body">{{.Notice}}</p>
{{with .History}}{{if .Cover}}<p class="govuk-body govuk-!-font-weight-bold app-history-cover">{{.Cover}}</p>{{end}}
{{if .Rows}}<table class="govuk-table app-history">
<caption class="govuk-table__caption govuk-table__caption--s">{{t "verifier.history.caption"}}</caption>
<thead class="govuk-table__head"><tr class="govuk-table__row"><th scope="col" class="govuk-table__header">{{t "verifier.history.when"}}</th><th scope="col" class="govuk-table__header">{{t "verifier.history.address"}}</th><th scope="col" class="govuk-table__header">{{t "verifier.history.details"}}</th></tr></thead>
<tbody class="govuk-table__body">
{{range .Rows}}<tr class="govuk-table__row"><td class="govuk-table__cell">{{.When}}</td><td class="govuk-table__cell">{{.Address}}</td><td class="govuk-table__cell">{{range $i, $d := .Details}}{{if $i}}<br>{{end}}{{$d}}{{end}}</td></tr>
{{end}}</tbody>
</table>{{else}}<p class="govuk-body">{{t "verifier.no-parts"}}</p>{{end}}
{{else}}{{if .Record}}{{if .Rows}}<dl class="govuk-summary-list">
{{range .Rows}}<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">{{.Label}}</dt><dd class="govuk-summary-list__value">{{.Value}}</dd></div>
{{end}}</dl>{{else}}<p class="govuk-body">{{t "verifier.no-parts"}}</p>{{end}}{{end}}{{end}}
{{if and .Document .ViewURL}}<div class="govuk-button-group">
<a class="govuk-button govuk-button--secondary" data-module="govuk-button" role="button" draggable="false" href="{{.ViewURL}}">{{t "verifier.view" .Title}}</a>
<a class="govuk-button govuk-button--secondary" data-module="govuk-button" role="button" draggable="false" href="{{.SaveURL}}" download>{{t "verifier.download"}}<span class="govuk-visually-hidden"> {{.Title}}</span></a>
</div>{{end}}
{{end}}
</div>
</div>
{{else}}<p class="govuk-body">{{t "verifier.empty"}}</p>{{end}}
<h{{.H 2}} class="govuk-heading-m">{{t "verifier.next"}}</h{{.H 2}}>
{{with .Official}}
<div class="govuk-warning-text">
<span class="govuk-warning-text__icon" aria-hidden="true">!</span>
<strong class="govuk-warning-text__text"><span class="govuk-visually-hidden">{{t "warning"}}</span> {{t .Words}}</strong>
</div>
<ul class="govuk-list govuk-list--bullet">
{{range .Links}}<li><a class="govuk-link" href="{{.URL}}">{{t .Text}}</a> (GOV.UK)</li>
{{end}}</ul>
{{end}}
<p class="govuk-body">{{t "verifier.next.check" .SharedBy}}{{with .CheckAt}} <strong>{{.}}</strong>{{end}}</p>
<ul class="govuk-list">
<li><a class="govuk-link" href="/about">{{t "about.title"}}</a></li>
<li><a class="govuk-link" href="/report">{{t "report.link"}}</a></li>
</ul>
<details class="govuk-details">
<summary class="govuk-details__summary"><span class="govuk-details__summary-text">{{t "verifier.how"}}</span></summary>
<div class="govuk-details__text">
<ul class="govuk-list govuk-list--bullet">
{{range .Checks}}<li>{{if .Passed}}{{t "verifier.passed" .Reason}}{{else}}{{t "verifier.failed" .Reason}}{{end}}</li>
{{end}}</ul>
<p class="govuk-body">{{t "verifier.systems"}} {{if .GrantURL}}<a class="govuk-link" href="{{.GrantURL}}">{{t "verifier.grant"}}</a>{{else}}{{t "verifier.grant"}}{{end}} {{t "verifier.grant.what"}}</p>
</div>
</details>
<p class="govuk-body">{{t "verifier.logged" .SharedBy}}</p>
</div>{{end}}`)))

func langName(code string) string { return lang.Names[code] }

// pageSet is the share page in each language, by code.
type pageSet map[string]*template.Template

// inEachLanguage makes the page in every language there is a catalogue
// for, each with that language's words.
func inEachLanguage(base *template.Template) pageSet {
	set := pageSet{}
	for code, c := range lang.Catalogues {
		set[code] = template.Must(base.Clone()).Funcs(template.FuncMap{"t": c.Text})
	}
	return set
}

// Execute writes the page in d's language (English if it has none).
func (s pageSet) Execute(w io.Writer, d pageData) error {
	return s.ExecuteTemplate(w, "page", d)
}

// ExecuteTemplate writes template name of the page in d's language.
func (s pageSet) ExecuteTemplate(w io.Writer, name string, d pageData) error {
	if !lang.Has(d.Lang) {
		d.Lang = lang.Default
	}
	return s[d.Lang].ExecuteTemplate(w, name, d)
}
