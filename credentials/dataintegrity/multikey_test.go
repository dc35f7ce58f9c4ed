package dataintegrity

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"
)

func TestBase58(t *testing.T) {
	// Known values (Bitcoin's alphabet; leading zero bytes are "1"s).
	for _, c := range []struct{ hex, b58 string }{
		{"", ""},
		{"00", "1"},
		{"0000", "11"},
		{"61", "2g"},
		{"626262", "a3gV"},
		{"636363", "aPEr"},
		{"00000000000000000000000000000000000000000000000000000000000000ff", "11111111111111111111111111111115Q"},
		{"516b6fcd0f", "ABnLTmg"},
		{"572e4794", "3EFU7m"},
		{"10c8511e", "Rt5zm"},
		{"00eb15231dfceb60925886b67d065299925915aeb172c06647", "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L"},
	} {
		b, _ := hex.DecodeString(c.hex)
		if got := base58Encode(b); got != c.b58 {
			t.Errorf("encode %s = %s, want %s", c.hex, got, c.b58)
		}
		if c.b58 == "" {
			continue
		}
		if got, err := base58Decode(c.b58); err != nil || !bytes.Equal(got, b) {
			t.Errorf("decode %s = %x %v", c.b58, got, err)
		}
	}
	for i := range 200 {
		b := make([]byte, i%70)
		rand.Read(b)
		for j := 0; j < i%4 && j < len(b); j++ {
			b[j] = 0
		}
		if got, err := base58Decode(base58Encode(b)); len(b) > 0 && (err != nil || !bytes.Equal(got, b)) {
			t.Fatalf("round trip %x: %x %v", b, got, err)
		}
	}
	for _, bad := range []string{"", "0", "O", "I", "l", "abc+", "zé"} {
		if _, err := base58Decode(bad); err == nil {
			t.Errorf("decoded %q", bad)
		}
	}
}

func TestMultikey(t *testing.T) {
	for range 50 {
		pub, _, _ := ed25519.GenerateKey(nil)
		mk := MultikeyEd25519(pub)
		if !strings.HasPrefix(mk, "z6Mk") {
			t.Fatalf("%s does not start z6Mk", mk)
		}
		got, err := ParseMultikeyEd25519(mk)
		if err != nil || !got.Equal(pub) {
			t.Fatalf("%s: %v", mk, err)
		}
		did := DIDKey(pub)
		if did != "did:key:"+mk {
			t.Fatal(did)
		}
		if got, err := ResolveDIDKey(did + "#" + mk); err != nil || !got.Equal(pub) {
			t.Fatalf("ResolveDIDKey: %v", err)
		}
	}
	pub, _, _ := ed25519.GenerateKey(nil)
	mk := MultikeyEd25519(pub)
	secret := "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
	for _, bad := range []string{
		"",
		mk[1:],       // no multibase prefix
		"u" + mk[1:], // another base
		secret,       // a secret key
		"z" + base58Encode([]byte{0xec, 0x01}) + mk[3:], // another codec
		"z" + base58Encode(append([]byte{0xed, 0x01}, make([]byte, 31)...)),
		"z" + base58Encode(append([]byte{0xed, 0x01}, make([]byte, 33)...)),
		"z" + strings.Repeat("2", 1000),
	} {
		if _, err := ParseMultikeyEd25519(bad); err == nil {
			t.Errorf("parsed %q", bad)
		}
	}
	if _, err := ParseMultikeyEd25519(secret); err == nil || !strings.Contains(err.Error(), "secret") {
		t.Errorf("a secret key is not named as one: %v", err)
	}
}

func TestResolveDIDKey(t *testing.T) {
	pub, _, _ := ed25519.GenerateKey(nil)
	other, _, _ := ed25519.GenerateKey(nil)
	mk, did := MultikeyEd25519(pub), DIDKey(pub)
	if got, err := ResolveDIDKey(did + "#" + mk); err != nil || !got.Equal(pub) {
		t.Fatal(err)
	}
	for _, bad := range []string{
		did,                                // the DID, not a key
		did + "#",                          // empty fragment
		did + "#key-1",                     // another fragment
		did + "#" + MultikeyEd25519(other), // another key's fragment
		DIDKey(other) + "#" + mk,
		"did:web:example.com#" + mk,
		"did:key:" + mk + "/path#" + mk + "/path",
		"did:key:" + mk + "?x=1#" + mk + "?x=1",
		"did:key:zDnaegE6RR3atJtHKwTRTWHsJ3kNHqFwv7n9YjTgmU7TyfU76#zDnaegE6RR3atJtHKwTRTWHsJ3kNHqFwv7n9YjTgmU7TyfU76", // P-256
		"https://vc.example/issuers/5678#" + mk,
	} {
		if _, err := ResolveDIDKey(bad); err == nil {
			t.Errorf("resolved %q", bad)
		}
	}
}
