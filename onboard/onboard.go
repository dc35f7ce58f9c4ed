// Package onboard keeps what a resettlement organisation (a prison or a
// probation team) holds when it starts a pod for someone still in custody,
// who has no phone and no email: the person's name and date of birth, the
// organisation's own reference for them (a prison number), kept on the
// organisation's side only and never in the pod, and the one-time claim
// code printed on the letter handed over on release day. The person claims
// the pod with that code and their date of birth (Claim); an unclaimed pod
// expires after a set time (Expire), and the organisation is told what
// expired. Everything is a document in the server's state (package state).
package onboard

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/state"
)

// Defaults for Service's times.
const (
	// DefaultCodeTTL is how long a claim letter's code works.
	DefaultCodeTTL = 30 * 24 * time.Hour
	// DefaultUnclaimedTTL is how long an unclaimed pod is kept.
	DefaultUnclaimedTTL = 180 * 24 * time.Hour
	// Tries is how many wrong dates of birth a code allows: the last of
	// them voids it, and the organisation prints a new letter.
	Tries = 5
)

// ErrNoClaim is Claim's one answer for a code that is wrong, used,
// replaced, expired or tried too often, or a date of birth that is wrong:
// whoever is guessing learns nothing about which.
var ErrNoClaim = errors.New("that code and date of birth do not match a letter that still works")

// ErrNotFound: the organisation has no such person (or they claimed their
// pod, after which the organisation's pages have nothing of it).
var ErrNotFound = errors.New("no such person")

// Person is someone an organisation started a pod for.
type Person struct {
	ID        string    `json:"id"`
	Org       string    `json:"org"`
	Name      string    `json:"name"`
	Born      string    `json:"born"` // YYYY-MM-DD
	Reference string    `json:"reference,omitempty"`
	Username  string    `json:"username"` // the leaver account made for them
	Pod       pod.PodID `json:"pod"`
	StartedBy string    `json:"startedBy"` // the staff member's name
	Created   time.Time `json:"created"`
	Expires   time.Time `json:"expires"` // when the unclaimed pod is erased
	// The claim code now in force: only its hash, when it stops working,
	// and wrong dates of birth typed with it.
	CodeHash    string    `json:"codeHash,omitempty"`
	CodeExpires time.Time `json:"codeExpires,omitzero"`
	Letters     int       `json:"letters,omitempty"` // letters printed
	Tries       int       `json:"tries,omitempty"`
}

// Expired is the organisation's report of a pod nobody claimed in time.
type Expired struct {
	Name      string    `json:"name"`
	Reference string    `json:"reference,omitempty"`
	Created   time.Time `json:"created"`
	Erased    time.Time `json:"erased"`
}

// Letter is a claim code, shown once, to print.
type Letter struct {
	Code    string // for example "K7QP-2MXD-4RTA"
	Expires time.Time
}

// Service keeps the organisations' people.
type Service struct {
	db *state.DB
	// CodeTTL and UnclaimedTTL: see the defaults.
	CodeTTL, UnclaimedTTL time.Duration
	now                   func() time.Time
}

// Open returns the service over the state of svc's storage.
func Open(ctx context.Context, svc *pod.Service) (*Service, error) {
	db, err := state.Open(ctx, svc.Store(), svc.Keyring(), "onboarding")
	if err != nil {
		return nil, fmt.Errorf("open onboarding: %w", err)
	}
	return &Service{db: db, CodeTTL: DefaultCodeTTL, UnclaimedTTL: DefaultUnclaimedTTL, now: time.Now}, nil
}

// SetClock sets the service's clock (time.Now unless set). For tests.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Names: each organisation's people and expiry reports in directories of
// their own; every unclaimed pod in "pending/" for Expire; claim codes by
// their hash.
func personName(org, id string) state.Name  { return state.Name("orgs/" + org + "/people/" + id) }
func expiredName(org, id string) state.Name { return state.Name("orgs/" + org + "/expired/" + id) }
func pendingName(org, id string) state.Name { return state.Name("pending/" + org + "." + id) }
func codeName(hash string) state.Name       { return state.Name("codes/" + hash) }

type codeEntry struct {
	Org string `json:"org"`
	ID  string `json:"id"`
}

