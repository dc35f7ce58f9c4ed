package verifier

import (
	"net/http"
	"strings"

	"github.com/satchel-project/satchel/web/lang"
)

// previewAgents are parts of the User-Agent of programs that fetch a link
// to show a preview of it (chat apps, social networks, mail) or to index
// it, rather than a person opening it. Lower case. Apps whose own
// in-app browser names the app (Snapchat, Instagram, Viber) are left out:
// there a person is opening the link.
var previewAgents = []string{
	"slackbot", "slack-imgproxy", "facebookexternalhit", "facebookcatalog", "meta-externalagent",
	"whatsapp", "twitterbot", "telegrambot", "discordbot", "linkedinbot", "skypeuripreview",
	"microsoftpreview", "googlebot", "google-inspectiontool", "bingbot", "applebot",
	"duckduckbot", "yandexbot", "baiduspider", "pinterestbot", "redditbot", "embedly",
	"iframely", "vkshare", "mastodon", "cardyb",
}

// linkPreview reports whether r is a HEAD request, a link-preview fetch
// or a browser's prefetch: something a person did not open. Such requests
// are answered with a neutral page and never use up a view.
func linkPreview(r *http.Request) bool {
	if r.Method == http.MethodHead {
		return true
	}
	for _, h := range []string{"Purpose", "Sec-Purpose", "X-Purpose", "X-Moz"} {
		v := strings.ToLower(r.Header.Get(h))
		if strings.Contains(v, "prefetch") || strings.Contains(v, "preview") || strings.Contains(v, "prerender") {
			return true
		}
	}
	ua := strings.ToLower(r.UserAgent())
	for _, a := range previewAgents {
		if strings.Contains(ua, a) {
			return true
		}
	}
	return false
}

// neutral answers a link preview or a HEAD request for any share link,
// working, ended or unknown alike: 200 and a page that shows nothing that
// was shared and asks for the link to be opened in a browser. Nothing is
// read, counted or logged.
func (h *Handler) neutral(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if r.Method == http.MethodHead {
		return
	}
	pageTmpl.Execute(w, pageData{Lang: lang.Choose(r), Open: "/s/" + tokenOf(r)})
}
