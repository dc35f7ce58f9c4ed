package dataintegrity

import (
	"context"
	"errors"
	"fmt"

	"github.com/piprate/json-gold/ld"
	"github.com/satchel-project/satchel/credentials/rdfc"
)

// Canonicalize is CanonicalizeContext with context.Background().
func Canonicalize(doc map[string]any, opt Options) ([]byte, error) {
	return CanonicalizeContext(context.Background(), doc, opt)
}

// CanonicalizeContext returns the RDFC-1.0 canonical N-Quads of a JSON-LD
// document: the Transformation step of eddsa-rdfc-2022. It refuses, as an
// *Error with Check "canonicalization", a document that is larger than
// opt.MaxBytes, names a context opt.Loader does not serve, uses a term its
// contexts do not define (JSON-LD safe mode), would lose a statement on
// its way to RDF, has more than opt.MaxBlankNodes blank nodes, links its
// blank nodes so that telling them apart needs more work than the budget
// allows (ErrPoisonGraph), holds a control character other
// implementations may write differently, or takes longer than opt.Timeout
// or ctx allows (ErrTimeout, or ctx's error). No work goes on after it
// returns.
//
// What is refused is exactly what json-gold would otherwise drop or write
// differently from the specification, so that nothing a person reads in a
// credential is left out of what is signed, and so that another conforming
// implementation computes the same bytes.
func CanonicalizeContext(ctx context.Context, doc map[string]any, opt Options) ([]byte, error) {
	opt = opt.withDefaults()
	m, err := normalize(doc, opt.MaxBytes)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, opt.Timeout)
	defer cancel()
	return canonicalize(ctx, m, opt)
}

// canonicalize is CanonicalizeContext for a document normalize returned,
// under a ctx that carries opt.Timeout.
func canonicalize(ctx context.Context, doc map[string]any, opt Options) (out []byte, err error) {
	if err := checkJSON(doc, 0); err != nil {
		return nil, err
	}
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, fail("canonicalization", nil, "json-gold failed on this document: %v", p)
		}
	}()
	if out, ok := fastProofConfig(ctx, doc, opt); ok {
		return out, nil
	}
	return rdfcanon(ctx, doc, opt)
}

// stopped is the error for a canonicalization whose ctx is done.
func stopped(ctx context.Context, opt Options) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fail("canonicalization", ErrTimeout, "canonicalization took longer than %v", opt.Timeout)
	}
	return fail("canonicalization", ctx.Err(), "canonicalization was stopped: %v", ctx.Err())
}

// rdfcanon expands doc in safe mode with json-gold, checks the expanded
// form (checkExpanded), converts it to an RDF dataset (toRDF), counts its
// blank nodes and canonicalizes it with package rdfc, which stops when ctx
// is done or its budget is spent.
//
// json-gold's JsonLdProcessor.Normalize is not used: it builds its own
// options for the conversion to RDF and leaves SafeMode out of them, so
// undefined terms would silently drop out of what is signed; and its
// RDFC-1.0 has neither a budget nor a way to stop it.
func rdfcanon(ctx context.Context, doc map[string]any, opt Options) ([]byte, error) {
	o := jsonldOptions(opt)
	expanded, err := expand(doc, o)
	if err != nil {
		return nil, jsonldFailure(err)
	}
	if err := checkExpanded(expanded); err != nil {
		return nil, err
	}
	if ctx.Err() != nil {
		return nil, stopped(ctx, opt)
	}
	quads, blanks := toRDF(expanded)
	if blanks > opt.MaxBlankNodes {
		return nil, fail("canonicalization", ErrTooManyBlankNodes, "the document has %d blank nodes (objects without an \"id\"); at most %d are accepted", blanks, opt.MaxBlankNodes)
	}
	out, err := rdfc.Canonicalize(ctx, quads, rdfc.Options{})
	switch {
	case errors.Is(err, rdfc.ErrPoisonGraph):
		return nil, fail("canonicalization", err, "the document's objects without an \"id\" are linked to one another so that putting them in canonical order would take too long; it is refused (give them ids)")
	case ctx.Err() != nil:
		return nil, stopped(ctx, opt)
	case err != nil:
		return nil, fail("canonicalization", err, "the document could not be canonicalized: %v", err)
	}
	return out, nil
}

// jsonldFailure turns a json-gold error into an *Error. json-gold's
// errors unwrap to their details, so the loader's own error for a context
// it refused stays reachable with errors.As.
func jsonldFailure(err error) error {
	var le *ld.JsonLdError
	if !errors.As(err, &le) {
		return fail("canonicalization", err, "JSON-LD processing failed: %v", err)
	}
	switch le.Code {
	case ld.LoadingDocumentFailed, ld.LoadingRemoteContextFailed:
		return fail("canonicalization", err, "a context could not be loaded (only contexts held offline are used): %v", err)
	case ld.InvalidProperty:
		return fail("canonicalization", err, "the document uses a term its contexts do not define; it would not be signed, so the document is refused")
	}
	return fail("canonicalization", err, "not valid JSON-LD: %v", err)
}

// describe shortens s for an error message.
func describe(s string) string {
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return fmt.Sprintf("%q", s)
}

// jsonldOptions are json-gold's options for opt: its loader, JSON-LD 1.1,
// safe mode.
func jsonldOptions(opt Options) *ld.JsonLdOptions {
	o := ld.NewJsonLdOptions("")
	o.DocumentLoader = opt.Loader
	o.ProcessingMode = ld.JsonLd_1_1
	o.SafeMode = true
	return o
}
