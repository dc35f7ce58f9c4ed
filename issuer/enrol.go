package issuer

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"strings"
	"time"

	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/state"
)

// Enrolment is a leaver's permission for an organisation to deliver signed
// records into their pod's inbox/. The organisation knows the leaver only by
// the enrolment's ID and the name the leaver chose to show.
type Enrolment struct {
	ID         string    `json:"id"`
	Org        string    `json:"org"`
	Pod        pod.PodID `json:"pod"`
	LeaverName string    `json:"leaverName"`
	Created    time.Time `json:"created"`
}

// A pod's enrolments are listed in its own directory, and an
// organisation's in its own: one record each way.
func enrolments(p pod.PodID) state.Name { return state.Name("enrolments/" + string(p) + "/") }
func enrolled(org string) state.Name    { return state.Name("enrolled/" + org + "/") }
func enrolByPod(p pod.PodID, org string) state.Name {
	return enrolments(p).Child(org + ".json")
}
func enrolByOrg(org, id string) state.Name { return enrolled(org).Child(id + ".json") }

// Enrol lets organisation org deliver into pod p; leaverName is what the
// organisation will see. Enrolling again returns the same enrolment.
func (s *Service) Enrol(ctx context.Context, p pod.PodID, org, leaverName string) (Enrolment, error) {
	if _, err := s.Org(ctx, org); err != nil {
		return Enrolment{}, err
	}
	var e Enrolment
	if _, err := s.db.ReadJSON(ctx, enrolByPod(p, org), &e); err == nil {
		return e, nil
	}
	b := make([]byte, 10)
	rand.Read(b)
	e = Enrolment{ID: strings.ToLower(base32.StdEncoding.EncodeToString(b)), Org: org, Pod: p, LeaverName: strings.TrimSpace(leaverName), Created: s.now().UTC()}
	if e.LeaverName == "" || len(e.LeaverName) > 200 {
		return Enrolment{}, errors.New("say what name the issuer should know you by (1 to 200 characters)")
	}
	if err := s.db.WriteJSON(ctx, enrolByOrg(org, e.ID), e, state.CreateOnly()); err != nil {
		return Enrolment{}, err
	}
	if err := s.db.WriteJSON(ctx, enrolByPod(p, org), e, state.CreateOnly()); err != nil {
		return Enrolment{}, err
	}
	return e, nil
}

// Withdraw ends pod p's enrolment with org: from the next request on, the
// organisation can deliver nothing more.
func (s *Service) Withdraw(ctx context.Context, p pod.PodID, org string) error {
	var e Enrolment
	if _, err := s.db.ReadJSON(ctx, enrolByPod(p, org), &e); err != nil {
		return ErrNotEnrolled
	}
	if err := s.db.Delete(ctx, enrolByOrg(org, e.ID)); err != nil {
		return err
	}
	return s.db.DeleteIf(ctx, enrolByPod(p, org), state.Cond{})
}

// WithdrawAll ends every enrolment of pod p, for an account being deleted:
// no organisation lists the leaver, or the name they chose, any more.
func (s *Service) WithdrawAll(ctx context.Context, p pod.PodID) error {
	es, err := s.Enrolments(ctx, p)
	if err != nil {
		return err
	}
	for _, e := range es {
		if err := s.Withdraw(ctx, p, e.Org); err != nil && !errors.Is(err, ErrNotEnrolled) && !errors.Is(err, state.ErrNotFound) {
			return err
		}
	}
	return nil
}

// Enrolments lists the organisations pod p lets deliver.
func (s *Service) Enrolments(ctx context.Context, p pod.PodID) ([]Enrolment, error) {
	return s.list(ctx, enrolments(p))
}

// Enrolled lists the leavers who let org deliver to them.
func (s *Service) Enrolled(ctx context.Context, org string) ([]Enrolment, error) {
	return s.list(ctx, enrolled(org))
}

func (s *Service) list(ctx context.Context, dir state.Name) ([]Enrolment, error) {
	names, err := s.db.List(ctx, dir)
	if err != nil {
		return nil, err
	}
	out := []Enrolment{}
	for _, n := range names {
		var e Enrolment
		if _, err := s.db.ReadJSON(ctx, n, &e); err != nil {
			continue
		}
		out = append(out, e)
	}
	return out, nil
}

// enrolment returns org's enrolment with the given ID.
func (s *Service) enrolment(ctx context.Context, org, id string) (Enrolment, error) {
	if id == "" || strings.Trim(id, "abcdefghijklmnopqrstuvwxyz234567") != "" || len(id) > 32 {
		return Enrolment{}, ErrNotEnrolled
	}
	var e Enrolment
	if _, err := s.db.ReadJSON(ctx, enrolByOrg(org, id), &e); err != nil {
		return Enrolment{}, ErrNotEnrolled
	}
	return e, nil
}
