// Package evaluation holds what the Ministry of Justice's evaluation of a
// pilot needs about the leavers who agreed to take part, and nothing about
// anyone else. It is a state space of its own ("evaluation", package
// state), apart from every pod: no share, pod route, helper or download
// of a leaver's data reads it. A leaver's consent is asked and withdrawn
// on their own pages; staff of an organisation the leaver is enrolled
// with enter the data points; the evaluation role (account kind
// evaluator) or an operator on the data directory exports a quarter as
// CSV, and every export is logged here.
//
// Withdrawing consent erases every data point and answer held for the
// person at once, keeping only the dates of consent and withdrawal, so the
// next export leaves them out.
package evaluation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/state"
)

// space is the state space evaluation data lives in; nothing else opens it.
const space = "evaluation"

// Errors.
var (
	// ErrNoConsent: the person has not agreed to take part (or has
	// withdrawn), so nothing about them may be kept.
	ErrNoConsent = errors.New("this person has not agreed to take part in the evaluation, so nothing about them can be kept")
	// ErrWithdrawn: the person agreed once and has since withdrawn.
	ErrWithdrawn = errors.New("this person has withdrawn from the evaluation, so nothing about them can be kept")
)

// Store keeps the evaluation space.
type Store struct {
	db  *state.DB
	now func() time.Time
}

// Open returns the evaluation space kept in the storage and keys of pods,
// creating it on first use.
func Open(ctx context.Context, pods *pod.Service) (*Store, error) {
	db, err := state.Open(ctx, pods.Store(), pods.Keyring(), space)
	if err != nil {
		return nil, fmt.Errorf("open the evaluation store: %w", err)
	}
	return &Store{db: db, now: time.Now}, nil
}

// SetClock replaces the store's clock (tests).
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// Event is one change of a person's consent.
type Event struct {
	At time.Time `json:"at"`
	// What is "agreed" or "withdrew".
	What string `json:"what"`
}

// Person is everything held for one leaver: their consent history and,
// only while they agree, the data points and answers.
type Person struct {
	Pod    pod.PodID `json:"pod"`
	Events []Event   `json:"events"`
	// Details are the data points staff entered; nil until they do, and
	// after a withdrawal.
	Details *Details `json:"details,omitempty"`
	// Entered says which organisation entered the details, and when.
	EnteredBy string    `json:"enteredBy,omitempty"`
	EnteredAt time.Time `json:"enteredAt,omitzero"`
	// Answers are the person's own answers to the short question.
	Answers []Answer `json:"answers,omitempty"`
	// Reports are the person's own answers to the questions asked after
	// release (employment, benefits), oldest first.
	Reports []Report `json:"reports,omitempty"`
}

// Agreed is when the person last agreed, zero if they never did.
func (p Person) Agreed() time.Time { return p.last("agreed") }

// WithdrewAt is when the person last withdrew, zero if they never did.
func (p Person) WithdrewAt() time.Time { return p.last("withdrew") }

func (p Person) last(what string) time.Time {
	for i := len(p.Events) - 1; i >= 0; i-- {
		if p.Events[i].What == what {
			return p.Events[i].At
		}
	}
	return time.Time{}
}

// Taking reports whether the person's consent stands.
func (p Person) Taking() bool {
	return len(p.Events) > 0 && p.Events[len(p.Events)-1].What == "agreed"
}

// Answer is one answer to "Do you have somewhere settled to live?".
type Answer struct {
	At time.Time `json:"at"`
	// Settled is "yes", "no" or "prefer-not".
	Settled string `json:"settled"`
}

func personName(p pod.PodID) state.Name { return state.Name("people/" + string(p)) }

const peopleDir state.Name = "people/"

// Get returns what is held for pod p: the zero Person (with Pod set) if
// they were never asked.
func (s *Store) Get(ctx context.Context, p pod.PodID) (Person, error) {
	if !p.Valid() {
		return Person{}, fmt.Errorf("%q is not a pod", p)
	}
	var per Person
	_, err := s.db.ReadJSON(ctx, personName(p), &per)
	if errors.Is(err, state.ErrNotFound) {
		return Person{Pod: p}, nil
	}
	return per, err
}

// change edits the person of pod p, creating them if they are new.
func (s *Store) change(ctx context.Context, p pod.PodID, edit func(*Person) error) (Person, error) {
	if !p.Valid() {
		return Person{}, fmt.Errorf("%q is not a pod", p)
	}
	for range 10 {
		var per Person
		err := s.db.UpdateJSON(ctx, personName(p), &per, func() error { return edit(&per) })
		if !errors.Is(err, state.ErrNotFound) {
			return per, err
		}
		per = Person{Pod: p}
		if err := edit(&per); err != nil {
			return per, err
		}
		err = s.db.WriteJSON(ctx, personName(p), per, state.CreateOnly())
		if !errors.Is(err, state.ErrPrecondition) {
			return per, err
		}
	}
	return Person{}, state.ErrBusy
}

// Agree records that the leaver of pod p agrees to take part, now.
func (s *Store) Agree(ctx context.Context, p pod.PodID) (Person, error) {
	return s.change(ctx, p, func(per *Person) error {
		if per.Taking() {
			return state.ErrNoChange
		}
		per.Events = append(per.Events, Event{At: s.now().UTC(), What: "agreed"})
		return nil
	})
}

// Withdraw records that the leaver of pod p no longer takes part, now, and
// erases every data point and answer held for them. Someone who never
// agreed has nothing to withdraw.
func (s *Store) Withdraw(ctx context.Context, p pod.PodID) (Person, error) {
	per, err := s.Get(ctx, p)
	if err != nil || !per.Taking() {
		return per, err
	}
	return s.change(ctx, p, func(per *Person) error {
		if !per.Taking() {
			return state.ErrNoChange
		}
		per.Events = append(per.Events, Event{At: s.now().UTC(), What: "withdrew"})
		per.Details, per.EnteredBy, per.EnteredAt, per.Answers, per.Reports = nil, "", time.Time{}, nil, nil
		return nil
	})
}

// Forget removes everything held for pod p (the account is being deleted).
func (s *Store) Forget(ctx context.Context, p pod.PodID) error {
	if !p.Valid() {
		return nil
	}
	return s.db.Delete(ctx, personName(p))
}

// refusal is ErrWithdrawn or ErrNoConsent for someone whose consent does
// not stand.
func refusal(per Person) error {
	if !per.WithdrewAt().IsZero() {
		return ErrWithdrawn
	}
	return ErrNoConsent
}

// AnswerSettled records the leaver's answer to "Do you have somewhere
// settled to live?": "yes", "no" or "prefer-not". It is ErrNoConsent (or
// ErrWithdrawn) unless they take part.
func (s *Store) AnswerSettled(ctx context.Context, p pod.PodID, settled string) (Person, error) {
	switch settled {
	case "yes", "no", "prefer-not":
	default:
		return Person{}, errors.New("choose yes, no or prefer not to say")
	}
	return s.change(ctx, p, func(per *Person) error {
		if !per.Taking() {
			return refusal(*per)
		}
		per.Answers = append(per.Answers, Answer{At: s.now().UTC(), Settled: settled})
		return nil
	})
}
