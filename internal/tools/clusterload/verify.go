package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/piprate/json-gold/ld"

	"github.com/satchel-project/satchel/schemas"
)

const ldpContains = "http://www.w3.org/ns/ldp#contains"

// verdict is what reading everything back found.
type verdict struct {
	paths, posts, listings int
	lost, corrupt          []string // each a sentence naming the URL
	unackedLanded          int      // paths holding a write that failed but landed
	extraMembers           int      // listed members no acknowledged write made
	retried                int      // reads that needed more than one try
	fresh                  string   // "" when a fresh write and read succeeded
}

func (v *verdict) failed() bool {
	return len(v.lost) > 0 || len(v.corrupt) > 0 || v.fresh != ""
}

func (v *verdict) print(out io.Writer) {
	fmt.Fprintf(out, "\nread back through the balancer: %d PUT paths, %d POSTed members, %d listings (%d reads needed a retry)\n",
		v.paths, v.posts, v.listings, v.retried)
	fmt.Fprintf(out, "  lost acknowledged writes: %d\n", len(v.lost))
	for _, s := range v.lost {
		fmt.Fprintln(out, "    LOST", s)
	}
	fmt.Fprintf(out, "  corrupt listings or contents: %d\n", len(v.corrupt))
	for _, s := range v.corrupt {
		fmt.Fprintln(out, "    CORRUPT", s)
	}
	fmt.Fprintf(out, "  unacknowledged writes (failed, or cut off at the end) that landed anyway (allowed): %d; listed members from unacknowledged POSTs (allowed): %d\n",
		v.unackedLanded, v.extraMembers)
	if v.fresh == "" {
		fmt.Fprintln(out, "  service continues: a fresh write and read succeeded")
	} else {
		fmt.Fprintln(out, "  SERVICE DOWN:", v.fresh)
	}
}

