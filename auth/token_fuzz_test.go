package auth

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/vault/local"
)

// FuzzTokenVerify checks Verify against anything a client can put after
// "Bearer ": no string the fuzzer makes verifies, nothing panics, and a
// real token with any one byte changed is refused.
func FuzzTokenVerify(f *testing.F) {
	const me = "https://satchel.example"
	l, _, err := local.Open(f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	s, err := l.Signer(context.Background(), "tokens")
	if err != nil {
		f.Fatal(err)
	}
	tk, err := NewTokens(s, me)
	if err != nil {
		f.Fatal(err)
	}
	now := time.Unix(1_800_000_000, 0)
	tk.now = func() time.Time { return now }
	real, _, err := tk.Issue(account.Account{ID: "acct1", Kind: account.Leaver, DisplayName: "Jo", Pod: "abcdefghijklmnopqrstuvwxyz"})
	if err != nil {
		f.Fatal(err)
	}
	if _, err := tk.Verify(real); err != nil {
		f.Fatalf("the real token was refused: %v", err)
	}

	b64 := base64.RawURLEncoding.EncodeToString
	claims := b64([]byte(`{"iss":"` + me + `","aud":["` + me + `"],"sub":"acct1","exp":1900000000,"iat":1800000000,"kind":"leaver","pod":"abcdefghijklmnopqrstuvwxyz"}`))
	parts := strings.Split(real, ".")
	for _, seed := range []string{
		"", ".", "..", "a.b.c", "Bearer x", strings.Repeat("A", 5000), "\x00", "e30.e30.", "e30.e30.e30",
		// Unsigned, or signed with an algorithm the key was not made for.
		b64([]byte(`{"alg":"none"}`)) + "." + claims + ".",
		b64([]byte(`{"alg":"none","kid":"tokens"}`)) + "." + claims + ".",
		b64([]byte(`{"alg":"HS256","kid":"tokens"}`)) + "." + claims + "." + b64(make([]byte, 32)),
		b64([]byte(`{"alg":"EdDSA"}`)) + "." + claims + "." + b64(make([]byte, 64)),
		b64([]byte(`{"alg":"EdDSA","kid":"tokens","crit":["b64"],"b64":false}`)) + "." + claims + "." + b64(make([]byte, 64)),
		// The real token's signature on other claims, and its parts moved about.
		parts[0] + "." + claims + "." + parts[2],
		parts[0] + "." + parts[1] + ".",
		parts[0] + ".." + parts[2],
		parts[1] + "." + parts[0] + "." + parts[2],
		`{"payload":"` + claims + `","signatures":[{"protected":"` + parts[0] + `","signature":"` + parts[2] + `"}]}`,
		`{"payload":"` + parts[1] + `","protected":"` + b64([]byte(`{"alg":"none"}`)) + `","signature":""}`,
	} {
		f.Add(seed, uint16(0), byte(0))
	}
	// Where a stray bit or another alphabet could hide: the last
	// character of each part, and the signature's first.
	ends := []int{len(parts[0]) - 1, len(parts[0]) + len(parts[1]), len(real) - 1, len(parts[0]) + len(parts[1]) + 2}
	for _, i := range ends {
		for _, mask := range []byte{1, 2, 4, 8, 0x06, 0x70} {
			f.Add("", uint16(i), mask)
		}
	}
	f.Fuzz(func(t *testing.T, token string, pos uint16, mask byte) {
		if c, err := tk.Verify(token); err == nil && token != real {
			t.Fatalf("Verify(%q) = %+v, nil", token, c)
		}
		// The real token with the byte at pos XORed with mask.
		if mask == 0 {
			return
		}
		i := int(pos) % len(real)
		changed := real[:i] + string([]byte{real[i] ^ mask}) + real[i+1:]
		if c, err := tk.Verify(changed); err == nil {
			t.Fatalf("the real token with byte %d changed from %q to %q verified: %+v", i, real[i], changed[i], c)
		}
	})
}

// A token has one spelling: found by FuzzTokenVerify, where the real token
// with a stray bit in the last character of a part, or "+" for "-", still
// verified.
func TestTokenHasOneSpelling(t *testing.T) {
	tk := newTokens(t, "https://satchel.example")
	real, _, err := tk.Issue(account.Account{ID: "acct1", Kind: account.Leaver})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tk.Verify(real); err != nil {
		t.Fatal(err)
	}
	std := strings.NewReplacer("-", "+", "_", "/").Replace(real)
	variants := map[string]string{"padded": real + "==", "with a line break": real[:20] + "\n" + real[20:]}
	if std != real {
		variants["standard alphabet"] = std
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := range real {
		if i == len(real)-1 || real[i+1] == '.' {
			// The next character sets only the lowest bit, unused unless
			// the part's length is a multiple of four.
			next := alphabet[(strings.IndexByte(alphabet, real[i])+1)%64]
			variants[fmt.Sprintf("stray bit at %d", i)] = real[:i] + string(next) + real[i+1:]
		}
	}
	for name, v := range variants {
		if _, err := tk.Verify(v); err == nil {
			t.Errorf("the token %s verified", name)
		}
	}
}
