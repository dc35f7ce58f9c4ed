package account_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/satchel-project/satchel/account"
)

// Usernames: 2 to 64 characters of a-z, 0-9 and ".-_", the first a letter
// or digit; what a person types is lower-cased and trimmed first.
func TestUsernameRules(t *testing.T) {
	for in, want := range map[string]string{
		"jo":                          "jo",
		" Jo.Bloggs_99 ":              "jo.bloggs_99",
		"az09":                        "az09",
		"0jo":                         "0jo",
		"9z":                          "9z",
		"zz-a":                        "zz-a",
		strings.Repeat("a", 64):       strings.Repeat("a", 64),
		"a" + strings.Repeat("9", 63): "a" + strings.Repeat("9", 63),
	} {
		if got, err := account.NormalizeUsername(in); got != want || err != nil {
			t.Errorf("NormalizeUsername(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{
		"", "j", strings.Repeat("a", 65),
		"a`", "a{", "a/", "a:", "`a", "{a", "/a", ":a", // just outside a-z and 0-9
		".jo", "-jo", "_jo", "jo bloggs", "jo@x", "jö",
	} {
		if got, err := account.NormalizeUsername(in); err == nil {
			t.Errorf("NormalizeUsername(%q) = %q, want an error", in, got)
		}
	}
}

// A person names a kind of account in any case, with spaces around it.
func TestParseKind(t *testing.T) {
	for in, want := range map[string]account.Kind{
		"leaver": account.Leaver, " Helper ": account.Helper, "ISSUER": account.Issuer,
		"operator": account.Operator, "evaluator": account.Evaluator,
	} {
		if got, err := account.ParseKind(in); got != want || err != nil {
			t.Errorf("ParseKind(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "admin", "leavers"} {
		if got, err := account.ParseKind(in); err == nil || got != "" {
			t.Errorf("ParseKind(%q) = %q, %v; want an error", in, got, err)
		}
	}
}

// Display names are 1 to 200 characters, trimmed; passwords 10 to 1024.
func TestCreateLimits(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	ok := []struct{ user, name, pw string }{
		{"name200", strings.Repeat("n", 200), "long-enough-pw"},
		{"pw10", "Jo", "0123456789"},
		{"pw1024", "Jo", strings.Repeat("p", 1024)},
		{"trimmed", "  Jo  ", "long-enough-pw"},
	}
	for _, c := range ok {
		a, err := s.Create(ctx, c.user, account.Helper, c.name, c.pw)
		if err != nil {
			t.Errorf("Create(%q, %d-character name, %d-character password): %v", c.user, len(c.name), len(c.pw), err)
			continue
		}
		if a.DisplayName != strings.TrimSpace(c.name) {
			t.Errorf("display name %q, want %q", a.DisplayName, strings.TrimSpace(c.name))
		}
		if _, err := s.Authenticate(ctx, c.user, c.pw); err != nil {
			t.Errorf("%s cannot sign in: %v", c.user, err)
		}
	}
	for _, c := range []struct{ user, name, pw string }{
		{"name201", strings.Repeat("n", 201), "long-enough-pw"},
		{"blank", "   ", "long-enough-pw"},
		{"pw9", "Jo", "012345678"},
		{"pw1025", "Jo", strings.Repeat("p", 1025)},
	} {
		if _, err := s.Create(ctx, c.user, account.Helper, c.name, c.pw); err == nil {
			t.Errorf("Create(%q, %d-character name, %d-character password) succeeded", c.user, len(c.name), len(c.pw))
		}
	}
	// An issuer's staff account, and only one, names its organisation.
	if _, err := s.CreateWith(ctx, "clerk", account.Issuer, "Clerk", "long-enough-pw", ""); err == nil {
		t.Error("an issuer account without an organisation was made")
	}
	if _, err := s.CreateWith(ctx, "sam", account.Helper, "Sam", "long-enough-pw", "hmp"); err == nil {
		t.Error("a helper account with an organisation was made")
	}
	if a, err := s.CreateWith(ctx, "clerk", account.Issuer, "Clerk", "long-enough-pw", "hmp"); err != nil || a.Org != "hmp" {
		t.Errorf("issuer account: %+v, %v", a, err)
	}
}

// A pod started for someone in custody has a leaver's account named after
// them that nobody can sign in to, or set up with a code, until they claim
// it with a password.
func TestCreateUnclaimed(t *testing.T) {
	ctx := context.Background()
	s, svc := openStore(t)
	for _, c := range []struct {
		name string
		user *regexp.Regexp
	}{
		{"Jo Bloggs", regexp.MustCompile(`^jo\.bloggs\.[1-9][0-9]{3}$`)},
		{"  Zoë  O'Brien-Smith 2nd ", regexp.MustCompile(`^zo\.obriensmith\.2nd\.[1-9][0-9]{3}$`)},
		{"Ælfrida", regexp.MustCompile(`^lfrida\.[1-9][0-9]{3}$`)},
		{"Ōta 李", regexp.MustCompile(`^ta\.[1-9][0-9]{3}$`)},
		{"李 明", regexp.MustCompile(`^person\.[1-9][0-9]{3}$`)},
		// At most 40 characters before the digits, not ending in a dot.
		{"Maximilian Alexander Bartholomew Featherstonehaugh", regexp.MustCompile(`^maximilian\.alexander\.bartholomew\.feather\.[1-9][0-9]{3}$`)},
		{"Abcdefghij Abcdefghij Abcdefghij Abcdefg", regexp.MustCompile(`^abcdefghij\.abcdefghij\.abcdefghij\.abcdefg\.[1-9][0-9]{3}$`)},
		{"Abcdefghij Abcdefghij Abcdefghij Abcdef Xyz", regexp.MustCompile(`^abcdefghij\.abcdefghij\.abcdefghij\.abcdef\.[1-9][0-9]{3}$`)},
	} {
		a, err := s.CreateUnclaimed(ctx, c.name)
		if err != nil {
			t.Fatalf("CreateUnclaimed(%q): %v", c.name, err)
		}
		if !c.user.MatchString(a.Username) || a.Kind != account.Leaver || a.DisplayName != strings.TrimSpace(c.name) || !a.Pod.Valid() {
			t.Errorf("CreateUnclaimed(%q) = %+v; want a leaver with a pod, username like %s", c.name, a, c.user)
		}
		if _, _, err := svc.List(ctx, a.Pod, "inbox/"); err != nil {
			t.Errorf("the pod of %s has no inbox/: %v", a.Username, err)
		}
		for _, pw := range []string{"", "password", a.Username} {
			if _, err := s.Authenticate(ctx, a.Username, pw); !errors.Is(err, account.ErrBadPassword) {
				t.Errorf("signing in to unclaimed %s with %q: %v", a.Username, pw, err)
			}
		}
		if err := s.CompleteReset(ctx, a.Username, "AAAA-AAAA", "my-own-password"); !errors.Is(err, account.ErrBadCode) {
			t.Errorf("a code for unclaimed %s: %v", a.Username, err)
		}
		if err := s.SetPassword(ctx, a.Username, "my-own-password"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, a.Username, "my-own-password"); err != nil {
			t.Errorf("claimed %s cannot sign in: %v", a.Username, err)
		}
	}
	if _, err := s.CreateUnclaimed(ctx, strings.Repeat("n", 201)); err == nil {
		t.Error("an unclaimed account with a 201-character name was made")
	}
	// Two people of one name get two accounts.
	a, _ := s.CreateUnclaimed(ctx, "Jo Bloggs")
	b, _ := s.CreateUnclaimed(ctx, "Jo Bloggs")
	if a.Username == b.Username || a.ID == b.ID || a.Pod == b.Pod {
		t.Errorf("two Jo Bloggs share %s / %s", a.Username, b.Username)
	}
}
