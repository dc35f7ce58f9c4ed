package web

import (
	"context"
	"html/template"
	"net/http"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/access"
	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/pod"
)

// shareDraft is a share being made, one question a page.
type shareDraft struct {
	Pod     pod.PodID `json:"pod"`
	Items   []string  `json:"items,omitempty"`   // paths
	Part    string    `json:"part,omitempty"`    // address history: "current", "all" or "some"
	Entries []string  `json:"entries,omitempty"` // with Part "some": the ids of the addresses chosen
	// Leave are the fields left out, each "path#pointer"
	// ("path#/entries/#id" for one whole address).
	Leave    []string `json:"leave,omitempty"`
	Name     string   `json:"name,omitempty"`
	Kind     string   `json:"kind,omitempty"`
	Purpose  string   `json:"purpose,omitempty"`
	Text     string   `json:"text,omitempty"`
	Length   string   `json:"length,omitempty"`
	Checking bool     `json:"checking,omitempty"`
}

var recipientKinds = []option{
	{Value: string(consent.Landlord), Label: "who.landlord"},
	{Value: string(consent.Employer), Label: "who.employer"},
	{Value: string(consent.Bank), Label: "who.bank"},
	{Value: string(consent.Support), Label: "who.support"},
	{Value: string(consent.Other), Label: "who.other"},
}

var purposes = []option{
	{Value: "tenancy-application", Label: "why.tenancy-application"},
	{Value: "job-application", Label: "why.job-application"},
	{Value: "open-bank-account", Label: "why.open-bank-account"},
	{Value: "benefits-claim", Label: "why.benefits-claim"},
	{Value: "support-referral", Label: "why.support-referral"},
	{Value: "other", Label: "why.other"},
}

var lengths = []option{
	{Value: "1d", Label: "length.1d"},
	{Value: "1w", Label: "length.1w"},
	{Value: "2w", Label: "length.2w"},
	{Value: "1m", Label: "length.1m"},
}

var lengthTTL = map[string]time.Duration{"1d": 24 * time.Hour, "1w": 7 * 24 * time.Hour, "2w": 14 * 24 * time.Hour, "1m": 30 * 24 * time.Hour}

var addressParts = []option{
	{Value: "current", Label: "what.current"},
	{Value: "all", Label: "what.all"},
	{Value: "some", Label: "what.some"},
}

func optionLabel(opts []option, v string) string {
	for _, o := range opts {
		if o.Value == v {
			return o.Label
		}
	}
	return ""
}

// shareSteps are the questions in order; "details" (which fields of each
// record) is asked only when a chosen record has fields to leave out.
var shareSteps = []string{"what", "details", "who", "why", "how-long"}

// sharer is who is making or managing a share, and for whose pod: the
// leaver, or a helper the leaver let share for them.
type sharer struct {
	Pod     pod.PodID
	Name    string // the leaver's name, which the recipient sees
	Account string // the account acting
	Helper  string // the helper's name; "" when it is the leaver
	Base    string // where these pages are: "/my" or "/helping/POD"
}

// sharerHandler is a share page, for a sharer.
type sharerHandler func(w http.ResponseWriter, r *http.Request, s *Session, sh sharer)

// asLeaver serves h to a signed-in leaver, for their own pod.
func (p *Pages) asLeaver(h sharerHandler) http.Handler {
	return p.leaver(func(w http.ResponseWriter, r *http.Request, s *Session) {
		h(w, r, s, sharer{Pod: s.Pod, Name: s.Name, Account: s.Account, Base: "/my"})
	})
}

// asHelper serves h to a signed-in helper whom the leaver of the pod in
// the address let share for them and see their things: the wizard shows
// what there is to share and exactly what the recipient will see.
func (p *Pages) asHelper(h sharerHandler) http.Handler {
	return p.helperPage(func(w http.ResponseWriter, r *http.Request, s *Session) {
		d, ok := p.chosen(w, r, s, "", access.Share)
		if !ok {
			return
		}
		h(w, r, s, sharer{Pod: d.Pod, Name: d.LeaverName, Account: s.Account, Helper: s.Name, Base: "/helping/" + string(d.Pod)})
	})
}

func (p *Pages) shareRoutes(my *mux.Router) { p.shareRoutesFor(my, "", p.asLeaver) }

