package account

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"unicode"
)

// CreateUnclaimed makes a leaver's account and pod for someone an
// organisation is starting a pod for before they leave custody (package
// onboard). It has no password and no set-up code, so nobody can sign in to
// it until the person claims it and chooses a password (SetPassword). Its
// username is made from displayName and four digits ("jo.bloggs.4821"), to
// print on the claim letter.
func (s *Store) CreateUnclaimed(ctx context.Context, displayName string) (Account, error) {
	base := usernameBase(displayName)
	for range 20 {
		n, err := rand.Int(rand.Reader, big.NewInt(9000))
		if err != nil {
			return Account{}, err
		}
		username := fmt.Sprintf("%s.%d", base, 1000+n.Int64())
		username, displayName, err := checkNew(username, Leaver, displayName, "")
		if err != nil {
			return Account{}, err
		}
		a, err := s.create(ctx, username, Leaver, displayName, "", "")
		if errors.Is(err, ErrTaken) {
			continue
		}
		return a, err
	}
	return Account{}, ErrTaken
}

// usernameBase is the letters and digits of name, lower-cased, words joined
// by dots, at most 40 characters ("person" if none are left).
func usernameBase(name string) string {
	var words []string
	for _, w := range strings.Fields(strings.ToLower(name)) {
		w = strings.Map(func(r rune) rune {
			if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
				return r
			}
			return -1
		}, w)
		if w != "" {
			words = append(words, w)
		}
	}
	b := strings.Join(words, ".")
	if len(b) > 40 {
		b = strings.TrimRight(b[:40], ".")
	}
	if b == "" {
		b = "person"
	}
	return b
}
