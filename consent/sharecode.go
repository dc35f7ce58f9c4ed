package consent

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/state"
)

// A share code is the short form of a share link that a recipient types
// at /check on Satchel's own address, with the date of birth of the person
// who shared, to reach the same share (the model is GOV.UK's "view a
// tenant's right to rent" share code). A link can be copied into a page
// that looks like Satchel; a code typed at Satchel's own address cannot.
//
// A share's code is derived from its token, so it is never stored: the
// consent records hold only an entry named by the code's SHA-256, holding
// the grant's ID and the SHA-256 of the code with the date of birth.

// CodeLength is the number of characters in a share code.
const CodeLength = 9

// codeAlphabet has no letters or digits that are easily mistaken for one
// another when read out or typed: no 0 or O, 1, I or L, U or V.
const codeAlphabet = "ABCDEFGHJKMNPQRSTWXYZ23456789"

// ErrCodeTaken is a share code that already names another share.
var ErrCodeTaken = errors.New("this share code is already in use")

// codeEntry is what is stored for a share code.
type codeEntry struct {
	Grant GrantID `json:"grant"`
	Birth string  `json:"birth"` // hex SHA-256 of code and date of birth
}

func codePath(code string) state.Name {
	sum := sha256.Sum256([]byte("satchel share code\x00" + code))
	return state.Name("codes/" + hex.EncodeToString(sum[:]) + ".json")
}

func birthHash(code string, birth time.Time) string {
	sum := sha256.Sum256([]byte("satchel share code birth\x00" + code + "\x00" + birth.Format(time.DateOnly)))
	return hex.EncodeToString(sum[:])
}

// codeOf is the share code of a share token, unformatted.
func codeOf(token string) string {
	var b strings.Builder
	seed := sha256.Sum256([]byte("satchel share code of\x00" + token))
	for round := byte(0); b.Len() < CodeLength; round++ {
		block := sha256.Sum256(append(seed[:], round))
		for _, c := range block {
			// Rejection sampling: an even spread over the alphabet.
			if int(c) >= 256/len(codeAlphabet)*len(codeAlphabet) {
				continue
			}
			b.WriteByte(codeAlphabet[int(c)%len(codeAlphabet)])
			if b.Len() == CodeLength {
				break
			}
		}
	}
	return b.String()
}

// FormatCode writes a share code as it is read out: "ABC-DEF-GHJ".
func FormatCode(code string) string {
	if len(code) != CodeLength {
		return code
	}
	return code[:3] + "-" + code[3:6] + "-" + code[6:]
}

// ParseCode reads a share code as a person typed it (any case, with or
// without spaces and dashes), or returns "" if it cannot be one.
func ParseCode(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == ' ' || r == '-' || r == '\t':
		case r < 128 && strings.IndexByte(codeAlphabet, byte(r)) >= 0:
			b.WriteRune(r)
		default:
			return ""
		}
	}
	if b.Len() != CodeLength {
		return ""
	}
	return b.String()
}

// Code returns the share code of grant g, formatted, or "" if it has none
// (no date of birth was known when it was made).
func (s *Service) Code(ctx context.Context, g Grant) (string, error) {
	code := codeOf(g.Token)
	var e codeEntry
	if _, err := s.db.ReadJSON(ctx, codePath(code), &e); err != nil {
		if errors.Is(err, state.ErrNotFound) {
			return "", nil
		}
		return "", err
	}
	if e.Grant != g.ID {
		return "", nil
	}
	return FormatCode(code), nil
}

// MakeCode gives grant g of pod p a share code, to be used with the date
// of birth birth, and returns it formatted. A grant that has one keeps it
// (and its date of birth).
func (s *Service) MakeCode(ctx context.Context, p pod.PodID, id GrantID, birth time.Time) (string, error) {
	sh, err := s.Get(ctx, p, id)
	if err != nil {
		return "", err
	}
	code := codeOf(sh.Token)
	err = s.db.WriteJSON(ctx, codePath(code), codeEntry{Grant: id, Birth: birthHash(code, birth)}, state.CreateOnly())
	if errors.Is(err, state.ErrPrecondition) {
		if c, err := s.Code(ctx, sh.Grant); err != nil || c != "" {
			return c, err
		}
		return "", ErrCodeTaken
	}
	if err != nil {
		return "", err
	}
	return FormatCode(code), nil
}

