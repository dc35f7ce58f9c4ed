// Package rdfc canonicalizes RDF datasets with the W3C RDF Dataset
// Canonicalization algorithm (RDFC-1.0), under a budget: a graph built to
// make the algorithm's deep iterations explode (a "poison graph") is
// refused with ErrPoisonGraph after work proportional to its blank nodes,
// and a cancelled context stops the work at once.
//
// It takes a dataset as Quads (from any parser: credentials/dataintegrity
// gets them from json-gold's conversion of JSON-LD to RDF) and returns
// canonical N-Quads, or the canonical identifiers issued to its blank
// nodes.
package rdfc

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
)

// Kind is the kind of an RDF term.
type Kind uint8

// The kinds of term.
const (
	// DefaultGraph is the graph name of a quad in the default graph (the
	// zero Term).
	DefaultGraph Kind = iota
	// IRI is an absolute IRI.
	IRI
	// BlankNode is a blank node; Value is its label without "_:".
	BlankNode
	// Literal is a literal: Value is its lexical form, Datatype its
	// datatype IRI ("" for xsd:string) and Language its language tag
	// (the datatype is then rdf:langString and is not written).
	Literal
)

// Term is an RDF term.
type Term struct {
	Kind     Kind
	Value    string
	Datatype string
	Language string
}

// Quad is a statement: subject, predicate, object and graph name (the
// zero Term for the default graph).
type Quad struct {
	Subject, Predicate, Object, Graph Term
}

// DefaultIterationsPerNode is the default Options.IterationsPerNode. It
// lets every graph of the W3C test suite through with room to spare (its
// "evil" graphs need 257 a node), and refuses a clique of five blank nodes
// (913 a node) and anything larger. Work that grows faster than linearly
// with blank nodes that are told apart only by their neighbours is refused
// beyond some size: an RDF list of identical items needs about three deep
// iterations per item per node, so lists of up to about 170 identical
// items pass (rdf-canonize's default allows far fewer).
const DefaultIterationsPerNode = 512

// Options bound and configure a canonicalization. The zero value is
// RDFC-1.0 with SHA-256 and DefaultIterationsPerNode.
type Options struct {
	// Hash is the hash algorithm; nil means SHA-256, the algorithm
	// RDFC-1.0 names by default (eddsa-rdfc-2022 uses it).
	Hash func() hash.Hash
	// IterationsPerNode bounds the deep iterations (calls of the Hash
	// N-Degree Quads algorithm, and the permutations of related blank
	// nodes it tries) to IterationsPerNode × n, where n is the number of
	// blank nodes the first-degree hashes do not tell apart: work linear
	// in the blank nodes, as rdf-canonize's maxWorkFactor of 1 intends.
	// 0 means DefaultIterationsPerNode; a negative value allows no deep
	// iteration at all.
	IterationsPerNode int
}

// ErrPoisonGraph is the error when a dataset needs more deep iterations
// than Options.IterationsPerNode allows: the RDFC-1.0 specification's "poison
// graph", whose canonicalization would take time exponential in its blank
// nodes. It is wrapped in a *BudgetError.
var ErrPoisonGraph = errors.New("rdfc: too many deep iterations for the blank nodes (poison graph)")

// BudgetError says how much work a refused dataset had been given.
type BudgetError struct {
	// BlankNodes is the number of blank nodes the first-degree hashes did
	// not tell apart; Budget the deep iterations allowed for them.
	BlankNodes, Budget int
}

func (e *BudgetError) Error() string {
	return fmt.Sprintf("%v: %d blank nodes not told apart by their statements, at most %d deep iterations allowed", ErrPoisonGraph, e.BlankNodes, e.Budget)
}

// Unwrap returns ErrPoisonGraph.
func (e *BudgetError) Unwrap() error { return ErrPoisonGraph }

// Canonicalize returns the canonical N-Quads of dataset (RDFC-1.0 §4.4,
// canonical N-Quads serialization, one statement a line, sorted by code
// point, each line ending in "\n"). Duplicate quads count once. It fails
// with a *BudgetError (errors.Is ErrPoisonGraph) when the work exceeds the
// budget, and with ctx.Err() when ctx is done.
func Canonicalize(ctx context.Context, dataset []Quad, opt Options) ([]byte, error) {
	s, err := run(ctx, dataset, opt)
	if err != nil {
		return nil, err
	}
	return s.serialize(), nil
}

// IssuedIdentifiers returns the canonical identifier ("c14n0" …) that
// RDFC-1.0 issues to each blank node of dataset, by its label in dataset
// (both without "_:"). Errors are Canonicalize's.
func IssuedIdentifiers(ctx context.Context, dataset []Quad, opt Options) (map[string]string, error) {
	s, err := run(ctx, dataset, opt)
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(s.labels))
	for b, label := range s.labels {
		m[label] = s.canonical.id(b)
	}
	return m, nil
}

func (o Options) withDefaults() Options {
	if o.Hash == nil {
		o.Hash = sha256.New
	}
	if o.IterationsPerNode == 0 {
		o.IterationsPerNode = DefaultIterationsPerNode
	}
	if o.IterationsPerNode < 0 {
		o.IterationsPerNode = 0
	}
	return o
}
