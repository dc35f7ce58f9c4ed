package dataintegrity

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"time"
)

// Sign is SignContext with context.Background().
func Sign(doc map[string]any, signer crypto.Signer, verificationMethod string, created time.Time, proofPurpose string, opt Options) (map[string]any, error) {
	return SignContext(context.Background(), doc, signer, verificationMethod, created, proofPurpose, opt)
}

// SignContext returns a copy of doc secured with an eddsa-rdfc-2022 Data
// Integrity proof made by signer, an Ed25519 key (an ed25519.PrivateKey, or
// any crypto.Signer whose Public is an ed25519.PublicKey and that signs the
// message itself, as pure Ed25519 does).
//
// verificationMethod is the ID of the signer's public key, for example
// DIDKey(pub)+"#"+MultikeyEd25519(pub) or a did:web key ID. created is
// written as an XML Schema dateTime in UTC to the second; the zero time
// means now. proofPurpose must be AssertionMethod (or "", meaning it), the
// only purpose Verify accepts.
//
// doc must have an "@context" and no "proof"; the copy is doc as JSON
// decodes it ([]any, float64 …) with the proof added. Ed25519 is
// deterministic: the same document, key, method and time give the same
// proofValue. Canonicalization stops when ctx is done.
func SignContext(ctx context.Context, doc map[string]any, signer crypto.Signer, verificationMethod string, created time.Time, proofPurpose string, opt Options) (map[string]any, error) {
	opt = opt.withDefaults()
	if signer == nil {
		return nil, fail("verification-method", nil, "no signing key was given")
	}
	pub, ok := signer.Public().(ed25519.PublicKey)
	if !ok || len(pub) != ed25519.PublicKeySize {
		return nil, fail("verification-method", nil, "the signing key is %T, not an Ed25519 key", signer.Public())
	}
	if verificationMethod == "" {
		return nil, fail("verification-method", nil, "no verification method (the public key's ID) was given")
	}
	if proofPurpose == "" {
		proofPurpose = AssertionMethod
	}
	if proofPurpose != AssertionMethod {
		return nil, fail("proof-purpose", nil, "proof purpose %q is not supported; only %s", proofPurpose, AssertionMethod)
	}
	if created.IsZero() {
		created = time.Now()
	}
	unsecured, err := normalize(doc, opt.MaxBytes)
	if err != nil {
		return nil, err
	}
	if _, has := unsecured["proof"]; has {
		return nil, fail("proof-format", nil, "the document already has a proof; proof sets and chains are not supported")
	}
	docContext, has := unsecured["@context"]
	if !has {
		return nil, fail("context", nil, "the document has no @context, so it cannot be canonicalized")
	}
	options := map[string]any{
		"type":               ProofType,
		"cryptosuite":        Cryptosuite,
		"created":            formatCreated(created),
		"verificationMethod": verificationMethod,
		"proofPurpose":       proofPurpose,
	}
	data, err := hashDocument(ctx, unsecured, proofConfig(options, docContext), opt)
	if err != nil {
		return nil, err
	}
	sig, err := signer.Sign(rand.Reader, data, crypto.Hash(0))
	if err != nil {
		return nil, fail("signature", err, "the key could not sign: %v", err)
	}
	if len(sig) != ed25519.SignatureSize || !ed25519.Verify(pub, data, sig) {
		// A remote signer (a key vault) that hashes first, or signs with
		// another key, would otherwise yield a proof no one can verify.
		return nil, fail("signature", nil, "the key's signature does not verify with its own public key; is it pure Ed25519?")
	}
	options["proofValue"] = "z" + base58Encode(sig)
	unsecured["proof"] = options
	return unsecured, nil
}

// hashDocument canonicalizes the unsecured document and the proof
// configuration and returns their hash data (proof configuration first).
// Each canonicalization has opt.Timeout.
func hashDocument(ctx context.Context, unsecured, config map[string]any, opt Options) ([]byte, error) {
	canon := func(doc map[string]any) ([]byte, error) {
		ctx, cancel := context.WithTimeout(ctx, opt.Timeout)
		defer cancel()
		return canonicalize(ctx, doc, opt)
	}
	canonicalConfig, err := canon(config)
	if err != nil {
		return nil, err
	}
	canonicalDoc, err := canon(unsecured)
	if err != nil {
		return nil, err
	}
	return hashData(canonicalConfig, canonicalDoc), nil
}
