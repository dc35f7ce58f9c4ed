// Package access decides who may do what in Satchel. It holds the one
// principal type that every route family puts in the request context, the
// one pure decision (Can: principal, right, pod, path → allowed or why not),
// and the one table that turns a refusal into an HTTP status. It does no I/O:
// whatever the decision needs (what a pod's owner delegated to a helper, the
// time) is loaded by the caller and passed in, as in upspin's access.Can.
//
// The rules, in one place:
//
//   - Nobody signed in may do nothing but what is public (no Right here).
//   - A pod's owner may do everything in it; changing who may act in it
//     (helpers) and deleting the account also need a recent sign-in.
//   - A helper may do in a pod exactly what its owner delegated: View reads
//     everything but the access log; Add creates new things in documents/
//     and never replaces, points at or deletes what exists, and, as the
//     same right, adds a new entry to a list record (Append, in
//     AppendPaths: the address history) without changing or removing any
//     entry already there; Share shares
//     (in the owner's name) only what the helper may also view; Reset
//     starts a password reset. A helper never reads the access log, never
//     sees other recipients' share links, and never manages helpers.
//   - Anyone else, and a helper the owner did not choose, learns nothing:
//     the answer is ErrNotFound, as for a pod that does not exist.
//   - Letting an organisation send signed records into the pod's inbox/
//     (Enrol) is the owner's, and a helper's with Add, in the owner's name.
//   - Organisation staff act for their own organisation only; only its
//     admins add and remove staff.
//   - Only the evaluation role (an evaluator account) exports the
//     evaluation's data; to anyone else, staff and operators' accounts
//     included, its routes do not exist (ErrNotFound).
package access

import (
	"context"
	"errors"
	"strings"
	"time"
)

// Kind is what an account is for. The values are those of package account.
type Kind string

// The kinds of principal.
const (
	Leaver   Kind = "leaver"
	Helper   Kind = "helper"
	Issuer   Kind = "issuer" // staff of an organisation that issues records
	Operator Kind = "operator"
	// Evaluator reads the evaluation's data (package evaluation) and
	// nothing else: no pod, no organisation.
	Evaluator Kind = "evaluator"
)

// Principal is who is making a request, however they signed in (a bearer
// token or a web session). The zero Principal is nobody: not signed in.
type Principal struct {
	// Account is the account's ID; "" when not signed in.
	Account string
	// Name is the display name, for logs a leaver reads and for pages.
	Name string
	Kind Kind
	// Pod is the pod the account owns, if any.
	Pod string
	// Org is the organisation a staff account belongs to.
	Org string
	// OrgAdmin is set for staff who may add and remove the organisation's
	// staff.
	OrgAdmin bool
	// AuthTime is when the password was last checked for this sign-in.
	AuthTime time.Time
}

// SignedIn reports whether p is someone.
func (p Principal) SignedIn() bool { return p.Account != "" }

// Owns reports whether p owns pod id.
func (p Principal) Owns(id string) bool { return p.Pod != "" && p.Pod == id }

// Right is something a principal may do.
type Right string

// Rights in a pod. View, Add, Share and Reset are the ones an owner can
// delegate to a helper; the rest are the owner's alone.
const (
	View  Right = "view"  // read resources and containers (not the access log)
	Add   Right = "add"   // create new resources in documents/
	Share Right = "share" // make, list and withdraw shares of what one may view
	Reset Right = "reset" // start a password reset the owner finishes

	// Append adds one new entry to a list record in AppendPaths, leaving
	// every entry already there as it was. A helper holds it through Add;
	// whoever writes the record for them must only append (Can decides
	// who may, not what the write does).
	Append Right = "append"

	// Enrol lets an organisation send signed records into inbox/ (and
	// lists the organisations that may). A helper holds it through Add.
	Enrol Right = "enrol"

	Change        Right = "change"         // replace or delete anything, create anywhere
	ReadLog       Right = "read-log"       // read the access log
	ManageHelpers Right = "manage-helpers" // choose helpers, change or withdraw their rights
	DeleteAccount Right = "delete-account" // erase the pod and the account
	SeeTokens     Right = "see-tokens"     // see the links of shares one did not make
)

// Delegable are the rights an owner can give a helper, in the order they
// are shown.
var Delegable = []Right{View, Add, Share, Reset}

// Organisation rights, decided by CanOrg.
const (
	Issue       Right = "issue"        // sign and send records as the organisation
	Manage      Right = "manage"       // withdraw what the organisation issued
	ManageStaff Right = "manage-staff" // add and remove the organisation's staff: its admins only
	// Onboard starts a pod for someone in custody, adds documents to it
	// and prints its claim letter, until the person claims it (package
	// onboard): the organisation's staff.
	Onboard Right = "onboard"
)

// AddContainer is where a helper with Add may create things.
const AddContainer = "documents/"

