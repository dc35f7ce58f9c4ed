package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/pod"
)

func runShares(ctx context.Context, env *Env, args []string) error {
	fs := flags(env, "shares", "[--status active|scheduled|ended|expired|used-up|withdrawn|all]")
	want := fs.String("status", "all", "which shares to list: active, scheduled, ended (expired or used-up), expired, used-up, withdrawn (or revoked), or all")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("satchel shares takes no arguments: to see one share's details, run satchel receipt ID.")
	}
	keep, ok := statusFilters[strings.ToLower(strings.TrimSpace(*want))]
	if !ok {
		return usagef("--status %q is not one Satchel knows: use active, scheduled, ended, expired, used-up, withdrawn or all.", clean(*want))
	}
	c, err := connect(env)
	if err != nil {
		return err
	}
	defer c.close()
	ctx, cancel := context.WithTimeout(ctx, shortTimeout)
	defer cancel()
	shares, err := c.listShares(ctx)
	if err != nil {
		return err
	}
	groups := []struct {
		heading  string
		statuses []string
	}{
		{"Active", []string{"active"}},
		{"Starting later", []string{"scheduled"}},
		{"Ended", []string{"expired", "used-up"}},
		{"Withdrawn", []string{"revoked"}},
	}
	n := 0
	for _, g := range groups {
		var in []shareView
		for _, sh := range shares {
			if slices.Contains(g.statuses, sh.Status) && slices.Contains(keep, sh.Status) {
				in = append(in, sh)
			}
		}
		if len(in) == 0 {
			continue
		}
		if n > 0 {
			fmt.Fprintln(env.Stdout)
		}
		fmt.Fprintln(env.Stdout, g.heading)
		for _, sh := range in {
			writeShare(env.Stdout, sh)
		}
		n += len(in)
	}
	if n == 0 {
		if len(keep) == len(statusFilters["all"]) {
			fmt.Fprintln(env.Stderr, "You have not shared anything yet.")
		} else {
			fmt.Fprintf(env.Stderr, "You have no shares that are %s.\n", strings.ToLower(strings.TrimSpace(*want)))
		}
	}
	return nil
}

// statusFilters maps --status to the server's statuses it lists.
var statusFilters = map[string][]string{
	"all":       {"active", "scheduled", "expired", "used-up", "revoked"},
	"active":    {"active"},
	"scheduled": {"scheduled"},
	"ended":     {"expired", "used-up"},
	"expired":   {"expired"},
	"used-up":   {"used-up"},
	"withdrawn": {"revoked"},
	"revoked":   {"revoked"},
}

// writeShare writes one share as an indented block.
func writeShare(w io.Writer, sh shareView) {
	with := recipientText(sh)
	if p := consent.Purposes[sh.Purpose]; p != "" {
		with += ", " + p
	}
	if t := clean(sh.PurposeText); t != "" {
		with += ": " + t
	}
	views := fmt.Sprintf("%d (no limit)", sh.Views)
	if sh.MaxViews > 0 {
		views = fmt.Sprintf("%d of %d", sh.Views, sh.MaxViews)
	}
	fmt.Fprintf(w, "  %s\n", sh.ID)
	fmt.Fprintf(w, "    With:   %s\n", with)
	fmt.Fprintf(w, "    Status: %s\n", statusText(sh))
	fmt.Fprintf(w, "    Views:  %s\n", views)
	fmt.Fprintf(w, "    Shares: %s\n", itemsText(sh.Items))
}

// statusText says where a share stands and until when.
func statusText(sh shareView) string {
	until := sh.Expires.UTC().Format(untilLayout)
	switch sh.Status {
	case "active":
		return "active until " + until
	case "scheduled":
		return fmt.Sprintf("starts %s, ends %s", sh.NotBefore.UTC().Format(untilLayout), until)
	case "expired":
		return "expired " + until
	case "used-up":
		return "used up (it would have lasted until " + until + ")"
	case "revoked":
		if sh.RevokedAt.IsZero() {
			return "withdrawn"
		}
		return "withdrawn " + sh.RevokedAt.UTC().Format(untilLayout)
	}
	return clean(sh.Status) + ", until " + until
}

func times(n int) string {
	if n == 1 {
		return "once"
	}
	return fmt.Sprintf("%d times", n)
}

// recipientText is "Acme Lettings (landlord or letting agent)".
func recipientText(sh shareView) string {
	kind := consent.RecipientKinds[consent.RecipientKind(sh.Recipient.Kind)]
	if kind == "" {
		kind = clean(sh.Recipient.Kind)
	}
	return fmt.Sprintf("%s (%s)", clean(sh.Recipient.Name), kind)
}

