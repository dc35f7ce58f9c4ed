package dataintegrity

import (
	"context"
	"crypto/ed25519"
	"reflect"
	"time"

	"github.com/satchel-project/satchel/credentials/xsd"
)

// Verify is VerifyContext with context.Background().
func Verify(doc map[string]any, resolve func(verificationMethod string) (ed25519.PublicKey, error), opt Options) (*Proof, error) {
	return VerifyContext(context.Background(), doc, resolve, opt)
}

// VerifyContext checks the eddsa-rdfc-2022 Data Integrity proof of doc and returns
// it. resolve returns the Ed25519 public key of the proof's verification
// method, or an error if the method is not one the caller trusts for this
// document (ResolveDIDKey serves did:key; the caller decides whether that
// key may speak for the credential's issuer).
//
// In order, Verify refuses (as an *Error): no proof, more than one, or a
// proof chain ("proof-format"); a proof whose type is not DataIntegrityProof, or with
// a proofValue that is not "z" + base58-btc of 64 bytes, or a created or
// expires that is not a dateTime ("proof-format"); an expired proof
// ("proof-format"); any cryptosuite but eddsa-rdfc-2022 ("cryptosuite");
// any purpose but assertionMethod ("proof-purpose"); a proof @context that
// differs from the document's ("context"); a key resolve does not give
// ("verification-method"); a document or proof Canonicalize refuses
// ("canonicalization"); and a signature that does not match
// ("signature"). doc itself is not changed. Canonicalization stops when
// ctx is done (a refused request leaves no work running).
func VerifyContext(ctx context.Context, doc map[string]any, resolve func(verificationMethod string) (ed25519.PublicKey, error), opt Options) (*Proof, error) {
	opt = opt.withDefaults()
	secured, err := normalize(doc, opt.MaxBytes)
	if err != nil {
		return nil, err
	}
	proof, err := onlyProof(secured["proof"])
	if err != nil {
		return nil, err
	}
	if t, _ := proof["type"].(string); t != ProofType {
		return nil, fail("proof-format", nil, "the proof's type is %s; only %s is supported", describe(str(proof["type"])), ProofType)
	}
	if cs, _ := proof["cryptosuite"].(string); cs != Cryptosuite {
		return nil, fail("cryptosuite", nil, "the proof uses the cryptosuite %s; only %s is supported", describe(str(proof["cryptosuite"])), Cryptosuite)
	}
	if pp, _ := proof["proofPurpose"].(string); pp != AssertionMethod {
		return nil, fail("proof-purpose", nil, "the proof's purpose is %s; a credential needs %s", describe(str(proof["proofPurpose"])), AssertionMethod)
	}
	if _, has := proof["previousProof"]; has {
		return nil, fail("proof-format", nil, "the proof names a previousProof; proof chains are not supported")
	}
	vm, _ := proof["verificationMethod"].(string)
	if vm == "" {
		return nil, fail("proof-format", nil, "the proof names no verificationMethod")
	}
	out := &Proof{VerificationMethod: vm, Cryptosuite: Cryptosuite, ProofPurpose: AssertionMethod}
	if c, has := proof["created"]; has {
		if out.Created, err = parseDateTime(c); err != nil {
			return nil, fail("proof-format", err, "the proof's created %s is not a dateTime with a time zone", describe(str(c)))
		}
	}
	if e, has := proof["expires"]; has {
		exp, err := parseDateTime(e)
		if err != nil {
			return nil, fail("proof-format", err, "the proof's expires %s is not a dateTime with a time zone", describe(str(e)))
		}
		if !time.Now().Before(exp) {
			return nil, fail("proof-format", nil, "the proof expired at %s", exp.Format(time.RFC3339))
		}
	}
	pv, _ := proof["proofValue"].(string)
	sig, err := decodeMultibase58(pv, 100)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return nil, fail("proof-format", err, "the proofValue is not a multibase base58-btc Ed25519 signature (\"z\" and 64 bytes)")
	}
	docContext, has := secured["@context"]
	if !has {
		return nil, fail("context", nil, "the document has no @context")
	}
	if pc, has := proof["@context"]; has && !reflect.DeepEqual(pc, docContext) {
		return nil, fail("context", nil, "the proof's @context differs from the document's")
	}
	pub, err := resolve(vm)
	if err != nil {
		return nil, fail("verification-method", err, "the key %s could not be used: %v", describe(vm), err)
	}
	if len(pub) != ed25519.PublicKeySize {
		return nil, fail("verification-method", nil, "the key %s is not an Ed25519 public key", describe(vm))
	}
	options := make(map[string]any, len(proof))
	for k, v := range proof {
		if k != "proofValue" {
			options[k] = v
		}
	}
	delete(secured, "proof")
	data, err := hashDocument(ctx, secured, proofConfig(options, docContext), opt)
	if err != nil {
		return nil, err
	}
	if !ed25519.Verify(pub, data, sig) {
		return nil, fail("signature", nil, "the signature does not match: the credential was changed after it was signed, or signed with another key")
	}
	return out, nil
}

// onlyProof returns the one proof of a document: an object, or a list of
// exactly one.
func onlyProof(v any) (map[string]any, error) {
	switch p := v.(type) {
	case nil:
		return nil, fail("proof-format", nil, "the document has no proof")
	case map[string]any:
		return p, nil
	case []any:
		if len(p) != 1 {
			return nil, fail("proof-format", nil, "the document has %d proofs; exactly one is supported", len(p))
		}
		if m, ok := p[0].(map[string]any); ok {
			return m, nil
		}
	}
	return nil, fail("proof-format", nil, "the proof is not a JSON object")
}

// parseDateTime parses an XML Schema dateTimeStamp (package xsd): fractions
// of a second allowed, a time zone required, T and Z upper-case.
func parseDateTime(v any) (time.Time, error) {
	s, _ := v.(string)
	return xsd.ParseDateTimeStamp(s)
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
