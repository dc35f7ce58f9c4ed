package web

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/satchel-project/satchel/state"
)

// Each account's web sessions are listed under accounts/ACCOUNT/ in the
// pages' records, one empty document per session named by its key
// (see sessionKey), so that the owner can see where they are signed in and
// end every session at once. start adds to the list; end, load (of a
// session that has ended), Sweep and endAll take away.

func accountDir(accountID string) state.Name { return state.Name("accounts/" + accountID + "/") }

func indexPath(accountID, key string) state.Name { return accountDir(accountID).Child(key) }

// indexEntry is what an account's list holds for one session: when it
// was made (zero in lists made before it was kept).
type indexEntry struct {
	Created time.Time `json:"created,omitzero"`
}

// index lists session key, made at created, under accountID.
func (s *sessions) index(ctx context.Context, accountID, key string, created time.Time) error {
	err := s.db.WriteJSON(ctx, indexPath(accountID, key), indexEntry{created}, state.CreateOnly())
	if errors.Is(err, state.ErrPrecondition) {
		return nil
	}
	return err
}

// remove deletes session key and its place in accountID's list.
func (s *sessions) remove(ctx context.Context, accountID, key string) error {
	if err := s.db.Delete(ctx, sessionsDir.Child(key)); err != nil {
		return err
	}
	if accountID == "" {
		return nil
	}
	return s.db.Delete(ctx, indexPath(accountID, key))
}

// listed is one of an account's sessions, with the name it is stored by.
type listed struct {
	Session
	Key string
}

// list returns accountID's sessions that have not ended, most recently
// used first, and removes those that have.
func (s *sessions) list(ctx context.Context, accountID string) ([]listed, error) {
	names, err := s.db.List(ctx, accountDir(accountID))
	if err != nil {
		return nil, err
	}
	now := s.now()
	var out []listed
	for _, n := range names {
		key := n.Base()
		var sess Session
		_, err := s.db.ReadJSON(ctx, sessionsDir.Child(key), &sess)
		if errors.Is(err, state.ErrNotFound) {
			// Gone, unless it is being started (it is listed a moment
			// before it is stored).
			var e indexEntry
			if _, err := s.db.ReadJSON(ctx, n, &e); err == nil && now.Sub(e.Created) > time.Minute {
				s.db.Delete(ctx, n)
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		ended, err := s.ended(ctx, &sess, now)
		if err != nil {
			return nil, err
		}
		if ended || sess.Account != accountID {
			s.remove(ctx, accountID, key)
			continue
		}
		out = append(out, listed{sess, key})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seen.After(out[j].Seen) })
	return out, nil
}

// endAll deletes every session of accountID and the list of them.
func (s *sessions) endAll(ctx context.Context, accountID string) error {
	names, err := s.db.List(ctx, accountDir(accountID))
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := s.remove(ctx, accountID, n.Base()); err != nil {
			return err
		}
	}
	return nil
}

// deviceKinds name the phone or computer a session began on, by a word in
// its User-Agent: the first that matches.
var deviceKinds = []deviceKind{
	{Marker: "iPhone", Label: "device.iphone"},
	{Marker: "iPad", Label: "device.ipad"},
	{Marker: "Android", Label: "device.android"},
	{Marker: "CrOS", Label: "device.chromebook"},
	{Marker: "Windows", Label: "device.windows"},
	{Marker: "Macintosh", Label: "device.mac"},
	{Marker: "Linux", Label: "device.linux"},
}

// deviceKind is a word in a User-Agent, and the catalogue key of the
// kind of device it says.
type deviceKind struct{ Marker, Label string }

// unknownDevice names a device no marker matches.
var unknownDevice = deviceKind{Label: "device.other"}

// deviceOf is the catalogue key naming the kind of device userAgent is.
func deviceOf(userAgent string) string {
	for _, d := range deviceKinds {
		if strings.Contains(userAgent, d.Marker) {
			return d.Label
		}
	}
	return unknownDevice.Label
}

// deviceView is one signed-in device as the page shows it.
type deviceView struct {
	Label    string // catalogue key
	SignedIn time.Time
	Seen     time.Time
	This     bool
}

// devices lists where the account is signed in, and offers to sign out
// everywhere.
func (p *Pages) devices(w http.ResponseWriter, r *http.Request, s *Session) {
	list, err := p.sessions.list(r.Context(), s.Account)
	if err != nil {
		p.Log.ErrorContext(r.Context(), "listing sessions failed", "err", err)
		p.fail(w, r, s)
		return
	}
	this := sessionKey(s.id)
	views := make([]deviceView, 0, len(list))
	for _, l := range list {
		label := l.Device
		if label == "" {
			label = unknownDevice.Label
		}
		views = append(views, deviceView{Label: label, SignedIn: l.Created, Seen: l.Seen, This: l.Key == this})
	}
	// This device first.
	sort.SliceStable(views, func(i, j int) bool { return views[i].This && !views[j].This })
	p.render(w, r, s, http.StatusOK, "devices", view{"Devices": views})
}

// signOutEverywhere ends every sign-in of the account: web sessions on
// every phone and computer (this one too) and the satchel command's
// tokens. It is for a lost phone, or a password someone else may know.
func (p *Pages) signOutEverywhere(w http.ResponseWriter, r *http.Request, s *Session) {
	ctx := r.Context()
	if err := p.Accounts.EndSessions(ctx, s.Account); err != nil {
		p.Log.ErrorContext(r.Context(), "signing out everywhere failed", "err", err)
		p.fail(w, r, s)
		return
	}
	if err := p.sessions.endAll(ctx, s.Account); err != nil {
		// Every session has ended already (EndSessions); what is left is
		// swept later.
		p.Log.WarnContext(r.Context(), "removing ended sessions failed", "err", err)
	}
	p.sessions.end(ctx, w, r)
	p.render(w, r, nil, http.StatusOK, "signed-out", nil)
}
