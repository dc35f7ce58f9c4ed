package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/pod"
)

func init() {
	register("share", "share records with someone through a link: satchel share --to NAME --kind KIND --purpose CODE --item PATH", runShare)
	register("shares", "list what you have shared: satchel shares [--status active|ended|withdrawn|all]", runShares)
	register("revoke", "withdraw a share so its link stops working: satchel revoke ID", runRevoke)
	register("receipt", "get the receipt for a share: satchel receipt ID [-o FILE]", runReceipt)
	register("log", "see who opened what you shared, and when: satchel log", runLog)
}

// The recipient kinds and purposes in the order they are offered; each
// must be a key of consent.RecipientKinds or consent.Purposes.
var (
	kindOrder    = []string{"landlord", "employer", "bank", "support-service", "other"}
	purposeOrder = []string{"tenancy-application", "job-application", "open-bank-account", "benefits-claim", "support-referral", "other"}
)

// untilLayout is how a share's start and end are written: in UTC, as on the
// recipient's page and on the receipt, so that everyone reads the same time.
const untilLayout = "Monday 2 January 2006 at 15:04 UTC"

// shareArg is one --item or --field, in the order given.
type shareArg struct {
	field bool
	value string
}

// shareArgs is a repeatable flag that collects into a shared list, so that
// --item and --field keep their relative order.
type shareArgs struct {
	dst   *[]shareArg
	field bool
}

func (f shareArgs) String() string { return "" }

func (f shareArgs) Set(s string) error {
	*f.dst = append(*f.dst, shareArg{f.field, s})
	return nil
}

// shareItem is one item of a grant request.
type shareItem struct {
	Path   string   `json:"path"`
	Fields []string `json:"fields,omitempty"`
}

// shareView is a share as the consent API shows it to its owner.
type shareView struct {
	ID        string `json:"id"`
	Status    string `json:"status"`
	SharedBy  string `json:"sharedBy"`
	Recipient struct {
		Name string `json:"name"`
		Kind string `json:"kind"`
	} `json:"recipient"`
	Purpose     string      `json:"purpose"`
	PurposeText string      `json:"purposeText"`
	Items       []shareItem `json:"items"`
	NotBefore   time.Time   `json:"notBefore"`
	Expires     time.Time   `json:"expires"`
	MaxViews    int         `json:"maxViews"`
	Views       int         `json:"views"`
	Created     time.Time   `json:"created"`
	RevokedAt   time.Time   `json:"revokedAt"`
	ShareURL    string      `json:"shareURL"`
}

