package lang

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Cookie is the cookie that keeps the language a visitor chose with the
// language link: "en" or "cy". It holds nothing else.
const Cookie = "lang"

// Default is the language of a visitor who chose none and whose browser
// asks for none we have.
const Default = "en"

// Names are the languages' names in themselves, for the language link.
var Names = map[string]string{"en": "English", "cy": "Cymraeg"}

// Has reports whether there is a catalogue for language code.
func Has(code string) bool {
	_, ok := Catalogues[code]
	return ok
}

// Other is the language the language link offers on a page in code:
// Welsh on an English page, English on any other.
func Other(code string) string {
	if code == "en" {
		return "cy"
	}
	return "en"
}

// Choose is the language for r: the one its Cookie names if there is a
// catalogue for it, or else the first of its Accept-Language (by weight)
// that there is one for, or else Default.
func Choose(r *http.Request) string {
	if c, err := r.Cookie(Cookie); err == nil && Has(c.Value) {
		return c.Value
	}
	return accepted(r.Header.Get("Accept-Language"))
}

// accepted picks from an Accept-Language header ("cy-GB,cy;q=0.9,en;q=0.8"):
// the supported language with the highest weight, the earliest on a tie.
func accepted(header string) string {
	best, bestQ := Default, 0.0
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f < 0 || f > 1 {
				continue
			}
			q = f
		}
		if Has(primary) && q > bestQ {
			best, bestQ = primary, q
		}
	}
	return best
}

type codeKey struct{}

// WithCode returns ctx carrying language code, for words made below a
// handler (Of).
func WithCode(ctx context.Context, code string) context.Context {
	return context.WithValue(ctx, codeKey{}, code)
}

// CodeOf is the language ctx carries, or Default.
func CodeOf(ctx context.Context) string {
	if c, ok := ctx.Value(codeKey{}).(string); ok && Has(c) {
		return c
	}
	return Default
}

// Of is the catalogue of the language ctx carries (English if none).
func Of(ctx context.Context) Catalogue { return Catalogues[CodeOf(ctx)] }

// SwitchLink is the address of the language link on a page at back (a
// path, with its query if any): it changes to language to, then returns.
func SwitchLink(to, back string) string {
	return "/language?" + url.Values{"to": {to}, "back": {back}}.Encode()
}

// SafeBack is back if it is a path on this site ("/my/shares?x=1"), and "/"
// otherwise, so that the language link can never send a visitor elsewhere.
func SafeBack(back string) string {
	if back == "" || back[0] != '/' || strings.HasPrefix(back, "//") || strings.ContainsAny(back, "\\\x00\r\n\t") {
		return "/"
	}
	u, err := url.Parse(back)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	for _, r := range back {
		if r < 0x20 || r == 0x7f {
			return "/"
		}
	}
	return back
}