// AppendPaths are the list records a helper with Add may add an entry to:
// the address history, so that a support worker can write down where
// someone lived while they sit together.
var AppendPaths = []string{"housing/address-history.jsonld"}

// AccessLog is the container Satchel writes a pod's access log into.
const AccessLog = "access-log/"

// RecentSignIn is how recent a sign-in must be for the rights that hand a
// pod over to someone else or erase it (ManageHelpers, DeleteAccount).
const RecentSignIn = 10 * time.Minute

// Refusals. Every route turns them into a status through Status.
var (
	// ErrUnauthenticated: not signed in, or the token or session is not
	// valid (any more).
	ErrUnauthenticated = errors.New("not signed in")
	// ErrNotFound: the principal has no standing in the pod at all; the
	// answer must not differ from a pod that does not exist.
	ErrNotFound = errors.New("nothing is stored at this address")
	// ErrForbidden: the principal may act in the pod, but not this way.
	ErrForbidden = errors.New("not allowed")
	// ErrSignInAgain: allowed, but only after a recent sign-in.
	ErrSignInAgain = errors.New("sign in again to do this")
)

// Request is one thing a principal asks to do: a right in a pod, at a path
// within it ("" for the pod as a whole).
type Request struct {
	Right Right
	Pod   string
	Path  string
	// Delegated is what the pod's owner lets this principal do as a helper
	// (nil if they chose them for nothing, or did not choose them). The
	// caller loads it; Can never does I/O.
	Delegated []Right
	// Now is the time of the request.
	Now time.Time
}

// Can decides whether p may do q. It returns nil when allowed, or one of
// the errors above.
func Can(p Principal, q Request) error {
	if !p.SignedIn() {
		return ErrUnauthenticated
	}
	if p.Owns(q.Pod) {
		switch q.Right {
		case ManageHelpers, DeleteAccount:
			if p.AuthTime.IsZero() || q.Now.Sub(p.AuthTime) > RecentSignIn {
				return ErrSignInAgain
			}
		}
		if !knownPodRight(q.Right) {
			return ErrForbidden
		}
		return nil
	}
	if p.Kind != Helper || len(q.Delegated) == 0 {
		return ErrNotFound
	}
	has := func(r Right) bool {
		for _, x := range q.Delegated {
			if x == r {
				return true
			}
		}
		return false
	}
	switch q.Right {
	case View:
		if has(View) && !strings.HasPrefix(q.Path, AccessLog) {
			return nil
		}
	case Add:
		if has(Add) && strings.HasPrefix(q.Path, AddContainer) {
			return nil
		}
	case Append:
		if has(Add) && appendable(q.Path) {
			return nil
		}
	case Share:
		// A helper shares only what they may see themselves.
		if has(Share) && has(View) && !strings.HasPrefix(q.Path, AccessLog) {
			return nil
		}
	case Reset:
		if has(Reset) {
			return nil
		}
	case Enrol:
		if has(Add) {
			return nil
		}
	}
	return ErrForbidden
}

func appendable(path string) bool {
	for _, p := range AppendPaths {
		if path == p {
			return true
		}
	}
	return false
}

func knownPodRight(r Right) bool {
	switch r {
	case View, Add, Append, Share, Reset, Enrol, Change, ReadLog, ManageHelpers, DeleteAccount, SeeTokens:
		return true
	}
	return false
}

// CanOrg decides whether p may use right r for organisation org: staff of
// that organisation may issue and withdraw, its admins may also manage its
// staff, nobody else may do anything.
func CanOrg(p Principal, r Right, org string) error {
	if !p.SignedIn() {
		return ErrUnauthenticated
	}
	if p.Kind != Issuer || p.Org == "" || p.Org != org {
		return ErrForbidden
	}
	switch r {
	case Issue, Manage, Onboard:
		return nil
	case ManageStaff:
		if p.OrgAdmin {
			return nil
		}
	}
	return ErrForbidden
}

// CanEvaluate decides whether p may export the evaluation's data: an
// evaluator account may; to anyone else signed in the answer is
// ErrNotFound, as for an address with nothing at it.
func CanEvaluate(p Principal) error {
	if !p.SignedIn() {
		return ErrUnauthenticated
	}
	if p.Kind != Evaluator {
		return ErrNotFound
	}
	return nil
}

// Actor is the name a principal's action in pod id is recorded under in
// that pod's access log: "" for the owner, the helper's name otherwise.
func Actor(p Principal, id string) string {
	if p.Owns(id) {
		return ""
	}
	return p.Name
}

type ctxKey struct{}

// WithPrincipal returns ctx carrying p, for the handlers after it.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// From returns the principal in ctx: the zero Principal (nobody) if none
// was put there.
func From(ctx context.Context) Principal {
	p, _ := ctx.Value(ctxKey{}).(Principal)
	return p
}
