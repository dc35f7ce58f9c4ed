package dataintegrity

import (
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/piprate/json-gold/ld"
)

// Canonicalize returns the RDFC-1.0 canonical N-Quads of a JSON-LD
// document: the Transformation step of eddsa-rdfc-2022. It refuses, as an
// *Error with Check "canonicalization", a document that is larger than
// opt.MaxBytes, names a context opt.Loader does not serve, uses a term its
// contexts do not define (JSON-LD safe mode), would lose a statement on
// its way to RDF, has more than opt.MaxBlankNodes blank nodes, holds a
// string canonical N-Quads would have to escape in a way json-gold does
// not, or takes longer than opt.Timeout.
//
// What is refused is exactly what json-gold would otherwise drop or write
// differently from the specification, so that nothing a person reads in a
// credential is left out of what is signed, and so that another conforming
// implementation computes the same bytes.
func Canonicalize(doc map[string]any, opt Options) ([]byte, error) {
	opt = opt.withDefaults()
	m, err := normalize(doc, opt.MaxBytes)
	if err != nil {
		return nil, err
	}
	return canonicalize(m, opt)
}

// canonicalize is Canonicalize for a document normalize returned.
func canonicalize(doc map[string]any, opt Options) ([]byte, error) {
	if err := checkJSON(doc, 0); err != nil {
		return nil, err
	}
	return bounded(opt.Timeout, func() ([]byte, error) { return rdfc(doc, opt) })
}

// slots bounds the canonicalisations running at once, counting those whose
// caller gave up at its deadline: json-gold cannot be interrupted, so a
// goroutine that timed out runs on to its end, and without this bound a
// stream of slow documents would pile them up.
var slots = make(chan struct{}, max(4, 2*runtime.GOMAXPROCS(0)))

// bounded runs f in its own goroutine and waits for it at most timeout,
// including the wait for a slot. A panic in f is an error.
func bounded(timeout time.Duration, f func() ([]byte, error)) ([]byte, error) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case slots <- struct{}{}:
	case <-timer.C:
		return nil, fail("canonicalization", ErrTimeout, "the server is busy canonicalizing other documents; try again")
	}
	type result struct {
		out []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() { <-slots }()
		defer func() {
			if p := recover(); p != nil {
				done <- result{nil, fail("canonicalization", nil, "json-gold failed on this document: %v", p)}
			}
		}()
		out, err := f()
		done <- result{out, err}
	}()
	select {
	case r := <-done:
		return r.out, r.err
	case <-timer.C:
		return nil, fail("canonicalization", ErrTimeout, "canonicalization took longer than %v", timeout)
	}
}

// rdfc expands doc in safe mode, checks the expanded form (checkExpanded),
// converts it to an RDF dataset, counts its blank nodes and canonicalizes
// it with URDNA2015 (RDFC-1.0).
//
// json-gold's JsonLdProcessor.Normalize is not used: it builds its own
// options for the conversion to RDF and leaves SafeMode out of them, so
// undefined terms would silently drop out of what is signed.
func rdfc(doc map[string]any, opt Options) ([]byte, error) {
	o := ld.NewJsonLdOptions("")
	o.DocumentLoader = opt.Loader
	o.ProcessingMode = ld.JsonLd_1_1
	o.SafeMode = true
	// json-gold's default is URGNA2012, which is not RDFC-1.0.
	o.Algorithm = ld.AlgorithmURDNA2015

	expanded, err := ld.NewJsonLdProcessor().Expand(doc, o)
	if err != nil {
		return nil, jsonldFailure(err)
	}
	if err := checkExpanded(expanded); err != nil {
		return nil, err
	}
	api := ld.NewJsonLdApi()
	ds, err := api.ToRDF(expanded, o)
	if err != nil {
		return nil, jsonldFailure(err)
	}
	if n := blankNodes(ds); n > opt.MaxBlankNodes {
		return nil, fail("canonicalization", ErrTooManyBlankNodes, "the document has %d blank nodes (objects without an \"id\"); at most %d are accepted", n, opt.MaxBlankNodes)
	}
	o.Format = "application/n-quads"
	out, err := api.Normalize(ds, o)
	if err != nil {
		return nil, jsonldFailure(err)
	}
	s, ok := out.(string)
	if !ok {
		return nil, fail("canonicalization", nil, "json-gold returned %T, not N-Quads", out)
	}
	return []byte(s), nil
}

// blankNodes counts the distinct blank nodes of ds.
func blankNodes(ds *ld.RDFDataset) int {
	seen := map[string]struct{}{}
	for name, quads := range ds.Graphs {
		if len(name) > 1 && name[:2] == "_:" {
			seen[name] = struct{}{}
		}
		for _, q := range quads {
			for _, n := range []ld.Node{q.Subject, q.Object} {
				if b, ok := n.(ld.BlankNode); ok {
					seen[b.Attribute] = struct{}{}
				}
			}
		}
	}
	return len(seen)
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
