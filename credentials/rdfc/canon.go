package rdfc

import (
	"bytes"
	"context"
	"encoding/hex"
	"hash"
	"slices"
	"sort"
	"strconv"
)

// term is a Term as canonical N-Quads writes it, with its blank node (an
// index into state.labels) kept apart so that the algorithm can write it
// under another name.
type term struct {
	text  string // the written form; "" for the default graph or a blank node
	blank int    // the blank node's index, or -1
}

type quad struct {
	s, p, o, g term
}

// state is the canonicalization state of RDFC-1.0 §4.2, with the budget.
type state struct {
	done    <-chan struct{}
	ctx     context.Context
	newHash func() hash.Hash
	h       hash.Hash // reused for hashes that finish before another starts

	quads     []quad
	labels    []string // blank node labels by index, in order of appearance
	quadsOf   [][]int  // the quads each blank node appears in
	firstHash []string // Hash First Degree Quads of each blank node
	canonical *issuer

	work, budget, nonUnique int
}

func run(ctx context.Context, dataset []Quad, opt Options) (*state, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	opt = opt.withDefaults()
	s := &state{ctx: ctx, done: ctx.Done(), newHash: opt.Hash, h: opt.Hash()}
	if err := s.load(dataset); err != nil {
		return nil, err
	}
	s.canonical = newIssuer("c14n", len(s.labels))

	// §4.4.3 steps 3–4: first-degree hashes; a blank node whose hash is
	// its own gets its canonical identifier now, in order of hash.
	byHash := map[string][]int{}
	s.firstHash = make([]string, len(s.labels))
	for b := range s.labels {
		h := s.hashFirstDegree(b)
		s.firstHash[b] = h
		byHash[h] = append(byHash[h], b)
	}
	hashes := sortedKeys(byHash)
	var shared [][]int
	for _, h := range hashes {
		if ids := byHash[h]; len(ids) > 1 {
			shared = append(shared, ids)
			s.nonUnique += len(ids)
			continue
		}
		s.canonical.issue(byHash[h][0])
	}
	s.budget = s.nonUnique * opt.IterationsPerNode

	// Step 5: the blank nodes sharing a hash, told apart by their paths.
	for _, ids := range shared {
		type result struct {
			hash string
			iss  *issuer
		}
		var paths []result
		for _, b := range ids {
			if s.canonical.has(b) {
				continue
			}
			tmp := newIssuer("b", len(s.labels))
			tmp.issue(b)
			h, iss, err := s.hashNDegree(b, tmp)
			if err != nil {
				return nil, err
			}
			paths = append(paths, result{h, iss})
		}
		sort.SliceStable(paths, func(i, j int) bool { return paths[i].hash < paths[j].hash })
		for _, r := range paths {
			for _, b := range r.iss.order {
				s.canonical.issue(b)
			}
		}
	}
	return s, nil
}

// spend counts one deep iteration, and checks the budget and ctx.
func (s *state) spend() error {
	s.work++
	if s.work > s.budget {
		return &BudgetError{BlankNodes: s.nonUnique, Budget: s.budget}
	}
	if s.done != nil && s.work&15 == 0 {
		select {
		case <-s.done:
			return s.ctx.Err()
		default:
		}
	}
	return nil
}

// hashFirstDegree is Hash First Degree Quads (§4.6): the hash of the sorted
// statements of b, with b written _:a and other blank nodes _:z.
func (s *state) hashFirstDegree(b int) string {
	lines := make([]string, 0, len(s.quadsOf[b]))
	var buf bytes.Buffer
	for _, qi := range s.quadsOf[b] {
		buf.Reset()
		q := s.quads[qi]
		writeQuad(&buf, q, func(x int) string {
			if x == b {
				return "_:a"
			}
			return "_:z"
		})
		lines = append(lines, buf.String())
	}
	slices.Sort(lines)
	s.h.Reset()
	for _, l := range lines {
		s.h.Write([]byte(l))
	}
	return hex.EncodeToString(s.h.Sum(nil))
}