// claimCode gives the grant g being made a share code, if a date of birth
// is given or found in its pod: it claims the code of g's token, choosing
// a new token if that code names another share.
func (s *Service) claimCode(ctx context.Context, g *Grant, birth time.Time) error {
	if birth.IsZero() {
		var err error
		if birth, err = s.BirthDate(ctx, g.Pod); err != nil || birth.IsZero() {
			return err
		}
	}
	for try := 0; try < 3; try++ {
		code := codeOf(g.Token)
		err := s.db.WriteJSON(ctx, codePath(code), codeEntry{Grant: g.ID, Birth: birthHash(code, birth)}, state.CreateOnly())
		if !errors.Is(err, state.ErrPrecondition) {
			return err
		}
		g.Token = s.tokens()
	}
	return ErrCodeTaken
}

// ResolveCode finds the share behind a share code and date of birth. A
// code that names no share and a wrong date of birth are the same
// ErrNoGrant: nobody learns which part was wrong.
func (s *Service) ResolveCode(ctx context.Context, code string, birth time.Time) (Grant, State, error) {
	code = ParseCode(code)
	if code == "" {
		return Grant{}, State{}, ErrNoGrant
	}
	var e codeEntry
	if _, err := s.db.ReadJSON(ctx, codePath(code), &e); err != nil {
		return Grant{}, State{}, notFound(err)
	}
	if subtle.ConstantTimeCompare([]byte(e.Birth), []byte(birthHash(code, birth))) != 1 || !validID(e.Grant) {
		return Grant{}, State{}, ErrNoGrant
	}
	var g Grant
	if _, err := s.db.ReadJSON(ctx, grantPath(e.Grant), &g); err != nil {
		return Grant{}, State{}, notFound(err)
	}
	if codeOf(g.Token) != code {
		return Grant{}, State{}, ErrNoGrant
	}
	var st State
	if _, err := s.db.ReadJSON(ctx, statePath(g.ID), &st); err != nil {
		return Grant{}, State{}, notFound(err)
	}
	return g, st, nil
}

// forgetCode removes grant g's share code, if it has one.
func (s *Service) forgetCode(ctx context.Context, g Grant) error {
	if c, err := s.Code(ctx, g); err != nil || c == "" {
		return err
	}
	return s.db.Delete(ctx, codePath(codeOf(g.Token)))
}

// BirthDate is the date of birth that the records in pod p's identity/
// folder give: a birth certificate's first, then an identity document's.
// It is zero if they give none.
func (s *Service) BirthDate(ctx context.Context, p pod.PodID) (time.Time, error) {
	_, members, err := s.pods.List(ctx, p, "identity/")
	if errors.Is(err, pod.ErrNotFound) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	sort.Slice(members, func(i, j int) bool { return members[i].Name < members[j].Name })
	var fromID time.Time
	for _, m := range members {
		if m.IsContainer() || m.ContentType != "application/ld+json" {
			continue
		}
		doc, err := s.readRecord(ctx, p, pod.Path("identity/").Child(m.Name))
		if err != nil {
			continue // not a record we can read: it gives no date
		}
		switch doc["type"] {
		case "BirthCertificate":
			if t, err := time.Parse(time.DateOnly, str(doc["birthDate"])); err == nil {
				return t, nil
			}
		case "IdentityDocument":
			holder, _ := doc["holder"].(map[string]any)
			if t, err := time.Parse(time.DateOnly, str(holder["birthDate"])); err == nil && fromID.IsZero() {
				fromID = t
			}
		}
	}
	return fromID, nil
}

func (s *Service) readRecord(ctx context.Context, p pod.PodID, path pod.Path) (map[string]any, error) {
	res, rc, err := s.pods.Get(ctx, p, path)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	if res.ContentType != "application/ld+json" {
		return nil, errors.New("not a record")
	}
	var doc map[string]any
	err = json.NewDecoder(io.LimitReader(rc, pod.MaxRecord)).Decode(&doc)
	return doc, err
}
