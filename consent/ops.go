package consent

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/satchel-project/satchel/consent/statuslist"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/state"
)

// Share is a grant with its state, as its owner sees it.
type Share struct {
	Grant
	State
	// Status is "scheduled", "active", "used-up", "expired" or "revoked".
	Status string `json:"status"`
	// Code is the share code, formatted ("ABC-DEF-GHJ"), or "" if it has
	// none. Like the token, only those who may see the link may see it.
	Code string `json:"-"`
}

func status(g Grant, st State, now time.Time) string {
	switch d := Decide(g, st, Request{Path: g.Items[0].Path, Opening: true}, now); d.Reason {
	case Revoked:
		return "revoked"
	case Expired:
		return "expired"
	case UsedUp:
		return "used-up"
	case NotYetValid:
		return "scheduled"
	}
	return "active"
}

// Get returns grant id of pod p. A grant of another pod is ErrNoGrant.
func (s *Service) Get(ctx context.Context, p pod.PodID, id GrantID) (Share, error) {
	if !validID(id) {
		return Share{}, ErrNoGrant
	}
	var g Grant
	if _, err := s.db.ReadJSON(ctx, grantPath(id), &g); err != nil {
		return Share{}, notFound(err)
	}
	if g.Pod != p {
		return Share{}, ErrNoGrant
	}
	var st State
	if _, err := s.db.ReadJSON(ctx, statePath(id), &st); err != nil {
		return Share{}, notFound(err)
	}
	code, err := s.Code(ctx, g)
	if err != nil {
		return Share{}, err
	}
	return Share{g, st, status(g, st, s.now()), code}, nil
}