// hashRelated is Hash Related Blank Node (§4.7).
func (s *state) hashRelated(related int, q quad, iss *issuer, position byte) string {
	h := s.h
	h.Reset()
	h.Write([]byte{position})
	if position != 'g' {
		h.Write([]byte(q.p.text))
	}
	switch {
	case s.canonical.has(related):
		h.Write([]byte("_:" + s.canonical.id(related)))
	case iss.has(related):
		h.Write([]byte("_:" + iss.id(related)))
	default:
		h.Write([]byte(s.firstHash[related]))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// hashNDegree is Hash N-Degree Quads (§4.8). Each call and each
// permutation it tries is one deep iteration of the budget.
func (s *state) hashNDegree(b int, iss *issuer) (string, *issuer, error) {
	if err := s.spend(); err != nil {
		return "", nil, err
	}
	// Steps 1–3: the related blank nodes, grouped by their hash.
	related := map[string][]int{}
	for _, qi := range s.quadsOf[b] {
		q := s.quads[qi]
		for _, c := range [...]struct {
			t   term
			pos byte
		}{{q.s, 's'}, {q.o, 'o'}, {q.g, 'g'}} {
			if c.t.blank >= 0 && c.t.blank != b {
				h := s.hashRelated(c.t.blank, q, iss, c.pos)
				related[h] = append(related[h], c.t.blank)
			}
		}
	}
	data := s.newHash()
	for _, h := range sortedKeys(related) {
		data.Write([]byte(h))
		var chosenPath []byte
		var chosen *issuer
		list := related[h]
		slices.SortStableFunc(list, func(x, y int) int { return cmpString(s.labels[x], s.labels[y]) })
		p := newPermuter(list)
	permutations:
		for perm := p.next(); perm != nil; perm = p.next() {
			if err := s.spend(); err != nil {
				return "", nil, err
			}
			cp := iss.clone()
			var path []byte
			var recurse []int
			for _, r := range perm {
				if s.canonical.has(r) {
					path = append(path, "_:"...)
					path = append(path, s.canonical.id(r)...)
				} else {
					if !cp.has(r) {
						recurse = append(recurse, r)
					}
					path = append(path, "_:"...)
					path = append(path, cp.issue(r)...)
				}
				if chosen != nil && bytes.Compare(path, chosenPath) > 0 {
					continue permutations
				}
			}
			for _, r := range recurse {
				rh, riss, err := s.hashNDegree(r, cp)
				if err != nil {
					return "", nil, err
				}
				path = append(path, "_:"...)
				path = append(path, cp.issue(r)...)
				path = append(path, '<')
				path = append(path, rh...)
				path = append(path, '>')
				cp = riss
				if chosen != nil && bytes.Compare(path, chosenPath) > 0 {
					continue permutations
				}
			}
			if chosen == nil || bytes.Compare(path, chosenPath) < 0 {
				chosenPath, chosen = path, cp
			}
		}
		data.Write(chosenPath)
		iss = chosen
	}
	return hex.EncodeToString(data.Sum(nil)), iss, nil
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// issuer is an identifier issuer (§4.5): prefix and counter, and the
// blank nodes it issued identifiers to, in order.
type issuer struct {
	prefix string
	ids    []int32 // by blank node; -1 if none issued
	order  []int
}

func newIssuer(prefix string, n int) *issuer {
	ids := make([]int32, n)
	for i := range ids {
		ids[i] = -1
	}
	return &issuer{prefix: prefix, ids: ids}
}

func (i *issuer) has(b int) bool { return i.ids[b] >= 0 }

// id returns the identifier issued to b, which must have one.
func (i *issuer) id(b int) string { return i.prefix + strconv.Itoa(int(i.ids[b])) }

// issue returns b's identifier, issuing the next one if it has none.
func (i *issuer) issue(b int) string {
	if i.ids[b] < 0 {
		i.ids[b] = int32(len(i.order))
		i.order = append(i.order, b)
	}
	return i.id(b)
}

func (i *issuer) clone() *issuer {
	return &issuer{prefix: i.prefix, ids: slices.Clone(i.ids), order: slices.Clone(i.order)}
}
