package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/issuer"
	"github.com/satchel-project/satchel/web/lang"
)

//go:embed templates
var templateFiles embed.FS

// view is what a page template gets, beside the fields render adds: Lang
// (the page's language code), OtherLang, OtherName and LangLink (the
// language link), CSRF, User, Path, Flash and Errors.
type view map[string]any

// fieldError is one problem with a form, shown in the error summary and
// beside its field (whose id is Field).
type fieldError struct {
	Field string
	Key   string // catalogue key of the message
	Args  []any
}

// pages holds each page's template, by language and page name.
var pages = mustParse()

func mustParse() map[string]map[string]*template.Template {
	base := template.New("layout").Funcs(template.FuncMap{
		"t":        func(key string, args ...any) string { return key },
		"errorFor": errorFor,
		"hasError": func(errs []fieldError, field string) bool { return errorFor(errs, field) != nil },
		"date":     func(t time.Time) string { return "" },
		"day":      func(t time.Time) string { return "" },
		"month":    func(t time.Time) string { return "" },
		"contains": func(list []string, s string) bool { return contains(list, s) },
		"dict":     dict,
	})
	template.Must(base.ParseFS(templateFiles, "templates/layout/*.html"))
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		panic(err)
	}
	out := map[string]map[string]*template.Template{}
	for code, cat := range lang.Catalogues {
		out[code] = map[string]*template.Template{}
		for _, n := range names {
			t := template.Must(template.Must(base.Clone()).ParseFS(templateFiles, n))
			t.Funcs(template.FuncMap{
				"t":     cat.Text,
				"date":  cat.DateTime,
				"day":   cat.Day,
				"month": cat.MonthYear,
			})
			out[code][strings.TrimSuffix(path.Base(n), ".html")] = t
		}
	}
	return out
}

func errorFor(errs []fieldError, field string) *fieldError {
	for i := range errs {
		if errs[i].Field == field {
			return &errs[i]
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// dict builds a map from pairs, for passing several values to a partial.
func dict(pairs ...any) (map[string]any, error) {
	if len(pairs)%2 != 0 {
		return nil, fmt.Errorf("dict needs pairs")
	}
	m := make(map[string]any, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		k, ok := pairs[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict keys must be strings")
		}
		m[k] = pairs[i+1]
	}
	return m, nil
}

// render writes page name with status. A session's flash message is shown
// once and cleared.
func (p *Pages) render(w http.ResponseWriter, r *http.Request, s *Session, status int, name string, v view) {
	if v == nil {
		v = view{}
	}
	code := lang.Choose(r)
	t := pages[code][name]
	if t == nil {
		panic("web: no page template " + name)
	}
	// The page is in the visitor's language, with a link to the other.
	other := lang.Other(code)
	v["Lang"] = code
	v["OtherLang"] = other
	v["OtherName"] = lang.Names[other]
	v["LangLink"] = lang.SwitchLink(other, r.URL.RequestURI())
	v["Path"] = r.URL.Path
	if s != nil {
		v["User"] = s
		v["CSRF"] = s.CSRF
		if s.Kind == account.Issuer && s.Org != "" && p.Issuers != nil {
			// The menu offers the issue form only to an organisation that
			// may sign some kind of record; the form itself refuses the
			// others.
			// Most organisation pages have read the organisation already.
			o, ok := v["Org"].(issuer.Org)
			var err error
			if !ok {
				o, err = p.Issuers.Org(r.Context(), s.Org)
			}
			v["SendsRecords"] = err != nil || len(o.Kinds()) > 0
		}
		if s.Flash != "" {
			v["Flash"] = s.Flash
			s.Flash = ""
			if err := p.sessions.save(r.Context(), s); err != nil {
				p.Log.WarnContext(r.Context(), "could not save a session", "err", err)
			}
		}
	} else {
		v["CSRF"] = p.preToken(w, r)
	}
	if _, ok := v["Errors"]; !ok {
		v["Errors"] = []fieldError(nil)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		p.Log.ErrorContext(r.Context(), "page template failed", "page", name, "err", err)
		http.Error(w, "This page could not be shown.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// notFound is the page for an address that shows nothing to this visitor.
func (p *Pages) notFound(w http.ResponseWriter, r *http.Request, s *Session) {
	p.render(w, r, s, http.StatusNotFound, "problem", view{"Heading": "problem.not-found", "Body": "problem.not-found.body"})
}

// forbidden is the page for a form that did not come from our own page.
func (p *Pages) forbidden(w http.ResponseWriter, r *http.Request, s *Session) {
	p.render(w, r, s, http.StatusForbidden, "problem", view{"Heading": "problem.expired-form", "Body": "problem.expired-form.body"})
}

// fail is the page for something that went wrong on our side.
func (p *Pages) fail(w http.ResponseWriter, r *http.Request, s *Session) {
	p.render(w, r, s, http.StatusServiceUnavailable, "problem", view{"Heading": "problem.unavailable", "Body": "problem.unavailable.body"})
}
