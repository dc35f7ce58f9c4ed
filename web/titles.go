package web

import (
	"context"
	"strings"

	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/web/lang"
)

// How My shares and Who has looked name what was shared: a record by its
// title, a document by the title the leaver gave it (its Document
// record's), and never by a file name, which the leaver did not choose.

// docTitle names the thing at path: a record by its title; a file by the
// title of the record in its folder that describes it (returned as by);
// any other file by what it is ("A photo").
func (p *Pages) docTitle(ctx context.Context, id pod.PodID, path pod.Path) (title string, by pod.Path) {
	c := words(ctx)
	if path.IsContainer() {
		return c.Text("looked.folder", path.Name()), ""
	}
	if t, err := p.readThing(ctx, id, path); err == nil {
		return t.Title, ""
	}
	things, _ := p.listThings(ctx, id, path.Parent())
	for _, t := range things {
		if t.File == path && t.Record {
			return t.Title, t.Path
		}
	}
	kind := "kind.file"
	if st, err := p.Pods.Stat(ctx, id, path); err == nil {
		kind = kindOf(st.ContentType)
	}
	return c.Text("shares.unnamed", c.Text(kind)), ""
}

// addressPart says which part of the address history fields share:
// "all", "current" (the current address only) or "some" (n addresses).
func (p *Pages) addressPart(ctx context.Context, id pod.PodID, fields []string) (part string, n int) {
	if len(fields) == 0 {
		return "all", 0
	}
	entries := map[string]bool{}
	for _, f := range fields {
		if segs := strings.Split(f, "/"); len(segs) > 2 && segs[1] == "entries" {
			entries[segs[2]] = true
		}
	}
	if len(entries) == 1 {
		if doc, _, err := p.readHistory(ctx, id); err == nil && entries[currentEntry(doc)] {
			return "current", 1
		}
	}
	return "some", len(entries)
}

// addressWords names the part of the address history a share shows, for
// My shares.
func (p *Pages) addressWords(ctx context.Context, id pod.PodID, fields []string) string {
	c := words(ctx)
	part, n := p.addressPart(ctx, id, fields)
	switch {
	case part == "all":
		return c.Text("things.addresses-link")
	case part == "current":
		return c.Text("shares.current-address")
	case n == 1:
		return c.Text("shares.one-address")
	}
	return c.Text("shares.addresses", n)
}

// itemTitles lists what items share, in words, each once: a document and
// the record that describes it are one thing.
func (p *Pages) itemTitles(ctx context.Context, id pod.PodID, items []consent.Item) []string {
	shared := map[pod.Path]bool{}
	for _, it := range items {
		shared[it.Path] = true
	}
	var out []string
	seen := map[string]bool{}
	for _, it := range items {
		var title string
		if it.Path == addressHistory {
			title = p.addressWords(ctx, id, it.Fields)
		} else {
			var by pod.Path
			title, by = p.docTitle(ctx, id, it.Path)
			if by != "" && shared[by] {
				continue // shown with the record that describes it
			}
		}
		if !seen[title] {
			seen[title] = true
			out = append(out, title)
		}
	}
	return out
}

// list joins words as a sentence does: "A, B and C".
func list(c lang.Catalogue, items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return c.Text("list.and", strings.Join(items[:len(items)-1], ", "), items[len(items)-1])
}