// itemsText lists what a share covers: "housing/ and
// documents/letter.pdf", with the parts of records that are shared alone.
func itemsText(items []shareItem) string {
	var out []string
	for _, it := range items {
		s := clean(it.Path)
		if len(it.Fields) > 0 {
			fields := make([]string, len(it.Fields))
			for i, f := range it.Fields {
				fields[i] = clean(f)
			}
			s += " (only " + strings.Join(fields, ", ") + ")"
		}
		out = append(out, s)
	}
	switch len(out) {
	case 0:
		return "nothing"
	case 1:
		return out[0]
	}
	return strings.Join(out[:len(out)-1], ", ") + " and " + out[len(out)-1]
}

func runRevoke(ctx context.Context, env *Env, args []string) error {
	fs := flags(env, "revoke", "ID")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("Give the ID of the share to withdraw, e.g. satchel revoke ID; satchel shares lists them.")
	}
	id, err := shareID(rest[0])
	if err != nil {
		return err
	}
	c, err := connect(env)
	if err != nil {
		return err
	}
	defer c.close()
	ctx, cancel := context.WithTimeout(ctx, shortTimeout)
	defer cancel()
	sh, err := c.getShare(ctx, id)
	if err != nil {
		return err
	}
	if err := c.call(ctx, http.MethodPost, c.grantURL(id, "revoke"), nil, nil); err != nil {
		return err
	}
	if sh.Status == "revoked" {
		fmt.Fprintf(env.Stdout, "This share was already withdrawn: %s can no longer use this link.\n", clean(sh.Recipient.Name))
		return nil
	}
	fmt.Fprintf(env.Stdout, "Withdrawn: %s can no longer use this link.\n", clean(sh.Recipient.Name))
	return nil
}

func runReceipt(ctx context.Context, env *Env, args []string) error {
	fs := flags(env, "receipt", "ID [-o FILE]")
	out := fs.String("o", "", "save the receipt in FILE instead of showing it")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("Give the ID of a share, e.g. satchel receipt ID -o receipt.txt; satchel shares lists them.")
	}
	id, err := shareID(rest[0])
	if err != nil {
		return err
	}
	toFile, perm, err := outputFile(*out, ".")
	if err != nil {
		return err
	}
	c, err := connect(env)
	if err != nil {
		return err
	}
	defer c.close()
	ctx, cancel := context.WithTimeout(ctx, shortTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.grantURL(id, "receipt"), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "text/plain")
	resp, err := c.do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return errors.New("the receipt was cut off before the end: try again")
	}
	text := cleanText(string(data))
	if !toFile {
		_, err := io.WriteString(env.Stdout, text)
		return err
	}
	err = writeAtomic(*out, perm, func(w io.Writer) error {
		_, err := io.WriteString(w, text)
		return err
	})
	if err != nil {
		return fmt.Errorf("cannot save the receipt in %s: %v", *out, pathErr(err))
	}
	fmt.Fprintf(env.Stderr, "The receipt is in %s.\n", *out)
	return nil
}

// cleanText removes control characters other than line breaks and tabs
// from text the server sent.
func cleanText(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, s)
}

// shareID checks that s looks like a share ID before it goes into an
// address.
func shareID(s string) (string, error) {
	id := strings.ToLower(strings.TrimSpace(s))
	if !pod.PodID(id).Valid() {
		return "", usagef("%q is not a share ID: satchel shares lists your shares with their IDs.", clean(s))
	}
	return id, nil
}

// grantURL is the API address of share id, or of one of its parts.
func (c *conn) grantURL(id, part string) string {
	u := c.sess.Server + "/api/v1/grants/" + url.PathEscape(id)
	if part != "" {
		u += "/" + part
	}
	return u
}

func (c *conn) getShare(ctx context.Context, id string) (shareView, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.grantURL(id, ""), nil)
	if err != nil {
		return shareView{}, err
	}
	var sh shareView
	err = c.doJSON(req, &sh)
	return sh, err
}

func (c *conn) listShares(ctx context.Context) ([]shareView, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.sess.Server+"/api/v1/grants", nil)
	if err != nil {
		return nil, err
	}
	var list struct {
		Grants []shareView `json:"grants"`
	}
	if err := c.doJSON(req, &list); err != nil {
		return nil, err
	}
	return list.Grants, nil
}
