package pod

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/satchel-project/satchel/internal/problem"
)

// Vocabulary used in listings and Link headers.
const (
	ldpNS      = "http://www.w3.org/ns/ldp#"
	pimStorage = "http://www.w3.org/ns/pim/space#Storage"
	dctermsNS  = "http://purl.org/dc/terms/"
	statNS     = "http://www.w3.org/ns/posix/stat#"
	typeLD     = "application/ld+json"
	typeTurtle = "text/turtle"
	typeNQuads = "application/n-quads"
)

func (h *Handler) linkHeaders(w http.ResponseWriter, id PodID, p Path) {
	types := []string{ldpNS + "Resource"}
	if p.IsContainer() {
		types = append(types, ldpNS+"Container", ldpNS+"BasicContainer")
	}
	if p.IsRoot() {
		types = append(types, pimStorage)
	}
	var links []string
	for _, t := range types {
		links = append(links, "<"+t+`>; rel="type"`)
	}
	if !p.IsDescription() {
		links = append(links, "<"+h.URL(id, p)+DescriptionSuffix+`>; rel="describedby"`)
	}
	w.Header().Set("Link", strings.Join(links, ", "))
}

func (h *Handler) get(w http.ResponseWriter, r *http.Request, id PodID, p Path) {
	ctx := r.Context()
	describeHeaders(w, p)
	h.linkHeaders(w, id, p)
	if p.IsDescription() {
		h.getDescription(w, r, id, p)
		return
	}
	if p.IsContainer() {
		res, members, err := h.Service.List(ctx, id, p)
		if err != nil {
			h.fail(w, r, p, err)
			return
		}
		if !conditionalGet(w, r, res) {
			return
		}
		h.writeRDF(w, r, h.URL(id, p), containerGraph(h, id, p, res, members))
		return
	}
	if r.Method == http.MethodHead {
		res, err := h.Service.Stat(ctx, id, p)
		if err != nil {
			h.fail(w, r, p, err)
			return
		}
		if conditionalGet(w, r, res) {
			contentHeaders(w, res)
			w.WriteHeader(http.StatusOK)
		}
		return
	}
	res, rc, err := h.Service.Get(ctx, id, p)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	defer rc.Close()
	if !conditionalGet(w, r, res) {
		return
	}
	if res.ContentType == typeLD && h.RenderRecord != nil {
		if mt := negotiateRecord(r.Header.Get("Accept")); mt != typeLD {
			h.render(w, r, id, p, res, rc, mt)
			return
		}
	}
	contentHeaders(w, res)
	w.WriteHeader(http.StatusOK)
	if _, err := io.Copy(w, rc); err != nil {
		// Headers are gone; cut the connection so the client sees a
		// broken download rather than a short file.
		h.Log.WarnContext(r.Context(), "pod read interrupted", "err", err)
		panic(http.ErrAbortHandler)
	}
}

// render serves a stored JSON-LD record as mediaType.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, id PodID, p Path, res Resource, rc io.Reader, mediaType string) {
	data, err := io.ReadAll(io.LimitReader(rc, MaxRecord+1))
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	out, err := h.RenderRecord(data, h.URL(id, p), mediaType)
	if err != nil {
		problem.Write(w, http.StatusNotAcceptable, "not-acceptable", "This record cannot be shown as "+mediaType+"; ask for application/ld+json.")
		return
	}
	res.ContentType, res.Size = mediaType, int64(len(out))
	contentHeaders(w, res)
	w.WriteHeader(http.StatusOK)
	w.Write(out)
}

// negotiateRecord picks the media type for a JSON-LD record: JSON-LD
// unless Turtle or N-Quads is strictly preferred.
func negotiateRecord(accept string) string {
	return negotiate(accept, typeTurtle, typeNQuads)
}

func contentHeaders(w http.ResponseWriter, res Resource) {
	hd := w.Header()
	hd.Set("Content-Type", res.ContentType)
	hd.Set("Content-Length", strconv.FormatInt(res.Size, 10))
	hd.Set("X-Content-Type-Options", "nosniff")
	// Stored files never run as a page of this site.
	hd.Set("Content-Security-Policy", "sandbox; default-src 'none'")
}

// conditionalGet sets ETag and Last-Modified and answers If-None-Match (304)
// and If-Match (412). It reports whether the body should be sent.
func conditionalGet(w http.ResponseWriter, r *http.Request, res Resource) bool {
	w.Header().Set("ETag", quoteETag(res.ETag))
	w.Header().Set("Last-Modified", res.Modified.UTC().Format(http.TimeFormat))
	w.Header().Set("Cache-Control", "private, no-cache")
	pre := preconditions(r)
	if pre.IfMatch != nil && !matches(pre.IfMatch, res.ETag) {
		w.WriteHeader(http.StatusPreconditionFailed)
		return false
	}
	if pre.IfNoneMatch != nil && matches(pre.IfNoneMatch, res.ETag) {
		w.WriteHeader(http.StatusNotModified)
		return false
	}
	return true
}

func quoteETag(e string) string { return `"` + e + `"` }

// preconditions reads If-Match and If-None-Match. Weak validators never
// match: Satchel's ETags are all strong.
func preconditions(r *http.Request) Preconditions {
	parse := func(name string) []string {
		vals := r.Header.Values(name)
		if len(vals) == 0 {
			return nil
		}
		out := []string{}
		for _, v := range vals {
			for _, e := range strings.Split(v, ",") {
				e = strings.TrimSpace(e)
				switch {
				case e == "*":
					out = append(out, "*")
				case len(e) >= 2 && e[0] == '"' && e[len(e)-1] == '"':
					out = append(out, e[1:len(e)-1])
				}
			}
		}
		return out
	}
	return Preconditions{IfMatch: parse("If-Match"), IfNoneMatch: parse("If-None-Match")}
}

