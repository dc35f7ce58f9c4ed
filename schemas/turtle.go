package schemas

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on RDF text (Turtle, N3 Patch, SPARQL Update) Satchel reads, so
// that no body makes parsing or conversion unbounded. Nothing in such a
// text is ever fetched: @base and @prefix only name things.
const (
	MaxRDFBytes   = 1 << 20
	MaxTriples    = 10000
	MaxRDFNesting = 24
)

// TermKind says what an RDF term is.
type TermKind uint8

// The kinds of term.
const (
	IRI TermKind = iota + 1
	BlankNode
	Literal
	// Variable is an N3 or SPARQL variable (?name), only in patches.
	Variable
	// Formula is an N3 formula ({ … }), only in patches; Value names it.
	Formula
)

// Term is one RDF term. A literal's Datatype is never empty unless it has
// a Lang.
type Term struct {
	Kind                  TermKind
	Value, Datatype, Lang string
}

// Triple is one RDF statement.
type Triple struct{ S, P, O Term }

const (
	rdfNS      = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	xsdNS      = "http://www.w3.org/2001/XMLSchema#"
	xsdString  = xsdNS + "string"
	rdfLang    = rdfNS + "langString"
	rdfType    = rdfNS + "type"
	rdfFirst   = rdfNS + "first"
	rdfRest    = rdfNS + "rest"
	rdfNil     = rdfNS + "nil"
	xsdInteger = xsdNS + "integer"
	xsdDecimal = xsdNS + "decimal"
	xsdDouble  = xsdNS + "double"
	xsdBoolean = xsdNS + "boolean"
)

// SyntaxError is the error for RDF text that cannot be read, with the line
// it stopped at.
type SyntaxError struct {
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// Malformed marks the error as the client's (a 400 for pod.Handler).
func (e *SyntaxError) Malformed() string {
	return "This is not valid " + "RDF (" + e.Error() + "). Check the syntax and try again."
}

// ParseTurtle reads a Turtle document, resolving relative IRIs against base.
// It refuses documents over MaxRDFBytes, with more than MaxTriples triples or
// nested deeper than MaxRDFNesting.
func ParseTurtle(data []byte, base string) ([]Triple, error) {
	p, err := newParser(data, base, "Turtle")
	if err != nil {
		return nil, err
	}
	if err := p.document(); err != nil {
		return nil, err
	}
	return p.out, nil
}

type rdfParser struct {
	src      []byte
	pos      int
	line     int
	what     string // "Turtle", "N3", "SPARQL Update": for messages
	base     *url.URL
	prefixes map[string]string
	out      []Triple
	count    int
	depth    int
	fresh    int
	labels   map[string]string
	// N3 only.
	n3       bool
	formulas map[string][]Triple
}

func newParser(data []byte, base, what string) (*rdfParser, error) {
	if len(data) > MaxRDFBytes {
		return nil, &SyntaxError{1, fmt.Sprintf("this is larger than %d bytes", MaxRDFBytes)}
	}
	if !utf8.Valid(data) {
		return nil, &SyntaxError{1, "this is not UTF-8 text"}
	}
	b, err := url.Parse(base)
	if err != nil || !b.IsAbs() {
		return nil, fmt.Errorf("base %q is not an absolute URL", base)
	}
	return &rdfParser{src: data, line: 1, what: what, base: b, prefixes: map[string]string{}, labels: map[string]string{}, formulas: map[string][]Triple{}}, nil
}

func (p *rdfParser) errorf(format string, a ...any) error {
	return &SyntaxError{p.line, fmt.Sprintf(format, a...)}
}

// skip passes white space and comments.
func (p *rdfParser) skip() {
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == '\n':
			p.line++
			p.pos++
		case c == ' ' || c == '\t' || c == '\r':
			p.pos++
		case c == '#':
			for p.pos < len(p.src) && p.src[p.pos] != '\n' {
				p.pos++
			}
		default:
			return
		}
	}
}

func (p *rdfParser) peek() byte {
	p.skip()
	if p.pos >= len(p.src) {
		return 0
	}
	return p.src[p.pos]
}

func (p *rdfParser) eat(c byte) bool {
	if p.peek() == c {
		p.pos++
		return true
	}
	return false
}

