package schemas

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/piprate/json-gold/ld"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Limits on a record, so that no document makes validation unbounded.
const (
	MaxDepth  = 24
	MaxValues = 5000
)

// Problem is one thing wrong with a record, in words a person can act on.
type Problem struct {
	// Pointer is the JSON Pointer (RFC 6901) of the field, "" for the
	// record as a whole.
	Pointer string `json:"pointer"`
	Message string `json:"message"`
}

// Invalid is the error for a record that breaks the rules; every problem
// found is listed.
type Invalid struct{ Problems []Problem }

func (e *Invalid) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Message
	}
	return strings.Join(msgs, " ")
}

func invalid(pointer, format string, a ...any) *Invalid {
	return &Invalid{[]Problem{{pointer, fmt.Sprintf(format, a...)}}}
}

// Record is a record that passed validation.
type Record struct {
	Type Type
	// Doc is the record as sent (compact, with Satchel's context).
	Doc map[string]any
}

var compiled struct {
	once    sync.Once
	schemas map[string]*jsonschema.Schema
	raw     map[string]any // schema documents by $id, for titles and hints
	err     error
}

func compile() {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	compiled.raw = map[string]any{}
	for _, f := range SchemaFiles() {
		b, _ := File(f)
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			compiled.err = fmt.Errorf("schema %s: %w", f, err)
			return
		}
		if err := c.AddResource(SchemaBase+f, doc); err != nil {
			compiled.err = err
			return
		}
		compiled.raw[SchemaBase+f] = doc
	}
	compiled.schemas = map[string]*jsonschema.Schema{}
	for name, t := range Types {
		s, err := c.Compile(SchemaBase + t.Schema)
		if err != nil {
			compiled.err = fmt.Errorf("schema for %s: %w", name, err)
			return
		}
		compiled.schemas[name] = s
	}
}

// Validate checks a JSON-LD record that is to be stored at path (relative to
// the pod root): well-formed and bounded JSON; only contexts Satchel holds
// (none is ever fetched); a known record type that belongs at path; the
// type's JSON Schema, with every problem named; and JSON-LD expansion in
// safe mode, so that no term is silently dropped. Fields a schema does not
// define are refused, not kept.
func Validate(data []byte, path string) (*Record, error) {
	compiled.once.Do(compile)
	if compiled.err != nil {
		return nil, compiled.err
	}
	doc, err := decodeBounded(data)
	if err != nil {
		return nil, err
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return nil, invalid("", "A record must be one JSON object, in curly brackets.")
	}
	ctx, hasCtx := obj["@context"]
	if !hasCtx {
		return nil, invalid("/@context", "This is JSON but not a JSON-LD record: add \"@context\": %q.", ContextURL)
	}
	if err := checkContexts(ctx); err != nil {
		return nil, err
	}
	if isCredential(obj["type"]) {
		return validateCredential(obj, path)
	}
	tn, _ := obj["type"].(string)
	t, known := Types[tn]
	if !known {
		return nil, invalid("/type", "\"type\" must name a kind of record Satchel keeps: %s.", strings.Join(TypeNames(), ", "))
	}
	if t.SignedOnly {
		return nil, invalid("/type", "A %s comes only signed, from the organisation that vouches for it: ask them to issue it to you, or add it to your address history yourself.", strings.ToLower(t.Title))
	}
	if !t.BelongsIn(path) {
		return nil, invalid("/type", "A record of type %s (%s) belongs in %s, not here.", t.Name, strings.ToLower(t.Title), strings.Join(t.Containers, " or "))
	}
	if err := compiled.schemas[tn].Validate(doc); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			return nil, explain(ve, SchemaBase+t.Schema)
		}
		return nil, err
	}
	if _, err := Expand(obj); err != nil {
		return nil, err
	}
	return &Record{Type: t, Doc: obj}, nil
}

// CredentialContainers are where Verifiable Credentials from issuers may be
// stored: delivered into inbox/, filed where their kind of record belongs
// (Type.Containers of the subject's type).
var CredentialContainers = []string{"inbox/", "qualifications/", "housing/", "documents/"}

func isCredential(t any) bool {
	list, _ := t.([]any)
	for _, x := range list {
		if x == "VerifiableCredential" {
			return true
		}
	}
	return false
}

