// Package account holds Satchel's user accounts: leavers (each with a pod),
// helpers, issuers and operators. Accounts are records in the server's
// state (package state), so they are encrypted at rest like everything else and their usernames
// never appear in storage; passwords are kept only as argon2id hashes.
package account

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/state"
)

// Kind is what an account is for.
type Kind string

// The kinds of account.
const (
	Leaver   Kind = "leaver"
	Helper   Kind = "helper"
	Issuer   Kind = "issuer"
	Operator Kind = "operator"
	// Evaluator is the evaluation partner's role: it exports the
	// evaluation's data (package evaluation) and nothing else.
	Evaluator Kind = "evaluator"
)

// ParseKind checks a kind given by a person.
func ParseKind(s string) (Kind, error) {
	switch k := Kind(strings.ToLower(strings.TrimSpace(s))); k {
	case Leaver, Helper, Issuer, Operator, Evaluator:
		return k, nil
	}
	return "", fmt.Errorf("%q is not a kind of account: use leaver, helper, issuer, operator or evaluator", s)
}

// Account is one person's (or organisation's) login.
type Account struct {
	ID          string    `json:"id"`
	Username    string    `json:"username"`
	Kind        Kind      `json:"kind"`
	DisplayName string    `json:"displayName"`
	Pod         pod.PodID `json:"pod,omitempty"`
	Org         string    `json:"org,omitempty"` // an issuer's organisation
	// OrgAdmin is set for an issuer's staff who may add and remove the
	// organisation's staff (see SetOrgAdmin).
	OrgAdmin bool `json:"orgAdmin,omitempty"`

	// PasswordHash is "" until the owner chooses a password with their
	// set-up code (see CreateWithSetup).
	PasswordHash string    `json:"passwordHash"`
	Created      time.Time `json:"created"`
	// PasswordChanged is when the password was last changed (zero if never
	// since the account was made). Sign-in sessions made before it should
	// be ended.
	PasswordChanged time.Time `json:"passwordChanged,omitzero"`

	// SignedIn is when Authenticate began checking the password, for the
	// token or session it leads to (see Store.CheckSignIn); never stored.
	SignedIn time.Time `json:"-"`
}

// Errors from Store.
var (
	ErrTaken       = errors.New("that username is already taken")
	ErrNoAccount   = errors.New("no such account")
	ErrBadPassword = errors.New("wrong username or password")
)

// space holds account records, password reset and set-up codes, and
// each account's sessions record (see ValidSince).
const space = "accounts"

// Store keeps accounts in the server's state (package state), beside the
// pods of a pod.Service.
type Store struct {
	svc    *pod.Service
	db     *state.DB
	params Params
	now    func() time.Time

	sessions sessionCache
}

// Open returns the account store over svc's storage and keys, creating it
// on first use. params sets the cost of password hashing.
func Open(ctx context.Context, svc *pod.Service, params Params) (*Store, error) {
	db, err := state.Open(ctx, svc.Store(), svc.Keyring(), space)
	if err != nil {
		return nil, fmt.Errorf("open accounts: %w", err)
	}
	s := &Store{svc: svc, db: db, params: params, now: time.Now}
	s.sessions = sessionCache{ttl: SessionCacheTTL, clock: time.Now}
	return s, nil
}

func recordPath(username string) state.Name { return state.Name("users/" + username) }

// NormalizeUsername lower-cases u and checks it: 2 to 64 characters of
// a-z, 0-9, ".", "-" and "_", starting with a letter or digit.
func NormalizeUsername(u string) (string, error) {
	u = strings.ToLower(strings.TrimSpace(u))
	if len(u) < 2 || len(u) > 64 {
		return "", errors.New("a username must be 2 to 64 characters long")
	}
	for i, c := range u {
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		if !ok && (i == 0 || !(c == '.' || c == '-' || c == '_')) {
			return "", errors.New("a username may use only letters, digits, dots, dashes and underscores, and must start with a letter or digit")
		}
	}
	return u, nil
}

// Create makes an account and, for a leaver, its pod.
func (s *Store) Create(ctx context.Context, username string, kind Kind, displayName, password string) (Account, error) {
	return s.CreateWith(ctx, username, kind, displayName, password, "")
}

// CreateWith is Create with the organisation an issuer's staff account
// belongs to (which the caller has checked exists).
func (s *Store) CreateWith(ctx context.Context, username string, kind Kind, displayName, password, org string) (Account, error) {
	username, displayName, err := checkNew(username, kind, displayName, org)
	if err != nil {
		return Account{}, err
	}
	if err := checkPassword(password); err != nil {
		return Account{}, err
	}
	if _, err := s.db.Version(ctx, recordPath(username)); err == nil {
		return Account{}, ErrTaken
	}
	hash, err := s.params.Hash(password)
	if err != nil {
		return Account{}, err
	}
	return s.create(ctx, username, kind, displayName, hash, org)
}