func (p *rdfParser) expect(c byte) error {
	if !p.eat(c) {
		return p.errorf("expected %q here", c)
	}
	return nil
}

// keyword reports whether the next word is kw (case-insensitively if
// fold), consuming it if so.
func (p *rdfParser) keyword(kw string, fold bool) bool {
	p.skip()
	end := p.pos + len(kw)
	if end > len(p.src) {
		return false
	}
	w := string(p.src[p.pos:end])
	if !(w == kw || fold && strings.EqualFold(w, kw)) {
		return false
	}
	if end < len(p.src) && (isNameChar(rune(p.src[end])) || p.src[end] == ':') {
		return false
	}
	p.pos = end
	return true
}

func (p *rdfParser) emit(s, pr, o Term, into *[]Triple) error {
	p.count++
	if p.count > MaxTriples {
		return p.errorf("more than %d statements; a record is much smaller than that", MaxTriples)
	}
	*into = append(*into, Triple{s, pr, o})
	return nil
}

func (p *rdfParser) nest() error {
	p.depth++
	if p.depth > MaxRDFNesting {
		return p.errorf("nested more than %d levels deep", MaxRDFNesting)
	}
	return nil
}

// document is Turtle's turtleDoc.
func (p *rdfParser) document() error {
	for p.peek() != 0 {
		if err := p.statement(&p.out, false); err != nil {
			return err
		}
	}
	return nil
}

// statement reads a directive or a triples statement. In a formula or a
// SPARQL block (inBlock) the final '.' may be left out before '}'.
func (p *rdfParser) statement(into *[]Triple, inBlock bool) error {
	if ok, err := p.directive(); ok || err != nil {
		return err
	}
	if err := p.triples(into); err != nil {
		return err
	}
	if inBlock && p.peek() == '}' {
		return nil
	}
	return p.expect('.')
}

// directive reads @prefix, @base, PREFIX or BASE.
func (p *rdfParser) directive() (bool, error) {
	switch {
	case p.keyword("@prefix", false):
		return true, p.prefix(true)
	case p.keyword("@base", false):
		return true, p.baseDecl(true)
	case p.keyword("PREFIX", true):
		return true, p.prefix(false)
	case p.keyword("BASE", true):
		return true, p.baseDecl(false)
	}
	return false, nil
}

func (p *rdfParser) prefix(dot bool) error {
	p.skip()
	start := p.pos
	for p.pos < len(p.src) && p.src[p.pos] != ':' && isNameChar(rune(p.src[p.pos])) {
		p.pos++
	}
	name := string(p.src[start:p.pos])
	if err := p.expect(':'); err != nil {
		return p.errorf("a prefix name must end with ':'")
	}
	iri, err := p.iriRef()
	if err != nil {
		return err
	}
	p.prefixes[name] = iri
	if dot {
		return p.expect('.')
	}
	return nil
}

func (p *rdfParser) baseDecl(dot bool) error {
	iri, err := p.iriRef()
	if err != nil {
		return err
	}
	u, err := url.Parse(iri)
	if err != nil {
		return p.errorf("bad base IRI")
	}
	p.base = u
	if dot {
		return p.expect('.')
	}
	return nil
}

func (p *rdfParser) triples(into *[]Triple) error {
	var subj Term
	var err error
	if p.peek() == '[' {
		p.pos++
		subj, err = p.blankPropertyList(into)
		if err != nil {
			return err
		}
		if c := p.peek(); c == '.' || c == '}' {
			return nil
		}
	} else if subj, err = p.subject(into); err != nil {
		return err
	}
	return p.predicateObjectList(subj, into)
}

func (p *rdfParser) subject(into *[]Triple) (Term, error) {
	switch c := p.peek(); {
	case c == '(':
		p.pos++
		return p.collection(into)
	case c == '_':
		return p.blankLabel()
	case c == '?' && p.n3:
		return p.variable()
	case c == '{' && p.n3:
		return p.formula()
	}
	return p.iri()
}