// validateCredential accepts a Verifiable Credential where credentials
// belong, if it carries a proof and expands offline in safe mode. Its
// proof is checked by whoever relies on it (package verifier), not here.
func validateCredential(obj map[string]any, path string) (*Record, error) {
	placed := false
	for _, c := range CredentialContainers {
		placed = placed || strings.HasPrefix(path, c)
	}
	if !placed {
		return nil, invalid("/type", "A signed credential belongs in %s.", strings.Join(CredentialContainers, " or "))
	}
	if _, ok := obj["proof"].(map[string]any); !ok {
		return nil, invalid("/proof", "A credential must carry the proof of the issuer who signed it.")
	}
	if kind := SubjectType(obj); !strings.HasPrefix(path, "inbox/") && !kind.BelongsIn(path) {
		return nil, invalid("/type", "A signed %s belongs in %s, not here.", strings.ToLower(kind.Title), strings.Join(kind.Containers, " or "))
	}
	if _, err := Expand(obj); err != nil {
		return nil, err
	}
	return &Record{Type: Type{Name: "VerifiableCredential", Title: "Signed credential", Containers: CredentialContainers}, Doc: obj}, nil
}

// Expand expands doc with json-gold in safe mode with the offline loader.
// A remote context is *ErrRemoteContext; any other JSON-LD error is
// *Invalid.
func Expand(doc any) ([]any, error) {
	proc := ld.NewJsonLdProcessor()
	out, err := proc.Expand(doc, Options())
	if err != nil {
		return nil, jsonldError(err)
	}
	return out, nil
}

// Options are the json-gold options every Satchel component uses: the
// offline loader, JSON-LD 1.1, and safe mode.
func Options() *ld.JsonLdOptions {
	opts := ld.NewJsonLdOptions("")
	opts.DocumentLoader = DefaultLoader
	opts.ProcessingMode = ld.JsonLd_1_1
	opts.SafeMode = true
	return opts
}

func jsonldError(err error) error {
	var rc *ErrRemoteContext
	if errors.As(err, &rc) {
		return rc
	}
	var le *ld.JsonLdError
	if errors.As(err, &le) {
		if inner, ok := le.Details.(error); ok && errors.As(inner, &rc) {
			return rc
		}
		if le.Code == ld.ProtectedTermRedefinition {
			return invalid("/@context", "The record's context tries to change the meaning of Satchel's terms; use %q alone.", ContextURL)
		}
		return invalid("", "This is not valid JSON-LD (%s).", le.Code)
	}
	return invalid("", "This is not valid JSON-LD.")
}

// checkContexts refuses any context URL the loader does not hold, before
// anything else looks at the document.
func checkContexts(ctx any) error {
	switch c := ctx.(type) {
	case string:
		if _, ok := Contexts[c]; !ok {
			return &ErrRemoteContext{URL: c}
		}
	case []any:
		for _, e := range c {
			if err := checkContexts(e); err != nil {
				return err
			}
		}
	case map[string]any:
		if imp, ok := c["@import"]; ok {
			return checkContexts(imp)
		}
	}
	return nil
}

// decodeBounded parses JSON, refusing documents nested deeper than MaxDepth
// or holding more than MaxValues values, and anything after the first value.
func decodeBounded(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	depth, values := 0, 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, invalid("", "This record is not valid JSON: check for a missing bracket, comma or quote.")
		}
		values++
		if delim, ok := tok.(json.Delim); ok {
			if delim == '{' || delim == '[' {
				depth++
			} else {
				depth--
			}
		}
		if depth > MaxDepth {
			return nil, invalid("", "This record is nested too deeply (more than %d levels).", MaxDepth)
		}
		if values > MaxValues {
			return nil, invalid("", "This record is too large (more than %d values).", MaxValues)
		}
	}
	var v any
	d = json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return nil, invalid("", "This record is not valid JSON: check for a missing bracket, comma or quote.")
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, invalid("", "This record has something after its closing bracket.")
	}
	return v, nil
}

// Pointer makes a JSON Pointer from path segments.
func Pointer(segs []string) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteByte('/')
		b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(s))
	}
	return b.String()
}

func sortProblems(ps []Problem) []Problem {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Pointer < ps[j].Pointer })
	out := ps[:0]
	for i, p := range ps {
		if i == 0 || p != ps[i-1] {
			out = append(out, p)
		}
	}
	return out
}

// ValidateSubject checks what an organisation is about to sign as a
// credential's subject against the schema of its kind (typeName), before
// anything is signed: every problem is named, as for a record.
func ValidateSubject(typeName string, subject map[string]any) error {
	compiled.once.Do(compile)
	if compiled.err != nil {
		return compiled.err
	}
	t, ok := Types[typeName]
	if !ok {
		return invalid("/type", "Satchel keeps no kind of record called %s.", typeName)
	}
	// The schema validates JSON values as decoded: round-trip the subject.
	data, err := json.Marshal(subject)
	if err != nil {
		return invalid("", "This cannot be written as JSON.")
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return invalid("", "This cannot be written as JSON.")
	}
	if err := compiled.schemas[typeName].Validate(doc); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			return explain(ve, SchemaBase+t.Schema)
		}
		return err
	}
	return nil
}