// shareRoutesFor adds the share pages under prefix of r, served through
// wrap.
func (p *Pages) shareRoutesFor(r *mux.Router, prefix string, wrap func(sharerHandler) http.Handler) {
	get, post := http.MethodGet, http.MethodPost
	r.Handle(prefix+"/share", wrap(p.shareStart)).Methods(get)
	r.Handle(prefix+"/share/{step}", wrap(p.shareStep)).Methods(get, post)
	r.Handle(prefix+"/shares", wrap(p.shares)).Methods(get)
	r.Handle(prefix+"/shares/{id}", wrap(p.shareDone)).Methods(get)
	r.Handle(prefix+"/shares/{id}/print", wrap(p.sharePrint)).Methods(get)
	r.Handle(prefix+"/shares/{id}/qr.png", wrap(p.shareQR)).Methods(get)
	r.Handle(prefix+"/shares/{id}/withdraw", wrap(p.withdraw)).Methods(get, post)
}

// shareable lists what the leaver can share: every record and document
// in My things, by section.
func (p *Pages) shareable(ctx context.Context, id pod.PodID) ([]section, error) {
	var out []section
	for _, sec := range sections {
		things, err := p.listThings(ctx, id, sec.Container)
		if err != nil {
			return nil, err
		}
		if len(things) > 0 {
			sec.Things = things
			out = append(out, sec)
		}
	}
	return out, nil
}

// shareStart begins a new share.
func (p *Pages) shareStart(w http.ResponseWriter, r *http.Request, s *Session, sh sharer) {
	s.Share = &shareDraft{Pod: sh.Pod}
	if item := r.URL.Query().Get("item"); item != "" {
		// "Share this" on an item's page: preselect it, if it is one to share.
		secs, _ := p.shareable(r.Context(), sh.Pod)
		for _, sec := range secs {
			for _, t := range sec.Things {
				if string(t.Path) == item {
					s.Share.Items = []string{item}
				}
			}
		}
	}
	if err := p.sessions.save(r.Context(), s); err != nil {
		p.fail(w, r, s)
		return
	}
	redirect(w, r, sh.Base+"/share/what")
}

