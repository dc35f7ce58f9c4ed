package transittest

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// key is one named Transit key (a key ring of versions).
type key struct {
	name            string
	typ             string // "aes256-gcm96" or "ed25519"
	versions        []version
	minDecryption   int
	minEncryption   int
	deletionAllowed bool
	exportable      bool
	plaintextBackup bool
}

// version is one version of a key; version n is versions[n-1].
type version struct {
	aes     []byte             // aes256-gcm96
	ed      ed25519.PrivateKey // ed25519
	created time.Time
}

func (k *key) latest() int { return len(k.versions) }

func (k *key) canEncrypt() bool { return k.typ == "aes256-gcm96" }

func (k *key) canSign() bool { return k.typ == "ed25519" }

// newKey makes a key of type typ with one version.
func newKey(name, typ string) *key {
	k := &key{name: name, typ: typ, minDecryption: 1}
	k.rotate()
	return k
}

func (k *key) rotate() {
	v := version{created: time.Now()}
	switch k.typ {
	case "ed25519":
		_, v.ed, _ = ed25519.GenerateKey(rand.Reader)
	default:
		v.aes = make([]byte, 32)
		rand.Read(v.aes)
	}
	k.versions = append(k.versions, v)
}

// emulatedTypes are the key types the emulator can create. Vault knows
// more; asking for those is refused with a message that says so.
var emulatedTypes = map[string]bool{"aes256-gcm96": true, "ed25519": true}

var vaultKeyTypes = map[string]bool{
	"aes128-gcm96": true, "aes256-gcm96": true, "chacha20-poly1305": true,
	"ed25519": true, "ecdsa-p256": true, "ecdsa-p384": true, "ecdsa-p521": true,
	"rsa-2048": true, "rsa-3072": true, "rsa-4096": true, "hmac": true,
}

func checkType(typ string) (string, bool) {
	switch {
	case emulatedTypes[typ]:
		return "", true
	case vaultKeyTypes[typ]:
		return fmt.Sprintf("transittest: key type %s is not emulated", typ), false
	default:
		return fmt.Sprintf("unknown key type %v", typ), false
	}
}

// format is the key's description, as GET keys/:name returns it.
func (k *key) format() map[string]any {
	d := map[string]any{
		"name":                   k.name,
		"type":                   k.typ,
		"derived":                false,
		"deletion_allowed":       k.deletionAllowed,
		"min_available_version":  0,
		"min_decryption_version": k.minDecryption,
		"min_encryption_version": k.minEncryption,
		"latest_version":         k.latest(),
		"exportable":             k.exportable,
		"allow_plaintext_backup": k.plaintextBackup,
		"supports_encryption":    k.canEncrypt(),
		"supports_decryption":    k.canEncrypt(),
		"supports_derivation":    true,
		"supports_signing":       k.canSign(),
		"auto_rotate_period":     0,
		"imported_key":           false,
	}
	if k.canSign() {
		keys := map[string]any{}
		for i, v := range k.versions {
			if i+1 < k.minDecryption {
				continue // Vault lists only the versions that may be used
			}
			keys[strconv.Itoa(i+1)] = map[string]any{
				"name":              "ed25519",
				"public_key":        base64.StdEncoding.EncodeToString(v.ed.Public().(ed25519.PublicKey)),
				"certificate_chain": "",
				"creation_time":     v.created,
			}
		}
		d["keys"] = keys
	} else {
		keys := map[string]int64{}
		for i, v := range k.versions {
			if i+1 < k.minDecryption {
				continue
			}
			keys[strconv.Itoa(i+1)] = v.created.Unix()
		}
		d["keys"] = keys
	}
	return d
}

// keyName is Vault's pattern for key names (framework.GenericNameRegex).
var keyName = regexp.MustCompile(`^\w(([\w\-.@]+)?\w)?$`)

