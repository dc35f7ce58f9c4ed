// Package presentation signs and checks the holder's proof on a W3C
// Verifiable Presentation: a Data Integrity proof (eddsa-rdfc-2022) with
// proofPurpose "authentication", bound to a verifier's challenge and
// domain so that a presentation made for one verifier, or one request,
// cannot be replayed to another. The credentials inside a presentation
// are not its concern: their issuers' proofs are checked as credentials.
package presentation

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math/big"
	"reflect"
	"strings"
	"time"

	"github.com/satchel-project/satchel/credentials/dataintegrity"
	"github.com/satchel-project/satchel/credentials/xsd"
)

// Authentication is the proof purpose of a holder's proof.
const Authentication = "authentication"

// Checks named by the *dataintegrity.Error values Verify returns, besides
// dataintegrity's own ("proof-format", "cryptosuite", "context",
// "verification-method", "canonicalization", "signature").
const (
	CheckHolderProof  = "holder-proof"  // the presentation has no proof
	CheckProofPurpose = "proof-purpose" // not "authentication"
	CheckChallenge    = "challenge"     // not the verifier's challenge
	CheckDomain       = "domain"        // not the verifier's domain
	CheckHolder       = "holder"        // signed by someone other than the holder
)

// Options are what the verifier asked the holder to sign: its challenge
// (a nonce for this request) and its domain (who it is).
type Options struct {
	Challenge string
	Domain    string
}

// Proof is a verified holder's proof.
type Proof struct {
	VerificationMethod string
	Created            time.Time
	Challenge          string
	Domain             []string
}

func fail(check, format string, a ...any) *dataintegrity.Error {
	return &dataintegrity.Error{Check: check, Reason: fmt.Sprintf(format, a...)}
}

// Sign returns a copy of vp with the holder's proof: signer's Ed25519 key,
// named by verificationMethod, for o's challenge and domain.
func Sign(vp map[string]any, signer crypto.Signer, verificationMethod string, created time.Time, o Options, opt dataintegrity.Options) (map[string]any, error) {
	doc, err := copyJSON(vp)
	if err != nil {
		return nil, err
	}
	if _, has := doc["proof"]; has {
		return nil, fail("proof-format", "the presentation already has a proof")
	}
	ctx, has := doc["@context"]
	if !has {
		return nil, fail("context", "the presentation has no @context")
	}
	if created.IsZero() {
		created = time.Now()
	}
	options := map[string]any{
		"type":               dataintegrity.ProofType,
		"cryptosuite":        dataintegrity.Cryptosuite,
		"created":            created.UTC().Truncate(time.Second).Format("2006-01-02T15:04:05Z"),
		"verificationMethod": verificationMethod,
		"proofPurpose":       Authentication,
	}
	if o.Challenge != "" {
		options["challenge"] = o.Challenge
	}
	if o.Domain != "" {
		options["domain"] = o.Domain
	}
	data, err := hashData(doc, options, ctx, opt)
	if err != nil {
		return nil, err
	}
	sig, err := signer.Sign(rand.Reader, data, crypto.Hash(0))
	if err != nil {
		return nil, fail("signature", "the key could not sign: %v", err)
	}
	options["proofValue"] = "z" + base58Encode(sig)
	doc["proof"] = options
	return doc, nil
}