func (p *Pages) shareStep(w http.ResponseWriter, r *http.Request, s *Session, sh sharer) {
	step := mux.Vars(r)["step"]
	d := s.Share
	if d == nil || d.Pod != sh.Pod {
		redirect(w, r, sh.Base+"/share")
		return
	}
	if step == "check" {
		p.shareCheck(w, r, s, sh)
		return
	}
	if !contains(shareSteps, step) {
		p.notFound(w, r, s)
		return
	}
	details := p.details(r.Context(), sh.Pod, d)
	v := view{"Step": step, "Draft": d, "Kinds": recipientKinds, "Purposes": purposes, "Lengths": lengths, "Parts": addressParts, "Back": shareBack(d, step, sh.Base, len(details) > 0), "Base": sh.Base, "Sharer": sh}
	switch step {
	case "what":
		secs, err := p.shareable(r.Context(), sh.Pod)
		if err != nil {
			p.fail(w, r, s)
			return
		}
		v["Sections"] = secs
		if doc, _, err := p.readHistory(r.Context(), sh.Pod); err == nil {
			var es []entry
			for _, m := range entriesOf(doc) {
				es = append(es, toEntry(m))
			}
			sort.SliceStable(es, func(i, j int) bool { return es[i].From.After(es[j].From) })
			v["Entries"] = es
		}
	case "details":
		if len(details) == 0 {
			redirect(w, r, sh.Base+"/share/who")
			return
		}
		v["Details"] = details
	}
	if r.Method == http.MethodGet {
		p.render(w, r, s, http.StatusOK, "share-step", v)
		return
	}
	f := r.PostFormValue
	var errs []fieldError
	next := ""
	switch step {
	case "what":
		d.Items = nil
		allowed := map[string]bool{}
		for _, sec := range v["Sections"].([]section) {
			for _, t := range sec.Things {
				allowed[string(t.Path)] = true
			}
		}
		for _, it := range r.PostForm["item"] {
			if allowed[it] && !contains(d.Items, it) {
				d.Items = append(d.Items, it)
			}
		}
		d.Part, d.Entries = f("part"), nil
		es, _ := v["Entries"].([]entry)
		for _, e := range es {
			if contains(r.PostForm["entry"], e.ID) {
				d.Entries = append(d.Entries, e.ID)
			}
		}
		if d.Part == "" && len(d.Entries) > 0 {
			d.Part = "some" // addresses ticked: that is the choice
		}
		hasAddress := contains(d.Items, string(addressHistory))
		if len(d.Items) == 0 {
			errs = append(errs, fieldError{Field: "item", Key: "what.error"})
		} else if hasAddress && optionLabel(addressParts, d.Part) == "" {
			errs = append(errs, fieldError{Field: "part", Key: "what.error.part"})
		} else if hasAddress && d.Part == "some" && len(d.Entries) == 0 {
			errs = append(errs, fieldError{Field: "entry", Key: "what.error.entries"})
		} else if n, err := p.grantOf(r.Context(), sh, d); err == nil && len(n.Items) > consent.MaxItems {
			// A document brings its file, so this counts what the
			// grant will name, not the ticks.
			errs = append(errs, fieldError{Field: "item", Key: "what.error.too-many"})
		}
		next = "details"
		if len(p.details(r.Context(), sh.Pod, d)) == 0 {
			next = "who"
		}
	case "details":
		docs := map[pod.Path]map[string]any{}
		for _, rec := range p.chosenRecords(r.Context(), sh.Pod, d) {
			docs[rec.Path] = rec.Doc
		}
		if !saveDetails(d, details, r.PostForm["keep"], docs) {
			errs = append(errs, fieldError{Field: details[0].ID, Key: "details.error"})
			v["Details"] = p.details(r.Context(), sh.Pod, d)
		}
		next = "who"
	case "who":
		d.Name, d.Kind = strings.TrimSpace(f("name")), f("kind")
		if d.Name == "" {
			errs = append(errs, fieldError{Field: "name", Key: "who.error.name"})
		} else if utf8.RuneCountInString(d.Name) > 100 {
			errs = append(errs, fieldError{Field: "name", Key: "who.error.long"})
		}
		if optionLabel(recipientKinds, d.Kind) == "" {
			errs = append(errs, fieldError{Field: "kind", Key: "who.error.kind"})
		}
		next = "why"
	case "why":
		d.Purpose, d.Text = f("purpose"), strings.TrimSpace(f("text"))
		if optionLabel(purposes, d.Purpose) == "" {
			errs = append(errs, fieldError{Field: "purpose", Key: "why.error"})
		}
		if utf8.RuneCountInString(d.Text) > 500 {
			errs = append(errs, fieldError{Field: "text", Key: "why.error.long"})
		}
		next = "how-long"
	case "how-long":
		d.Length = f("length")
		if lengthTTL[d.Length] == 0 {
			errs = append(errs, fieldError{Field: "length", Key: "length.error"})
		}
		next = "check"
	}
	if errs != nil {
		v["Errors"] = errs
		p.render(w, r, s, http.StatusUnprocessableEntity, "share-step", v)
		return
	}
	if d.Checking {
		next = "check"
	}
	if err := p.sessions.save(r.Context(), s); err != nil {
		p.fail(w, r, s)
		return
	}
	redirect(w, r, sh.Base+"/share/"+next)
}

func shareBack(d *shareDraft, step, base string, hasDetails bool) string {
	if d.Checking {
		return base + "/share/check"
	}
	if step == "who" && !hasDetails {
		return base + "/share/what"
	}
	for i, st := range shareSteps {
		if st == step && i > 0 {
			return base + "/share/" + shareSteps[i-1]
		}
	}
	return base
}

// draftComplete reports whether every question of d has an answer.
func draftComplete(d *shareDraft) bool {
	return len(d.Items) > 0 && d.Name != "" && optionLabel(recipientKinds, d.Kind) != "" &&
		optionLabel(purposes, d.Purpose) != "" && lengthTTL[d.Length] != 0
}

// grantOf turns a finished draft into the grant it asks for. A described
// document brings its file; "current address only" shares the address
// the leaver lives at now and the date they moved in; chosen addresses
// and fields left out make a share of fields (itemFields). A record with
// nothing left to share is not shared at all.
func (p *Pages) grantOf(ctx context.Context, sh sharer, d *shareDraft) (consent.NewGrant, error) {
	now := p.now().UTC().Truncate(time.Second)
	n := consent.NewGrant{
		Pod:         sh.Pod,
		GrantedBy:   sh.Account,
		SharedBy:    sh.Name,
		Recipient:   consent.Recipient{Name: d.Name, Kind: consent.RecipientKind(d.Kind)},
		Purpose:     d.Purpose,
		PurposeText: d.Text,
		NotBefore:   now,
		Expires:     now.Add(lengthTTL[d.Length]),
	}
	for _, it := range d.Items {
		path := pod.Path(it)
		item := consent.Item{Path: path}
		if path == addressHistory {
			doc, _, err := p.readHistory(ctx, sh.Pod)
			if err != nil {
				return n, err
			}
			if d.Part == "current" && currentEntry(doc) == "" {
				return n, errNoCurrent
			}
			fields, ok := itemFields(d, path, doc)
			if !ok {
				continue
			}
			item.Fields = fields
		} else if len(d.Leave) > 0 && strings.HasSuffix(it, ".jsonld") {
			if t, err := p.readThing(ctx, sh.Pod, path); err == nil && t.Record && t.Signer == "" {
				fields, ok := itemFields(d, path, t.Doc)
				if !ok {
					continue
				}
				item.Fields = fields
			}
		}
		n.Items = append(n.Items, item)
		if strings.HasSuffix(it, ".jsonld") {
			if t, err := p.readThing(ctx, sh.Pod, path); err == nil && t.File != "" {
				n.Items = append(n.Items, consent.Item{Path: t.File})
			}
		}
	}
	return n, nil
}

