package verifier

import (
	"context"

	"github.com/satchel-project/satchel/issuer"
)

// VerifyGrant checks a grant this service signed, given as a compact JWS,
// as VerifyCredential does, and answers as the VC-API's verifiers do
// (issuer.GrantChecker), for a grant sent as an enveloped credential.
func (v *Verifier) VerifyGrant(ctx context.Context, jws string) issuer.Verification {
	r := v.VerifyCredential(ctx, jws)
	out := issuer.Verification{Valid: r.Valid, Status: r.Status, Issuer: v.Consent.DID()}
	for _, c := range r.Checks {
		out.Checks = append(out.Checks, issuer.Check{Check: c.Check, Passed: c.Passed, Reason: c.Reason})
		if c.Check == "signature" && c.Passed {
			out.IssuerKnown = true
		}
	}
	return out
}
