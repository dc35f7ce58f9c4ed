package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

func runLs(ctx context.Context, env *Env, args []string) error {
	fs := flags(env, "ls", "[PATH]")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 1 {
		return usagef("give at most one folder to list, e.g. satchel ls documents/")
	}
	p := ""
	if len(rest) == 1 {
		p = rest[0]
	}
	c, err := connect(env)
	if err != nil {
		return err
	}
	defer c.close()
	u, err := c.sess.resolve(p)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, shortTimeout)
	defer cancel()
	method := http.MethodGet
	if !isContainer(u) {
		method = http.MethodHead
	}
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/ld+json")
	resp, err := c.do(req)
	if he := (*httpError)(nil); errors.As(err, &he) && he.status == http.StatusNotFound && method == http.MethodHead {
		return fmt.Errorf("nothing is stored at %s: if it is a folder, end it with a slash (%s/)", p, p)
	}
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	if method == http.MethodHead {
		mod, _ := http.ParseTime(resp.Header.Get("Last-Modified"))
		writeEntry(tw, lsEntry{name: lastSegment(u), size: resp.ContentLength, modified: mod, format: resp.Header.Get("Content-Type")})
		return tw.Flush()
	}
	entries, err := parseListing(io.LimitReader(resp.Body, 64<<20), u)
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		fmt.Fprintln(env.Stderr, "This folder is empty.")
	}
	for _, e := range entries {
		writeEntry(tw, e)
	}
	return tw.Flush()
}

// lsEntry is one line of "satchel ls".
type lsEntry struct {
	name     string
	size     int64
	modified time.Time
	format   string
}

func writeEntry(w io.Writer, e lsEntry) {
	size, format := "-", "folder"
	if !strings.HasSuffix(e.name, "/") {
		size, format = humanSize(e.size), clean(e.format)
	}
	mod := "-"
	if !e.modified.IsZero() {
		mod = e.modified.Local().Format("2006-01-02 15:04")
	}
	fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", clean(e.name), size, mod, format)
}

func humanSize(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	f, unit := float64(n)/1024, "KB"
	for _, u := range []string{"MB", "GB", "TB"} {
		if f < 1024 {
			break
		}
		f, unit = f/1024, u
	}
	return fmt.Sprintf("%.1f %s", f, unit)
}

// lastSegment is the unescaped last segment of u's path, with its trailing
// slash for a container.
func lastSegment(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	dir := strings.HasSuffix(p.Path, "/")
	name := path.Base(p.Path)
	if dir {
		name += "/"
	}
	return name
}

// parseListing reads a container's JSON-LD listing, as the pod handler
// writes it, into entries sorted by name.
func parseListing(r io.Reader, containerURL string) ([]lsEntry, error) {
	var doc struct {
		Graph []struct {
			ID       string `json:"@id"`
			Contains []struct {
				ID string `json:"@id"`
			} `json:"ldp:contains"`
			Modified json.RawMessage `json:"dcterms:modified"`
			Format   string          `json:"dcterms:format"`
			Size     int64           `json:"stat:size"`
		} `json:"@graph"`
	}
	if err := json.NewDecoder(r).Decode(&doc); err != nil || len(doc.Graph) == 0 {
		return nil, errors.New("the server's list of this folder could not be read")
	}
	top, byID := 0, map[string]int{}
	for i, n := range doc.Graph {
		byID[n.ID] = i
		if n.ID == containerURL {
			top = i
		}
	}
	base := doc.Graph[top].ID
	var out []lsEntry
	for _, m := range doc.Graph[top].Contains {
		name := lastSegment(m.ID)
		if rel, ok := strings.CutPrefix(m.ID, base); ok && rel != "" {
			if un, err := url.PathUnescape(rel); err == nil {
				name = un
			}
		}
		e := lsEntry{name: name}
		if i, ok := byID[m.ID]; ok {
			n := doc.Graph[i]
			e.size, e.format, e.modified = n.Size, n.Format, jsonLDTime(n.Modified)
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

// jsonLDTime reads a date given as {"@value": "..."} or as a plain string.
func jsonLDTime(raw json.RawMessage) time.Time {
	var v struct {
		Value string `json:"@value"`
	}
	var s string
	if json.Unmarshal(raw, &v) == nil {
		s = v.Value
	} else {
		json.Unmarshal(raw, &s)
	}
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}