func (p *rdfParser) predicateObjectList(subj Term, into *[]Triple) error {
	for {
		var verb Term
		var err error
		switch {
		case p.keyword("a", false):
			verb = Term{Kind: IRI, Value: rdfType}
		case p.n3 && p.peek() == '?':
			verb, err = p.variable()
		default:
			verb, err = p.iri()
		}
		if err != nil {
			return err
		}
		for {
			obj, err := p.object(into)
			if err != nil {
				return err
			}
			if err := p.emit(subj, verb, obj, into); err != nil {
				return err
			}
			if !p.eat(',') {
				break
			}
		}
		if !p.eat(';') {
			return nil
		}
		for p.eat(';') {
		}
		if c := p.peek(); c == '.' || c == ']' || c == '}' || c == 0 {
			return nil
		}
	}
}

func (p *rdfParser) object(into *[]Triple) (Term, error) {
	switch c := p.peek(); {
	case c == '[':
		p.pos++
		return p.blankPropertyList(into)
	case c == '(':
		p.pos++
		return p.collection(into)
	case c == '_':
		return p.blankLabel()
	case c == '"' || c == '\'':
		return p.literal()
	case c == '+' || c == '-' || c == '.' || c >= '0' && c <= '9':
		return p.number()
	case c == '?' && p.n3:
		return p.variable()
	case c == '{' && p.n3:
		return p.formula()
	}
	if p.keyword("true", false) {
		return Term{Kind: Literal, Value: "true", Datatype: xsdBoolean}, nil
	}
	if p.keyword("false", false) {
		return Term{Kind: Literal, Value: "false", Datatype: xsdBoolean}, nil
	}
	return p.iri()
}

func (p *rdfParser) newBlank() Term {
	p.fresh++
	return Term{Kind: BlankNode, Value: "_:n" + strconv.Itoa(p.fresh)}
}

func (p *rdfParser) blankPropertyList(into *[]Triple) (Term, error) {
	if err := p.nest(); err != nil {
		return Term{}, err
	}
	defer func() { p.depth-- }()
	b := p.newBlank()
	if p.eat(']') {
		return b, nil
	}
	if err := p.predicateObjectList(b, into); err != nil {
		return Term{}, err
	}
	return b, p.expect(']')
}

func (p *rdfParser) collection(into *[]Triple) (Term, error) {
	if err := p.nest(); err != nil {
		return Term{}, err
	}
	defer func() { p.depth-- }()
	head := Term{Kind: IRI, Value: rdfNil}
	var last Term
	for !p.eat(')') {
		if p.peek() == 0 {
			return Term{}, p.errorf("a list is not closed with ')'")
		}
		item, err := p.object(into)
		if err != nil {
			return Term{}, err
		}
		node := p.newBlank()
		if head.Kind == IRI {
			head = node
		} else if err := p.emit(last, Term{Kind: IRI, Value: rdfRest}, node, into); err != nil {
			return Term{}, err
		}
		if err := p.emit(node, Term{Kind: IRI, Value: rdfFirst}, item, into); err != nil {
			return Term{}, err
		}
		last = node
	}
	if head.Kind != IRI {
		if err := p.emit(last, Term{Kind: IRI, Value: rdfRest}, Term{Kind: IRI, Value: rdfNil}, into); err != nil {
			return Term{}, err
		}
	}
	return head, nil
}

// formula reads an N3 formula { … } into p.formulas.
func (p *rdfParser) formula() (Term, error) {
	if err := p.expect('{'); err != nil {
		return Term{}, err
	}
	if err := p.nest(); err != nil {
		return Term{}, err
	}
	defer func() { p.depth-- }()
	p.fresh++
	name := "{" + strconv.Itoa(p.fresh) + "}"
	var in []Triple
	for !p.eat('}') {
		if p.peek() == 0 {
			return Term{}, p.errorf("a formula is not closed with '}'")
		}
		if err := p.triples(&in); err != nil {
			return Term{}, err
		}
		if p.peek() != '}' {
			if err := p.expect('.'); err != nil {
				return Term{}, err
			}
		}
	}
	p.formulas[name] = in
	return Term{Kind: Formula, Value: name}, nil
}

