package web

import (
	"context"
	"net/http"
	"sort"

	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/pod"
)

// OperatorResetEntry is the type of the access-log entry written when
// someone who checked the person's identity gives them a code to make a
// new password (satchel account reset-code), Who naming the one who
// checked. Who has looked says it in words, so that a code given to
// someone else is seen.
const OperatorResetEntry = "operator-reset"

// looked shows the access log as sentences, newest first: who looked at
// what and when, and what helpers did.
func (p *Pages) looked(w http.ResponseWriter, r *http.Request, s *Session) {
	entries, err := p.Consent.Log(r.Context(), s.Pod)
	if err != nil {
		p.Log.ErrorContext(r.Context(), "reading the access log failed", "err", err)
		p.fail(w, r, s)
		return
	}
	shares, err := p.Consent.List(r.Context(), s.Pod)
	if err != nil {
		p.fail(w, r, s)
		return
	}
	grants := map[consent.GrantID]consent.Share{}
	for _, sh := range shares {
		grants[sh.ID] = sh
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].At.After(entries[j].At) })
	names := map[pod.Path]string{}
	texts := make([]string, len(entries))
	for i, e := range entries {
		texts[i] = p.sentence(r.Context(), s.Pod, e, grants[e.Grant], names)
	}
	lines := group(texts)
	p.render(w, r, s, http.StatusOK, "looked", view{"Lines": lines})
}

// logLine is one line of Who has looked.
type logLine struct {
	Text  string
	Times int
}

// group makes one line of each run of the same sentence: the same thing
// done again in the same minute (a helper going back and forth, a
// landlord reloading) is said once, with how many times.
func group(texts []string) []logLine {
	var lines []logLine
	for _, text := range texts {
		if n := len(lines); n > 0 && lines[n-1].Text == text {
			lines[n-1].Times++
			continue
		}
		lines = append(lines, logLine{text, 1})
	}
	return lines
}

// sentence writes one access-log entry in words.
func (p *Pages) sentence(ctx context.Context, id pod.PodID, e consent.LogEntry, g consent.Share, names map[pod.Path]string) string {
	c := words(ctx)
	when := c.DateTime(e.At)
	what := p.thingWords(ctx, id, e.Resource, g, names)
	who := e.Who
	switch e.Type {
	case "view", "":
		// A link opens for whoever holds it, not only the person it was
		// given to: say so.
		to := e.Recipient.Name
		if to == "" {
			to = e.Who
		}
		if to == "" {
			return c.Text("looked.view-someone", what, when)
		}
		if e.Opening {
			return c.Text("looked.opening", to, when, list(c, p.itemTitles(ctx, id, g.Items)))
		}
		return c.Text("looked.view", to, what, when)
	case "share":
		return c.Text("looked.helper-share", who, e.Recipient.Name, when)
	case "revoke":
		return c.Text("looked.helper-revoke", who, e.Recipient.Name, when)
	case "helper-view":
		return c.Text("looked.helper-view", who, what, when)
	case "helper-add":
		return c.Text("looked.helper-add", who, what, when)
	case "org-add":
		return c.Text("looked.org-add", who, what, when)
	case "helper-reset":
		return c.Text("looked.helper-reset", who, when)
	case OperatorResetEntry:
		return c.Text("looked.operator-reset", who, when)
	}
	return c.Text("looked.other", who, what, when)
}

// thingWords names a pod path for a sentence: "where you have lived",
// "your current address", or the thing's title in quotes.
func (p *Pages) thingWords(ctx context.Context, id pod.PodID, path pod.Path, g consent.Share, names map[pod.Path]string) string {
	c := words(ctx)
	if path == "" {
		return c.Text("looked.your-things")
	}
	if path == addressHistory {
		for _, it := range g.Items {
			if it.Path == path && len(it.Fields) > 0 {
				switch part, n := p.addressPart(ctx, id, it.Fields); part {
				case "current":
					return c.Text("looked.current-address")
				case "some":
					return c.Text("looked.some-addresses", n)
				}
			}
		}
		return c.Text("looked.addresses")
	}
	if n, ok := names[path]; ok {
		return n
	}
	title, _ := p.docTitle(ctx, id, path)
	n := c.Text("looked.quoted", title)
	if path.IsContainer() {
		n = title
	}
	names[path] = n
	return n
}