// get reads url, trying again for up to 10 s on a transport error or a
// 5xx: a read that fails for a while is unavailability, not loss.
func (v *verdict) get(ctx context.Context, c *client, url, accept string) reply {
	var r reply
	for try, deadline := 0, time.Now().Add(10*time.Second); ; try++ {
		r = c.do(ctx, "GET", url, nil, "Accept", accept)
		if (r.errKind == "" && r.status < 500) || time.Now().After(deadline) {
			if try > 0 {
				v.retried++
			}
			return r
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func verify(ctx context.Context, c *client, l *load) *verdict {
	v := &verdict{}
	// Each path's writes, in the order its one writer made them.
	byPath := map[string][]op{}
	var order []string
	members := map[string]map[string]bool{} // container URL → acknowledged members
	for _, cn := range []string{recordsC, documentsC, lettersC} {
		members[c.pod+cn] = map[string]bool{}
	}
	for _, o := range l.ops {
		if o.method == "PUT" {
			if byPath[o.target] == nil {
				order = append(order, o.target)
			}
			byPath[o.target] = append(byPath[o.target], o)
			if o.ok() {
				members[o.target[:strings.LastIndex(o.target, "/")+1]][o.target] = true
			}
			continue
		}
		if o.ok() {
			v.posts++
			if o.location == "" {
				v.corrupt = append(v.corrupt, fmt.Sprintf("POST %s: %d without a Location", o.target, o.status))
				continue
			}
			members[o.target][o.location] = true
			v.checkOne(ctx, c, o.location, []op{o})
		}
	}
	for _, p := range order {
		v.paths++
		v.checkOne(ctx, c, p, byPath[p])
	}
	var cs []string
	for cn := range members {
		cs = append(cs, cn)
	}
	sort.Strings(cs)
	for _, cn := range cs {
		v.checkListing(ctx, c, cn, members[cn], cn == c.pod+lettersC)
	}
	v.fresh = freshWrite(ctx, c)
	return v
}

// checkOne reads url and compares it with its writes: it must hold the last
// acknowledged one, or one attempted after it whose answer was an error.
func (v *verdict) checkOne(ctx context.Context, c *client, url string, writes []op) {
	last := -1
	for i, o := range writes {
		if o.ok() {
			last = i
		}
	}
	r := v.get(ctx, c, url, "application/ld+json, */*;q=0.5")
	if r.errKind != "" || r.status != 200 {
		if last >= 0 {
			v.lost = append(v.lost, fmt.Sprintf("%s: acknowledged (%d) at %s, now reads as %s %s",
				url, writes[last].status, writes[last].start.Format("15:04:05.000"), r.kind(), short(r.body)))
		} else if r.status != 404 {
			v.corrupt = append(v.corrupt, fmt.Sprintf("%s: never acknowledged, reads as %s %s", url, r.kind(), short(r.body)))
		}
		return
	}
	sum := sha256.Sum256(r.body)
	got := hex.EncodeToString(sum[:])
	for i := len(writes) - 1; i >= 0; i-- {
		if writes[i].hash != got {
			continue
		}
		switch {
		case i == last:
		case i > last:
			v.unackedLanded++
		default:
			v.lost = append(v.lost, fmt.Sprintf("%s: holds write %d of %d, but write %d was acknowledged (%d at %s) after it",
				url, i+1, len(writes), last+1, writes[last].status, writes[last].start.Format("15:04:05.000")))
		}
		return
	}
	v.corrupt = append(v.corrupt, fmt.Sprintf("%s: holds bytes no writer sent: %s", url, short(r.body)))
}

// checkListing reads a container as Turtle and as JSON-LD: both must parse
// and list every acknowledged member, once.
func (v *verdict) checkListing(ctx context.Context, c *client, url string, want map[string]bool, countExtra bool) {
	for _, accept := range []string{"text/turtle", "application/ld+json"} {
		v.listings++
		r := v.get(ctx, c, url, accept)
		if r.errKind != "" || r.status != 200 {
			v.corrupt = append(v.corrupt, fmt.Sprintf("%s as %s: %s %s", url, accept, r.kind(), short(r.body)))
			continue
		}
		var got []string
		var err error
		if accept == "text/turtle" {
			got, err = turtleMembers(r.body, url)
		} else {
			got, err = jsonldMembers(r.body, url)
		}
		if err != nil {
			v.corrupt = append(v.corrupt, fmt.Sprintf("%s as %s does not parse: %v", url, accept, err))
			continue
		}
		seen := map[string]bool{}
		for _, m := range got {
			if seen[m] {
				v.corrupt = append(v.corrupt, fmt.Sprintf("%s as %s lists %s twice", url, accept, m))
			}
			seen[m] = true
			if countExtra && !want[m] && accept == "text/turtle" {
				v.extraMembers++
			}
		}
		var missing []string
		for m := range want {
			if !seen[m] {
				missing = append(missing, m)
			}
		}
		if len(missing) > 0 {
			sort.Strings(missing)
			v.corrupt = append(v.corrupt, fmt.Sprintf("%s as %s lists %d members but misses %d acknowledged ones: %s",
				url, accept, len(got), len(missing), strings.Join(first(missing, 5), " ")))
		}
	}
}

func turtleMembers(body []byte, base string) ([]string, error) {
	ts, err := schemas.ParseTurtle(body, base)
	if err != nil {
		return nil, err
	}
	var ms []string
	for _, t := range ts {
		if t.S.Value == base && t.P.Value == ldpContains {
			ms = append(ms, t.O.Value)
		}
	}
	return ms, nil
}

// jsonldMembers expands the listing (its context is inline: nothing is
// fetched) and returns the objects of the container's ldp:contains.
func jsonldMembers(body []byte, base string) ([]string, error) {
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, err
	}
	opts := ld.NewJsonLdOptions(base)
	opts.DocumentLoader = refuseLoader{}
	exp, err := ld.NewJsonLdProcessor().Expand(doc, opts)
	if err != nil {
		return nil, err
	}
	var ms []string
	found := false
	for _, n := range exp {
		node, _ := n.(map[string]any)
		if node["@id"] != base {
			continue
		}
		found = true
		cs, _ := node[ldpContains].([]any)
		for _, m := range cs {
			if mm, ok := m.(map[string]any); ok {
				id, _ := mm["@id"].(string)
				ms = append(ms, id)
			}
		}
	}
	if !found {
		return nil, fmt.Errorf("no node for the container itself")
	}
	return ms, nil
}

type refuseLoader struct{}

func (refuseLoader) LoadDocument(u string) (*ld.RemoteDocument, error) {
	return nil, fmt.Errorf("the listing names a remote context %s", u)
}

// freshWrite writes and reads one new document: "" when both work.
func freshWrite(ctx context.Context, c *client) string {
	url := c.pod + documentsC + fmt.Sprintf("after-the-faults-%d.txt", time.Now().UnixNano())
	body := []byte("Written after the faults.\n")
	if r := c.do(ctx, "PUT", url, body, "Content-Type", "text/plain"); !r.ok() {
		return fmt.Sprintf("PUT %s: %s %s", url, r.kind(), short(r.body))
	}
	if r := c.do(ctx, "GET", url, nil); !r.ok() || string(r.body) != string(body) {
		return fmt.Sprintf("GET %s: %s %s", url, r.kind(), short(r.body))
	}
	return ""
}

func short(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}

func first(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
