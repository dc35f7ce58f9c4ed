package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/schemas"
	"github.com/satchel-project/satchel/verifier"
)

// addressHistory is where a leaver's address history record lives.
const addressHistory pod.Path = "housing/address-history.jsonld"

// addressDraft is an address being added or corrected, one question a page.
type addressDraft struct {
	ID                  string    `json:"id,omitempty"`  // the entry being corrected; "" for a new one
	Pod                 pod.PodID `json:"pod,omitempty"` // whose history: a helper may help more than one person
	Line1, Line2        string
	Town, Postcode      string
	FromMonth, FromYear string
	Still               string // "yes" or "no"
	ToMonth, ToYear     string
	Kind                string
	Checking            bool // the check page was reached: go back there after a change
}

// kinds are the kinds of place, with their words.
var kinds = []option{
	{Value: "own-tenancy", Label: "kind.own-tenancy"},
	{Value: "family", Label: "kind.family"},
	{Value: "friends", Label: "kind.friends"},
	{Value: "hostel", Label: "kind.hostel"},
	{Value: "approved-premises", Label: "kind.approved-premises"},
	{Value: "custody", Label: "kind.custody"},
	{Value: "no-fixed-abode", Label: "kind.no-fixed-abode"},
	{Value: "other", Label: "kind.other"},
}

// kindLabel is the words for a kind of place; an unknown one is "other".
func kindLabel(v string) string {
	if l := optionLabel(kinds, v); l != "" {
		return l
	}
	return "kind.other"
}

var yesNo = []option{{Value: "yes", Label: "answer.yes"}, {Value: "no", Label: "answer.no"}}

// steps are the questions, in order.
var steps = []string{"address", "moved-in", "still", "moved-out", "kind"}

// addresser is who is adding or changing addresses, and in whose history:
// the leaver, or a helper with the add right, who may only add a new one.
type addresser struct {
	Pod    pod.PodID
	Base   string // where the questions are: "/my/addresses" or "/helping/POD/addresses"
	Home   string // where to go when done: "/my/addresses" or "/helping/POD"
	Helper string // the helper's name; "" when it is the leaver
	For    string // the leaver's name, shown to a helper
}

// addressHandler is an address page, for an addresser.
type addressHandler func(w http.ResponseWriter, r *http.Request, s *Session, a addresser)

// asLeaverAddresses serves h to a signed-in leaver, for their own history.
func (p *Pages) asLeaverAddresses(h addressHandler) http.Handler {
	return p.leaver(func(w http.ResponseWriter, r *http.Request, s *Session) {
		h(w, r, s, addresser{Pod: s.Pod, Base: "/my/addresses", Home: "/my/addresses"})
	})
}

func (p *Pages) addressRoutes(my *mux.Router) {
	get, post := http.MethodGet, http.MethodPost
	my.Handle("/addresses", p.leaver(p.addresses)).Methods(get)
	my.Handle("/addresses/add", p.asLeaverAddresses(p.addressStart)).Methods(get)
	my.Handle("/addresses/change/{id}", p.asLeaverAddresses(p.addressStart)).Methods(get)
	my.Handle("/addresses/step/{step}", p.asLeaverAddresses(p.addressStep)).Methods(get, post)
	my.Handle("/addresses/check", p.asLeaverAddresses(p.addressCheck)).Methods(get, post)
	my.Handle("/addresses/remove/{id}", p.leaver(p.addressRemove)).Methods(get, post)
}

// entry is one address as the list shows it.
type entry struct {
	ID, Address, Kind string
	From, To          time.Time // To is zero for where they live now
}

// readHistory returns the leaver's address history record (an empty one
// if there is none yet) and its ETag ("" if new).
func (p *Pages) readHistory(ctx context.Context, id pod.PodID) (map[string]any, string, error) {
	doc, etag, err := p.readRecord(ctx, id, addressHistory)
	switch {
	case err != nil:
		return nil, "", err
	case doc == nil:
		return map[string]any{"@context": schemas.ContextURL, "id": "#history", "type": "AddressHistory", "entries": []any{}}, "", nil
	case str(doc, "type") != "AddressHistory":
		return nil, "", errors.New("the address history is not an address history record")
	}
	return doc, etag, nil
}