// Verify checks vp's holder proof against what the verifier asked for: a
// proof there must be (CheckHolderProof), one, a DataIntegrityProof with
// cryptosuite eddsa-rdfc-2022 and purpose authentication, carrying o's
// challenge and domain when o gives them, made with a key that resolve
// gives and, if the presentation names a holder, that key's DID is the
// holder's; and the signature must match. Refusals are
// *dataintegrity.Error values naming the check that failed.
func Verify(vp map[string]any, o Options, resolve func(verificationMethod string) (ed25519.PublicKey, error), opt dataintegrity.Options) (*Proof, error) {
	doc, err := copyJSON(vp)
	if err != nil {
		return nil, err
	}
	var proof map[string]any
	switch p := doc["proof"].(type) {
	case nil:
		return nil, fail(CheckHolderProof, "the presentation has no proof of its holder: the holder must sign it (Data Integrity, %s, proofPurpose %s) with the verifier's challenge and domain", dataintegrity.Cryptosuite, Authentication)
	case map[string]any:
		proof = p
	case []any:
		if len(p) != 1 {
			return nil, fail("proof-format", "the presentation has %d proofs; exactly one, the holder's, is supported", len(p))
		}
		proof, _ = p[0].(map[string]any)
	}
	if proof == nil {
		return nil, fail("proof-format", "the presentation's proof is not a JSON object")
	}
	if t := str(proof["type"]); t != dataintegrity.ProofType {
		return nil, fail("proof-format", "the holder's proof has type %q; only %s is supported", t, dataintegrity.ProofType)
	}
	if cs := str(proof["cryptosuite"]); cs != dataintegrity.Cryptosuite {
		return nil, fail("cryptosuite", "the holder's proof uses the cryptosuite %q; only %s is supported", cs, dataintegrity.Cryptosuite)
	}
	if pp := str(proof["proofPurpose"]); pp != Authentication {
		return nil, fail(CheckProofPurpose, "the holder's proof has the purpose %q; a presentation needs %s", pp, Authentication)
	}
	out := &Proof{VerificationMethod: str(proof["verificationMethod"]), Challenge: str(proof["challenge"])}
	if o.Challenge != "" && out.Challenge != o.Challenge {
		if out.Challenge == "" {
			return nil, fail(CheckChallenge, "the holder's proof has no challenge; this verifier asked for %q", o.Challenge)
		}
		return nil, fail(CheckChallenge, "the holder's proof was made for the challenge %q, not this verifier's %q: it may be a replay", out.Challenge, o.Challenge)
	}
	switch d := proof["domain"].(type) {
	case string:
		out.Domain = []string{d}
	case []any:
		for _, e := range d {
			out.Domain = append(out.Domain, str(e))
		}
	}
	if o.Domain != "" && !contains(out.Domain, o.Domain) {
		if len(out.Domain) == 0 {
			return nil, fail(CheckDomain, "the holder's proof names no domain; this verifier is %q", o.Domain)
		}
		return nil, fail(CheckDomain, "the holder's proof was made for %q, not this verifier (%q)", strings.Join(out.Domain, ", "), o.Domain)
	}
	if out.VerificationMethod == "" {
		return nil, fail("proof-format", "the holder's proof names no verificationMethod")
	}
	if h := holderID(doc["holder"]); h != "" {
		if did, _, _ := strings.Cut(out.VerificationMethod, "#"); did != h {
			return nil, fail(CheckHolder, "the presentation was signed by %s, not by its holder %s", did, h)
		}
	}
	if c, has := proof["created"]; has {
		if out.Created, err = xsd.ParseDateTimeStamp(str(c)); err != nil {
			return nil, fail("proof-format", "the holder's proof's created is not a dateTime with a time zone")
		}
	}
	if e, has := proof["expires"]; has {
		exp, err := xsd.ParseDateTimeStamp(str(e))
		if err != nil {
			return nil, fail("proof-format", "the holder's proof's expires is not a dateTime with a time zone")
		}
		if !time.Now().Before(exp) {
			return nil, fail("proof-format", "the holder's proof expired at %s", exp.UTC().Format(time.RFC3339))
		}
	}
	sig, err := base58Decode(strings.TrimPrefix(str(proof["proofValue"]), "z"))
	if !strings.HasPrefix(str(proof["proofValue"]), "z") || err != nil || len(sig) != ed25519.SignatureSize {
		return nil, fail("proof-format", "the holder's proofValue is not a multibase base58-btc Ed25519 signature (\"z\" and 64 bytes)")
	}
	ctx, has := doc["@context"]
	if !has {
		return nil, fail("context", "the presentation has no @context")
	}
	if pc, has := proof["@context"]; has && !reflect.DeepEqual(pc, ctx) {
		return nil, fail("context", "the holder's proof's @context differs from the presentation's")
	}
	pub, err := resolve(out.VerificationMethod)
	if err != nil {
		return nil, &dataintegrity.Error{Check: "verification-method", Reason: fmt.Sprintf("the holder's key %s could not be used: %v", out.VerificationMethod, err), Err: err}
	}
	options := make(map[string]any, len(proof))
	for k, v := range proof {
		if k != "proofValue" {
			options[k] = v
		}
	}
	delete(doc, "proof")
	data, err := hashData(doc, options, ctx, opt)
	if err != nil {
		return nil, err
	}
	if len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, data, sig) {
		return nil, fail("signature", "the holder's signature does not match: the presentation was changed after it was signed, or signed with another key")
	}
	return out, nil
}