func runShare(ctx context.Context, env *Env, args []string) error {
	const use = "--to NAME --kind KIND --purpose CODE --item PATH [--item PATH ...] [--field PATH=POINTER ...] [--why TEXT] [--expires 7d] [--max-views N] [--as NAME] [--qr FILE.png|FILE.svg]"
	fs := flags(env, "share", use)
	to := fs.String("to", "", "who you are sharing with, e.g. \"Acme Lettings\"")
	kind := fs.String("kind", "", "what kind of organisation they are: "+strings.Join(kindOrder, ", "))
	purpose := fs.String("purpose", "", "why you are sharing: "+strings.Join(purposeOrder, ", "))
	why := fs.String("why", "", "the reason in your own words (optional)")
	var list []shareArg
	fs.Var(shareArgs{&list, false}, "item", "a file, record or folder (ending in /) of your pod to share; repeat for more")
	fs.Var(shareArgs{&list, true}, "field", "share only this part of a record, e.g. housing/history.jsonld=/entries/#current/address; repeat for more")
	expires := fs.String("expires", "", fmt.Sprintf("how long the link works: 1d, 7d, 2w or 1m (30 days), at most 90 days (default %d days)", consent.DefaultTTL/(24*time.Hour)))
	maxViews := fs.Int("max-views", 0, "how many times the link can be opened, 1 to 1000 (default: no limit)")
	as := fs.String("as", "", "the name the recipient sees as yours (default: your account's name)")
	qrFile := fs.String("qr", "", "also save the link as a QR code in FILE, a .png or .svg picture")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("Say what to share with --item, e.g. --item %s: satchel share takes no other arguments.", clean(rest[0]))
	}
	name := strings.TrimSpace(*to)
	*kind = strings.ToLower(strings.TrimSpace(*kind))
	*purpose = strings.ToLower(strings.TrimSpace(*purpose))
	if name == "" {
		return usagef("Say who you are sharing with, e.g. --to \"Acme Lettings\".")
	}
	if err := checkChoice("--kind", *kind, "Say what kind of organisation "+clean(name)+" is", "a kind of organisation", kindOrder); err != nil {
		return err
	}
	if err := checkChoice("--purpose", *purpose, "Say why you are sharing", "a reason for sharing", purposeOrder); err != nil {
		return err
	}
	if len(list) == 0 {
		return usagef("Say what to share with --item PATH, e.g. --item housing/history.jsonld, or --item documents/ for a whole folder.")
	}
	if *expires != "" {
		if err := checkExpires(*expires); err != nil {
			return err
		}
	}
	if *maxViews < 0 || *maxViews > 1000 {
		return usagef("--max-views must be a number from 1 to 1000; leave it out for no limit.")
	}
	qrFormat := ""
	if *qrFile != "" {
		if qrFormat, err = checkQRFile(*qrFile); err != nil {
			return err
		}
	}

	c, err := connect(env)
	if err != nil {
		return err
	}
	defer c.close()
	ctx, cancel := context.WithTimeout(ctx, shortTimeout)
	defer cancel()
	items, err := shareItems(c.sess, list)
	if err != nil {
		return err
	}
	for _, it := range items {
		if err := c.checkInPod(ctx, it.Path); err != nil {
			return err
		}
	}
	body, err := json.Marshal(map[string]any{
		"sharedBy":    strings.TrimSpace(*as),
		"recipient":   map[string]string{"name": name, "kind": *kind},
		"purpose":     *purpose,
		"purposeText": strings.TrimSpace(*why),
		"items":       items,
		"expiresIn":   strings.TrimSpace(*expires),
		"maxViews":    *maxViews,
	})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.sess.Server+"/api/v1/grants", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	var sh shareView
	if err := c.doJSON(req, &sh); err != nil {
		return err
	}
	if !pod.PodID(sh.ID).Valid() || !isWebURL(sh.ShareURL) {
		return errors.New("the server did not send back a share link: run satchel shares to see whether the share was made")
	}
	fmt.Fprintln(env.Stdout, clean(sh.ShareURL))
	views := ""
	if sh.MaxViews > 0 {
		views = fmt.Sprintf(" They can open the link at most %s.", times(sh.MaxViews))
	}
	fmt.Fprintf(env.Stderr, "%s can see %s until %s.%s\nWithdraw it with: satchel revoke %s\n",
		recipientText(sh), itemsText(sh.Items), sh.Expires.UTC().Format(untilLayout), views, sh.ID)
	if *qrFile == "" {
		return nil
	}
	if err := c.saveQR(ctx, sh.ID, qrFormat, *qrFile); err != nil {
		return fmt.Errorf("the share was made, but its QR code could not be saved in %s: %v", *qrFile, err)
	}
	fmt.Fprintf(env.Stderr, "The QR code for the link is in %s.\n", *qrFile)
	return nil
}

// checkChoice checks that the value of flag name is one of choices; ask
// is what to say when it is missing, what what it is not when it is wrong.
func checkChoice(name, value, ask, what string, choices []string) error {
	for _, c := range choices {
		if value == c {
			return nil
		}
	}
	list := strings.Join(choices[:len(choices)-1], ", ") + " or " + choices[len(choices)-1]
	if value == "" {
		return usagef("%s with %s: %s.", ask, name, list)
	}
	return usagef("%s %q is not %s Satchel knows: use %s.", name, clean(value), what, list)
}

// checkExpires checks a share's length before the server does, to say why
// it is refused in plain words.
func checkExpires(s string) error {
	s = strings.TrimSpace(s)
	ttl, err := consent.ParseTTL(s)
	if err != nil {
		// ParseTTL refuses "200d" as it refuses "soon"; say which it is.
		if n := len(s); n >= 2 && strings.ContainsRune("dwm", rune(s[n-1])) {
			if k, err := strconv.Atoi(s[:n-1]); err == nil && k > 0 {
				return usagef("--expires %s is too long: a share can last at most 90 days.", s)
			}
		}
		return usagef("--expires %q is not a length of time like 1d, 7d, 2w or 1m (30 days).", clean(s))
	}
	if ttl > consent.MaxTTL {
		return usagef("--expires %s is too long: a share can last at most 90 days.", s)
	}
	return nil
}