func entriesOf(doc map[string]any) []map[string]any {
	list, _ := doc["entries"].([]any)
	var out []map[string]any
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func str(m map[string]any, k string) string { s, _ := m[k].(string); return s }

func toEntry(m map[string]any) entry {
	e := entry{ID: str(m, "id"), Kind: kindLabel(str(m, "accommodationKind"))}
	addr, _ := m["address"].(map[string]any)
	var parts []string
	for _, k := range []string{"streetAddress", "addressLocality", "postalCode"} {
		if v := str(addr, k); v != "" {
			parts = append(parts, v)
		}
	}
	e.Address = strings.Join(parts, ", ")
	e.From, _ = time.Parse(time.DateOnly, str(m, "from"))
	e.To, _ = time.Parse(time.DateOnly, str(m, "to"))
	return e
}

// currentEntry is the ID of the address the leaver lives at now: the one
// with no end date that started last ("" if none).
func currentEntry(doc map[string]any) string {
	var best entry
	for _, m := range entriesOf(doc) {
		if e := toEntry(m); e.To.IsZero() && (best.ID == "" || e.From.After(best.From)) {
			best = e
		}
	}
	return best.ID
}

func (p *Pages) addresses(w http.ResponseWriter, r *http.Request, s *Session) {
	doc, _, err := p.readHistory(r.Context(), s.Pod)
	if err != nil {
		p.Log.ErrorContext(r.Context(), "reading the address history failed", "err", err)
		p.fail(w, r, s)
		return
	}
	var list []entry
	for _, m := range entriesOf(doc) {
		list = append(list, toEntry(m))
	}
	sort.Slice(list, func(i, j int) bool { return list[i].From.After(list[j].From) })
	// Custody periods and stays an organisation signed count as covered.
	signed, periods := p.signedPeriods(r.Context(), s.Pod)
	p.render(w, r, s, http.StatusOK, "addresses", view{
		"Entries": list,
		"Signed":  signed,
		"Gaps":    gapViews(schemas.AddressGaps(verifier.WithPeriods(doc, periods), p.now()), p.now(), "/my/addresses/add"),
		"Years":   schemas.HistoryYears,
	})
}

// gapView is a gap in the address history as the list shows it, with a
// link to add the address for it, its dates filled in.
type gapView struct {
	schemas.Gap
	AddHref string
}

// OneMonth reports whether g is one whole month: "in July 2024".
func (g gapView) OneMonth() bool { return g.Months() && g.LastMonth().Equal(g.From) }

// gapViews links each gap to add (the address pages' "add"), with the
// months it covers filled in: moved in the month it starts, moved out the
// month it ends (none for a gap up to now).
func gapViews(gaps []schemas.Gap, now time.Time, add string) []gapView {
	out := make([]gapView, 0, len(gaps))
	for _, g := range gaps {
		q := url.Values{"from": {g.From.Format("2006-01")}}
		if y, m, d := now.Date(); g.To.Before(time.Date(y, m, d, 0, 0, 0, 0, time.UTC)) {
			q.Set("to", g.LastMonth().Format("2006-01"))
		}
		out = append(out, gapView{g, add + "?" + q.Encode()})
	}
	return out
}

// prefill fills in d's dates from the page's address (?from=2024-07&to=2024-08,
// as gapViews makes them), where they are dates a person could give.
func (p *Pages) prefill(d *addressDraft, q url.Values) {
	month := func(v string) (string, string, bool) {
		t, err := time.Parse("2006-01", v)
		if err != nil {
			return "", "", false
		}
		m, y := strconv.Itoa(int(t.Month())), strconv.Itoa(t.Year())
		_, ok := p.monthYear(m, y)
		return m, y, ok
	}
	if m, y, ok := month(q.Get("from")); ok {
		d.FromMonth, d.FromYear = m, y
		if m, y, ok := month(q.Get("to")); ok {
			d.Still, d.ToMonth, d.ToYear = "no", m, y
		}
	}
}

// addressStart begins adding an address, or correcting entry {id}.
func (p *Pages) addressStart(w http.ResponseWriter, r *http.Request, s *Session, a addresser) {
	d := &addressDraft{Pod: a.Pod}
	p.prefill(d, r.URL.Query())
	if id := mux.Vars(r)["id"]; id != "" && a.Helper == "" {
		doc, _, err := p.readHistory(r.Context(), a.Pod)
		if err != nil {
			p.fail(w, r, s)
			return
		}
		m := findEntry(doc, "#"+id)
		if m == nil {
			p.notFound(w, r, s)
			return
		}
		d = draftOf(m)
		d.Pod, d.Checking = a.Pod, true
	}
	s.Address = d
	if err := p.sessions.save(r.Context(), s); err != nil {
		p.fail(w, r, s)
		return
	}
	if d.Checking {
		redirect(w, r, a.Base+"/check")
		return
	}
	redirect(w, r, a.Base+"/step/address")
}

// addressDraftFor is the address being added by s in a's history (nil if none).
// A helper's draft is always a new address.
func addressDraftFor(s *Session, a addresser) *addressDraft {
	d := s.Address
	if d == nil || d.Pod != a.Pod && !(d.Pod == "" && a.Helper == "") {
		return nil
	}
	if a.Helper != "" {
		d.ID = ""
	}
	return d
}

func findEntry(doc map[string]any, id string) map[string]any {
	for _, m := range entriesOf(doc) {
		if str(m, "id") == id {
			return m
		}
	}
	return nil
}

func draftOf(m map[string]any) *addressDraft {
	addr, _ := m["address"].(map[string]any)
	d := &addressDraft{ID: str(m, "id"), Town: str(addr, "addressLocality"), Postcode: str(addr, "postalCode"), Kind: str(m, "accommodationKind")}
	d.Line1, d.Line2, _ = strings.Cut(str(addr, "streetAddress"), ", ")
	if t, err := time.Parse(time.DateOnly, str(m, "from")); err == nil {
		d.FromMonth, d.FromYear = strconv.Itoa(int(t.Month())), strconv.Itoa(t.Year())
	}
	d.Still = "yes"
	if t, err := time.Parse(time.DateOnly, str(m, "to")); err == nil {
		d.Still, d.ToMonth, d.ToYear = "no", strconv.Itoa(int(t.Month())), strconv.Itoa(t.Year())
	}
	return d
}

// addressStep asks one question of the address being added.
func (p *Pages) addressStep(w http.ResponseWriter, r *http.Request, s *Session, a addresser) {
	step := mux.Vars(r)["step"]
	d := addressDraftFor(s, a)
	if d == nil || !contains(steps, step) {
		redirect(w, r, a.Home)
		return
	}
	v := view{"Step": step, "Draft": d, "Kinds": kinds, "YesNo": yesNo, "Back": previousStep(a, d, step), "Addresser": a}
	if r.Method == http.MethodGet {
		p.render(w, r, s, http.StatusOK, "address-step", v)
		return
	}
	f := r.PostFormValue
	var errs []fieldError
	next := ""
	switch step {
	case "address":
		d.Line1, d.Line2 = strings.TrimSpace(f("line1")), strings.TrimSpace(f("line2"))
		d.Town, d.Postcode = strings.TrimSpace(f("town")), strings.ToUpper(strings.TrimSpace(f("postcode")))
		if d.Line1 == "" {
			errs = append(errs, fieldError{Field: "line1", Key: "address.error.line1"})
		}
		if len(d.Line1) > 200 || len(d.Line2) > 200 || len(d.Town) > 200 {
			errs = append(errs, fieldError{Field: "line1", Key: "address.error.long"})
		}
		if d.Town == "" {
			errs = append(errs, fieldError{Field: "town", Key: "address.error.town"})
		}
		if d.Postcode != "" && !postcode.MatchString(d.Postcode) {
			errs = append(errs, fieldError{Field: "postcode", Key: "address.error.postcode"})
		}
		next = "moved-in"
	case "moved-in":
		d.FromMonth, d.FromYear = strings.TrimSpace(f("from-month")), strings.TrimSpace(f("from-year"))
		if _, ok := p.monthYear(d.FromMonth, d.FromYear); !ok {
			errs = append(errs, fieldError{Field: "from", Key: "address.error.date"})
		}
		next = "still"
	case "still":
		d.Still = f("still")
		if d.Still != "yes" && d.Still != "no" {
			errs = append(errs, fieldError{Field: "still", Key: "address.error.still"})
		}
		next = "moved-out"
		if d.Still == "yes" {
			d.ToMonth, d.ToYear = "", ""
			next = "kind"
		}
	case "moved-out":
		d.ToMonth, d.ToYear = strings.TrimSpace(f("to-month")), strings.TrimSpace(f("to-year"))
		to, ok := p.monthYear(d.ToMonth, d.ToYear)
		from, _ := p.monthYear(d.FromMonth, d.FromYear)
		switch {
		case !ok:
			errs = append(errs, fieldError{Field: "to", Key: "address.error.date"})
		case to.Before(from):
			errs = append(errs, fieldError{Field: "to", Key: "address.error.before"})
		}
		next = "kind"
	case "kind":
		d.Kind = f("kind")
		if optionLabel(kinds, d.Kind) == "" {
			errs = append(errs, fieldError{Field: "kind", Key: "address.error.kind"})
		}
		next = "check"
	}
	if errs != nil {
		v["Errors"] = errs
		p.render(w, r, s, http.StatusUnprocessableEntity, "address-step", v)
		return
	}
	if d.Checking && !(step == "still" && d.Still == "no" && d.ToYear == "") {
		next = "check"
	}
	if err := p.sessions.save(r.Context(), s); err != nil {
		p.fail(w, r, s)
		return
	}
	if next == "check" {
		redirect(w, r, a.Base+"/check")
		return
	}
	redirect(w, r, a.Base+"/step/"+next)
}

// previousStep is where the back link of a question goes.
func previousStep(a addresser, d *addressDraft, step string) string {
	if d.Checking {
		return a.Base + "/check"
	}
	switch step {
	case "moved-in":
		return a.Base + "/step/address"
	case "still":
		return a.Base + "/step/moved-in"
	case "moved-out":
		return a.Base + "/step/still"
	case "kind":
		if d.Still == "no" {
			return a.Base + "/step/moved-out"
		}
		return a.Base + "/step/still"
	}
	return a.Home
}

var postcode = regexp.MustCompile(`^[A-Z0-9 ]{2,10}$`)

// monthYear reads a month and year a person typed: a month from 1 to 12
// and a year from 1900 to this year, not in the future.
func (p *Pages) monthYear(month, year string) (time.Time, bool) {
	m, err1 := strconv.Atoi(month)
	y, err2 := strconv.Atoi(year)
	if err1 != nil || err2 != nil || m < 1 || m > 12 || y < 1900 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC)
	if t.After(p.now()) {
		return time.Time{}, false
	}
	return t, true
}

