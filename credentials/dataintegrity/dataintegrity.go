// Package dataintegrity signs and verifies W3C Verifiable Credentials with
// a Data Integrity proof of the eddsa-rdfc-2022 cryptosuite (W3C Data
// Integrity EdDSA Cryptosuites v1.0): RDFC-1.0 canonical N-Quads, SHA-256,
// Ed25519, proofValue in multibase base58-btc. Canonicalisation runs
// offline, in JSON-LD safe mode, under limits on size, blank nodes and
// time, so that any conforming verifier checks what Satchel signs. JSON-LD
// is expanded and turned into RDF by json-gold, and canonicalized by
// package rdfc, whose work is bounded and stops with the caller's context.
package dataintegrity

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/piprate/json-gold/ld"
	"github.com/satchel-project/satchel/credentials/rdfc"
	"github.com/satchel-project/satchel/schemas"
)

// The names this package signs with and accepts.
const (
	// ProofType is the proof's "type".
	ProofType = "DataIntegrityProof"
	// Cryptosuite is the only cryptosuite signed and verified.
	Cryptosuite = "eddsa-rdfc-2022"
	// AssertionMethod is the only proof purpose signed and verified: the
	// issuer asserts what the credential says.
	AssertionMethod = "assertionMethod"
)

// Defaults for the zero fields of Options.
const (
	DefaultMaxBytes      = 256 << 10
	DefaultMaxBlankNodes = 1000
	DefaultTimeout       = 2 * time.Second
)

// Options bound and configure canonicalisation. The zero value is usable:
// Satchel's offline loader and the defaults above.
type Options struct {
	// Loader serves the JSON-LD contexts a document names. Nil means
	// schemas.DefaultLoader, which holds Satchel's and the W3C contexts and
	// fetches nothing. Never pass a loader that fetches from the network:
	// a document would choose where the server sends requests. The loader
	// must be safe for concurrent use, which json-gold's
	// CachingDocumentLoader is not, comparable (a pointer, say) for its
	// contexts to be processed once and kept, and must serve the same
	// document for a URL every time: what it served is kept, per loader.
	Loader ld.DocumentLoader
	// MaxBytes bounds the document as JSON; 0 means DefaultMaxBytes.
	MaxBytes int
	// MaxBlankNodes bounds the blank nodes of the RDF dataset (nodes
	// without an "id"), on which RDFC-1.0's work depends; 0 means
	// DefaultMaxBlankNodes.
	MaxBlankNodes int
	// Timeout bounds one canonicalisation; 0 means DefaultTimeout. The
	// canonicalisation runs in the caller's goroutine and stops when the
	// timeout or the caller's context ends it (it is checked inside
	// RDFC-1.0's deep iterations, whose work is also bounded by a budget
	// linear in the blank nodes), so nothing runs on after a refusal.
	Timeout time.Duration
}

func (o Options) withDefaults() Options {
	if o.Loader == nil {
		o.Loader = schemas.DefaultLoader
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxBlankNodes <= 0 {
		o.MaxBlankNodes = DefaultMaxBlankNodes
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	return o
}

// Error is why a proof was refused, or could not be made. Check names what
// failed: "proof-format", "cryptosuite", "proof-purpose", "context",
// "verification-method", "signature" or "canonicalization".
type Error struct {
	Check  string
	Reason string
	// Err is the underlying error, if any: one of the Err* values of this
	// package, the loader's error for a context it refused, or the
	// resolver's.
	Err error
}

// Error returns the check and the reason, "signature: …".
func (e *Error) Error() string { return e.Check + ": " + e.Reason }

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

func fail(check string, err error, format string, a ...any) *Error {
	return &Error{Check: check, Reason: fmt.Sprintf(format, a...), Err: err}
}

// Errors wrapped by *Error{Check: "canonicalization"} when a document is
// refused before or during canonicalisation.
var (
	ErrTooLarge          = errors.New("document too large")
	ErrTooDeep           = errors.New("document nested too deeply")
	ErrTooManyBlankNodes = errors.New("too many blank nodes")
	ErrTimeout           = errors.New("canonicalization took too long")
	ErrControlCharacter  = errors.New("control character")
	ErrInvalidIRI        = errors.New("IRI not representable in canonical N-Quads")
	// ErrPoisonGraph is rdfc.ErrPoisonGraph: blank nodes linked so that
	// canonicalizing them needs more work than the budget, linear in
	// their number, allows.
	ErrPoisonGraph = rdfc.ErrPoisonGraph
)

// Proof is a verified proof.
type Proof struct {
	// VerificationMethod is the key's ID as the proof names it.
	VerificationMethod string
	// Created is when the proof says it was made; zero if it does not say.
	Created time.Time
	// Cryptosuite is always Cryptosuite.
	Cryptosuite string
	// ProofPurpose is always AssertionMethod.
	ProofPurpose string
}

// normalize returns a deep copy of v as encoding/json would decode it
// (maps, []any, float64, string, bool, nil): the only types json-gold
// handles, and a copy that no caller can change under us. Size is checked
// on the way.
func normalize(v any, maxBytes int) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fail("proof-format", err, "the document is not JSON: %v", err)
	}
	if len(b) > maxBytes {
		return nil, fail("canonicalization", ErrTooLarge, "the document is %d bytes as JSON; at most %d are accepted", len(b), maxBytes)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil || m == nil {
		return nil, fail("proof-format", err, "the document must be a JSON object")
	}
	return m, nil
}

// proofConfig is the Proof Configuration of eddsa-rdfc-2022: the proof
// options with the document's @context.
func proofConfig(options map[string]any, docContext any) map[string]any {
	cfg := make(map[string]any, len(options)+1)
	for k, v := range options {
		cfg[k] = v
	}
	cfg["@context"] = docContext
	return cfg
}

// hashData is the Hashing step of eddsa-rdfc-2022: SHA-256 of the
// canonical proof configuration, then SHA-256 of the canonical document.
func hashData(canonicalConfig, canonicalDoc []byte) []byte {
	c := sha256.Sum256(canonicalConfig)
	d := sha256.Sum256(canonicalDoc)
	return append(c[:], d[:]...)
}

// formatCreated writes t as an XML Schema dateTimeStamp in UTC to the
// second, as the specification's examples do ("2023-02-24T23:36:38Z").
func formatCreated(t time.Time) string {
	return t.UTC().Truncate(time.Second).Format("2006-01-02T15:04:05Z")
}