func (p *rdfParser) blankLabel() (Term, error) {
	p.skip()
	if !strings.HasPrefix(string(p.src[p.pos:min(p.pos+2, len(p.src))]), "_:") {
		return Term{}, p.errorf("expected a blank node label like _:b1")
	}
	p.pos += 2
	start := p.pos
	for p.pos < len(p.src) && isNameChar(rune(p.src[p.pos])) {
		p.pos++
	}
	for p.pos > start && p.src[p.pos-1] == '.' {
		p.pos--
	}
	label := string(p.src[start:p.pos])
	if label == "" {
		return Term{}, p.errorf("a blank node label is empty")
	}
	name, ok := p.labels[label]
	if !ok {
		name = p.newBlank().Value
		p.labels[label] = name
	}
	return Term{Kind: BlankNode, Value: name}, nil
}

func (p *rdfParser) variable() (Term, error) {
	p.pos++ // '?'
	start := p.pos
	for p.pos < len(p.src) && isNameChar(rune(p.src[p.pos])) && p.src[p.pos] != '.' {
		p.pos++
	}
	if p.pos == start {
		return Term{}, p.errorf("a variable needs a name, like ?x")
	}
	return Term{Kind: Variable, Value: string(p.src[start:p.pos])}, nil
}

// iri reads an IRI reference <…> or a prefixed name.
func (p *rdfParser) iri() (Term, error) {
	if p.peek() == '<' {
		v, err := p.iriRef()
		return Term{Kind: IRI, Value: v}, err
	}
	start := p.pos
	for p.pos < len(p.src) && p.src[p.pos] != ':' && isNameChar(rune(p.src[p.pos])) {
		p.pos++
	}
	if p.pos >= len(p.src) || p.src[p.pos] != ':' {
		p.pos = start
		return Term{}, p.errorf("expected an IRI, a prefixed name or a value here")
	}
	name := string(p.src[start:p.pos])
	ns, ok := p.prefixes[name]
	if !ok {
		return Term{}, p.errorf("the prefix %q is not declared", name+":")
	}
	p.pos++
	var local strings.Builder
	for p.pos < len(p.src) {
		r, size := utf8.DecodeRune(p.src[p.pos:])
		switch {
		case r == '\\' && p.pos+1 < len(p.src):
			local.WriteByte(p.src[p.pos+1])
			p.pos += 2
			continue
		case r == '%' && p.pos+2 < len(p.src):
			local.Write(p.src[p.pos : p.pos+3])
			p.pos += 3
			continue
		case isNameChar(r) || r == ':':
			local.WriteRune(r)
			p.pos += size
			continue
		}
		break
	}
	l := local.String()
	for strings.HasSuffix(l, ".") {
		l = l[:len(l)-1]
		p.pos--
	}
	return Term{Kind: IRI, Value: ns + l}, nil
}

// iriRef reads <…> and resolves it against the base.
func (p *rdfParser) iriRef() (string, error) {
	if err := p.expect('<'); err != nil {
		return "", p.errorf("expected an IRI in angle brackets")
	}
	end := strings.IndexByte(string(p.src[p.pos:]), '>')
	if end < 0 {
		return "", p.errorf("an IRI is not closed with '>'")
	}
	raw := string(p.src[p.pos : p.pos+end])
	p.pos += end + 1
	if strings.ContainsAny(raw, " \n\t\"<{}|^`") {
		return "", p.errorf("an IRI contains a character IRIs cannot")
	}
	raw, err := unescapeU(raw)
	if err != nil {
		return "", p.errorf("%v", err)
	}
	ref, err := url.Parse(raw)
	if err != nil {
		return "", p.errorf("%q is not a valid IRI", raw)
	}
	// Resolving also removes dot segments from absolute IRIs, so that
	// "<pod>/../other-pod/x" is seen for what it is.
	abs := p.base.ResolveReference(ref).String()
	if strings.HasSuffix(raw, "#") && !strings.HasSuffix(abs, "#") {
		abs += "#"
	}
	return abs, nil
}

