package rdfc

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
)

const xsdString = "http://www.w3.org/2001/XMLSchema#string"

// load turns dataset into quads with written terms, numbers its blank
// nodes in order of appearance and drops duplicate quads.
func (s *state) load(dataset []Quad) error {
	index := map[string]int{}
	conv := func(t Term, where string) (term, error) {
		switch t.Kind {
		case DefaultGraph:
			if where != "graph" {
				return term{}, fmt.Errorf("rdfc: a %s must not be the default graph", where)
			}
			return term{blank: -1}, nil
		case IRI:
			if t.Value == "" {
				return term{}, fmt.Errorf("rdfc: an empty IRI as %s", where)
			}
			return term{text: "<" + t.Value + ">", blank: -1}, nil
		case BlankNode:
			if where == "predicate" {
				return term{}, fmt.Errorf("rdfc: a blank node as predicate")
			}
			b, ok := index[t.Value]
			if !ok {
				b = len(s.labels)
				index[t.Value] = b
				s.labels = append(s.labels, t.Value)
				s.quadsOf = append(s.quadsOf, nil)
			}
			return term{blank: b}, nil
		case Literal:
			if where != "object" {
				return term{}, fmt.Errorf("rdfc: a literal as %s", where)
			}
			var b strings.Builder
			writeLiteral(&b, t)
			return term{text: b.String(), blank: -1}, nil
		}
		return term{}, fmt.Errorf("rdfc: unknown kind of term %d", t.Kind)
	}
	seen := make(map[quad]struct{}, len(dataset))
	s.quads = make([]quad, 0, len(dataset))
	for _, in := range dataset {
		var q quad
		var err error
		if q.s, err = conv(in.Subject, "subject"); err != nil {
			return err
		}
		if q.p, err = conv(in.Predicate, "predicate"); err != nil {
			return err
		}
		if q.o, err = conv(in.Object, "object"); err != nil {
			return err
		}
		if q.g, err = conv(in.Graph, "graph"); err != nil {
			return err
		}
		if _, dup := seen[q]; dup {
			continue
		}
		seen[q] = struct{}{}
		qi := len(s.quads)
		s.quads = append(s.quads, q)
		for _, t := range [...]term{q.s, q.o, q.g} {
			// A blank node twice in one quad is listed once; quads come in
			// order, so a repeat can only be the last one listed.
			if t.blank < 0 {
				continue
			}
			if l := s.quadsOf[t.blank]; len(l) == 0 || l[len(l)-1] != qi {
				s.quadsOf[t.blank] = append(l, qi)
			}
		}
	}
	return nil
}

// serialize writes the quads with their canonical blank node identifiers,
// sorted.
func (s *state) serialize() []byte {
	lines := make([]string, len(s.quads))
	var buf bytes.Buffer
	name := func(b int) string { return "_:" + s.canonical.id(b) }
	for i, q := range s.quads {
		buf.Reset()
		writeQuad(&buf, q, name)
		lines[i] = buf.String()
	}
	slices.Sort(lines)
	n := 0
	for _, l := range lines {
		n += len(l)
	}
	out := make([]byte, 0, n)
	for _, l := range lines {
		out = append(out, l...)
	}
	return out
}

// writeQuad writes q as a line of canonical N-Quads, with blank nodes
// named by name.
func writeQuad(buf *bytes.Buffer, q quad, name func(int) string) {
	for i, t := range [...]term{q.s, q.p, q.o, q.g} {
		if t.blank < 0 && t.text == "" {
			continue // the default graph
		}
		if i > 0 {
			buf.WriteByte(' ')
		}
		if t.blank >= 0 {
			buf.WriteString(name(t.blank))
		} else {
			buf.WriteString(t.text)
		}
	}
	buf.WriteString(" .\n")
}

// writeLiteral writes a literal in canonical N-Quads form (RDF 1.2
// N-Quads): the escapes \b \t \n \f \r \" \\, \u00XX (upper-case) for the
// other characters below U+0020 and for U+007F, everything else as it is;
// no datatype for xsd:string, a language tag instead of rdf:langString.
func writeLiteral(b *strings.Builder, t Term) {
	const hexDigits = "0123456789ABCDEF"
	b.WriteByte('"')
	for i := 0; i < len(t.Value); i++ {
		c := t.Value[i]
		switch c {
		case '\b':
			b.WriteString(`\b`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\f':
			b.WriteString(`\f`)
		case '\r':
			b.WriteString(`\r`)
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		default:
			if c < 0x20 || c == 0x7f {
				b.WriteString(`\u00`)
				b.WriteByte(hexDigits[c>>4])
				b.WriteByte(hexDigits[c&15])
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
	switch {
	case t.Language != "":
		b.WriteByte('@')
		b.WriteString(t.Language)
	case t.Datatype != "" && t.Datatype != xsdString:
		b.WriteString("^^<")
		b.WriteString(t.Datatype)
		b.WriteByte('>')
	}
}

// permuter yields the permutations of a list by the
// Steinhaus–Johnson–Trotter algorithm, starting from the list as given,
// the order rdf-canonize uses, so that look-alike blank nodes get the
// same canonical identifiers as there.
type permuter struct {
	list  []int
	rank  []int  // rank[i]: the position in the original list of list[i]
	left  []bool // by rank: the element looks left
	first bool
	done  bool
}

func newPermuter(list []int) *permuter {
	p := &permuter{list: slices.Clone(list), rank: make([]int, len(list)), left: make([]bool, len(list)), first: true}
	for i := range p.rank {
		p.rank[i] = i
		p.left[i] = true
	}
	return p
}

// next returns the next permutation (a slice the next call overwrites),
// or nil after the last.
func (p *permuter) next() []int {
	if p.first {
		p.first = false
		return p.list
	}
	if p.done {
		return nil
	}
	// The largest mobile element: greater than the one it looks at.
	k, pos := -1, 0
	n := len(p.rank)
	for i, r := range p.rank {
		if r <= k {
			continue
		}
		if (p.left[r] && i > 0 && r > p.rank[i-1]) || (!p.left[r] && i < n-1 && r > p.rank[i+1]) {
			k, pos = r, i
		}
	}
	if k < 0 {
		p.done = true
		return nil
	}
	swap := pos + 1
	if p.left[k] {
		swap = pos - 1
	}
	p.rank[pos], p.rank[swap] = p.rank[swap], p.rank[pos]
	p.list[pos], p.list[swap] = p.list[swap], p.list[pos]
	for r := k + 1; r < n; r++ {
		p.left[r] = !p.left[r]
	}
	return p.list
}
