package web

import (
	"context"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/schemas"
	"github.com/satchel-project/satchel/verifier"
)

// Showing exactly what is needed: which addresses and which fields of each
// record a share names, the fields the leaver left out, and the warning
// before sharing about every chosen field that would tell the recipient
// about prison (from the schemas' "x-reveals-custody" marks).

// anyEntry stands for every chosen address in a field the details page
// offers for the whole address history: "/entries/*/provider".
const anyEntry = "*"

// chosenRecord is a record the leaver ticked, read for choosing its fields.
type chosenRecord struct {
	Path  pod.Path
	Title string
	Type  string
	Doc   map[string]any
}

// chosenRecords reads the records among d's items whose fields can be
// chosen: not files, and not records an issuer signed (a part of one is
// no longer what was signed).
func (p *Pages) chosenRecords(ctx context.Context, id pod.PodID, d *shareDraft) []chosenRecord {
	var out []chosenRecord
	for _, it := range d.Items {
		path := pod.Path(it)
		if !strings.HasSuffix(it, ".jsonld") {
			continue
		}
		t, err := p.readThing(ctx, id, path)
		if err != nil || !t.Record || t.Signer != "" {
			continue
		}
		typ, _ := t.Doc["type"].(string)
		title := t.Title
		if path == addressHistory {
			title = words(ctx).Text("things.addresses-link")
		}
		out = append(out, chosenRecord{Path: path, Title: title, Type: typ, Doc: t.Doc})
	}
	return out
}

// frame are the keys that make a record JSON-LD, never a choice.
func frame(k string) bool { return k == "@context" || k == "id" || k == "type" }