// complete reports whether every question of d has an answer.
func (p *Pages) complete(d *addressDraft) bool {
	_, okFrom := p.monthYear(d.FromMonth, d.FromYear)
	_, okTo := p.monthYear(d.ToMonth, d.ToYear)
	return d.Line1 != "" && d.Town != "" && okFrom && (d.Still == "yes" || d.Still == "no" && okTo) && d.Kind != ""
}

// addressCheck shows the answers, then saves the address into the history.
func (p *Pages) addressCheck(w http.ResponseWriter, r *http.Request, s *Session, a addresser) {
	d := addressDraftFor(s, a)
	if d == nil {
		redirect(w, r, a.Home)
		return
	}
	if !p.complete(d) {
		redirect(w, r, a.Base+"/step/address")
		return
	}
	from, _ := p.monthYear(d.FromMonth, d.FromYear)
	to, _ := p.monthYear(d.ToMonth, d.ToYear)
	if r.Method == http.MethodGet {
		if err := p.reachedCheck(r.Context(), s, &d.Checking); err != nil {
			p.fail(w, r, s)
			return
		}
		p.render(w, r, s, http.StatusOK, "address-check", view{"Draft": d, "From": from, "To": to, "Kind": kindLabel(d.Kind), "Addresser": a})
		return
	}
	street := d.Line1
	if d.Line2 != "" {
		street += ", " + d.Line2
	}
	addr := map[string]any{"type": "PostalAddress", "streetAddress": street, "addressLocality": d.Town}
	if d.Postcode != "" {
		addr["postalCode"] = d.Postcode
	}
	e := map[string]any{"type": "AddressHistoryEntry", "address": addr, "from": from.Format(time.DateOnly), "accommodationKind": d.Kind}
	if d.Still == "no" {
		e["to"] = to.Format(time.DateOnly)
	}
	if a.Helper != "" {
		p.appendAddress(w, r, s, a, e)
		return
	}
	err := p.changeHistory(r.Context(), a.Pod, func(doc map[string]any) {
		list := entriesOf(doc)
		out := make([]any, 0, len(list)+1)
		replaced := false
		for _, m := range list {
			if d.ID != "" && str(m, "id") == d.ID {
				e["id"] = d.ID
				if prov, ok := m["provider"]; ok {
					e["provider"] = prov
				}
				if ref, ok := m["reference"]; ok {
					e["reference"] = ref
				}
				out = append(out, e)
				replaced = true
				continue
			}
			out = append(out, m)
		}
		if !replaced {
			e["id"] = "#a" + randomToken()[:10]
			out = append(out, e)
		}
		doc["entries"] = out
	})
	if err != nil {
		p.Log.ErrorContext(r.Context(), "saving an address failed", "err", err)
		p.fail(w, r, s)
		return
	}
	s.Address = nil
	p.flash(r.Context(), s, "flash.address-saved")
	redirect(w, r, "/my/addresses")
}

