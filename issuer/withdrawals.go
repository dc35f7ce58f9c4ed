package issuer

import (
	"context"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/satchel-project/satchel/state"
)

// What an organisation's pages show of what it issued, and withdrawal
// with a reason (the API's Revoke, with the reason and who gave it kept
// on the organisation's side).

// ErrNoIssued: the organisation issued nothing with that ID.
var ErrNoIssued = errors.New("this issuer has issued no credential with that ID")

// Withdrawal is why and by whom an issued credential was withdrawn.
type Withdrawal struct {
	ID     string    `json:"id"`
	Reason string    `json:"reason"`
	By     string    `json:"by"`
	When   time.Time `json:"when"`
}

func withdrawalPath(org, id string) state.Name {
	return state.Name("withdrawn/" + org + "/" + id + ".json")
}

// validIssuedID reports whether id can be an issued credential's ID (a
// UUID in lower-case hex).
func validIssuedID(id string) bool {
	return len(id) == 36 && strings.Trim(id, "0123456789abcdef-") == ""
}

// IssuedBy lists what organisation org issued, newest first.
func (s *Service) IssuedBy(ctx context.Context, org string) ([]Issued, error) {
	names, err := s.db.List(ctx, state.Name("issued/"+org+"/"))
	if err != nil {
		return nil, err
	}
	out := []Issued{}
	for _, n := range names {
		var rec Issued
		if _, err := s.db.ReadJSON(ctx, n, &rec); err != nil {
			continue
		}
		out = append(out, rec)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Issued.After(out[j].Issued) })
	return out, nil
}

// IssuedOne is the credential org issued with ID id, or ErrNoIssued.
func (s *Service) IssuedOne(ctx context.Context, org, id string) (Issued, error) {
	if !validIssuedID(id) {
		return Issued{}, ErrNoIssued
	}
	var rec Issued
	if _, err := s.db.ReadJSON(ctx, issuedPath(org, id), &rec); err != nil {
		if errors.Is(err, state.ErrNotFound) {
			return Issued{}, ErrNoIssued
		}
		return Issued{}, err
	}
	return rec, nil
}

// RevokeBecause withdraws a credential org issued, as Revoke does, and
// keeps reason and who gave it (by) for the organisation's list.
func (s *Service) RevokeBecause(ctx context.Context, org, id, reason, by string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 500 || !plainText(strings.NewReplacer("\r\n", " ", "\n", " ").Replace(reason)) {
		return &InvalidError{"say why the record is withdrawn (1 to 500 characters)"}
	}
	if _, err := s.IssuedOne(ctx, org, id); err != nil {
		return err
	}
	w := Withdrawal{ID: id, Reason: reason, By: by, When: s.now().UTC()}
	if err := s.db.WriteJSON(ctx, withdrawalPath(org, id), w, state.Cond{}); err != nil {
		return err
	}
	return s.Revoke(ctx, org, id)
}

// WithdrawalOf is why org withdrew credential id, if it kept a reason.
func (s *Service) WithdrawalOf(ctx context.Context, org, id string) (Withdrawal, bool) {
	var w Withdrawal
	if !validIssuedID(id) {
		return w, false
	}
	_, err := s.db.ReadJSON(ctx, withdrawalPath(org, id), &w)
	return w, err == nil
}

// EnrolmentOf is org's enrolment with ID id, or ErrNotEnrolled: an
// organisation reaches only the people enrolled with it.
func (s *Service) EnrolmentOf(ctx context.Context, org, id string) (Enrolment, error) {
	return s.enrolment(ctx, org, id)
}