type shareError string

func (e shareError) Error() string { return string(e) }

const errNoCurrent = shareError("no current address")

// shareCheck shows exactly what the recipient will see, then makes the
// share.
func (p *Pages) shareCheck(w http.ResponseWriter, r *http.Request, s *Session, sh sharer) {
	d := s.Share
	if !draftComplete(d) {
		redirect(w, r, sh.Base+"/share/what")
		return
	}
	if leave := r.PostFormValue("leave"); r.Method == http.MethodPost && leave != "" {
		p.leaveOut(w, r, s, sh, leave)
		return
	}
	n, err := p.grantOf(r.Context(), sh, d)
	if err == nil && len(n.Items) == 0 {
		// Everything chosen was left out.
		redirect(w, r, sh.Base+"/share/what")
		return
	}
	if err == errNoCurrent {
		v := view{"Step": "what", "Draft": d, "Parts": addressParts, "Back": sh.Base, "Base": sh.Base, "Sharer": sh, "Errors": []fieldError{{Field: "part", Key: "what.error.no-current"}}}
		secs, _ := p.shareable(r.Context(), sh.Pod)
		v["Sections"] = secs
		p.render(w, r, s, http.StatusUnprocessableEntity, "share-step", v)
		return
	}
	if err != nil {
		p.fail(w, r, s)
		return
	}
	if r.Method == http.MethodGet {
		if err := p.reachedCheck(r.Context(), s, &d.Checking); err != nil {
			p.fail(w, r, s)
			return
		}
		g := consent.Grant{Pod: n.Pod, GrantedBy: n.GrantedBy, SharedBy: n.SharedBy, Recipient: n.Recipient,
			Purpose: n.Purpose, PurposeText: n.PurposeText, Items: n.Items, NotBefore: n.NotBefore, Expires: n.Expires, Created: n.NotBefore}
		preview, err := p.Verifier.Preview(r.Context(), g, func(path pod.Path) string { return sh.Base + "/file/" + path.Escaped() })
		if err != nil {
			p.Log.ErrorContext(r.Context(), "preview failed", "err", err)
			p.fail(w, r, s)
			return
		}
		var titles []string
		secs, _ := p.shareable(r.Context(), sh.Pod)
		for _, sec := range secs {
			for _, t := range sec.Things {
				if contains(d.Items, string(t.Path)) {
					titles = append(titles, t.Title)
				}
			}
		}
		p.render(w, r, s, http.StatusOK, "share-check", view{
			"Draft": d, "Preview": template.HTML(preview), "Titles": titles, "Until": n.Expires,
			"Custody": p.custodyWarnings(r.Context(), sh.Pod, n), "Chosen": len(d.Entries),
			"Kind": optionLabel(recipientKinds, d.Kind), "Purpose": optionLabel(purposes, d.Purpose),
			"Length": optionLabel(lengths, d.Length), "Part": optionLabel(addressParts, d.Part),
			"HasAddress": contains(d.Items, string(addressHistory)), "Base": sh.Base, "Sharer": sh,
		})
		return
	}
	g, err := p.Consent.Create(r.Context(), n)
	if err != nil {
		p.Log.ErrorContext(r.Context(), "creating a share failed", "err", err)
		p.fail(w, r, s)
		return
	}
	if sh.Helper != "" {
		p.recordShare(r, g, sh, "share")
	}
	s.Share = nil
	if err := p.sessions.save(r.Context(), s); err != nil {
		p.Log.WarnContext(r.Context(), "could not save a session", "err", err)
	}
	redirect(w, r, sh.Base+"/shares/"+string(g.ID))
}
