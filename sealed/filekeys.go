package sealed

import (
	"crypto/cipher"
	"crypto/sha256"
	"sync"

	"filippo.io/age"
)

// maxFileKeys bounds the file keys remembered per space.
const maxFileKeys = 4096

// cachingIdentity is a pod's age identity that remembers the file key of
// each object it has opened, so that reading the same object again skips
// the X25519 operation. A remembered key is only a shortcut: age still
// checks the header's MAC with it, so a wrong or replayed stanza fails as
// before. The cache lives and dies with the unwrapped identity it comes
// from (see Keyring), so it keeps nothing the identity could not recover.
//
// It also remembers, for objects of one chunk, the payload key that opened
// them, under a SHA-256 digest of the header and payload nonce exactly as
// age checked them (payloadKey).
type cachingIdentity struct {
	id       *age.X25519Identity
	mu       sync.Mutex
	m        map[[32]byte][]byte
	payloads map[[32]byte]cipher.AEAD
	lookup   func(hit bool) // told of each payloadKey lookup, if not nil
}

func newCachingIdentity(id *age.X25519Identity, lookup func(hit bool)) *cachingIdentity {
	return &cachingIdentity{id: id, m: map[[32]byte][]byte{}, payloads: map[[32]byte]cipher.AEAD{}, lookup: lookup}
}

// payloadKey returns the payload key remembered for headerAndNonce (an age
// header and the 16-byte nonce after it), or nil.
func (c *cachingIdentity) payloadKey(headerAndNonce []byte) cipher.AEAD {
	d := sha256.Sum256(headerAndNonce)
	c.mu.Lock()
	aead := c.payloads[d]
	c.mu.Unlock()
	if c.lookup != nil {
		c.lookup(aead != nil)
	}
	return aead
}

// rememberPayloadKey keeps aead as the payload key of headerAndNonce, which
// age has just checked and which opened its chunk.
func (c *cachingIdentity) rememberPayloadKey(headerAndNonce []byte, aead cipher.AEAD) {
	d := sha256.Sum256(headerAndNonce)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.payloads) >= maxFileKeys {
		clear(c.payloads)
	}
	c.payloads[d] = aead
}

// Unwrap implements age.Identity.
func (c *cachingIdentity) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	if len(stanzas) != 1 {
		return c.id.Unwrap(stanzas)
	}
	h := sha256.New()
	s := stanzas[0]
	h.Write([]byte(s.Type))
	for _, a := range s.Args {
		h.Write([]byte{0})
		h.Write([]byte(a))
	}
	h.Write([]byte{1})
	h.Write(s.Body)
	var k [32]byte
	h.Sum(k[:0])
	c.mu.Lock()
	fk, ok := c.m[k]
	c.mu.Unlock()
	if ok {
		return fk, nil
	}
	fk, err := c.id.Unwrap(stanzas)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.m) >= maxFileKeys {
		clear(c.m)
	}
	c.m[k] = fk
	c.mu.Unlock()
	return fk, nil
}
