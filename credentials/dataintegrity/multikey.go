package dataintegrity

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// The multicodec prefixes (unsigned varints) of Ed25519 keys: ed25519-pub
// (0xed) and ed25519-priv (0x1300).
var (
	ed25519PubPrefix  = []byte{0xed, 0x01}
	ed25519PrivPrefix = []byte{0x80, 0x26}
)

// The base58-btc alphabet (Bitcoin's), which multibase marks with "z".
const b58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

var b58Index = func() (idx [256]int8) {
	for i := range idx {
		idx[i] = -1
	}
	for i := 0; i < len(b58Alphabet); i++ {
		idx[b58Alphabet[i]] = int8(i)
	}
	return idx
}()

var big58 = big.NewInt(58)

// base58Encode encodes b in base58-btc: each leading zero byte becomes a
// "1", the rest is the big-endian number in base 58.
func base58Encode(b []byte) string {
	zeros := 0
	for zeros < len(b) && b[zeros] == 0 {
		zeros++
	}
	n := new(big.Int).SetBytes(b[zeros:])
	var out []byte
	mod := new(big.Int)
	for n.Sign() > 0 {
		n.DivMod(n, big58, mod)
		out = append(out, b58Alphabet[mod.Int64()])
	}
	for range zeros {
		out = append(out, '1')
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return string(out)
}

// base58Decode decodes base58-btc. Callers bound len(s): the work grows
// with its square.
func base58Decode(s string) ([]byte, error) {
	if s == "" {
		return nil, errors.New("empty base58 value")
	}
	zeros := 0
	for zeros < len(s) && s[zeros] == '1' {
		zeros++
	}
	n := new(big.Int)
	for i := zeros; i < len(s); i++ {
		d := b58Index[s[i]]
		if d < 0 {
			return nil, fmt.Errorf("%q is not a base58-btc character", s[i])
		}
		n.Mul(n, big58)
		n.Add(n, big.NewInt(int64(d)))
	}
	return append(make([]byte, zeros), n.Bytes()...), nil
}

// decodeMultibase58 decodes a multibase base58-btc value ("z" + base58)
// of at most maxChars characters.
func decodeMultibase58(s string, maxChars int) ([]byte, error) {
	rest, ok := strings.CutPrefix(s, "z")
	if !ok {
		return nil, errors.New(`not multibase base58-btc (it must start with "z")`)
	}
	if len(rest) > maxChars {
		return nil, fmt.Errorf("too long (%d characters)", len(s))
	}
	return base58Decode(rest)
}

// MultikeyEd25519 encodes an Ed25519 public key as a Multikey
// publicKeyMultibase value: "z" + base58-btc(0xed 0x01 || key), which
// always starts "z6Mk".
func MultikeyEd25519(pub ed25519.PublicKey) string {
	return "z" + base58Encode(append(append([]byte{}, ed25519PubPrefix...), pub...))
}

// ParseMultikeyEd25519 decodes a Multikey publicKeyMultibase value made by
// MultikeyEd25519. Any other multicodec is refused, and a secret key is
// named as one so that it is not passed around by mistake.
func ParseMultikeyEd25519(s string) (ed25519.PublicKey, error) {
	b, err := decodeMultibase58(s, 64)
	if err != nil {
		return nil, fmt.Errorf("multikey: %w", err)
	}
	if len(b) >= 2 && b[0] == ed25519PrivPrefix[0] && b[1] == ed25519PrivPrefix[1] {
		return nil, errors.New("multikey: this is an Ed25519 secret key, not a public key: keep it secret")
	}
	if len(b) != 2+ed25519.PublicKeySize || b[0] != ed25519PubPrefix[0] || b[1] != ed25519PubPrefix[1] {
		return nil, errors.New("multikey: not an Ed25519 public key (0xed01 and 32 bytes)")
	}
	return ed25519.PublicKey(b[2:]), nil
}

// DIDKey returns the did:key DID of an Ed25519 public key:
// "did:key:" + MultikeyEd25519(pub). Its one verification method is the
// DID + "#" + the same Multikey value.
func DIDKey(pub ed25519.PublicKey) string {
	return "did:key:" + MultikeyEd25519(pub)
}

// ResolveDIDKey returns the Ed25519 public key of a did:key verification
// method ID, "did:key:z6Mk…#z6Mk…". The fragment must be the key itself,
// as did:key defines; a bare DID, another fragment, a path or query, or a
// key of another type is refused. Nothing is fetched: the key is in the
// identifier.
func ResolveDIDKey(didURL string) (ed25519.PublicKey, error) {
	did, frag, hasFrag := strings.Cut(didURL, "#")
	mk, ok := strings.CutPrefix(did, "did:key:")
	if !ok {
		return nil, fmt.Errorf("%q is not a did:key identifier", didURL)
	}
	if !hasFrag {
		return nil, fmt.Errorf("%q names a DID, not one of its keys: add #%s", didURL, mk)
	}
	if strings.ContainsAny(mk, "/?;") {
		return nil, fmt.Errorf("%q: a did:key verification method has no path, query or parameters", didURL)
	}
	if frag != mk {
		return nil, fmt.Errorf("%q: the fragment must be the key itself (#%s)", didURL, mk)
	}
	return ParseMultikeyEd25519(mk)
}
