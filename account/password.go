package account

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's costs. Hashes record their own parameters, so
// changing Params affects new hashes only.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// DefaultParams follow RFC 9106's second recommendation, scaled to a small
// server: 64 MiB, 3 passes.
var DefaultParams = Params{Memory: 64 * 1024, Time: 3, Threads: 2}

// hashing limits concurrent hashes, so a burst of logins cannot exhaust
// memory (each hash holds Params.Memory).
var hashing = make(chan struct{}, max(1, runtime.NumCPU()))

// Hash returns password's argon2id hash in the PHC string format.
func (p Params) Hash(password string) (string, error) {
	salt := make([]byte, 16)
	rand.Read(salt)
	sum := p.key([]byte(password), salt, p.Memory, p.Time, p.Threads)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads, enc.EncodeToString(salt), enc.EncodeToString(sum)), nil
}

func (Params) key(pw, salt []byte, m, t uint32, th uint8) []byte {
	hashing <- struct{}{}
	defer func() { <-hashing }()
	k := argon2.IDKey(pw, salt, t, m, th, 32)
	// The hash's memory (tens of MiB) is garbage now. Collect it at once:
	// otherwise the collector, which last ran while it was live, lets the
	// heap grow to twice its size before running again.
	runtime.GC()
	return k
}

// Verify reports whether password matches hash, comparing in constant time.
func (p Params) Verify(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errors.New("password hash is not argon2id")
	}
	var v int
	var m, t uint32
	var th uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false, errors.New("password hash has an unknown version")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &th); err != nil || m > 1<<22 || t > 100 || th == 0 {
		return false, errors.New("password hash has bad parameters")
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	want, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) != 32 {
		return false, errors.New("password hash is damaged")
	}
	got := p.key([]byte(password), salt, m, t, th)
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

var dummy struct {
	once sync.Once
	hash string
}

// dummyHash is a hash of nothing anyone knows, with the current costs, for
// spending equal time on unknown usernames.
func dummyHash(p Params) string {
	dummy.once.Do(func() {
		b := make([]byte, 32)
		rand.Read(b)
		dummy.hash, _ = p.Hash(string(b))
	})
	return dummy.hash
}
