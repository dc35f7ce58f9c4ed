// Package verifier is what a landlord, bank or employer meets: the page a
// share link opens, the shared items themselves (only what was shared), and
// POST /api/v1/verify, which checks a share token or a signed grant and says
// which checks passed and why. It decides nothing itself: package consent
// decides and logs every use; this package shows the result honestly.
package verifier

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/issuer"
	"github.com/satchel-project/satchel/pod"
)

// Check is one thing a verifier checked.
type Check struct {
	Check  string `json:"check"` // link, signature, issuer-key, not-before, expiry, revocation, views, scope
	Passed bool   `json:"passed"`
	Reason string `json:"reason"`
}

// Result is the machine-readable answer of a verification.
type Result struct {
	Valid  bool           `json:"valid"`
	Status string         `json:"status"` // active, scheduled, expired, revoked, used-up, invalid, unknown
	Checks []Check        `json:"checks"`
	Grant  *GrantView     `json:"grant,omitempty"` // nil for a share that has ended
	Raw    map[string]any `json:"-"`
}

// GrantView is a grant as a verifier may see it: never the token.
type GrantView struct {
	ID          string            `json:"id"`
	SharedBy    string            `json:"sharedBy"`
	Recipient   consent.Recipient `json:"recipient"`
	Purpose     string            `json:"purpose"`
	PurposeText string            `json:"purposeText,omitempty"`
	ValidFrom   time.Time         `json:"validFrom"`
	ValidUntil  time.Time         `json:"validUntil"`
	MaxViews    int               `json:"maxViews,omitempty"`
	Items       []string          `json:"items"` // URLs, fields as fragments
}

// Verifier checks grants issued by this service, and credentials from
// issuers.
type Verifier struct {
	Consent *consent.Service
	Pods    *pod.Service
	Issuers *issuer.Service
	now     func() time.Time
}

// New returns a Verifier over the consent service, pods and issuers.
func New(c *consent.Service, pods *pod.Service, is *issuer.Service) *Verifier {
	return &Verifier{Consent: c, Pods: pods, Issuers: is, now: time.Now}
}

// ErrUnknownLink is a share token that names no grant.
var ErrUnknownLink = errors.New("this link does not work")

// VerifyToken checks the grant behind a share token: its signature and
// key, its dates, whether it was withdrawn (the authoritative state, and
// the published status list), its view limit and its scope.
func (v *Verifier) VerifyToken(ctx context.Context, token string) (Result, consent.Grant, consent.State, error) {
	g, st, err := v.Consent.Resolve(ctx, token)
	if errors.Is(err, consent.ErrNoGrant) {
		return Result{Status: "unknown", Checks: []Check{{"link", false, "this link does not work: check that it was copied in full"}}}, g, st, nil
	}
	if err != nil {
		return Result{}, g, st, err
	}
	r := v.verifyCredential(ctx, g.Credential)
	r.Checks = append([]Check{{"link", true, "the link names a share"}}, r.Checks...)
	if st.Revoked {
		r.setFailed("revocation", string(consent.Revoked))
		r.Status = "revoked"
	}
	if g.MaxViews > 0 {
		if st.Views >= g.MaxViews {
			r.add(Check{"views", false, string(consent.UsedUp)})
			if r.Status == "active" {
				r.Status = "used-up"
			}
		} else {
			r.add(Check{"views", true, "opened " + itoa(st.Views) + " of " + itoa(g.MaxViews) + " times allowed"})
		}
	}
	r.Valid = r.allPassed()
	r.ended()
	return r, g, st, nil
}

// VerifyCredential checks a signed grant (a vc+jwt) as any offline
// verifier would, against this service's published keys and status list.
func (v *Verifier) VerifyCredential(ctx context.Context, jwt string) Result {
	r := v.verifyCredential(ctx, strings.TrimSpace(jwt))
	r.Valid = r.allPassed()
	r.ended()
	return r
}

// ended keeps only the status and checks of a share that has ended
// (withdrawn, expired or used up): what it shared, with whom and why is
// no longer anyone's business.
func (r *Result) ended() {
	switch r.Status {
	case "revoked", "expired", "used-up":
		r.Grant, r.Raw = nil, nil
	}
}

