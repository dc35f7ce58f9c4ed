package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/satchel-project/satchel/state"
)

// A leaver who has forgotten their password has no email address or phone
// number to reset it with. Instead one of their helpers (a support worker,
// a probation officer) starts a reset and reads the leaver a one-time code,
// which the leaver types in with a new password. The web layer checks that
// the helper is one the leaver chose; this file keeps the codes.

// ResetTTL is how long a reset code stays valid.
const ResetTTL = 24 * time.Hour

// ResetTries is how many wrong codes a reset allows: the last of them
// voids the code.
const ResetTries = 5

// Errors from CompleteReset, worded for the leaver who typed the code.
var (
	ErrBadCode      = errors.New("that code is not right: check it with your helper")
	ErrCodeExpired  = errors.New("that code has run out: ask your helper for a new one")
	ErrTooManyTries = errors.New("that code was typed wrong too many times: ask your helper for a new one")
)

// ErrNotLeaver is StartReset's answer for an account that is not a
// leaver's: only leavers' passwords can be reset by a helper.
var ErrNotLeaver = errors.New("only a leaver's password can be reset by a helper")

// Reset is a password reset code, to be read out to the leaver by the
// helper who started it.
type Reset struct {
	Code    string    // for example "K7QP-2MXD"
	Expires time.Time // when the code stops working
}

// codeAlphabet leaves out 0, O, 1, I and L, which are easy to confuse when
// read aloud or from a screen.
const (
	codeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
	codeLen      = 8
)

// resetRecord is what is stored for a pending reset: never the code itself.
type resetRecord struct {
	AccountID string    `json:"accountId"` // the account the code was made for
	Helper    string    `json:"helper"`    // the helper's account ID, for a helper's reset
	Salt      []byte    `json:"salt"`
	Hash      []byte    `json:"hash"` // see codeHash
	Created   time.Time `json:"created"`
	Expires   time.Time `json:"expires"`
	Tries     int       `json:"tries"` // wrong codes so far
	// Kind is what made the code: "" a helper (StartReset), "setup" a new
	// account (CreateWithSetup), "operator" someone who checked the
	// person's identity (IssueResetCode), named in By.
	Kind string `json:"kind,omitempty"`
	By   string `json:"by,omitempty"`
}

func resetPath(username string) state.Name { return state.Name("resets/" + username) }

// codeHash binds a normalised code to the username and the record's salt.
// The code has about 40 bits, so this hash alone would not stand up to a
// search; it need not, as the record is encrypted at rest and guesses
// through CompleteReset are limited to ResetTries.
func codeHash(salt []byte, username, code string) []byte {
	h := sha256.New()
	h.Write([]byte("satchel password reset\x00"))
	h.Write(salt)
	h.Write([]byte(username))
	h.Write([]byte{0})
	h.Write([]byte(code))
	return h.Sum(nil)
}

// newCode returns codeLen characters drawn uniformly from codeAlphabet.
func newCode() string { return NewCode(codeLen) }

// normaliseCode is NormaliseCode for this package's codes.
func normaliseCode(code string) string { return NormaliseCode(code, codeLen) }

// NewCode returns n characters drawn uniformly from the alphabet of one-time
// codes given to people on paper or by voice (no 0, O, 1, I or L).
func NewCode(n int) string {
	const limit = 256 - 256%len(codeAlphabet) // reject bytes above this, to avoid bias
	out := make([]byte, 0, n)
	buf := make([]byte, 2*n)
	for len(out) < n {
		rand.Read(buf)
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, codeAlphabet[int(b)%len(codeAlphabet)])
			}
		}
	}
	return string(out)
}

// NormaliseCode upper-cases code and drops spaces and dashes. It returns ""
// if what is left cannot be a code of n characters made by NewCode.
func NormaliseCode(code string, n int) string {
	code = strings.Map(func(r rune) rune {
		if r == '-' || unicode.IsSpace(r) {
			return -1
		}
		return unicode.ToUpper(r)
	}, code)
	if len(code) != n {
		return ""
	}
	for _, c := range code {
		if !strings.ContainsRune(codeAlphabet, c) {
			return ""
		}
	}
	return code
}

// SetPassword replaces the password of the account called username, sets
// its PasswordChanged to now and signs it out everywhere (see EndSessions).
// newPassword must meet the same rules as at Create. An unknown username
// gives ErrNoAccount.
func (s *Store) SetPassword(ctx context.Context, username, newPassword string) error {
	if err := checkPassword(newPassword); err != nil {
		return err
	}
	username, err := NormalizeUsername(username)
	if err != nil {
		return ErrNoAccount
	}
	hash, err := s.params.Hash(newPassword)
	if err != nil {
		return err
	}
	return s.writePasswordHash(ctx, username, "", hash)
}

// writePasswordHash stores hash as the password of username's account under
// compare-and-swap, so a concurrent change to the record is not lost, then
// ends every sign-in made with the old one (see EndSessions). If id is not
// "", the account must still be the one with that ID.
func (s *Store) writePasswordHash(ctx context.Context, username, id, hash string) error {
	var changed string
	err := s.db.Update(ctx, recordPath(username), func(b []byte) ([]byte, error) {
		var a Account
		if err := json.Unmarshal(b, &a); err != nil {
			return nil, fmt.Errorf("account record is damaged: %w", err)
		}
		if id != "" && a.ID != id {
			return nil, ErrNoAccount
		}
		a.PasswordHash = hash
		a.PasswordChanged = s.now().UTC()
		changed = a.ID
		return json.Marshal(a)
	})
	if errors.Is(err, state.ErrNotFound) {
		return ErrNoAccount
	}
	if err != nil {
		return err
	}
	// After the write, so that a sign-in which checked the old password
	// (Authenticate notes when it began) is older than the ending.
	if err := s.EndSessions(ctx, changed); err != nil {
		return fmt.Errorf("the password was changed, but signing out everywhere failed (do it again): %w", err)
	}
	return nil
}

