package consent

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/consent/statuslist"
)

// StatusListCredential is the signed revocation status list (a W3C
// BitstringStatusListCredential, secured as vc+jwt), valid for a day. The
// signed list is reused until the list changes or an hour has passed:
// encoding 131,072 bits takes milliseconds and verifiers fetch it often.
func (s *Service) StatusListCredential(ctx context.Context) (string, error) {
	blob, etag, err := s.readRaw(ctx, statusPath)
	if err != nil {
		return "", err
	}
	s.slMu.Lock()
	cached := s.slCache
	s.slMu.Unlock()
	if cached.etag == etag && s.now().Sub(cached.made) < time.Hour {
		return cached.jwt, nil
	}
	a := &statuslist.Allocator{}
	if err := a.UnmarshalBinary(blob); err != nil {
		return "", err
	}
	now := s.now().UTC().Truncate(time.Second)
	vc, err := statuslist.Credential(s.baseURL+StatusListPath, s.did, "revocation", a.Status(), now, now.Add(24*time.Hour))
	if err != nil {
		return "", err
	}
	jwt, err := signCredential(vc, s.signer, s.keys.KeyURL(s.signer.KeyID()))
	if err != nil {
		return "", err
	}
	s.slMu.Lock()
	s.slCache = signedList{etag: etag, made: s.now(), jwt: jwt}
	s.slMu.Unlock()
	return jwt, nil
}

type signedList struct {
	etag string
	made time.Time
	jwt  string
}

// securityHeaders are set on everything a share link serves: never cached,
// never indexed, never leaking the link in a Referer, no scripts.
func securityHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Robots-Tag", "noindex, nofollow")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
}

// shareCredential serves the signed grant behind a share link, for machine
// verifiers. It is the credential only, not the shared data, so it counts as
// no view.
func (h *Handler) shareCredential(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w)
	g, _, err := h.Service.Resolve(r.Context(), mux.Vars(r)["token"])
	if err != nil {
		h.linkProblem(w, err)
		return
	}
	w.Header().Set("Content-Type", CredentialType)
	w.Write([]byte(g.Credential))
}

func (h *Handler) linkProblem(w http.ResponseWriter, err error) {
	if errors.Is(err, ErrNoGrant) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintln(w, "This link does not work. Check that it was copied in full, or ask the person who shared it for a new one.")
		return
	}
	h.fail(w, err)
}

// sharePage is what a recipient sees on opening a link: who shared what,
// with whom, why and until when, or why the link no longer works. Opening
// it is a use of the grant and is written to the leaver's access log.
func (h *Handler) sharePage(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w)
	if strings.Contains(r.Header.Get("Accept"), CredentialType) {
		h.shareCredential(w, r)
		return
	}
	g, _, err := h.Service.Resolve(r.Context(), mux.Vars(r)["token"])
	if err != nil {
		h.linkProblem(w, err)
		return
	}
	d, err := h.Service.Use(r.Context(), g, Visit{Request: Request{Path: g.Items[0].Path}, Who: g.Recipient.Name, CountsAsView: true})
	if err != nil {
		h.fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if !d.Allowed {
		w.WriteHeader(http.StatusGone)
		pageTmpl.Execute(w, map[string]any{"Refused": sentence(string(d.Reason))})
		return
	}
	var items []string
	for _, it := range g.Items {
		s := string(it.Path)
		if it.Path.IsContainer() {
			s += " (everything in this folder)"
		}
		if len(it.Fields) > 0 {
			s += " (only: " + strings.Join(it.Fields, ", ") + ")"
		}
		items = append(items, s)
	}
	pageTmpl.Execute(w, map[string]any{
		"SharedBy":  g.SharedBy,
		"Recipient": g.Recipient.Name,
		"Kind":      RecipientKinds[g.Recipient.Kind],
		"Purpose":   Purposes[g.Purpose],
		"Text":      g.PurposeText,
		"Until":     g.Expires.UTC().Format("Monday 2 January 2006 at 15:04 UTC"),
		"Items":     items,
	})
}

var pageTmpl = template.Must(template.New("share").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>Shared through Satchel</title>
<style>body{font-family:system-ui,sans-serif;font-size:1.2rem;line-height:1.5;max-width:40rem;margin:1rem auto;padding:0 1rem;color:#0b0c0c}</style></head>
<body><main>
{{if .Refused}}<h1>This link no longer works</h1><p>{{.Refused}}</p>
{{else}}<h1>{{.SharedBy}} has shared some records with you</h1>
<p>Shared with <strong>{{.Recipient}}</strong> ({{.Kind}}), {{.Purpose}}{{if .Text}}: {{.Text}}{{end}}.</p>
<p>You can see them until {{.Until}}.</p>
<h2>What is shared</h2><ul>{{range .Items}}<li>{{.}}</li>{{end}}</ul>
<p>Nothing here is a Right to Rent or Right to Work check.</p>
{{end}}</main></body></html>
`))

// Receipt is a plain-language consent receipt for a share.
func Receipt(sh Share, link, did string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "SATCHEL - RECEIPT FOR A SHARE\n\n")
	fmt.Fprintf(&b, "You shared some of your records as %q\n", sh.SharedBy)
	fmt.Fprintf(&b, "with %s (%s),\n", sh.Recipient.Name, RecipientKinds[sh.Recipient.Kind])
	fmt.Fprintf(&b, "%s", Purposes[sh.Purpose])
	if sh.PurposeText != "" {
		fmt.Fprintf(&b, ": %s", sh.PurposeText)
	}
	fmt.Fprintf(&b, ".\n\nWhat they can see:\n")
	for _, it := range sh.Items {
		switch {
		case it.Path.IsContainer():
			fmt.Fprintf(&b, "  - %s (everything in this folder)\n", it.Path)
		case len(it.Fields) > 0:
			fmt.Fprintf(&b, "  - %s, only these parts: %s\n", it.Path, strings.Join(it.Fields, ", "))
		default:
			fmt.Fprintf(&b, "  - %s\n", it.Path)
		}
	}
	when := "Monday 2 January 2006 at 15:04 UTC"
	fmt.Fprintf(&b, "\nFrom %s\nuntil %s.\n", sh.NotBefore.UTC().Format(when), sh.Expires.UTC().Format(when))
	if sh.MaxViews > 0 {
		fmt.Fprintf(&b, "They can open it at most %d times.\n", sh.MaxViews)
	}
	fmt.Fprintf(&b, "\nThe link they have: %s\n", link)
	fmt.Fprintf(&b, "\nTo stop sharing at any time, withdraw it: it stops working at once.\n")
	fmt.Fprintf(&b, "On the command line: satchel revoke %s\n", sh.ID)
	fmt.Fprintf(&b, "Every time someone opens it is written in your access log.\n")
	fmt.Fprintf(&b, "\nShare ID: %s\nSigned by: %s\nMade: %s\n", sh.ID, did, sh.Created.UTC().Format(time.RFC3339))
	return b.String()
}