// checkQRFile checks where a QR code is to go before anything is shared,
// and returns its format.
func checkQRFile(name string) (string, error) {
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(name)), ".")
	if format != "png" && format != "svg" {
		return "", usagef("--qr %s: the file name must end in .png or .svg, to say which kind of picture to save.", name)
	}
	if st, err := os.Stat(name); err == nil && st.IsDir() {
		return "", usagef("--qr %s is a folder: give the name of a file.", name)
	}
	dir := filepath.Dir(name)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return "", usagef("--qr %s: there is no folder %s to save it in.", name, dir)
	}
	return format, nil
}

// shareItems turns the --item and --field arguments into the items of a
// grant, in the order first named, each path once.
func shareItems(s *session, list []shareArg) ([]shareItem, error) {
	var items []shareItem
	index := map[string]int{}
	for _, a := range list {
		p, field := a.value, ""
		if a.field {
			i := strings.Index(a.value, "=/")
			if i <= 0 {
				return nil, usagef("--field %q must be a record and one part of it, e.g. --field housing/history.jsonld=/entries/#current/address.", clean(a.value))
			}
			p, field = a.value[:i], a.value[i+1:]
		}
		p, err := podPath(s, p)
		if err != nil {
			return nil, err
		}
		if field != "" && strings.HasSuffix(p, "/") {
			return nil, usagef("--field %s: parts can be chosen of a record, not of a folder.", clean(a.value))
		}
		i, ok := index[p]
		if !ok {
			i = len(items)
			index[p] = i
			items = append(items, shareItem{Path: p})
		}
		if field != "" && !slices.Contains(items[i].Fields, field) {
			items[i].Fields = append(items[i].Fields, field)
		}
	}
	return items, nil
}

// podPath turns what the user typed for a thing to share (a path in their
// pod, or its full address) into a path relative to the pod root.
func podPath(s *session, p string) (string, error) {
	p = strings.TrimSpace(p)
	if strings.HasPrefix(p, "http://") || strings.HasPrefix(p, "https://") {
		rel, ok := strings.CutPrefix(p, s.Pod)
		if s.Pod == "" || !ok {
			return "", fmt.Errorf("only what is in your own pod can be shared, and %s is not in it", p)
		}
		if i := strings.IndexAny(rel, "?#"); i >= 0 {
			rel = rel[:i]
		}
		pp, err := pod.ParsePath(rel)
		if err != nil {
			return "", usagef("%q is not the address of something in your pod.", clean(p))
		}
		p = string(pp)
	}
	p = strings.TrimPrefix(p, "/")
	if p == "" {
		return "", usagef("Choose a file, a record or a folder inside your pod, not the whole pod, e.g. --item documents/.")
	}
	if _, err := pod.ParsePath(pod.Path(p).Escaped()); err != nil {
		return "", usagef("%q is not a path in your pod: write it like housing/history.jsonld, or documents/ for a folder.", clean(p))
	}
	return p, nil
}

// checkInPod makes sure p is in the pod, so that a mistyped path is told
// apart from a folder written without its slash.
func (c *conn) checkInPod(ctx context.Context, p string) error {
	u, err := c.sess.resolve(p)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, u, nil)
	if err != nil {
		return err
	}
	resp, err := c.do(req)
	if he := (*httpError)(nil); errors.As(err, &he) && he.status == http.StatusNotFound {
		if strings.HasSuffix(p, "/") {
			return fmt.Errorf("there is no folder %s in your pod: see what is there with satchel ls", p)
		}
		return fmt.Errorf("there is nothing called %s in your pod: see what is there with satchel ls; if it is a folder, end it with a slash (%s/)", p, p)
	}
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

// saveQR downloads the QR code of share id and writes it to name.
func (c *conn) saveQR(ctx context.Context, id, format, name string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.grantURL(id, "qr."+format), nil)
	if err != nil {
		return err
	}
	resp, err := c.do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return errors.New("the download was cut off before the end")
	}
	png := bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n"))
	if (format == "png") != png || (format == "svg" && !bytes.Contains(data, []byte("<svg"))) {
		return errors.New("the server did not send a picture")
	}
	return writeAtomic(name, 0o600, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// isWebURL reports whether s is an absolute http(s) address.
func isWebURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