// changeHistory edits the address history under compare-and-swap and
// stores it only if it is still a valid record.
func (p *Pages) changeHistory(ctx context.Context, id pod.PodID, change func(doc map[string]any)) error {
	for try := 0; ; try++ {
		doc, etag, err := p.readHistory(ctx, id)
		if err != nil {
			return err
		}
		change(doc)
		if len(entriesOf(doc)) == 0 && etag != "" {
			err = p.Pods.Delete(ctx, id, addressHistory, pod.IfMatch(etag))
		} else {
			err = p.writeRecord(ctx, id, addressHistory, doc, etag)
		}
		if errors.Is(err, pod.ErrPrecondition) && try < 3 {
			continue
		}
		return err
	}
}

// addressRemove asks, then takes one address out of the history.
func (p *Pages) addressRemove(w http.ResponseWriter, r *http.Request, s *Session) {
	id := "#" + mux.Vars(r)["id"]
	doc, _, err := p.readHistory(r.Context(), s.Pod)
	if err != nil {
		p.fail(w, r, s)
		return
	}
	m := findEntry(doc, id)
	if m == nil {
		p.notFound(w, r, s)
		return
	}
	if r.Method == http.MethodGet {
		p.render(w, r, s, http.StatusOK, "address-remove", view{"Entry": toEntry(m)})
		return
	}
	err = p.changeHistory(r.Context(), s.Pod, func(doc map[string]any) {
		var out []any
		for _, m := range entriesOf(doc) {
			if str(m, "id") != id {
				out = append(out, m)
			}
		}
		doc["entries"] = append([]any{}, out...)
	})
	if err != nil {
		p.Log.ErrorContext(r.Context(), "removing an address failed", "err", err)
		p.fail(w, r, s)
		return
	}
	p.flash(r.Context(), s, "flash.address-removed")
	redirect(w, r, "/my/addresses")
}