// fieldsOf lists the fields m has that a person would name, in order.
func fieldsOf(m map[string]any) []string {
	var out []string
	for k := range m {
		if !frame(k) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// chosenEntries are the ids of the addresses d shares from the history doc.
func chosenEntries(d *shareDraft, doc map[string]any) []string {
	var out []string
	switch d.Part {
	case "current":
		if id := currentEntry(doc); id != "" {
			out = []string{id}
		}
	case "all", "some":
		for _, m := range entriesOf(doc) {
			if id := str(m, "id"); id != "" && (d.Part == "all" || contains(d.Entries, id)) {
				out = append(out, id)
			}
		}
	}
	return out
}

// entryFields are the fields of an address that d may share: for "current
// address only", the address and when they moved in.
func entryFields(d *shareDraft, m map[string]any) []string {
	all := fieldsOf(m)
	if d.Part != "current" {
		return all
	}
	var out []string
	for _, k := range all {
		if k == "address" || k == "from" {
			out = append(out, k)
		}
	}
	return out
}

// leaveKey is how d.Leave names a field of the record at path.
func leaveKey(path pod.Path, pointer string) string { return string(path) + "#" + pointer }

// itemFields are the fields that d shares of the record doc at path: nil
// for the whole record, and ok false if it shares nothing of it (every
// field, or every address, left out).
func itemFields(d *shareDraft, path pod.Path, doc map[string]any) (fields []string, ok bool) {
	left := func(ptr string) bool { return contains(d.Leave, leaveKey(path, ptr)) }
	if path == addressHistory {
		whole := d.Part == "all"
		for _, m := range entriesOf(doc) {
			id := str(m, "id")
			if !contains(chosenEntries(d, doc), id) {
				continue
			}
			if left("/entries/" + id) {
				whole = false
				continue
			}
			offered, all := entryFields(d, m), fieldsOf(m)
			var kept []string
			for _, k := range offered {
				if !left("/entries/" + id + "/" + k) {
					kept = append(kept, k)
				}
			}
			switch {
			case len(kept) == 0:
				whole = false
			case len(kept) == len(all):
				fields = append(fields, "/entries/"+id)
			default:
				whole = false
				for _, k := range kept {
					fields = append(fields, "/entries/"+id+"/"+k)
				}
			}
		}
		if whole && len(fields) == len(entriesOf(doc)) {
			return nil, true
		}
		return fields, len(fields) > 0
	}
	all := fieldsOf(doc)
	var kept []string
	for _, k := range all {
		if !left("/" + k) {
			kept = append(kept, "/"+k)
		}
	}
	if len(kept) == len(all) {
		return nil, true
	}
	return kept, len(kept) > 0
}

// detailChoice is one field the details page offers to leave out.
type detailChoice struct {
	ID, Value, Label string
	Checked          bool
}

// detailGroup is the fields of one chosen record.
type detailGroup struct {
	ID, Title string
	Fields    []detailChoice
}

// details lists, for each chosen record, the fields the leaver may leave
// out; a link to a file is not offered (the file is shared or not as a
// whole), nor the current address alone (only the address and when they
// moved in).
func (p *Pages) details(ctx context.Context, id pod.PodID, d *shareDraft) []detailGroup {
	var out []detailGroup
	for gi, rec := range p.chosenRecords(ctx, id, d) {
		if rec.Path == addressHistory && d.Part == "current" {
			continue // the address and when they moved in: nothing to spare
		}
		g := detailGroup{ID: "keep-" + strconv.Itoa(gi), Title: rec.Title}
		add := func(ptr string, loc []string, checked bool) {
			if schemas.IsLink(loc[len(loc)-1]) {
				return
			}
			c := detailChoice{ID: g.ID + "-" + strconv.Itoa(len(g.Fields)), Value: leaveKey(rec.Path, ptr), Label: schemas.Title(rec.Type, loc), Checked: checked}
			if len(g.Fields) == 0 {
				c.ID = g.ID
			}
			g.Fields = append(g.Fields, c)
		}
		if rec.Path == addressHistory {
			ids := chosenEntries(d, rec.Doc)
			var names []string
			for _, m := range entriesOf(rec.Doc) {
				if contains(ids, str(m, "id")) {
					for _, k := range entryFields(d, m) {
						if !contains(names, k) {
							names = append(names, k)
						}
					}
				}
			}
			sort.Slice(names, func(i, j int) bool { return entryOrder(names[i]) < entryOrder(names[j]) })
			for _, k := range names {
				kept := true
				for _, e := range ids {
					kept = kept && !contains(d.Leave, leaveKey(rec.Path, "/entries/"+e+"/"+k))
				}
				add("/entries/"+anyEntry+"/"+k, []string{"entries", "0", k}, kept)
			}
		} else {
			for _, k := range fieldsOf(rec.Doc) {
				add("/"+k, []string{k}, !contains(d.Leave, leaveKey(rec.Path, "/"+k)))
			}
		}
		if len(g.Fields) > 1 {
			// One field (a document's title) cannot be left out: one must
			// stay.
			out = append(out, g)
		}
	}
	return out
}

// entryOrder puts an address's fields in the order the address pages ask
// for them.
func entryOrder(k string) int {
	for i, x := range []string{"address", "from", "to", "accommodationKind", "provider", "reference"} {
		if x == k {
			return i
		}
	}
	return 99
}

// saveDetails keeps the fields the leaver ticked on the details page and
// leaves out the others. It reports false if a record would keep nothing.
func saveDetails(d *shareDraft, groups []detailGroup, ticked []string, docs map[pod.Path]map[string]any) bool {
	ok := true
	for _, g := range groups {
		kept := 0
		for _, c := range g.Fields {
			path, ptr, _ := strings.Cut(c.Value, "#")
			keys := []string{c.Value}
			if strings.HasPrefix(ptr, "/entries/"+anyEntry+"/") {
				keys = nil
				field := strings.TrimPrefix(ptr, "/entries/"+anyEntry+"/")
				for _, e := range chosenEntries(d, docs[pod.Path(path)]) {
					keys = append(keys, leaveKey(pod.Path(path), "/entries/"+e+"/"+field))
				}
			}
			keep := contains(ticked, c.Value)
			if keep {
				kept++
			}
			for _, k := range keys {
				d.Leave = remove(d.Leave, k)
				if !keep {
					d.Leave = append(d.Leave, k)
				}
			}
		}
		ok = ok && kept > 0
	}
	return ok
}

func remove(list []string, s string) []string {
	out := list[:0]
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

// custodyRow is one chosen field that would tell the recipient about
// prison, as the check page names it.
type custodyRow struct {
	Label, Value string
	Leave        string // the leave-out value for this field
}

// custodyGroup is the chosen fields of one thing (a record, or one
// address) that would tell about prison.
type custodyGroup struct {
	Title string
	Leave string // the leave-out value for the whole thing
	Rows  []custodyRow
}

// pointerLoc is a pointer's segments, unescaped.
func pointerLoc(ptr string) []string {
	segs := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	for i, s := range segs {
		segs[i] = strings.NewReplacer("~1", "/", "~0", "~").Replace(s)
	}
	return segs
}

// partOrder is the order in which an address's or a person's parts are
// written.
var partOrder = []string{"name", "relationship", "streetAddress", "addressLocality", "addressRegion", "postalCode", "addressCountry", "telephone", "email"}

// inOrder lists the words of an address or a contact in the order they
// are written: "HMP Example, Leeds, LS1 1AA".
func inOrder(m map[string]any) []string {
	var out []string
	for _, k := range partOrder {
		if v, ok := m[k].(string); ok && v != "" {
			out = append(out, v)
		}
	}
	return out
}

// custodyWarnings names each field grant n would share that the schemas
// mark as telling about prison, grouped by record and address.
func (p *Pages) custodyWarnings(ctx context.Context, id pod.PodID, n consent.NewGrant) []custodyGroup {
	var out []custodyGroup
	for _, it := range n.Items {
		if !strings.HasSuffix(string(it.Path), ".jsonld") {
			continue
		}
		t, err := p.readThing(ctx, id, it.Path)
		if err != nil || !t.Record {
			continue
		}
		typ, _ := t.Doc["type"].(string)
		doc := t.Doc
		if t.Signer != "" {
			// A signed record (a custody period, a release document) is
			// shared whole or not at all: its fields are named, and
			// leaving one out leaves out the record.
			doc, _ = t.Doc["credentialSubject"].(map[string]any)
			typ = schemas.SubjectType(t.Doc).Name
		}
		groups := map[string]*custodyGroup{}
		var order []string
		for _, ptr := range schemas.RevealsCustody(typ, doc) {
			if !sharedField(it.Fields, ptr) {
				continue
			}
			key, title, leave := "", t.Title, leaveKey(it.Path, "")
			if it.Path == addressHistory {
				segs := strings.Split(ptr, "/")
				key = segs[2]
				title, leave = entryTitle(ctx, t.Doc, key), leaveKey(it.Path, "/entries/"+key)
			}
			g := groups[key]
			if g == nil {
				g = &custodyGroup{Title: title, Leave: leave}
				groups[key] = g
				order = append(order, key)
			}
			value, label := "", schemas.Title(typ, pointerLoc(ptr))
			if v, err := schemas.Resolve(doc, ptr); err == nil {
				if m, ok := v.(map[string]any); ok {
					value = strings.Join(inOrder(m), ", ")
				} else if sel, err := schemas.Select(doc, []string{ptr}); err == nil {
					for _, r := range verifier.Rows(ctx, typ, sel) {
						value = r.Value
					}
				}
			}
			rowLeave := leaveKey(it.Path, ptr)
			if t.Signer != "" {
				rowLeave = leave
			}
			g.Rows = append(g.Rows, custodyRow{Label: label, Value: value, Leave: rowLeave})
		}
		for _, k := range order {
			out = append(out, *groups[k])
		}
	}
	return out
}

// sharedField reports whether a share of fields (nil: all) shows any of
// the field at ptr.
func sharedField(fields []string, ptr string) bool {
	if fields == nil {
		return true
	}
	for _, f := range fields {
		if f == ptr || strings.HasPrefix(ptr, f+"/") || strings.HasPrefix(f, ptr+"/") {
			return true
		}
	}
	return false
}

// entryTitle names one address of the history by its dates, in words.
func entryTitle(ctx context.Context, doc map[string]any, id string) string {
	c := words(ctx)
	for _, m := range entriesOf(doc) {
		if str(m, "id") == id {
			e := toEntry(m)
			if e.To.IsZero() {
				return c.Text("check.share.address-since", c.MonthYear(e.From))
			}
			return c.Text("check.share.address-between", c.MonthYear(e.From), c.MonthYear(e.To))
		}
	}
	return c.Text("things.addresses-link")
}

// maxLeave bounds the fields a draft may leave out, so that a session
// stays small whatever is posted.
const maxLeave = 500

// leaveOut leaves out what the check page's button names: a field, an
// address, or a whole thing; then shows the check page again.
func (p *Pages) leaveOut(w http.ResponseWriter, r *http.Request, s *Session, sh sharer, value string) {
	d := s.Share
	path, ptr, _ := strings.Cut(value, "#")
	if contains(d.Items, path) {
		if ptr == "" {
			d.Items = remove(d.Items, path)
		} else if !contains(d.Leave, value) && len(d.Leave) < maxLeave {
			d.Leave = append(d.Leave, value)
		}
	}
	// Saved with the flash; if that fails, the check page still shows
	// what would be shared.
	p.flash(r.Context(), s, "flash.left-out")
	if len(d.Items) == 0 {
		redirect(w, r, sh.Base+"/share/what")
		return
	}
	redirect(w, r, sh.Base+"/share/check")
}
