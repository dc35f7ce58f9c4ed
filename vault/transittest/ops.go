package transittest

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// opError is a Transit failure that Vault reports as 400 Bad Request.
type opError string

func (e opError) Error() string { return string(e) }

func fail(w http.ResponseWriter, err error) { writeErrors(w, http.StatusBadRequest, err.Error()) }

// encryptVersion picks the key version to encrypt or sign with: the
// request's key_version, or the latest.
func (k *key) encryptVersion(p params) (int, error) {
	ver, _ := p.int("key_version")
	switch {
	case ver == 0:
		return k.latest(), nil
	case ver < 0 || ver > k.latest():
		return 0, opError("invalid key version")
	case ver < k.minEncryption:
		return 0, opError("requested version for encryption is less than the minimum encryption key version")
	}
	return ver, nil
}

// seal encrypts plaintext under version ver, in Vault's ciphertext format:
// "vault:v<ver>:" then base64 of nonce||AES-256-GCM output.
func (k *key) seal(ver int, plaintext []byte) string {
	gcm := newGCM(k.versions[ver-1].aes)
	nonce := make([]byte, gcm.NonceSize())
	rand.Read(nonce)
	out := gcm.Seal(nonce, nonce, plaintext, nil)
	return "vault:v" + strconv.Itoa(ver) + ":" + base64.StdEncoding.EncodeToString(out)
}

// open decrypts a ciphertext made by seal, with Vault's checks and errors.
func (k *key) open(ciphertext string) ([]byte, error) {
	if !k.canEncrypt() {
		return nil, opError(fmt.Sprintf("message decryption not supported for key type %v", k.typ))
	}
	ver, body, err := splitVersioned(ciphertext, "ciphertext")
	if err != nil {
		return nil, err
	}
	if ver > k.latest() {
		return nil, opError("invalid ciphertext: version is too new")
	}
	if ver < k.minDecryption {
		return nil, opError("ciphertext or signature version is disallowed by policy (too old)")
	}
	raw, err := base64.StdEncoding.DecodeString(body)
	if err != nil {
		return nil, opError("invalid ciphertext: could not decode base64")
	}
	gcm := newGCM(k.versions[ver-1].aes)
	if len(raw) < gcm.NonceSize() {
		return nil, opError("invalid ciphertext length")
	}
	pt, err := gcm.Open(nil, raw[:gcm.NonceSize()], raw[gcm.NonceSize():], nil)
	if err != nil {
		return nil, opError(err.Error()) // "cipher: message authentication failed"
	}
	return pt, nil
}

// splitVersioned splits "vault:v<N>:<body>".
func splitVersioned(s, what string) (int, string, error) {
	rest, ok := strings.CutPrefix(s, "vault:v")
	if !ok {
		return 0, "", opError("invalid " + what + ": no prefix")
	}
	vs, body, ok := strings.Cut(rest, ":")
	if !ok {
		return 0, "", opError("invalid " + what + ": wrong number of fields")
	}
	ver, err := strconv.Atoi(vs)
	if err != nil {
		return 0, "", opError("invalid " + what + ": version number could not be decoded")
	}
	if ver == 0 {
		ver = 1 // as Vault: keys once started at zero
	}
	if ver < 0 {
		return 0, "", opError("invalid " + what + ": version number could not be decoded")
	}
	return ver, body, nil
}

func newGCM(k []byte) cipher.AEAD {
	b, err := aes.NewCipher(k)
	if err != nil {
		panic(err)
	}
	g, err := cipher.NewGCM(b)
	if err != nil {
		panic(err)
	}
	return g
}

func (s *Server) encrypt(w http.ResponseWriter, keys map[string]*key, name string, p params) {
	if !p.has("plaintext") {
		fail(w, opError("missing plaintext to encrypt"))
		return
	}
	pt, err := base64.StdEncoding.DecodeString(p.string("plaintext"))
	if err != nil {
		fail(w, opError("failed to base64-decode plaintext"))
		return
	}
	k := keys[name]
	if k == nil {
		// Vault creates the key (an "upsert") when the token may create it.
		typ := p.string("type")
		if typ == "" {
			typ = "aes256-gcm96"
		}
		switch {
		case p.string("context") != "" || p.bool("convergent_encryption"):
			fail(w, opError("transittest: derived keys are not emulated"))
			return
		case typ != "aes256-gcm96":
			msg, _ := checkType(typ)
			if msg == "" {
				msg = fmt.Sprintf("unknown key type %v", typ)
			}
			fail(w, opError(msg))
			return
		}
		k = newKey(name, typ)
		keys[name] = k
	}
	if !k.canEncrypt() {
		fail(w, opError(fmt.Sprintf("message encryption not supported for key type %v", k.typ)))
		return
	}
	ver, err := k.encryptVersion(p)
	if err != nil {
		fail(w, err)
		return
	}
	writeData(w, map[string]any{"ciphertext": k.seal(ver, pt), "key_version": ver})
}