// List returns pod p's grants, newest first.
func (s *Service) List(ctx context.Context, p pod.PodID) ([]Share, error) {
	names, err := s.db.List(ctx, podIndex(p))
	if err != nil {
		return nil, err
	}
	var out []Share
	for _, n := range names {
		sh, err := s.Get(ctx, p, GrantID(n.Base()))
		if err != nil {
			return nil, err
		}
		out = append(out, sh)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	return out, nil
}

// Revoke withdraws grant id of pod p. It takes effect for the very next
// request: Use decides under the same compare-and-swap, so no use succeeds
// after Revoke returns. The published status list follows at once.
func (s *Service) Revoke(ctx context.Context, p pod.PodID, id GrantID) error {
	sh, err := s.Get(ctx, p, id)
	if err != nil {
		return err
	}
	var st State
	err = s.db.UpdateJSON(ctx, statePath(id), &st, func() error {
		if st.Revoked {
			return state.ErrNoChange
		}
		st.Revoked, st.RevokedAt = true, s.now().UTC()
		return nil
	})
	if err != nil {
		return err
	}
	return s.setStatus(ctx, sh.StatusIndex)
}

func (s *Service) setStatus(ctx context.Context, idx int) error {
	return s.db.Update(ctx, statusPath, func(b []byte) ([]byte, error) {
		return statuslist.UpdateBlob(b, func(a *statuslist.Allocator) error {
			if set, _ := a.Get(idx); set {
				return state.ErrNoChange
			}
			return a.Set(idx, true)
		})
	})
}

// Resolve finds the grant behind a share token. An unknown token and a
// damaged one are the same ErrNoGrant.
func (s *Service) Resolve(ctx context.Context, token string) (Grant, State, error) {
	if !validToken(token) {
		return Grant{}, State{}, ErrNoGrant
	}
	s.cacheMu.Lock()
	g, ok := s.grants[token]
	s.cacheMu.Unlock()
	if !ok {
		var te tokenEntry
		if _, err := s.db.ReadJSON(ctx, tokenPath(token), &te); err != nil {
			return Grant{}, State{}, notFound(err)
		}
		if _, err := s.db.ReadJSON(ctx, grantPath(te.Grant), &g); err != nil {
			return Grant{}, State{}, notFound(err)
		}
		s.cacheMu.Lock()
		if len(s.grants) >= maxCached {
			clear(s.grants)
		}
		s.grants[token] = g
		s.cacheMu.Unlock()
	}
	var st State
	if _, err := s.db.ReadJSON(ctx, statePath(g.ID), &st); err != nil {
		return Grant{}, State{}, notFound(err)
	}
	return g, st, nil
}

// Visit is one use of a grant, for the access log. Its Request's Opening
// is set for the opening of the share (its page).
type Visit struct {
	Request
	// Who is what the recipient is known by: the grant's recipient, or a
	// helper's name when a helper acts.
	Who string
}

// LogEntry is one line of a leaver's access log.
type LogEntry struct {
	Type      string     `json:"type"` // "view"
	Grant     GrantID    `json:"grant"`
	Recipient Recipient  `json:"recipient"`
	Purpose   string     `json:"purpose"`
	Who       string     `json:"who"`
	Resource  pod.Path   `json:"resource,omitempty"`
	Field     string     `json:"field,omitempty"`
	At        time.Time  `json:"at"`
	Views     int        `json:"views"`
	Items     []pod.Path `json:"items,omitempty"`
	Reason    Reason     `json:"reason,omitempty"`
	// View is set on the use that used up one of the share's views: an
	// opening of its page, or an item read outside an opening's window.
	View bool `json:"view,omitempty"`
	// Opening is set on the opening of the share's page, which shows
	// every item it shares (Resource is the first of them).
	Opening bool `json:"opening,omitempty"`
}

// Use decides a request through grant g and, if it is allowed, records it:
// the decision, the view count and the time of an opening are made under
// compare-and-swap on the grant's state (so a revocation is never
// overtaken, and two openings of a one-view link never both succeed), then
// the visit is appended to the leaver's access log. If the log cannot be
// written, Use fails and the caller must send nothing.
func (s *Service) Use(ctx context.Context, g Grant, v Visit) (Decision, error) {
	var st State
	var d Decision
	var at time.Time
	err := s.db.UpdateJSON(ctx, statePath(g.ID), &st, func() error {
		at = s.now().UTC()
		d = Decide(g, st, v.Request, at)
		if !d.Allowed || !d.View {
			return state.ErrNoChange
		}
		st.Views++
		if v.Opening {
			st.OpenedAt = at
		}
		return nil
	})
	if err != nil || !d.Allowed {
		return d, err
	}
	d.OpenedAt = st.OpenedAt
	entry := LogEntry{
		Type: "view", Grant: g.ID, Recipient: g.Recipient, Purpose: g.Purpose, Who: v.Who,
		Resource: v.Path, Field: v.Field, At: at, Views: st.Views, View: d.View, Opening: v.Opening,
	}
	if err := s.Record(ctx, g.Pod, entry); err != nil {
		return Decision{}, err
	}
	return d, nil
}

// Log returns pod p's access log, newest first.
func (s *Service) Log(ctx context.Context, p pod.PodID) ([]LogEntry, error) {
	_, members, err := s.pods.List(ctx, p, pod.AccessLog)
	if errors.Is(err, pod.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	sort.Slice(members, func(i, j int) bool { return members[i].Name > members[j].Name })
	var out []LogEntry
	for _, m := range members {
		_, rc, err := s.pods.Get(ctx, p, pod.AccessLog.Child(m.Name))
		if err != nil {
			return nil, err
		}
		var e LogEntry
		err = json.NewDecoder(rc).Decode(&e)
		rc.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

// VerifyOwn is VerifyCredential for credentials this service issued,
// remembering the signature check of each (credentials never change), so
// that only the dates are checked again.
func (s *Service) VerifyOwn(jwt string, now time.Time) (*Verified, error) {
	s.cacheMu.Lock()
	v, ok := s.verified[jwt]
	s.cacheMu.Unlock()
	if ok {
		switch {
		case now.Before(v.ValidFrom):
			return v, &CheckError{"not-before", string(NotYetValid)}
		case !now.Before(v.ValidUntil):
			return v, &CheckError{"expiry", string(Expired)}
		}
		return v, nil
	}
	v, err := VerifyCredential(jwt, s.keys.JWKS(), s.did, now)
	if err == nil {
		s.cacheMu.Lock()
		if len(s.verified) >= maxCached {
			clear(s.verified)
		}
		s.verified[jwt] = v
		s.cacheMu.Unlock()
	}
	return v, err
}

// Revoked reads bit idx of this service's own status list, from a decoded
// copy kept until the list changes.
func (s *Service) Revoked(ctx context.Context, idx int) (bool, error) {
	etag, err := s.db.Version(ctx, statusPath)
	if err != nil {
		return false, err
	}
	return s.bits.Bit(etag, idx, func() ([]byte, string, error) { return s.db.ReadRaw(ctx, statusPath) })
}

func notFound(err error) error {
	if errors.Is(err, state.ErrNotFound) {
		return ErrNoGrant
	}
	return err
}

func validID(id GrantID) bool { return pod.PodID(id).Valid() }

func validToken(t string) bool {
	if len(t) != 22 {
		return false
	}
	return strings.Trim(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == ""
}
