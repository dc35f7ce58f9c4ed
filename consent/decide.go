package consent

import (
	"strings"
	"time"

	"github.com/satchel-project/satchel/pod"
)

// Reason says why Decide allowed or refused a request, in words a person
// can read.
type Reason string

// The reasons.
const (
	Allowed     Reason = "allowed"
	NotYetValid Reason = "this link cannot be used yet"
	Expired     Reason = "this link has expired"
	Revoked     Reason = "this link has been withdrawn by the person who shared it"
	UsedUp      Reason = "this link has been used as many times as the person who shared it allowed"
	OutOfScope  Reason = "this was not shared through this link"
)

// Decision is Decide's answer.
type Decision struct {
	Allowed bool
	Reason  Reason
	// Fields, for an allowed request of a record, are the JSON Pointers
	// the recipient may see; nil means the whole resource.
	Fields []string
}

// Decide reports whether grant g, in state st, allows req at time now. It
// does no I/O. The grant's own window and state come first, so a withdrawn
// or expired link says so whatever was asked; then the scope: an item for
// a container covers it and everything below it, an item for a resource
// covers exactly that resource, and an item with fields covers only those
// fields of that record (and anything inside them).
func Decide(g Grant, st State, req Request, now time.Time) Decision {
	switch {
	case st.Revoked:
		return Decision{Reason: Revoked}
	case now.Before(g.NotBefore):
		return Decision{Reason: NotYetValid}
	case !now.Before(g.Expires):
		return Decision{Reason: Expired}
	case g.MaxViews > 0 && st.Views >= g.MaxViews:
		return Decision{Reason: UsedUp}
	}
	var fields []string
	whole, found := false, false
	for _, it := range g.Items {
		if !covers(it.Path, req.Path) {
			continue
		}
		found = true
		if len(it.Fields) == 0 {
			whole = true
			continue
		}
		fields = append(fields, it.Fields...)
	}
	if !found {
		return Decision{Reason: OutOfScope}
	}
	if whole {
		return Decision{Allowed: true, Reason: Allowed}
	}
	if req.Field == "" {
		return Decision{Allowed: true, Reason: Allowed, Fields: fields}
	}
	for _, f := range fields {
		if req.Field == f || strings.HasPrefix(req.Field, f+"/") {
			return Decision{Allowed: true, Reason: Allowed, Fields: []string{req.Field}}
		}
	}
	return Decision{Reason: OutOfScope}
}

// covers reports whether an item for path item reaches path p.
func covers(item, p pod.Path) bool {
	if item.IsContainer() {
		return strings.HasPrefix(string(p), string(item))
	}
	return item == p
}
