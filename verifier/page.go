package verifier

import (
	"html/template"
	"net/http"

	"github.com/satchel-project/satchel/consent"
)

type pageData struct {
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
}

// H is the level of a heading that is at level n on the share page itself.
func (d pageData) H(n int) int { return n + d.Shift }

// official is the honest word on what a share is not, for purposes where
// a landlord or employer has a legal check to make.
type official struct {
	Check, Words, Link string
}

var officialChecks = map[string]official{
	"tenancy-application": {
		Check: "Right to Rent",
		Words: "This page is not a Right to Rent check. A shared scan or photo is a copy, not an original document. To check a right to rent, see the original documents with the person, use a certified identity service provider for a valid British or Irish passport, or use the Home Office online check with a share code the person gives you.",
		Link:  "https://www.gov.uk/check-tenant-right-to-rent-documents",
	},
	"job-application": {
		Check: "Right to Work",
		Words: "This page is not a Right to Work check. A shared scan or photo is a copy, not an original document. To check a right to work, see the original documents with the person, use a certified identity service provider for a valid British or Irish passport, or use the Home Office online check with a share code the person gives you.",
		Link:  "https://www.gov.uk/check-job-applicant-right-to-work",
	},
}

func (h *Handler) pageData(r *http.Request, g consent.Grant, res Result) pageData {
	link := "/s/" + tokenOf(r)
	d := pageData{
		SharedBy:  g.SharedBy,
		Recipient: g.Recipient.Name,
		Kind:      consent.RecipientKinds[g.Recipient.Kind],
		Purpose:   consent.Purposes[g.Purpose],
		Text:      g.PurposeText,
		Until:     untilWords(g),
		Items:     h.Verifier.items(r.Context(), g, link),
		Checks:    res.Checks,
		GrantURL:  link + "/grant",
	}
	if o, ok := officialChecks[g.Purpose]; ok {
		d.Official = &o
	}
	return d
}

// untilWords is when grant g ends, in words.
func untilWords(g consent.Grant) string {
	return g.Expires.UTC().Format("Monday 2 January 2006 at 3:04pm (UTC)")
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
var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en" class="govuk-template">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="robots" content="noindex, nofollow">
<meta name="theme-color" content="#0b0c0c">
<title>{{if .Refused}}This link no longer works{{else}}Shared by {{.SharedBy}}{{end}} – Satchel</title>
<link rel="icon" href="/assets/images/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/satchel.css">
</head>
<body class="govuk-template__body">
<a href="#main-content" class="govuk-skip-link" data-module="govuk-skip-link">Skip to main content</a>
<header class="govuk-template__header">
<section class="govuk-service-navigation" aria-label="Service information" data-module="govuk-service-navigation">
<div class="govuk-width-container">
<div class="govuk-service-navigation__container">
<span class="govuk-service-navigation__service-name"><span class="govuk-service-navigation__text">Satchel</span></span>
</div>
</div>
</section>
</header>
<div class="govuk-width-container">
<main class="govuk-main-wrapper" id="main-content">
<div class="govuk-grid-row">
<div class="govuk-grid-column-two-thirds">
{{if .Refused}}
<h1 class="govuk-heading-l">This link no longer works</h1>
<p class="govuk-body">{{.Refused}}</p>
<p class="govuk-body">Nothing that was shared through it can be seen.</p>
{{else}}{{template "share" .}}{{end}}
</div>
</div>
</main>
</div>
<script type="module" src="/assets/app.js"></script>
</body>
</html>
{{define "share"}}<div class="govuk-!-text-break-word">
<h{{.H 1}} class="govuk-heading-l">{{.SharedBy}} has shared some records with you</h{{.H 1}}>
<p class="govuk-body">Shared with <strong>{{.Recipient}}</strong> ({{.Kind}}), {{.Purpose}}{{if .Text}}: “{{.Text}}”{{end}}.</p>
<p class="govuk-body">You can see them until <strong>{{.Until}}</strong>.</p>
<div class="govuk-notification-banner govuk-notification-banner--success" role="region" aria-labelledby="share-checked-title" data-module="govuk-notification-banner">
<div class="govuk-notification-banner__header">
<h{{.H 2}} class="govuk-notification-banner__title" id="share-checked-title">Checked by Satchel</h{{.H 2}}>
</div>
<div class="govuk-notification-banner__content">
<p class="govuk-notification-banner__heading">This share is genuine and has not been withdrawn.</p>
<p class="govuk-body">Satchel checked its signature: it was made for {{.SharedBy}} and nothing in it was changed.</p>
</div>
</div>
{{with .Official}}
<h{{$.H 2}} class="govuk-heading-m">This is not a {{.Check}} check</h{{$.H 2}}>
<div class="govuk-warning-text">
<span class="govuk-warning-text__icon" aria-hidden="true">!</span>
<strong class="govuk-warning-text__text"><span class="govuk-visually-hidden">Warning</span> {{.Words}}</strong>
</div>
<p class="govuk-body">Official guidance: <a class="govuk-link" href="{{.Link}}">{{.Link}}</a></p>
{{end}}
<h{{.H 2}} class="govuk-heading-m">What has been shared</h{{.H 2}}>
{{range .Items}}
<div class="govuk-summary-card">
<div class="govuk-summary-card__title-wrapper">
<h{{$.H 3}} class="govuk-summary-card__title">{{.Title}}</h{{$.H 3}}>
</div>
<div class="govuk-summary-card__content">
{{if .Problem}}<p class="govuk-body">{{.Problem}}</p>{{else}}
<p class="govuk-body">{{.Notice}}</p>
{{if .Record}}{{if .Rows}}<dl class="govuk-summary-list">
{{range .Rows}}<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">{{.Label}}</dt><dd class="govuk-summary-list__value">{{.Value}}</dd></div>
{{end}}</dl>{{else}}<p class="govuk-body">No parts of this record were shared.</p>{{end}}{{end}}
{{if and .Document .ViewURL}}<div class="govuk-button-group">
<a class="govuk-button govuk-button--secondary" data-module="govuk-button" role="button" draggable="false" href="{{.ViewURL}}">View {{.Title}}</a>
<a class="govuk-button govuk-button--secondary" data-module="govuk-button" role="button" draggable="false" href="{{.SaveURL}}" download>Download<span class="govuk-visually-hidden"> {{.Title}}</span></a>
</div>{{end}}
{{end}}
</div>
</div>
{{else}}<p class="govuk-body">Nothing is in this share at the moment.</p>{{end}}
<h{{.H 2}} class="govuk-heading-m">How this was checked</h{{.H 2}}>
<ul class="govuk-list govuk-list--bullet">
{{range .Checks}}<li>{{if .Passed}}Passed{{else}}Failed{{end}}: {{.Reason}}</li>
{{end}}</ul>
<p class="govuk-body">For your own systems: {{if .GrantURL}}<a class="govuk-link" href="{{.GrantURL}}">download the signed grant</a>{{else}}download the signed grant{{end}} (a W3C Verifiable Credential). Each time this page or an item is opened, {{.SharedBy}} can see that you looked.</p>
</div>{{end}}`))