func (h *Handler) getDescription(w http.ResponseWriter, r *http.Request, id PodID, p Path) {
	target := Path(strings.TrimSuffix(string(p), DescriptionSuffix))
	res, err := h.Service.Stat(r.Context(), id, target)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	node := map[string]any{
		"@id":              h.URL(id, target),
		"@type":            rdfTypes(target),
		"dcterms:modified": typedDate(res.Modified),
	}
	if !target.IsContainer() {
		node["dcterms:format"] = res.ContentType
		node["stat:size"] = res.Size
	}
	h.writeRDF(w, r, h.URL(id, p), graph{nodes: []map[string]any{node}})
}

func rdfTypes(p Path) []string {
	t := []string{"ldp:Resource"}
	if p.IsContainer() {
		t = append(t, "ldp:Container", "ldp:BasicContainer")
	}
	if p.IsRoot() {
		t = append(t, "pim:Storage")
	}
	return t
}

// typedDate is t as an xsd:dateTime to the millisecond, always with three
// fractional digits: Solid clients (@inrupt/solid-client among them) read
// the fraction as milliseconds, so nine digits would put dates days out.
func typedDate(t time.Time) map[string]string {
	return map[string]string{"@value": t.UTC().Format("2006-01-02T15:04:05.000Z07:00"), "@type": "xsd:dateTime"}
}

// graph is a small RDF graph in JSON-LD node form, using the prefixes in
// listingContext. It serialises to JSON-LD and to Turtle.
type graph struct{ nodes []map[string]any }

var listingContext = map[string]string{
	"ldp":     ldpNS,
	"pim":     "http://www.w3.org/ns/pim/space#",
	"dcterms": dctermsNS,
	"stat":    statNS,
	"xsd":     "http://www.w3.org/2001/XMLSchema#",
}

func containerGraph(h *Handler, id PodID, c Path, res Resource, members []Member) graph {
	sort.Slice(members, func(i, j int) bool { return members[i].Name < members[j].Name })
	top := map[string]any{
		"@id":              h.URL(id, c),
		"@type":            rdfTypes(c),
		"dcterms:modified": typedDate(res.Modified),
	}
	nodes := []map[string]any{top}
	var contains []map[string]string
	for _, m := range members {
		mp := c.Child(m.Name)
		contains = append(contains, map[string]string{"@id": h.URL(id, mp)})
		n := map[string]any{
			"@id":              h.URL(id, mp),
			"@type":            rdfTypes(mp),
			"dcterms:modified": typedDate(m.Modified),
		}
		if !m.IsContainer() {
			n["dcterms:format"] = m.ContentType
			n["stat:size"] = m.Size
		}
		nodes = append(nodes, n)
	}
	if contains == nil {
		contains = []map[string]string{}
	}
	top["ldp:contains"] = contains
	return graph{nodes: nodes}
}

// writeRDF sends g as JSON-LD or Turtle, whichever the client prefers.
func (h *Handler) writeRDF(w http.ResponseWriter, r *http.Request, base string, g graph) {
	var body []byte
	if negotiate(r.Header.Get("Accept"), typeTurtle) == typeTurtle {
		w.Header().Set("Content-Type", typeTurtle)
		body = g.turtle()
	} else {
		w.Header().Set("Content-Type", typeLD)
		doc := map[string]any{"@context": listingContext, "@graph": g.nodes}
		body, _ = json.Marshal(doc)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// negotiate picks, from an Accept header, JSON-LD (also what "*/*" and
// JSON ask for) or one of the other RDF types offered, whichever the client
// prefers; JSON-LD wins ties and is the default.
func negotiate(accept string, others ...string) string {
	best, bestQ := typeLD, -1.0
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			q, _ = strconv.ParseFloat(v, 64)
		}
		t := ""
		switch {
		case mt == typeLD || mt == "application/json" || mt == "*/*" || mt == "application/*":
			t = typeLD
		case slices.Contains(others, mt):
			t = mt
		default:
			continue
		}
		if q > bestQ || (q == bestQ && t == typeLD) {
			best, bestQ = t, q
		}
	}
	return best
}

func (g graph) turtle() []byte {
	var b strings.Builder
	for _, k := range []string{"dcterms", "ldp", "pim", "stat", "xsd"} {
		fmt.Fprintf(&b, "@prefix %s: <%s> .\n", k, listingContext[k])
	}
	for _, n := range g.nodes {
		fmt.Fprintf(&b, "\n<%s> a %s", n["@id"], strings.Join(n["@type"].([]string), ", "))
		if d, ok := n["dcterms:modified"].(map[string]string); ok {
			fmt.Fprintf(&b, ";\n    dcterms:modified %q^^xsd:dateTime", d["@value"])
		}
		if f, ok := n["dcterms:format"].(string); ok {
			fmt.Fprintf(&b, ";\n    dcterms:format %s", turtleString(f))
		}
		if s, ok := n["stat:size"].(int64); ok {
			fmt.Fprintf(&b, ";\n    stat:size %d", s)
		}
		if cs, ok := n["ldp:contains"].([]map[string]string); ok && len(cs) > 0 {
			b.WriteString(";\n    ldp:contains ")
			for i, c := range cs {
				if i > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(&b, "<%s>", c["@id"])
			}
		}
		b.WriteString(" .\n")
	}
	return []byte(b.String())
}

func turtleString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`)
	return `"` + r.Replace(s) + `"`
}