// Start records person p (Name, Born, Reference, Username, Pod, StartedBy
// filled in by the caller, who made the account and pod) for org.
func (s *Service) Start(ctx context.Context, org string, p Person) (Person, error) {
	p.ID, p.Org = newID(), org
	p.Created = s.now().UTC()
	p.Expires = p.Created.Add(s.UnclaimedTTL)
	if err := s.db.WriteJSON(ctx, personName(org, p.ID), p, state.CreateOnly()); err != nil {
		return Person{}, err
	}
	if err := s.db.WriteJSON(ctx, pendingName(org, p.ID), codeEntry{org, p.ID}, state.CreateOnly()); err != nil {
		return Person{}, err
	}
	return p, nil
}

// Get returns org's person id.
func (s *Service) Get(ctx context.Context, org, id string) (Person, error) {
	if !validID(id) {
		return Person{}, ErrNotFound
	}
	var p Person
	_, err := s.db.ReadJSON(ctx, personName(org, id), &p)
	if errors.Is(err, state.ErrNotFound) {
		return Person{}, ErrNotFound
	}
	return p, err
}

// People lists org's people with unclaimed pods, by name.
func (s *Service) People(ctx context.Context, org string) ([]Person, error) {
	names, err := s.db.List(ctx, state.Name("orgs/"+org+"/people/"))
	if err != nil {
		return nil, err
	}
	var out []Person
	for _, n := range names {
		var p Person
		if _, err := s.db.ReadJSON(ctx, n, &p); err == nil {
			out = append(out, p)
		} else if !errors.Is(err, state.ErrNotFound) {
			return nil, err
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// ExpiredPods lists the report of org's pods that expired, newest first.
func (s *Service) ExpiredPods(ctx context.Context, org string) ([]Expired, error) {
	names, err := s.db.List(ctx, state.Name("orgs/"+org+"/expired/"))
	if err != nil {
		return nil, err
	}
	var out []Expired
	for _, n := range names {
		var e Expired
		if _, err := s.db.ReadJSON(ctx, n, &e); err == nil {
			out = append(out, e)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Erased.After(out[j].Erased) })
	return out, nil
}

// NewLetter makes a new claim code for org's person id, valid for CodeTTL,
// and voids any earlier one.
func (s *Service) NewLetter(ctx context.Context, org, id string) (Person, Letter, error) {
	code := newCode()
	hash := codeHash(code)
	var p Person
	var old string
	err := s.db.UpdateJSON(ctx, personName(org, id), &p, func() error {
		old = p.CodeHash
		p.CodeHash, p.Tries = hash, 0
		p.CodeExpires = s.now().UTC().Add(s.CodeTTL)
		p.Letters++
		return nil
	})
	if errors.Is(err, state.ErrNotFound) {
		return Person{}, Letter{}, ErrNotFound
	}
	if err != nil {
		return Person{}, Letter{}, err
	}
	if old != "" {
		if err := s.db.Delete(ctx, codeName(old)); err != nil && !errors.Is(err, state.ErrNotFound) {
			return Person{}, Letter{}, err
		}
	}
	if err := s.db.WriteJSON(ctx, codeName(hash), codeEntry{org, id}, state.Cond{}); err != nil {
		return Person{}, Letter{}, err
	}
	return p, Letter{Code: FormatCode(code), Expires: p.CodeExpires}, nil
}

// Claim finds the person whose letter carries code, if born is their date
// of birth and the code still works, and ends the organisation's hold on
// them: their record, code and place in the expiry queue are deleted (the
// reference with them). It returns the person, whose account the caller
// gives a password. Any failure is ErrNoClaim; a wrong date of birth
// counts towards Tries.
func (s *Service) Claim(ctx context.Context, code, born string) (Person, error) {
	c := normaliseCode(code)
	if c == "" {
		return Person{}, ErrNoClaim
	}
	hash := codeHash(c)
	var e codeEntry
	if _, err := s.db.ReadJSON(ctx, codeName(hash), &e); errors.Is(err, state.ErrNotFound) {
		return Person{}, ErrNoClaim
	} else if err != nil {
		return Person{}, err
	}
	var p Person
	var ok bool
	err := s.db.UpdateJSON(ctx, personName(e.Org, e.ID), &p, func() error {
		ok = false
		if p.CodeHash != hash || !s.now().Before(p.CodeExpires) || p.Tries >= Tries {
			return state.ErrNoChange
		}
		if subtle.ConstantTimeCompare([]byte(p.Born), []byte(born)) != 1 {
			p.Tries++
			return nil
		}
		ok = true
		return state.ErrNoChange
	})
	if errors.Is(err, state.ErrNotFound) {
		return Person{}, ErrNoClaim
	}
	if err != nil {
		return Person{}, err
	}
	if !ok {
		return Person{}, ErrNoClaim
	}
	// Used once: the code goes first, so a second claim finds nothing.
	if err := s.db.DeleteIf(ctx, codeName(hash), state.Cond{}); errors.Is(err, state.ErrNotFound) {
		return Person{}, ErrNoClaim
	} else if err != nil {
		return Person{}, err
	}
	return p, s.forget(ctx, p)
}

// forget deletes what is kept of p on the organisation's side.
func (s *Service) forget(ctx context.Context, p Person) error {
	for _, n := range []state.Name{pendingName(p.Org, p.ID), personName(p.Org, p.ID)} {
		if err := s.db.Delete(ctx, n); err != nil && !errors.Is(err, state.ErrNotFound) {
			return err
		}
	}
	if p.CodeHash != "" {
		if err := s.db.Delete(ctx, codeName(p.CodeHash)); err != nil && !errors.Is(err, state.ErrNotFound) {
			return err
		}
	}
	return nil
}

// Expire erases every unclaimed pod whose time is up: erase (the server's
// DeleteAccount) deletes the account and crypto-shreds the pod, then the
// organisation's record of the person becomes a line in its report. It
// returns the people erased.
func (s *Service) Expire(ctx context.Context, erase func(ctx context.Context, username string) error) ([]Person, error) {
	names, err := s.db.List(ctx, "pending/")
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	var done []Person
	for _, n := range names {
		var e codeEntry
		if _, err := s.db.ReadJSON(ctx, n, &e); err != nil {
			continue
		}
		var p Person
		if _, err := s.db.ReadJSON(ctx, personName(e.Org, e.ID), &p); errors.Is(err, state.ErrNotFound) {
			s.db.Delete(ctx, n)
			continue
		} else if err != nil {
			return done, err
		}
		if now.Before(p.Expires) {
			continue
		}
		if err := erase(ctx, p.Username); err != nil && !errors.Is(err, errGone) {
			return done, fmt.Errorf("erase an unclaimed pod: %w", err)
		}
		rep := Expired{Name: p.Name, Reference: p.Reference, Created: p.Created, Erased: now}
		if err := s.db.WriteJSON(ctx, expiredName(p.Org, p.ID), rep, state.Cond{}); err != nil {
			return done, err
		}
		if err := s.forget(ctx, p); err != nil {
			return done, err
		}
		done = append(done, p)
	}
	return done, nil
}

// errGone stands for an account already deleted; the caller's erase may
// wrap it (see IsGone).
var errGone = errors.New("already gone")

// Gone wraps err as an account that was already deleted, which Expire
// passes over.
func Gone(err error) error { return fmt.Errorf("%w: %w", errGone, err) }

// FormatCode shows a code in groups of four.
func FormatCode(c string) string {
	var b strings.Builder
	for i, r := range c {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// codeLen is the length of a claim code, in account.NewCode's alphabet.
const (
	codeLen = 12 // about 59 bits
)

// newCode draws a claim code (account.NewCode, which the reset and set-up
// codes use too).
func newCode() string { return account.NewCode(codeLen) }

// normaliseCode tidies a typed claim code, or returns "".
func normaliseCode(code string) string { return account.NormaliseCode(code, codeLen) }

// codeHash names a code's entry. Codes have about 59 bits and guesses are
// throttled; the entries are encrypted at rest besides.
func codeHash(code string) string {
	h := sha256.Sum256([]byte("satchel claim code\x00" + code))
	return hex.EncodeToString(h[:])
}

func newID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func validID(id string) bool {
	if len(id) != 24 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil
}