// checkNew checks what Create and CreateWithSetup are given, other than a
// password, and returns the normalised username and display name.
func checkNew(username string, kind Kind, displayName, org string) (string, string, error) {
	if (kind == Issuer) != (org != "") {
		return "", "", errors.New("an issuer account needs an organisation (--org), and only an issuer account has one")
	}
	username, err := NormalizeUsername(username)
	if err != nil {
		return "", "", err
	}
	displayName = strings.TrimSpace(displayName)
	if displayName == "" || len(displayName) > 200 {
		return "", "", errors.New("a display name must be 1 to 200 characters long")
	}
	return username, displayName, nil
}

// create stores a new account with password hash hash ("" for none yet)
// and, for a leaver, makes its pod. username and displayName are checked.
func (s *Store) create(ctx context.Context, username string, kind Kind, displayName, hash, org string) (Account, error) {
	var err error
	a := Account{
		ID:           newID(),
		Username:     username,
		Kind:         kind,
		DisplayName:  displayName,
		PasswordHash: hash,
		Org:          org,
		Created:      s.now().UTC(),
	}
	if kind == Leaver {
		if a.Pod, err = s.svc.CreatePod(ctx); err != nil {
			return Account{}, fmt.Errorf("create pod: %w", err)
		}
	}
	err = s.db.WriteJSON(ctx, recordPath(username), a, state.CreateOnly())
	if errors.Is(err, state.ErrPrecondition) {
		return Account{}, ErrTaken
	}
	if err != nil {
		return Account{}, err
	}
	if err := s.listStaff(ctx, a); err != nil {
		return Account{}, err
	}
	return a, nil
}

// checkPassword applies the rules every new password must meet.
func checkPassword(pw string) error {
	if len(pw) < 10 {
		return errors.New("a password must be at least 10 characters long")
	}
	if len(pw) > 1024 {
		return errors.New("a password must be at most 1024 characters long")
	}
	return nil
}

// Get returns the account called username.
func (s *Store) Get(ctx context.Context, username string) (Account, error) {
	username, err := NormalizeUsername(username)
	if err != nil {
		return Account{}, ErrNoAccount
	}
	data, _, err := s.db.ReadRaw(ctx, recordPath(username))
	if errors.Is(err, state.ErrNotFound) {
		return Account{}, ErrNoAccount
	}
	if err != nil {
		return Account{}, err
	}
	var a Account
	if err := json.Unmarshal(data, &a); err != nil {
		return Account{}, fmt.Errorf("account record is damaged: %w", err)
	}
	return a, nil
}

// Authenticate checks a username and password. It spends the same effort
// whether or not the account exists, and answers ErrBadPassword for both
// (and for an account being deleted). The account it returns has SignedIn
// set.
func (s *Store) Authenticate(ctx context.Context, username, password string) (Account, error) {
	// Taken before the record is read, so a sign-in that checked a
	// password since replaced is older than the replacement's EndSessions.
	signedIn := s.now().UTC()
	a, err := s.Get(ctx, username)
	if errors.Is(err, ErrNoAccount) || err == nil && a.PasswordHash == "" {
		// No account, or one whose owner has not chosen a password yet
		// (see CreateWithSetup).
		s.params.Verify(dummyHash(s.params), password)
		return Account{}, ErrBadPassword
	}
	if err != nil {
		return Account{}, err
	}
	ok, err := s.params.Verify(a.PasswordHash, password)
	if err != nil {
		return Account{}, err
	}
	if !ok {
		return Account{}, ErrBadPassword
	}
	if _, err := s.ValidSince(ctx, a.ID); errors.Is(err, ErrNoAccount) {
		return Account{}, ErrBadPassword
	} else if err != nil {
		return Account{}, err
	}
	a.SignedIn = signedIn
	return a, nil
}

func newID() string {
	b := make([]byte, 15)
	rand.Read(b)
	return strings.ToLower(base32.StdEncoding.EncodeToString(b))
}

// Delete removes the account called username: it ends every sign-in of
// the account for good (see EndSessions; the record of that stays, so the
// account's tokens are refused), erases its pod (see pod.Service.ErasePod)
// and any password reset waiting for it, then the account record. It
// cannot be undone. What other services keep for the account (shares,
// helpers, enrolments) is not Delete's: server.Backend.DeleteAccount
// removes those first, then calls Delete.
func (s *Store) Delete(ctx context.Context, username string) error {
	a, err := s.Get(ctx, username)
	if err != nil {
		return err
	}
	if err := s.Retire(ctx, a.ID); err != nil {
		return fmt.Errorf("end sign-ins: %w", err)
	}
	if a.Pod != "" {
		if err := s.svc.ErasePod(ctx, a.Pod); err != nil {
			return fmt.Errorf("erase pod: %w", err)
		}
	}
	if err := s.deleteReset(ctx, a.Username); err != nil {
		return err
	}
	if err := s.unlistStaff(ctx, a); err != nil {
		return err
	}
	return s.db.Delete(ctx, recordPath(a.Username))
}