func (p *rdfParser) literal() (Term, error) {
	q := p.src[p.pos]
	long := p.pos+2 < len(p.src) && p.src[p.pos+1] == q && p.src[p.pos+2] == q
	if long {
		p.pos += 3
	} else {
		p.pos++
	}
	var b strings.Builder
	for {
		if p.pos >= len(p.src) {
			return Term{}, p.errorf("a string is not closed")
		}
		c := p.src[p.pos]
		if long && c == q && p.pos+2 < len(p.src) && p.src[p.pos+1] == q && p.src[p.pos+2] == q {
			p.pos += 3
			// """a"""" ends with the last three quotes.
			for p.pos < len(p.src) && p.src[p.pos] == q {
				b.WriteByte(q)
				p.pos++
			}
			break
		}
		if !long && c == q {
			p.pos++
			break
		}
		if !long && (c == '\n' || c == '\r') {
			return Term{}, p.errorf("a string in single quotes cannot span lines; use \"\"\" for that")
		}
		if c == '\n' {
			p.line++
		}
		if c == '\\' {
			s, n, err := unescapeOne(p.src[p.pos:])
			if err != nil {
				return Term{}, p.errorf("%v", err)
			}
			b.WriteString(s)
			p.pos += n
			continue
		}
		b.WriteByte(c)
		p.pos++
	}
	t := Term{Kind: Literal, Value: b.String(), Datatype: xsdString}
	if p.pos < len(p.src) && p.src[p.pos] == '@' {
		p.pos++
		start := p.pos
		for p.pos < len(p.src) && (isAlnum(p.src[p.pos]) || p.src[p.pos] == '-') {
			p.pos++
		}
		if p.pos == start {
			return Term{}, p.errorf("a language tag is empty")
		}
		t.Lang, t.Datatype = strings.ToLower(string(p.src[start:p.pos])), rdfLang
	} else if strings.HasPrefix(string(p.src[p.pos:min(p.pos+2, len(p.src))]), "^^") {
		p.pos += 2
		dt, err := p.iri()
		if err != nil {
			return Term{}, err
		}
		t.Datatype = dt.Value
	}
	return t, nil
}

func (p *rdfParser) number() (Term, error) {
	start := p.pos
	if c := p.src[p.pos]; c == '+' || c == '-' {
		p.pos++
	}
	digits := func() int {
		s := p.pos
		for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
			p.pos++
		}
		return p.pos - s
	}
	n := digits()
	dt := xsdInteger
	if p.pos+1 < len(p.src) && p.src[p.pos] == '.' && p.src[p.pos+1] >= '0' && p.src[p.pos+1] <= '9' {
		p.pos++
		n += digits()
		dt = xsdDecimal
	}
	if p.pos < len(p.src) && (p.src[p.pos] == 'e' || p.src[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.src) && (p.src[p.pos] == '+' || p.src[p.pos] == '-') {
			p.pos++
		}
		if digits() == 0 {
			return Term{}, p.errorf("a number's exponent has no digits")
		}
		dt = xsdDouble
	}
	if n == 0 {
		return Term{}, p.errorf("expected a value here")
	}
	return Term{Kind: Literal, Value: string(p.src[start:p.pos]), Datatype: dt}, nil
}

func unescapeOne(s []byte) (string, int, error) {
	if len(s) < 2 {
		return "", 0, fmt.Errorf("a string ends with a lone backslash")
	}
	switch s[1] {
	case 't':
		return "\t", 2, nil
	case 'b':
		return "\b", 2, nil
	case 'n':
		return "\n", 2, nil
	case 'r':
		return "\r", 2, nil
	case 'f':
		return "\f", 2, nil
	case '"', '\'', '\\':
		return string(s[1]), 2, nil
	case 'u', 'U':
		n := 4
		if s[1] == 'U' {
			n = 8
		}
		if len(s) < 2+n {
			return "", 0, fmt.Errorf("a \\u escape is cut short")
		}
		v, err := strconv.ParseUint(string(s[2:2+n]), 16, 32)
		if err != nil || !utf8.ValidRune(rune(v)) {
			return "", 0, fmt.Errorf("a \\u escape is not a character")
		}
		return string(rune(v)), 2 + n, nil
	}
	return "", 0, fmt.Errorf("unknown escape \\%c", s[1])
}

func unescapeU(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			i++
			continue
		}
		if i+1 >= len(s) || (s[i+1] != 'u' && s[i+1] != 'U') {
			return "", fmt.Errorf("an IRI may only hold \\u escapes")
		}
		r, n, err := unescapeOne([]byte(s[i:]))
		if err != nil {
			return "", err
		}
		b.WriteString(r)
		i += n
	}
	return b.String(), nil
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isNameChar(r rune) bool {
	return r == '_' || r == '-' || r == '.' || r >= '0' && r <= '9' || r == 0xB7 ||
		r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') ||
		r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))
}
