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

// OpeningWindow is how long after its page is opened a share's items can
// be read as part of that one view: long enough to read and download
// what the page shows, short enough that a one-view link cannot be kept
// open for days.
const OpeningWindow = 10 * time.Minute

// Decision is Decide's answer.
type Decision struct {
	Allowed bool
	Reason  Reason
	// Fields, for an allowed request of a record, are the JSON Pointers
	// the recipient may see; nil means the whole resource.
	Fields []string
	// View, for an allowed request, says that it uses one of the grant's
	// views: an opening always does (unless it reopens the last opening,
	// in its window), an item read outside the window of an opening does
	// too.
	View bool
	// OpenedAt, set by Service.Use, is the time of the share's last
	// opening after this request.
	OpenedAt time.Time
}

// Decide reports whether grant g, in state st, allows req at time now. It
// does no I/O. The grant's own window and state come first, so a withdrawn
// or expired link says so whatever was asked; then the view limit: a view
// is one opening of the share, its page and, for OpeningWindow after it,
// its items; an item read outside that window is a view of its own, so a
// link cannot be used again and again through its items. Then the scope:
// an item for a container covers it and everything below it, an item for a
// resource covers exactly that resource, and an item with fields covers
// only those fields of that record (and anything inside them).
func Decide(g Grant, st State, req Request, now time.Time) Decision {
	view := req.Opening && !st.reopened(req.Reopens, now) || !st.inWindow(now)
	switch {
	case st.Revoked:
		return Decision{Reason: Revoked}
	case now.Before(g.NotBefore):
		return Decision{Reason: NotYetValid}
	case !now.Before(g.Expires):
		return Decision{Reason: Expired}
	case view && g.MaxViews > 0 && st.Views >= g.MaxViews:
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
		return Decision{Allowed: true, Reason: Allowed, View: view}
	}
	if req.Field == "" {
		return Decision{Allowed: true, Reason: Allowed, Fields: fields, View: view}
	}
	for _, f := range fields {
		if req.Field == f || strings.HasPrefix(req.Field, f+"/") {
			return Decision{Allowed: true, Reason: Allowed, Fields: []string{req.Field}, View: view}
		}
	}
	return Decision{Reason: OutOfScope}
}

// reopened reports whether an opening that says it reopens the opening at
// t does: t is the share's last opening, and now is within its window.
func (st State) reopened(t time.Time, now time.Time) bool {
	return !t.IsZero() && t.Equal(st.OpenedAt) && st.inWindow(now)
}

// inWindow reports whether now is within OpeningWindow of the share's
// last opening, allowing a minute's difference between the clocks of
// instances that share one store.
func (st State) inWindow(now time.Time) bool {
	if st.OpenedAt.IsZero() {
		return false
	}
	d := now.Sub(st.OpenedAt)
	return d > -time.Minute && d < OpeningWindow
}

// covers reports whether an item for path item reaches path p.
func covers(item, p pod.Path) bool {
	if item.IsContainer() {
		return strings.HasPrefix(string(p), string(item))
	}
	return item == p
}
