package issuer

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"

	"github.com/satchel-project/satchel/state"
)

// A join code is how a leaver finds an organisation to enrol with on the
// web pages: a short code the organisation shows on its page and in a QR
// code (a link carrying it), the same for everyone it serves. It names the
// organisation and nothing else: enrolling still needs the leaver, signed
// in, to say yes.

// joinAlphabet has no letters that look like digits (no I, L, O, U).
const joinAlphabet = "ABCDEFGHJKMNPQRSTVWXYZ0123456789"

// JoinCodeLen is the length of a join code, without its dash.
const JoinCodeLen = 8

// ErrNoJoinCode: no organisation shows that code.
var ErrNoJoinCode = errors.New("no organisation uses that code")

func joinPath(code string) state.Name  { return state.Name("join/" + code + ".json") }
func joinOfOrg(slug string) state.Name { return state.Name("join-of/" + slug + ".json") }
func newJoinCode() string {
	b := make([]byte, JoinCodeLen)
	rand.Read(b)
	for i := range b {
		b[i] = joinAlphabet[int(b[i])%len(joinAlphabet)]
	}
	return string(b)
}

// FormatJoinCode writes a join code as people read it: ABCD-EFGH.
func FormatJoinCode(code string) string {
	if len(code) != JoinCodeLen {
		return code
	}
	return code[:4] + "-" + code[4:]
}

// NormaliseJoinCode reads a join code as a person typed it: any case,
// with or without spaces and dashes, O for 0 and I or L for 1. It returns
// "" if it cannot be one.
func NormaliseJoinCode(s string) string {
	var b strings.Builder
	for _, c := range strings.ToUpper(s) {
		switch {
		case c == ' ' || c == '-':
			continue
		case c == 'O':
			c = '0'
		case c == 'I' || c == 'L':
			c = '1'
		case c == 'U':
			c = 'V'
		}
		if !strings.ContainsRune(joinAlphabet, c) {
			return ""
		}
		b.WriteRune(c)
	}
	if b.Len() != JoinCodeLen {
		return ""
	}
	return b.String()
}

type joinRecord struct {
	Org  string `json:"org"`
	Code string `json:"code"`
}

// JoinCode is organisation slug's join code, made on first use.
func (s *Service) JoinCode(ctx context.Context, slug string) (string, error) {
	if _, err := s.Org(ctx, slug); err != nil {
		return "", err
	}
	var rec joinRecord
	if _, err := s.db.ReadJSON(ctx, joinOfOrg(slug), &rec); err == nil {
		return rec.Code, nil
	} else if !errors.Is(err, state.ErrNotFound) {
		return "", err
	}
	// The code is taken first, then given to the organisation; an
	// instance that loses the race to give one lets its code go.
	for range 5 {
		code := newJoinCode()
		err := s.db.WriteJSON(ctx, joinPath(code), joinRecord{Org: slug, Code: code}, state.CreateOnly())
		if errors.Is(err, state.ErrPrecondition) {
			continue // someone else's code
		}
		if err != nil {
			return "", err
		}
		err = s.db.WriteJSON(ctx, joinOfOrg(slug), joinRecord{Org: slug, Code: code}, state.CreateOnly())
		if errors.Is(err, state.ErrPrecondition) {
			s.db.Delete(ctx, joinPath(code))
			if _, err := s.db.ReadJSON(ctx, joinOfOrg(slug), &rec); err != nil {
				return "", err
			}
			return rec.Code, nil
		}
		if err != nil {
			return "", err
		}
		return code, nil
	}
	return "", errors.New("could not make a join code: try again")
}

// OrgByJoinCode is the organisation that shows code (as a person typed
// it), or ErrNoJoinCode.
func (s *Service) OrgByJoinCode(ctx context.Context, code string) (Org, error) {
	code = NormaliseJoinCode(code)
	if code == "" {
		return Org{}, ErrNoJoinCode
	}
	var rec joinRecord
	if _, err := s.db.ReadJSON(ctx, joinPath(code), &rec); err != nil {
		if errors.Is(err, state.ErrNotFound) {
			return Org{}, ErrNoJoinCode
		}
		return Org{}, err
	}
	// A code whose organisation never got it (it lost a race) is no code.
	var mine joinRecord
	if _, err := s.db.ReadJSON(ctx, joinOfOrg(rec.Org), &mine); err != nil || mine.Code != code {
		return Org{}, ErrNoJoinCode
	}
	o, err := s.Org(ctx, rec.Org)
	if errors.Is(err, ErrNoOrg) {
		return Org{}, ErrNoJoinCode
	}
	return o, err
}