func (s *Server) decrypt(w http.ResponseWriter, keys map[string]*key, name string, p params) {
	_, pt, ok := opened(w, keys, name, p)
	if !ok {
		return
	}
	writeData(w, map[string]any{"plaintext": base64.StdEncoding.EncodeToString(pt)})
}

func (s *Server) rewrap(w http.ResponseWriter, keys map[string]*key, name string, p params) {
	k, pt, ok := opened(w, keys, name, p)
	if !ok {
		return
	}
	ver, err := k.encryptVersion(p)
	if err != nil {
		fail(w, err)
		return
	}
	writeData(w, map[string]any{"ciphertext": k.seal(ver, pt), "key_version": ver})
}

// opened decrypts the request's ciphertext with key name, as decrypt and
// rewrap both begin, answering Vault's error if it cannot.
func opened(w http.ResponseWriter, keys map[string]*key, name string, p params) (*key, []byte, bool) {
	ct := p.string("ciphertext")
	if ct == "" {
		fail(w, opError("missing ciphertext to decrypt"))
		return nil, nil, false
	}
	k := keys[name]
	if k == nil {
		fail(w, opError("encryption key not found"))
		return nil, nil, false
	}
	pt, err := k.open(ct)
	if err != nil {
		fail(w, err)
		return nil, nil, false
	}
	return k, pt, true
}

func (s *Server) sign(w http.ResponseWriter, keys map[string]*key, name string, p params) {
	input, err := base64.StdEncoding.DecodeString(p.string("input"))
	if err != nil {
		fail(w, opError(fmt.Sprintf("unable to decode input as base64: %s", err)))
		return
	}
	k := keys[name]
	switch {
	case k == nil:
		fail(w, opError("signing key not found"))
		return
	case !k.canSign():
		fail(w, opError(fmt.Sprintf("key type %v does not support signing", k.typ)))
		return
	case p.bool("prehashed"):
		fail(w, opError("transittest: prehashed (Ed25519ph) signing is not emulated"))
		return
	}
	// As Vault's keysutil: versions under min_decryption_version are not
	// loaded, and these failures are internal errors (500), not 400s.
	ver, _ := p.int("key_version")
	switch {
	case ver == 0:
		ver = k.latest()
	case ver > k.latest():
		writeErrors(w, http.StatusInternalServerError, multi("requested version for signing is higher than the latest key version"))
		return
	case ver < 0 || ver < k.minDecryption:
		writeErrors(w, http.StatusInternalServerError, multi("no such key version"))
		return
	case ver < k.minEncryption:
		fail(w, opError("requested version for signing is less than the minimum encryption key version"))
		return
	}
	sig := ed25519.Sign(k.versions[ver-1].ed, input)
	writeData(w, map[string]any{
		"signature":   "vault:v" + strconv.Itoa(ver) + ":" + base64.StdEncoding.EncodeToString(sig),
		"key_version": ver,
	})
}

func (s *Server) verify(w http.ResponseWriter, keys map[string]*key, name string, p params) {
	sig, hmac := p.string("signature"), p.string("hmac")
	switch {
	case sig != "" && hmac != "":
		fail(w, opError("provide one of 'signature' or 'hmac'"))
		return
	case sig == "" && hmac == "":
		fail(w, opError("neither a 'signature' nor an 'hmac' were given to verify"))
		return
	case hmac != "":
		fail(w, opError("transittest: HMAC is not emulated"))
		return
	}
	input, err := base64.StdEncoding.DecodeString(p.string("input"))
	if err != nil {
		fail(w, opError(fmt.Sprintf("unable to decode input as base64: %s", err)))
		return
	}
	k := keys[name]
	switch {
	case k == nil:
		fail(w, opError("signature verification key not found"))
		return
	case !k.canSign():
		fail(w, opError(fmt.Sprintf("key type %v does not support verification", k.typ)))
		return
	}
	ver, body, err := splitVersioned(sig, "signature")
	if err != nil {
		fail(w, err)
		return
	}
	if ver > k.latest() {
		fail(w, opError("invalid signature: version is too new"))
		return
	}
	if ver < k.minDecryption {
		fail(w, opError("ciphertext or signature version is disallowed by policy (too old)"))
		return
	}
	raw, err := base64.StdEncoding.DecodeString(body)
	if err != nil {
		fail(w, opError("invalid signature: could not decode base64"))
		return
	}
	pub := k.versions[ver-1].ed.Public().(ed25519.PublicKey)
	writeData(w, map[string]any{"valid": ed25519.Verify(pub, input, raw)})
}