// transit routes a request below a Transit mount. The caller holds s.mu.
func (s *Server) transit(w http.ResponseWriter, r *http.Request, mount string, keys map[string]*key, rest string) {
	parts := strings.Split(rest, "/")
	if len(parts) < 2 || len(parts) > 3 || !keyName.MatchString(parts[1]) {
		writeErrors(w, http.StatusNotFound, "unsupported path")
		return
	}
	read := r.Method == http.MethodGet
	write := r.Method == http.MethodPost || r.Method == http.MethodPut
	del := r.Method == http.MethodDelete
	var p params
	if write {
		var err error
		if p, err = readParams(r); err != nil {
			writeErrors(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	name := parts[1]
	op := parts[0]
	if len(parts) == 3 {
		op += "/:name/" + parts[2]
	}
	if write && (op == "keys" || op == "keys/:name/config" || op == "keys/:name/rotate" || op == "encrypt") || del {
		s.wrote()
	}
	switch {
	case op == "keys" && read:
		s.readKey(w, s.view(mount), name)
	case op == "keys" && write:
		s.createKey(w, keys, name, p)
	case op == "keys" && del:
		s.deleteKey(w, keys, name)
	case op == "keys/:name/config" && write:
		s.configKey(w, keys, name, p)
	case op == "keys/:name/rotate" && write:
		s.rotateKey(w, keys, name)
	case op == "encrypt" && write:
		s.encrypt(w, keys, name, p)
	case op == "decrypt" && write:
		s.decrypt(w, keys, name, p)
	case op == "rewrap" && write:
		s.rewrap(w, keys, name, p)
	case (op == "sign" || strings.HasPrefix(op, "sign/:name/")) && write:
		s.sign(w, keys, name, p)
	case (op == "verify" || strings.HasPrefix(op, "verify/:name/")) && write:
		s.verify(w, keys, name, p)
	case op == "keys" || op == "keys/:name/config" || op == "keys/:name/rotate" ||
		op == "encrypt" || op == "decrypt" || op == "rewrap" || op == "sign" || op == "verify":
		writeErrors(w, http.StatusMethodNotAllowed, "unsupported operation")
	default:
		writeErrors(w, http.StatusNotFound, "unsupported path")
	}
}

func (s *Server) readKey(w http.ResponseWriter, keys map[string]*key, name string) {
	k := keys[name]
	if k == nil {
		// Vault answers a read of nothing with 404 and an empty error list.
		writeErrors(w, http.StatusNotFound)
		return
	}
	writeData(w, k.format())
}

func (s *Server) createKey(w http.ResponseWriter, keys map[string]*key, name string, p params) {
	if p.bool("derived") || p.bool("convergent_encryption") {
		writeErrors(w, http.StatusBadRequest, "transittest: derived keys are not emulated")
		return
	}
	typ := p.string("type")
	if typ == "" {
		typ = "aes256-gcm96"
	}
	if msg, ok := checkType(typ); !ok {
		writeErrors(w, http.StatusBadRequest, msg)
		return
	}
	if k := keys[name]; k != nil {
		// Creating an existing key changes nothing, and Vault says nothing.
		writeData(w, k.format())
		return
	}
	k := newKey(name, typ)
	k.exportable = p.bool("exportable")
	k.plaintextBackup = p.bool("allow_plaintext_backup")
	keys[name] = k
	writeData(w, k.format())
}

func (s *Server) deleteKey(w http.ResponseWriter, keys map[string]*key, name string) {
	k := keys[name]
	switch {
	case k == nil:
		writeErrors(w, http.StatusBadRequest, fmt.Sprintf("error deleting policy %s: could not delete key; not found", name))
	case !k.deletionAllowed:
		writeErrors(w, http.StatusBadRequest, fmt.Sprintf("error deleting policy %s: deletion is not allowed for this key", name))
	default:
		delete(keys, name)
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *Server) configKey(w http.ResponseWriter, keys map[string]*key, name string, p params) {
	k := keys[name]
	if k == nil {
		writeErrors(w, http.StatusBadRequest, fmt.Sprintf("no existing key named %s could be found", name))
		return
	}
	next := *k
	var warnings []string
	if p.has("min_decryption_version") {
		v, ok := p.int("min_decryption_version")
		switch {
		case !ok:
			writeErrors(w, http.StatusBadRequest, "min_decryption_version must be a number")
			return
		case v < 0:
			writeErrors(w, http.StatusBadRequest, "min decryption version cannot be negative")
			return
		case v == 0:
			v = 1
			warnings = append(warnings, "since Vault 0.3, transit key numbering starts at 1; forcing minimum to 1")
		}
		if v > k.latest() {
			writeErrors(w, http.StatusBadRequest, fmt.Sprintf("cannot set min decryption version of %d, latest key version is %d", v, k.latest()))
			return
		}
		next.minDecryption = v
	}
	if p.has("min_encryption_version") {
		v, ok := p.int("min_encryption_version")
		switch {
		case !ok:
			writeErrors(w, http.StatusBadRequest, "min_encryption_version must be a number")
			return
		case v < 0:
			writeErrors(w, http.StatusBadRequest, "min encryption version cannot be negative")
			return
		case v > k.latest():
			writeErrors(w, http.StatusBadRequest, fmt.Sprintf("cannot set min encryption version of %d, latest key version is %d", v, k.latest()))
			return
		}
		next.minEncryption = v
	}
	if next.minEncryption > 0 && next.minEncryption < next.minDecryption {
		writeErrors(w, http.StatusBadRequest, fmt.Sprintf("cannot set min encryption/decryption values; min encryption version of %d must be greater than or equal to min decryption version of %d", next.minEncryption, next.minDecryption))
		return
	}
	if p.has("deletion_allowed") {
		next.deletionAllowed = p.bool("deletion_allowed")
	}
	// exportable and allow_plaintext_backup can be set but never unset.
	next.exportable = next.exportable || p.bool("exportable")
	next.plaintextBackup = next.plaintextBackup || p.bool("allow_plaintext_backup")
	*k = next
	writeData(w, k.format(), warnings...)
}

func (s *Server) rotateKey(w http.ResponseWriter, keys map[string]*key, name string) {
	k := keys[name]
	if k == nil {
		writeErrors(w, http.StatusBadRequest, "key not found")
		return
	}
	k.rotate()
	writeData(w, k.format())
}

// listKeys answers LIST mount/keys: the names of the keys, or 404 with no
// errors when there are none, as Vault answers an empty list.
func (s *Server) listKeys(w http.ResponseWriter, mount string) {
	var names []string
	for n := range s.view(mount) {
		names = append(names, n)
	}
	if len(names) == 0 {
		writeErrors(w, http.StatusNotFound)
		return
	}
	sort.Strings(names)
	writeData(w, map[string]any{"keys": names})
}
