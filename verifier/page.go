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
	GrantURL  string
}

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
		Until:     g.Expires.UTC().Format("Monday 2 January 2006 at 3:04pm (UTC)"),
		Items:     h.Verifier.items(r.Context(), g, link),
		Checks:    res.Checks,
		GrantURL:  link + "/grant",
	}
	if o, ok := officialChecks[g.Purpose]; ok {
		d.Official = &o
	}
	return d
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

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>{{if .Refused}}This link no longer works{{else}}Shared by {{.SharedBy}}{{end}} – Satchel</title>
<style>
body{margin:0;font-family:Arial,Helvetica,sans-serif;font-size:1.1875rem;line-height:1.45;color:#0b0c0c;background:#fff}
header{background:#0b0c0c;color:#fff;padding:.6rem 1rem;font-weight:bold}
main{max-width:40rem;margin:0 auto;padding:1rem;overflow-wrap:anywhere}
h1{font-size:2rem;line-height:1.15;margin:.5rem 0 1rem}
h2{font-size:1.5rem;margin:2rem 0 .75rem}
h3{font-size:1.25rem;margin:0 0 .25rem}
a{color:#1d70b8;text-decoration-thickness:max(1px,.0625rem);text-underline-offset:.15em}
a:focus{outline:3px solid transparent;background:#fd0;color:#0b0c0c;box-shadow:0 -2px #fd0,0 4px #0b0c0c;text-decoration:none}
.panel{border-left:10px solid #00703c;padding:.5rem 1rem;margin:1rem 0;background:#f3f2f1}
.bad{border-left-color:#d4351c}
.warn{border:5px solid #0b0c0c;padding:1rem;margin:1.5rem 0}
.item{border-top:1px solid #b1b4b6;padding:1rem 0}
.who{color:#505a5f;margin:.25rem 0 .5rem}
dl{margin:.5rem 0;display:grid;grid-template-columns:minmax(8rem,40%) 1fr;gap:.25rem 1rem}
dt{font-weight:bold}dd{margin:0;overflow-wrap:anywhere}
ul.checks{padding-left:1.25rem}
.button{display:inline-block;margin:.25rem 1rem .25rem 0}
</style>
</head>
<body>
<header>Satchel</header>
<main id="main">
{{if .Refused}}
<h1>This link no longer works</h1>
<p>{{.Refused}}</p>
<p>Nothing that was shared through it can be seen.</p>
{{else}}
<h1>{{.SharedBy}} has shared some records with you</h1>
<p>Shared with <strong>{{.Recipient}}</strong> ({{.Kind}}), {{.Purpose}}{{if .Text}}: “{{.Text}}”{{end}}.</p>
<p>You can see them until <strong>{{.Until}}</strong>.</p>
<div class="panel"><p><strong>This share is genuine and has not been withdrawn.</strong> Satchel checked its signature: it was made for {{.SharedBy}} and nothing in it was changed.</p></div>
{{with .Official}}<div class="warn" role="note"><h2>This is not a {{.Check}} check</h2><p>{{.Words}}</p><p>Official guidance: <a href="{{.Link}}">{{.Link}}</a></p></div>{{end}}
<h2>What has been shared</h2>
{{range .Items}}
<section class="item">
<h3>{{.Title}}</h3>
{{if .Problem}}<p>{{.Problem}}</p>{{else}}
<p class="who">{{.Notice}}</p>
{{if .Record}}{{if .Rows}}<dl>{{range .Rows}}<dt>{{.Label}}</dt><dd>{{.Value}}</dd>{{end}}</dl>{{else}}<p>No parts of this record were shared.</p>{{end}}{{end}}
{{if .Document}}<p><a class="button" href="{{.ViewURL}}">View {{.Title}}</a><a class="button" href="{{.SaveURL}}">Download</a></p>{{end}}
{{end}}
</section>
{{else}}<p>Nothing is in this share at the moment.</p>{{end}}
<h2>How this was checked</h2>
<ul class="checks">{{range .Checks}}<li>{{if .Passed}}Passed{{else}}Failed{{end}}: {{.Reason}}</li>{{end}}</ul>
<p>For your own systems: <a href="{{.GrantURL}}">download the signed grant</a> (a W3C Verifiable Credential). Each time this page or an item is opened, {{.SharedBy}} can see that you looked.</p>
{{end}}
</main>
</body>
</html>
`))
