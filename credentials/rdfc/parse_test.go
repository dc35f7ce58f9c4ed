package rdfc

import (
	"fmt"
	"strconv"
	"strings"
)

// parseNQuads reads the N-Quads of the W3C test files: IRIs, blank nodes,
// literals with ECHAR and UCHAR escapes, language tags and datatypes.
func parseNQuads(src string) ([]Quad, error) {
	var out []Quad
	for n, line := range strings.Split(src, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		p := &lineParser{s: line}
		var terms []Term
		for {
			p.space()
			if p.s == "" {
				return nil, fmt.Errorf("line %d: no final '.'", n+1)
			}
			if p.s[0] == '.' {
				break
			}
			t, err := p.term()
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", n+1, err)
			}
			terms = append(terms, t)
		}
		if len(terms) < 3 || len(terms) > 4 {
			return nil, fmt.Errorf("line %d: %d terms", n+1, len(terms))
		}
		q := Quad{Subject: terms[0], Predicate: terms[1], Object: terms[2]}
		if len(terms) == 4 {
			q.Graph = terms[3]
		}
		out = append(out, q)
	}
	return out, nil
}

type lineParser struct{ s string }

func (p *lineParser) space() { p.s = strings.TrimLeft(p.s, " \t") }

func (p *lineParser) term() (Term, error) {
	switch {
	case strings.HasPrefix(p.s, "<"):
		v, err := p.until('>')
		return Term{Kind: IRI, Value: v}, err
	case strings.HasPrefix(p.s, "_:"):
		end := strings.IndexAny(p.s, " \t")
		if end < 0 {
			return Term{}, fmt.Errorf("unterminated blank node")
		}
		v := p.s[2:end]
		p.s = p.s[end:]
		return Term{Kind: BlankNode, Value: v}, nil
	case strings.HasPrefix(p.s, `"`):
		v, err := p.until('"')
		if err != nil {
			return Term{}, err
		}
		t := Term{Kind: Literal, Value: v}
		switch {
		case strings.HasPrefix(p.s, "@"):
			end := strings.IndexAny(p.s, " \t")
			t.Language, p.s = p.s[1:end], p.s[end:]
		case strings.HasPrefix(p.s, "^^<"):
			p.s = p.s[2:]
			t.Datatype, err = p.until('>')
		}
		return t, err
	}
	return Term{}, fmt.Errorf("unexpected %q", p.s)
}

// until reads from after the opening character to close, unescaping.
func (p *lineParser) until(close byte) (string, error) {
	var b strings.Builder
	for i := 1; i < len(p.s); i++ {
		c := p.s[i]
		switch {
		case c == close:
			p.s = p.s[i+1:]
			return b.String(), nil
		case c == '\\' && i+1 < len(p.s):
			i++
			switch e := p.s[i]; e {
			case 't':
				b.WriteByte('\t')
			case 'b':
				b.WriteByte('\b')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 'f':
				b.WriteByte('\f')
			case '"', '\'', '\\':
				b.WriteByte(e)
			case 'u', 'U':
				n := 4
				if e == 'U' {
					n = 8
				}
				r, err := strconv.ParseUint(p.s[i+1:i+1+n], 16, 32)
				if err != nil {
					return "", err
				}
				b.WriteRune(rune(r))
				i += n
			default:
				return "", fmt.Errorf("unknown escape \\%c", e)
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", fmt.Errorf("unterminated term")
}
