// Package consent is how a leaver shares: scoped, revocable, signed access
// grants. A grant names one recipient, one purpose, the exact resources and
// record fields, and a time window; it is issued as a W3C Verifiable
// Credential signed by the service (VC-JOSE-COSE, EdDSA), reaches the
// recipient as a short share link, can be withdrawn at once, and every use
// is written to the leaver's access log. Whether a grant allows a request
// is decided by Decide, a pure function of the grant, its state, the
// request and the time.
package consent

import (
	"fmt"
	"strings"
	"time"

	"github.com/satchel-project/satchel/pod"
)

// GrantID names a grant: random, 26 lower-case base32 characters.
type GrantID string

// RecipientKind is the kind of organisation a grant is for.
type RecipientKind string

// The kinds of recipient.
const (
	Landlord RecipientKind = "landlord"
	Employer RecipientKind = "employer"
	Bank     RecipientKind = "bank"
	Support  RecipientKind = "support-service"
	Other    RecipientKind = "other"
)

// RecipientKinds lists the kinds with the words a person uses for them.
var RecipientKinds = map[RecipientKind]string{
	Landlord: "landlord or letting agent",
	Employer: "employer",
	Bank:     "bank or building society",
	Support:  "support service",
	Other:    "someone else",
}

// Purposes lists the purpose codes with their plain meaning.
var Purposes = map[string]string{
	"tenancy-application": "to apply for a tenancy",
	"job-application":     "to apply for a job",
	"open-bank-account":   "to open a bank account",
	"benefits-claim":      "to claim benefits",
	"support-referral":    "to refer you for support",
	"other":               "for another reason",
}

// Limits on a grant's life.
const (
	DefaultTTL = 14 * 24 * time.Hour
	MaxTTL     = 90 * 24 * time.Hour
	MaxItems   = 50
	MaxFields  = 50
)

// Recipient is who a grant is for.
type Recipient struct {
	Name string        `json:"name"`
	Kind RecipientKind `json:"kind"`
}

// Item is one thing a grant shares: a resource, or a container and all it
// holds, and for a record optionally only some fields (JSON Pointers, see
// package schemas).
type Item struct {
	Path   pod.Path `json:"path"`
	Fields []string `json:"fields,omitempty"`
}

// Grant is a leaver's permission for one recipient to read some of their
// pod, for one purpose, for a while.
type Grant struct {
	ID          GrantID   `json:"id"`
	Pod         pod.PodID `json:"pod"`
	GrantedBy   string    `json:"grantedBy"` // account ID that created it
	SharedBy    string    `json:"sharedBy"`  // the name the leaver chose to show
	Recipient   Recipient `json:"recipient"`
	Purpose     string    `json:"purpose"`
	PurposeText string    `json:"purposeText,omitempty"`
	Items       []Item    `json:"items"`
	NotBefore   time.Time `json:"notBefore"`
	Expires     time.Time `json:"expires"`
	MaxViews    int       `json:"maxViews,omitempty"` // 0: no limit
	StatusIndex int       `json:"statusIndex"`
	Created     time.Time `json:"created"`
	// Token is the share link's secret; Credential the signed grant.
	Token      string `json:"token"`
	Credential string `json:"credential"`
}

// State is what changes about a grant after it is made.
type State struct {
	Revoked   bool      `json:"revoked"`
	RevokedAt time.Time `json:"revokedAt,omitzero"`
	Views     int       `json:"views"`
	// OpenedAt is when the share's page was last opened: its items are
	// read without using another view until OpeningWindow has passed.
	// Always written, so a retried compare-and-swap never keeps a stale
	// value.
	OpenedAt time.Time `json:"openedAt"`
}

// Request is a ask to read something through a grant: a resource (or a
// container's listing) and, for a record, one field or "" for all the
// fields the grant shares.
type Request struct {
	Path  pod.Path
	Field string
	// Opening is set for the opening of the share (its page). An opening
	// always uses a view; any other request uses one only outside the
	// window of an opening (see Decide).
	Opening bool
	// Reopens, on an opening, is the time of the opening this browser made
	// before (its cookie's word): the page opened again within that
	// opening's window, by the same browser (to change language, say), is
	// the same view.
	Reopens time.Time
}

// Check validates a grant's own content (not its times against a clock):
// a recipient, a known purpose, 1 to MaxItems items with clean paths, and
// field pointers only on records.
func (g *Grant) Check() error {
	name := strings.TrimSpace(g.Recipient.Name)
	if name == "" || len(name) > 200 {
		return fmt.Errorf("say who you are sharing with (a name of 1 to 200 characters)")
	}
	if _, ok := RecipientKinds[g.Recipient.Kind]; !ok {
		return fmt.Errorf("say what kind of organisation %s is: landlord, employer, bank, support-service or other", name)
	}
	if _, ok := Purposes[g.Purpose]; !ok {
		return fmt.Errorf("say why you are sharing: tenancy-application, job-application, open-bank-account, benefits-claim, support-referral or other")
	}
	if len(g.PurposeText) > 500 {
		return fmt.Errorf("the reason can be at most 500 characters")
	}
	if len(g.Items) == 0 || len(g.Items) > MaxItems {
		return fmt.Errorf("choose between 1 and %d things to share", MaxItems)
	}
	for _, it := range g.Items {
		if _, err := pod.ParsePath(it.Path.Escaped()); err != nil || it.Path.IsRoot() || it.Path.IsDescription() {
			return fmt.Errorf("%q cannot be shared: choose a file, a record or a folder inside your pod", it.Path)
		}
		if len(it.Fields) > MaxFields {
			return fmt.Errorf("choose at most %d parts of one record", MaxFields)
		}
		if len(it.Fields) > 0 && it.Path.IsContainer() {
			return fmt.Errorf("parts can be chosen of a record, not of a folder (%s)", it.Path)
		}
		for _, f := range it.Fields {
			if !strings.HasPrefix(f, "/") || len(f) > 500 {
				return fmt.Errorf("%q is not a part of a record (it must look like /entries/#current/address)", f)
			}
		}
	}
	if !g.Expires.After(g.NotBefore) {
		return fmt.Errorf("the share must end after it starts")
	}
	if g.Expires.Sub(g.NotBefore) > MaxTTL {
		return fmt.Errorf("a share can last at most 90 days")
	}
	if g.MaxViews < 0 || g.MaxViews > 1000 {
		return fmt.Errorf("the number of views must be between 1 and 1000, or none for no limit")
	}
	return nil
}