// StartReset makes a one-time code with which the leaver called username
// can choose a new password (see CompleteReset), valid for ResetTTL.
// helperID is the account ID of the helper who asked for it; the caller
// must have checked that the leaver chose that helper. Only the code's hash
// is kept, and a new code replaces any earlier one for the same account.
// An account that is not a leaver's gives ErrNotLeaver.
func (s *Store) StartReset(ctx context.Context, username, helperID string) (Reset, error) {
	helperID = strings.TrimSpace(helperID)
	if helperID == "" {
		return Reset{}, errors.New("a password reset needs the helper's account ID")
	}
	a, err := s.Get(ctx, username)
	if err != nil {
		return Reset{}, err
	}
	if a.Kind != Leaver {
		return Reset{}, ErrNotLeaver
	}
	return s.issueCode(ctx, a, resetRecord{Helper: helperID}, ResetTTL)
}

// issueCode makes a one-time code for account a, valid for ttl, and
// stores rec (filled in with a's ID, the times and the code's hash) in
// place of any earlier code for a.
func (s *Store) issueCode(ctx context.Context, a Account, rec resetRecord, ttl time.Duration) (Reset, error) {
	code := newCode()
	now := s.now().UTC()
	rec.AccountID = a.ID
	rec.Salt = make([]byte, 16)
	rec.Created = now
	rec.Expires = now.Add(ttl)
	rand.Read(rec.Salt)
	rec.Hash = codeHash(rec.Salt, a.Username, code)
	if err := s.db.WriteJSON(ctx, resetPath(a.Username), rec, state.Cond{}); err != nil {
		return Reset{}, err
	}
	return Reset{Code: code[:4] + "-" + code[4:], Expires: rec.Expires}, nil
}

// maxClaimRetries bounds CompleteReset's compare-and-swap loop.
const maxClaimRetries = 100

// CompleteReset sets a new password for the account called username if
// code is its pending one-time code (from StartReset, CreateWithSetup or
// IssueResetCode), and signs the account out everywhere (see EndSessions). Case, spaces and dashes
// in code do not matter. A code works once. A wrong code gives ErrBadCode
// (as does an unknown username, so the answer does not tell whether an
// account exists); the ResetTries-th wrong code gives ErrTooManyTries and
// voids the code, after which it too is ErrBadCode. A right code after
// ResetTTL gives ErrCodeExpired. A newPassword that breaks the password
// rules gives an error saying which, and does not use up the code or a try.
//
// The code is used up before the new password is written, so two people
// cannot both use it at once; if writing the password then fails, the
// helper must start again.
func (s *Store) CompleteReset(ctx context.Context, username, code, newPassword string) error {
	if err := checkPassword(newPassword); err != nil {
		return err
	}
	username, err := NormalizeUsername(username)
	if err != nil {
		return ErrBadCode
	}
	code = normaliseCode(code)
	db := s.db
	p := resetPath(username)
	for range maxClaimRetries {
		var rec resetRecord
		etag, err := db.ReadJSON(ctx, p, &rec)
		if errors.Is(err, state.ErrNotFound) {
			return ErrBadCode
		}
		if err != nil {
			return fmt.Errorf("password reset record: %w", err)
		}
		right := code != "" && subtle.ConstantTimeCompare(codeHash(rec.Salt, username, code), rec.Hash) == 1
		expired := !s.now().Before(rec.Expires)
		switch {
		case expired && right:
			return ErrCodeExpired
		case expired:
			// An expired code cannot be used, so guessing at it gains
			// nothing: no need to count the try.
			return ErrBadCode
		case right:
			// Claim the code by deleting exactly the version just read.
			if err = db.DeleteIf(ctx, p, state.IfMatch(etag)); err == nil {
				hash, err := s.params.Hash(newPassword)
				if err != nil {
					return err
				}
				err = s.writePasswordHash(ctx, username, rec.AccountID, hash)
				if errors.Is(err, ErrNoAccount) {
					// The account was deleted, or deleted and made again,
					// since the code was made for it.
					return ErrBadCode
				}
				return err
			}
		case code == "":
			// Not even the shape of a code: it cannot match, so it is not
			// counted as a try.
			return ErrBadCode
		case rec.Tries+1 >= ResetTries:
			if err = db.DeleteIf(ctx, p, state.IfMatch(etag)); err == nil {
				return ErrTooManyTries
			}
		default:
			rec.Tries++
			if err = db.WriteJSON(ctx, p, rec, state.IfMatch(etag)); err == nil {
				return ErrBadCode
			}
		}
		// Another attempt changed or removed the record since it was read:
		// read it again, so every try is counted and the code works once.
		if !errors.Is(err, state.ErrPrecondition) && !errors.Is(err, state.ErrNotFound) {
			return err
		}
	}
	return state.ErrBusy
}

// deleteReset removes any pending reset for username.
func (s *Store) deleteReset(ctx context.Context, username string) error {
	return s.db.Delete(ctx, resetPath(username))
}