func (v *Verifier) verifyCredential(ctx context.Context, jwt string) Result {
	r := Result{Status: "active"}
	now := v.now()
	vf, err := v.Consent.VerifyOwn(jwt, now)
	var ce *consent.CheckError
	if err != nil && !errors.As(err, &ce) {
		ce = &consent.CheckError{Check: "format", Reason: err.Error()}
	}
	if vf == nil {
		r.Status = "invalid"
		switch ce.Check {
		case "signature":
			r.add(Check{"issuer-key", true, "signed with a key this service publishes"})
		}
		r.add(Check{ce.Check, false, ce.Reason})
		return r
	}
	r.add(Check{"issuer-key", true, "signed with a key this service publishes (" + vf.KeyID + ")"})
	r.add(Check{"signature", true, "the signature matches: nothing was changed since it was signed"})
	r.Grant = grantView(vf)
	r.Raw = vf.Credential
	switch {
	case ce != nil && ce.Check == "not-before":
		r.add(Check{"not-before", false, ce.Reason})
		r.Status = "scheduled"
	case ce != nil && ce.Check == "expiry":
		r.add(Check{"not-before", true, "in use since " + vf.ValidFrom.UTC().Format(time.RFC3339)})
		r.add(Check{"expiry", false, ce.Reason})
		r.Status = "expired"
	case ce != nil:
		r.add(Check{ce.Check, false, ce.Reason})
		r.Status = "invalid"
		return r
	default:
		r.add(Check{"not-before", true, "in use since " + vf.ValidFrom.UTC().Format(time.RFC3339)})
		r.add(Check{"expiry", true, "valid until " + vf.ValidUntil.UTC().Format(time.RFC3339)})
	}
	r.add(v.revocation(ctx, vf))
	if !r.Checks[len(r.Checks)-1].Passed && r.Status == "active" {
		r.Status = "revoked"
	}
	r.add(scope(vf))
	return r
}

// revocation reads the grant's bit in the status list this service
// publishes (the list itself, not its signed copy, which holds the same
// bits). If the list cannot be read, the check fails: closed, not open.
func (v *Verifier) revocation(ctx context.Context, vf *consent.Verified) Check {
	if vf.StatusList != v.Consent.StatusListURL() {
		return Check{"revocation", false, "the grant's status list is not this service's, so whether it was withdrawn cannot be checked"}
	}
	set, err := v.Consent.Revoked(ctx, vf.StatusIndex)
	if err != nil {
		return Check{"revocation", false, "the status list could not be read, so whether this was withdrawn is unknown: try again later"}
	}
	if set {
		return Check{"revocation", false, string(consent.Revoked)}
	}
	return Check{"revocation", true, "not withdrawn"}
}

// scope checks that everything the grant names is inside the pod it is
// about, so a grant cannot reach into another pod.
func scope(vf *consent.Verified) Check {
	subj, _ := vf.Credential["credentialSubject"].(map[string]any)
	podURL, _ := subj["id"].(string)
	pc, _ := subj["providedConsent"].(map[string]any)
	data, _ := pc["forPersonalData"].([]any)
	if podURL == "" || len(data) == 0 {
		return Check{"scope", false, "the grant does not say what it shares"}
	}
	for _, d := range data {
		if u, _ := d.(string); !strings.HasPrefix(u, podURL) || strings.Contains(strings.TrimPrefix(u, podURL), "..") {
			return Check{"scope", false, "the grant names something outside the pod it is about"}
		}
	}
	return Check{"scope", true, "read-only, " + itoa(len(data)) + " item(s) of one pod"}
}

func grantView(vf *consent.Verified) *GrantView {
	subj, _ := vf.Credential["credentialSubject"].(map[string]any)
	pc, _ := subj["providedConsent"].(map[string]any)
	to, _ := pc["isProvidedTo"].(map[string]any)
	gv := &GrantView{
		ID:          strings.TrimPrefix(str(vf.Credential["id"]), "urn:satchel:grant:"),
		SharedBy:    str(subj["sharedBy"]),
		Recipient:   consent.Recipient{Name: str(to["name"]), Kind: consent.RecipientKind(str(to["recipientKind"]))},
		Purpose:     strings.TrimPrefix(str(pc["forPurpose"]), consent.PurposeIRI("")),
		PurposeText: str(pc["purposeDescription"]),
		ValidFrom:   vf.ValidFrom, ValidUntil: vf.ValidUntil,
	}
	if n, ok := pc["maxViews"].(float64); ok {
		gv.MaxViews = int(n)
	}
	data, _ := pc["forPersonalData"].([]any) // a grant that names nothing fails the scope check, and must not panic here
	for _, d := range data {
		gv.Items = append(gv.Items, str(d))
	}
	return gv
}

func (r *Result) add(c Check) { r.Checks = append(r.Checks, c) }

func (r *Result) setFailed(name, reason string) {
	for i := range r.Checks {
		if r.Checks[i].Check == name {
			r.Checks[i] = Check{name, false, reason}
			return
		}
	}
	r.add(Check{name, false, reason})
}

func (r *Result) allPassed() bool {
	if len(r.Checks) == 0 {
		return false
	}
	for _, c := range r.Checks {
		if !c.Passed {
			return false
		}
	}
	return true
}

func str(v any) string { s, _ := v.(string); return s }

func itoa(n int) string { return strconv.Itoa(n) }