// hashData is eddsa-rdfc-2022's hashing: SHA-256 of the canonical proof
// configuration (options with the document's @context), then of the
// canonical document.
func hashData(doc, options map[string]any, ctx any, opt dataintegrity.Options) ([]byte, error) {
	cfg := make(map[string]any, len(options)+1)
	for k, v := range options {
		cfg[k] = v
	}
	cfg["@context"] = ctx
	cc, err := dataintegrity.Canonicalize(cfg, opt)
	if err != nil {
		return nil, err
	}
	cd, err := dataintegrity.Canonicalize(explicitGraphs(doc), opt)
	if err != nil {
		return nil, err
	}
	a, b := sha256.Sum256(cc), sha256.Sum256(cd)
	return append(a[:], b[:]...), nil
}

// credentialsV2 is the W3C VC 2.0 context, which defines
// verifiableCredential (in VerifiablePresentation's type-scoped context)
// as a graph container: each credential is its own named graph.
const credentialsV2 = "https://www.w3.org/ns/credentials/v2"

// explicitGraphs writes a presentation's verifiableCredential as what it
// expands to, the property's IRI with each credential in a graph object.
// A conforming JSON-LD processor reads both the same; json-gold (v0.9.1)
// ignores a graph container defined in a type-scoped context, putting the
// credentials into the default graph, and drops credentials that have no
// @context of their own, so that it would canonicalize a presentation
// differently from everyone else.
func explicitGraphs(doc map[string]any) map[string]any {
	vcs, has := doc["verifiableCredential"]
	if !has {
		return doc
	}
	switch c := doc["@context"].(type) {
	case string:
		if c != credentialsV2 {
			return doc
		}
	case []any:
		if len(c) == 0 || c[0] != credentialsV2 {
			return doc
		}
	default:
		return doc
	}
	list, ok := vcs.([]any)
	if !ok {
		list = []any{vcs}
	}
	graphs := make([]any, len(list))
	for i, vc := range list {
		graphs[i] = map[string]any{"@graph": []any{vc}}
	}
	out := make(map[string]any, len(doc))
	for k, v := range doc {
		out[k] = v
	}
	delete(out, "verifiableCredential")
	out["https://www.w3.org/2018/credentials#verifiableCredential"] = graphs
	return out
}

func holderID(v any) string {
	switch h := v.(type) {
	case string:
		return h
	case map[string]any:
		return str(h["id"])
	}
	return ""
}

func copyJSON(v map[string]any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fail("proof-format", "the presentation is not JSON: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil || m == nil {
		return nil, fail("proof-format", "the presentation must be a JSON object")
	}
	return m, nil
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

func str(v any) string { s, _ := v.(string); return s }

const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

func base58Encode(b []byte) string {
	n := new(big.Int).SetBytes(b)
	var out []byte
	mod, base := new(big.Int), big.NewInt(58)
	for n.Sign() > 0 {
		n.DivMod(n, base, mod)
		out = append(out, alphabet[mod.Int64()])
	}
	for _, c := range b {
		if c != 0 {
			break
		}
		out = append(out, '1')
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return string(out)
}

func base58Decode(s string) ([]byte, error) {
	if len(s) > 100 {
		return nil, fmt.Errorf("too long")
	}
	n := new(big.Int)
	base := big.NewInt(58)
	for _, c := range []byte(s) {
		i := strings.IndexByte(alphabet, c)
		if i < 0 {
			return nil, fmt.Errorf("not base58")
		}
		n.Mul(n, base).Add(n, big.NewInt(int64(i)))
	}
	zeros := 0
	for zeros < len(s) && s[zeros] == '1' {
		zeros++
	}
	return append(make([]byte, zeros), n.Bytes()...), nil
}
