package consent

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/satchel-project/satchel/access"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/state"
)

// Right is something a leaver lets a helper do in their pod; package
// access says what each allows.
type Right = access.Right

// The rights a helper can be given.
const (
	RightView  = access.View  // read the pod (not the access log)
	RightAdd   = access.Add   // add documents, never change or delete
	RightShare = access.Share // make and withdraw shares of what they may see, in the leaver's name
	RightReset = access.Reset // start a password reset the leaver finishes with a code
)

// RightWords say what each right means, for people.
var RightWords = map[Right]string{
	RightView:  "see your records and documents",
	RightAdd:   "add documents",
	RightShare: "share on your behalf",
	RightReset: "help you if you forget your password",
}

// Delegation is a leaver's permission for a helper (a support worker,
// probation officer or family member) to act in their pod.
type Delegation struct {
	Pod        pod.PodID `json:"pod"`
	LeaverName string    `json:"leaverName"`
	Helper     string    `json:"helper"` // account ID
	HelperUser string    `json:"helperUsername"`
	HelperName string    `json:"helperName"`
	Rights     []Right   `json:"rights"`
	Created    time.Time `json:"created"`
}

// SharedWithHelp is the name a share made by a helper is shown under: the
// leaver's, with the helper's.
func SharedWithHelp(leaver, helper string) string {
	return leaver + " (with help from " + helper + ")"
}

// Can reports whether the delegation includes right r.
func (d Delegation) Can(r Right) bool {
	for _, x := range d.Rights {
		if x == r {
			return true
		}
	}
	return false
}

// ErrNoDelegation means the helper has not been chosen by that pod's owner
// (or was, and the owner withdrew it).
var ErrNoDelegation = errors.New("this helper has not been chosen for this pod")

func delegationPath(p pod.PodID, helper string) state.Name {
	return delegations(p).Child(helper + ".json")
}

// delegations is the directory of pod p's delegations.
func delegations(p pod.PodID) state.Name { return state.Name("delegations/" + string(p) + "/") }

// validAccountID accepts the shape of account IDs (lower-case base32).
func validAccountID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	return strings.Trim(s, "abcdefghijklmnopqrstuvwxyz234567") == ""
}

// helperIndex is the directory of the pods that chose helper, one empty
// record each.
func helperIndex(helper string) state.Name { return state.Name("helpers/" + helper + "/") }

// ParseRights reads rights such as "view,add,share".
func ParseRights(s string) ([]Right, error) {
	var out []Right
	seen := map[Right]bool{}
	for _, f := range strings.Split(s, ",") {
		r := Right(strings.ToLower(strings.TrimSpace(f)))
		if r == "" {
			continue
		}
		if _, ok := RightWords[r]; !ok {
			return nil, fmt.Errorf("%q is not something a helper can be allowed to do: use view, add, share or reset", f)
		}
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("choose what the helper may do: view, add, share and/or reset")
	}
	order := map[Right]int{RightView: 0, RightAdd: 1, RightShare: 2, RightReset: 3}
	sort.Slice(out, func(i, j int) bool { return order[out[i]] < order[out[j]] })
	return out, nil
}

// SetHelper lets a helper act in a pod with the given rights, replacing
// any earlier choice for the same helper.
func (s *Service) SetHelper(ctx context.Context, d Delegation) error {
	if d.Pod == "" || d.Helper == "" || len(d.Rights) == 0 {
		return &InvalidError{"name the helper and what they may do"}
	}
	d.Created = s.now().UTC()
	if err := s.db.WriteJSON(ctx, delegationPath(d.Pod, d.Helper), d, state.Cond{}); err != nil {
		return err
	}
	return s.db.WriteJSON(ctx, helperIndex(d.Helper).Child(string(d.Pod)), struct{}{}, state.Cond{})
}

// RemoveHelper withdraws a helper's delegation. It takes effect for the
// helper's very next request.
func (s *Service) RemoveHelper(ctx context.Context, p pod.PodID, helper string) error {
	err := s.db.DeleteIf(ctx, delegationPath(p, helper), state.Cond{})
	if errors.Is(err, state.ErrNotFound) {
		return ErrNoDelegation
	}
	if err != nil {
		return err
	}
	return s.db.Delete(ctx, helperIndex(helper).Child(string(p)))
}

// Delegation returns the helper's delegation for pod p.
func (s *Service) Delegation(ctx context.Context, p pod.PodID, helper string) (Delegation, error) {
	if !p.Valid() || !validAccountID(helper) {
		return Delegation{}, ErrNoDelegation
	}
	var d Delegation
	if _, err := s.db.ReadJSON(ctx, delegationPath(p, helper), &d); err != nil {
		if errors.Is(err, state.ErrNotFound) {
			return Delegation{}, ErrNoDelegation
		}
		return Delegation{}, err
	}
	return d, nil
}

// Helpers lists the helpers pod p's owner has chosen.
func (s *Service) Helpers(ctx context.Context, p pod.PodID) ([]Delegation, error) {
	names, err := s.db.List(ctx, delegations(p))
	if err != nil {
		return nil, err
	}
	var out []Delegation
	for _, n := range names {
		d, err := s.Delegation(ctx, p, strings.TrimSuffix(n.Base(), ".json"))
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].HelperUser < out[j].HelperUser })
	return out, nil
}

// Chosen lists the delegations naming a helper: the people who chose them.
func (s *Service) Chosen(ctx context.Context, helper string) ([]Delegation, error) {
	names, err := s.db.List(ctx, helperIndex(helper))
	if err != nil {
		return nil, err
	}
	var out []Delegation
	for _, n := range names {
		d, err := s.Delegation(ctx, pod.PodID(n.Base()), helper)
		if errors.Is(err, ErrNoDelegation) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// Record writes an entry to pod p's access log: what a helper (or the
// service on someone's behalf) did.
func (s *Service) Record(ctx context.Context, p pod.PodID, e LogEntry) error {
	if e.At.IsZero() {
		e.At = s.now().UTC()
	}
	b, err := jsonMarshal(e)
	if err != nil {
		return err
	}
	_, err = s.pods.AppendLog(ctx, p, b)
	return err
}
