package account_test

import (
	"context"
	"errors"
	"math"
	"regexp"
	"strings"
	"testing"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/pod"
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

// A stored hash may ask for at most 100 passes: one asking for more is
// refused unchecked, so a planted or damaged record cannot make a sign-in
// cost more than that.
func TestVerifyPassLimit(t *testing.T) {
	for _, c := range []struct {
		passes uint32
		ok     bool
	}{{100, true}, {101, false}} {
		h, err := account.Params{Memory: 8, Time: c.passes, Threads: 1}.Hash("password-one")
		if err != nil {
			t.Fatal(err)
		}
		ok, err := cheap.Verify(h, "password-one")
		if ok != c.ok || (err == nil) != c.ok {
			t.Errorf("a hash of %d passes: Verify = %v, %v; want %v", c.passes, ok, err, c.ok)
		}
	}
	h, _ := cheap.Hash("password-one")
	for _, bad := range []string{
		strings.Replace(h, "m=1024", "m=4194305", 1),
		strings.Replace(h, "p=1", "p=0", 1),
		strings.Replace(h, "v=19", "v=16", 1),
	} {
		if ok, err := cheap.Verify(bad, "password-one"); ok || err == nil {
			t.Errorf("Verify(%q) = %v, %v; want an error", bad, ok, err)
		}
	}
}

// Every character of a one-time code is equally likely, so no guess is
// better than another: over 400,000 characters each of the 31 comes up
// within 7 standard deviations of 1 in 31 (a bias of one byte value in 256
// towards one character would put it 14 off).
func TestCodeCharactersUniform(t *testing.T) {
	const n = 400000
	const alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
	code := account.NewCode(n)
	if len(code) != n {
		t.Fatalf("NewCode(%d) is %d long", n, len(code))
	}
	counts := map[rune]int{}
	for _, c := range code {
		counts[c]++
	}
	p := 1.0 / float64(len(alphabet))
	sd := math.Sqrt(float64(n) * p * (1 - p))
	for _, c := range alphabet {
		if dev := math.Abs(float64(counts[c]) - float64(n)*p); dev > 7*sd {
			t.Errorf("%q came up %d times in %d, %.1f standard deviations from %.0f", c, counts[c], n, dev/sd, float64(n)*p)
		}
	}
	if len(counts) != len(alphabet) {
		t.Errorf("the code uses %d characters, want the %d of the alphabet", len(counts), len(alphabet))
	}
	for _, n := range []int{1, 4, 8, 16} {
		if got := account.NewCode(n); len(got) != n || account.NormaliseCode(got, n) != got {
			t.Errorf("NewCode(%d) = %q", n, got)
		}
	}
}

// Deleting a leaver's account erases their pod and lets nobody sign in;
// the username may then be taken again, by someone else.
func TestDeleteErasesThePod(t *testing.T) {
	ctx := context.Background()
	s, svc := openStore(t)
	jo, err := s.Create(ctx, "jo", account.Leaver, "Jo", "correct-horse-battery")
	if err != nil {
		t.Fatal(err)
	}
	sam, err := s.Create(ctx, "sam", account.Leaver, "Sam", "correct-horse-battery")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "jo"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.List(ctx, jo.Pod, "inbox/"); !errors.Is(err, pod.ErrNoPod) {
		t.Errorf("the deleted account's pod: %v, want ErrNoPod", err)
	}
	if _, _, err := svc.List(ctx, sam.Pod, "inbox/"); err != nil {
		t.Errorf("another account's pod: %v", err)
	}
	if _, err := s.Authenticate(ctx, "jo", "correct-horse-battery"); !errors.Is(err, account.ErrBadPassword) {
		t.Errorf("signing in to the deleted account: %v", err)
	}
	if err := s.Delete(ctx, "jo"); !errors.Is(err, account.ErrNoAccount) {
		t.Errorf("deleting it again: %v", err)
	}
	again, err := s.Create(ctx, "jo", account.Leaver, "Another Jo", "another-password")
	if err != nil || again.ID == jo.ID || again.Pod == jo.Pod {
		t.Fatalf("the username again: %+v, %v", again, err)
	}
	if _, err := s.Authenticate(ctx, "jo", "another-password"); err != nil {
		t.Errorf("the new jo cannot sign in: %v", err)
	}
}

// Who checked the person's identity is said in 1 to 200 characters.
func TestIssueResetCodeNamesWhoChecked(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	if _, err := s.Create(ctx, "jo", account.Leaver, "Jo", "correct-horse-battery"); err != nil {
		t.Fatal(err)
	}
	for by, ok := range map[string]bool{
		"P":                      true,
		strings.Repeat("p", 200): true,
		strings.Repeat("p", 201): false,
		"  ":                     false,
	} {
		_, r, err := s.IssueResetCode(ctx, "jo", by)
		if (err == nil) != ok || (r.Code != "") != ok {
			t.Errorf("IssueResetCode by a %d-character name: %+v, %v; want a code: %v", len(by), r, err, ok)
		}
	}
}

// An admin added by another is an admin from the start, with a set-up code
// and no password; a username taken is refused as taken.
func TestCreateStaffAdmin(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	a, r, err := s.CreateStaff(ctx, "boss", "The Boss", "hmp", true)
	if err != nil || !a.OrgAdmin || a.Org != "hmp" || a.Kind != account.Issuer || r.Code == "" {
		t.Fatalf("CreateStaff admin: %+v, %+v, %v", a, r, err)
	}
	if got, err := s.Get(ctx, "boss"); err != nil || !got.OrgAdmin {
		t.Errorf("the stored account: %+v, %v", got, err)
	}
	if _, err := s.Authenticate(ctx, "boss", "anything-at-all"); !errors.Is(err, account.ErrBadPassword) {
		t.Errorf("signing in before set-up: %v", err)
	}
	for _, admin := range []bool{true, false} {
		if _, _, err := s.CreateStaff(ctx, "boss", "Another", "hmp", admin); !errors.Is(err, account.ErrTaken) {
			t.Errorf("CreateStaff(admin %v) with a taken username: %v, want ErrTaken", admin, err)
		}
	}
}
