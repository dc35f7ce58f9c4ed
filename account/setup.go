package account

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// A person's password is theirs alone. Whoever makes an account for them
// does not choose it: CreateWithSetup gives a one-time set-up code instead,
// which the person types in (with their username) to choose their own
// password. When they forget it and have no helper who may reset it, an
// operator or a support organisation checks who they are in person and
// gives them a one-time code with IssueResetCode. Both codes are kept like
// a helper's reset code (see StartReset): only a salted hash, ResetTries
// wrong tries, used with CompleteReset.

// SetupTTL is how long a new account's set-up code stays valid.
const SetupTTL = 7 * 24 * time.Hour

// CreateWithSetup makes an account, as CreateWith does, with no password
// yet, and a one-time set-up code valid for SetupTTL with which its owner
// chooses one (see CompleteReset). Until then nobody can sign in to it.
// Only the code's hash is kept: the code is shown to the caller once.
func (s *Store) CreateWithSetup(ctx context.Context, username string, kind Kind, displayName, org string) (Account, Reset, error) {
	username, displayName, err := checkNew(username, kind, displayName, org)
	if err != nil {
		return Account{}, Reset{}, err
	}
	if _, err := s.db.Version(ctx, recordPath(username)); err == nil {
		return Account{}, Reset{}, ErrTaken
	}
	a, err := s.create(ctx, username, kind, displayName, "", org)
	if err != nil {
		return Account{}, Reset{}, err
	}
	r, err := s.issueCode(ctx, a, resetRecord{Kind: "setup"}, SetupTTL)
	if err != nil {
		return a, Reset{}, fmt.Errorf("the account was made, but its set-up code was not (make one with satchel account reset-code): %w", err)
	}
	return a, r, nil
}

// IssueResetCode makes a one-time code, valid for ResetTTL, with which the
// owner of the account called username chooses a new password (see
// CompleteReset). by names the person who checked the owner's identity,
// for the owner's access log; the caller writes that entry. It replaces
// any earlier code for the account.
func (s *Store) IssueResetCode(ctx context.Context, username, by string) (Account, Reset, error) {
	by = strings.TrimSpace(by)
	if by == "" || len(by) > 200 {
		return Account{}, Reset{}, errors.New("say who checked the person's identity (1 to 200 characters)")
	}
	a, err := s.Get(ctx, username)
	if err != nil {
		return Account{}, Reset{}, err
	}
	r, err := s.issueCode(ctx, a, resetRecord{Kind: "operator", By: by}, ResetTTL)
	if err != nil {
		return Account{}, Reset{}, err
	}
	return a, r, nil
}

// ChangePassword replaces the password of the account called username
// with newPassword if current is its password now, and signs the account
// out everywhere (see EndSessions). A wrong current password gives
// ErrBadPassword; a newPassword that breaks the rules gives an error
// saying which, checked first.
func (s *Store) ChangePassword(ctx context.Context, username, current, newPassword string) error {
	if err := checkPassword(newPassword); err != nil {
		return err
	}
	a, err := s.Authenticate(ctx, username, current)
	if err != nil {
		return err
	}
	hash, err := s.params.Hash(newPassword)
	if err != nil {
		return err
	}
	err = s.writePasswordHash(ctx, a.Username, a.ID, hash)
	if errors.Is(err, ErrNoAccount) {
		return ErrBadPassword
	}
	return err
}

// SetClock sets the clock by which codes expire and passwords are dated
// (time.Now unless set). For tests.
func (s *Store) SetClock(now func() time.Time) { s.now = now }
