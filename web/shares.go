package web

import (
	"errors"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/access"
	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/consent/qr"
	"github.com/satchel-project/satchel/pod"
)

// shareView is one share as the leaver's pages show it.
type shareView struct {
	consent.Share
	Link   string
	Titles []string // what it shares, in words
	Kind   string   // catalogue key: what the recipient is
}

// Live says whether the share can still be used.
func (v shareView) Live() bool { return v.Status == "active" || v.Status == "scheduled" }

// StatusKey is the catalogue key of the share's state.
func (v shareView) StatusKey() string { return "status." + v.Status }

func (p *Pages) viewOf(r *http.Request, id pod.PodID, sh consent.Share) shareView {
	v := shareView{Share: sh, Kind: optionLabel(recipientKinds, string(sh.Recipient.Kind))}
	if who := access.From(r.Context()); access.Can(who, access.Request{Right: access.SeeTokens, Pod: string(id), Now: p.now()}) == nil || sh.GrantedBy == who.Account {
		// The owner sees every link; a helper only those they made.
		v.Link = p.Consent.ShareURL(sh.Token)
	}
	v.Titles = p.itemTitles(r.Context(), id, sh.Items)
	return v
}

// shares lists the leaver's shares: the ones that still work, then the
// ones that have ended.
func (p *Pages) shares(w http.ResponseWriter, r *http.Request, s *Session, who sharer) {
	list, err := p.Consent.List(r.Context(), who.Pod)
	if err != nil {
		p.Log.ErrorContext(r.Context(), "listing shares failed", "err", err)
		p.fail(w, r, s)
		return
	}
	var live, ended []shareView
	for _, sh := range list {
		v := p.viewOf(r, who.Pod, sh)
		if v.Live() {
			live = append(live, v)
		} else {
			ended = append(ended, v)
		}
	}
	p.render(w, r, s, http.StatusOK, "shares", view{"Live": live, "Ended": ended, "Base": who.Base, "Sharer": who})
}

// share reads the share {id} of the sharer's pod.
func (p *Pages) share(w http.ResponseWriter, r *http.Request, s *Session, who sharer) (shareView, bool) {
	sh, err := p.Consent.Get(r.Context(), who.Pod, consent.GrantID(mux.Vars(r)["id"]))
	if errors.Is(err, consent.ErrNoGrant) {
		p.notFound(w, r, s)
		return shareView{}, false
	}
	if err != nil {
		p.fail(w, r, s)
		return shareView{}, false
	}
	return p.viewOf(r, who.Pod, sh), true
}

// hasLink answers 404 for a share whose link the signed-in person may not
// see: a helper sees the links of the shares they made, never those of the
// leaver's other recipients.
func (p *Pages) hasLink(w http.ResponseWriter, r *http.Request, s *Session, v shareView) bool {
	if v.Link == "" {
		p.notFound(w, r, s)
		return false
	}
	return true
}

// shareDone shows one share: its link, QR code and what it shares.
func (p *Pages) shareDone(w http.ResponseWriter, r *http.Request, s *Session, who sharer) {
	if v, ok := p.share(w, r, s, who); ok && p.hasLink(w, r, s, v) {
		p.render(w, r, s, http.StatusOK, "share", view{"Share": v, "Base": who.Base, "Sharer": who})
	}
}

// sharePrint is a page to print and hand over: the QR code, the link, who
// it is for and until when.
func (p *Pages) sharePrint(w http.ResponseWriter, r *http.Request, s *Session, who sharer) {
	if v, ok := p.share(w, r, s, who); ok && p.hasLink(w, r, s, v) {
		p.render(w, r, s, http.StatusOK, "share-print", view{"Share": v, "Base": who.Base, "Sharer": who})
	}
}

func (p *Pages) shareQR(w http.ResponseWriter, r *http.Request, s *Session, who sharer) {
	v, ok := p.share(w, r, s, who)
	if !ok || !p.hasLink(w, r, s, v) {
		return
	}
	code, err := qr.Encode(v.Link)
	if err != nil {
		p.fail(w, r, s)
		return
	}
	png, err := code.PNG(0)
	if err != nil {
		p.fail(w, r, s)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Write(png)
}

// withdraw asks, then withdraws a share at once.
func (p *Pages) withdraw(w http.ResponseWriter, r *http.Request, s *Session, who sharer) {
	v, ok := p.share(w, r, s, who)
	if !ok {
		return
	}
	if r.Method == http.MethodGet {
		p.render(w, r, s, http.StatusOK, "withdraw", view{"Share": v, "Base": who.Base, "Sharer": who})
		return
	}
	if err := p.Consent.Revoke(r.Context(), who.Pod, v.ID); err != nil {
		p.Log.ErrorContext(r.Context(), "withdrawing a share failed", "err", err)
		p.fail(w, r, s)
		return
	}
	if who.Helper != "" {
		p.recordShare(r, v.Grant, who, "revoke")
	}
	p.flash(r.Context(), s, "flash.withdrawn")
	redirect(w, r, who.Base+"/shares")
}

// recordShare writes a helper's share or withdrawal into the leaver's log.
func (p *Pages) recordShare(r *http.Request, g consent.Grant, who sharer, what string) {
	e := consent.LogEntry{Type: what, Grant: g.ID, Recipient: g.Recipient, Purpose: g.Purpose, Who: who.Helper}
	if err := p.Consent.Record(r.Context(), who.Pod, e); err != nil {
		p.Log.WarnContext(r.Context(), "could not record a helper's share", "err", err)
	}
}
