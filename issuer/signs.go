package issuer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/satchel-project/satchel/schemas"
)

// What an organisation may sign: a college signs qualifications, not "in
// custody at HMP Example". Org.Signs lists the kinds of record it may
// sign, set when it is registered and changed with SetSigns; an
// organisation registered before there was such a list (Signs nil) may
// sign every kind, as it could then.

// SignedKind is a kind of record an organisation may be allowed to sign.
type SignedKind struct {
	// Word names it on the command line ("custody-period").
	Word string
	// Kind is its kind of record in schemas.Types ("CustodyPeriod").
	Kind string
	// Plural says what it is in a sentence ("custody periods").
	Plural string
}

// SignedKinds are the kinds of record organisations sign.
var SignedKinds = []SignedKind{
	{Word: "qualification", Kind: "Qualification", Plural: "qualifications"},
	{Word: "custody-period", Kind: "CustodyPeriod", Plural: "custody periods"},
	{Word: "stay", Kind: "AccommodationStay", Plural: "stays in a hostel or approved premises"},
	{Word: "release", Kind: "ReleaseDocument", Plural: "release documents"},
}

func signedKind(kind string) (SignedKind, bool) {
	for _, k := range SignedKinds {
		if k.Kind == kind {
			return k, true
		}
	}
	return SignedKind{}, false
}

// ParseKinds reads a list like "qualification,custody-period,stay,release"
// (the Words of SignedKinds, or "all") into kinds of record, saying in a
// plain sentence what is wrong with it.
func ParseKinds(list string) ([]string, error) {
	var out []string
	for _, w := range strings.Split(list, ",") {
		w = strings.ToLower(strings.TrimSpace(w))
		if w == "" {
			continue
		}
		if w == "all" {
			out = out[:0]
			for _, k := range SignedKinds {
				out = append(out, k.Kind)
			}
			continue
		}
		i := slices.IndexFunc(SignedKinds, func(k SignedKind) bool { return k.Word == w })
		if i < 0 {
			return nil, fmt.Errorf("%q is not a kind of record an organisation signs: use qualification, custody-period, stay or release, separated by commas", w)
		}
		if !slices.Contains(out, SignedKinds[i].Kind) {
			out = append(out, SignedKinds[i].Kind)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("name at least one kind of record: qualification, custody-period, stay or release")
	}
	return out, nil
}

// checkKinds checks a list of kinds of record for Org.Signs.
func checkKinds(kinds []string) error {
	if len(kinds) == 0 {
		return errors.New("name at least one kind of record: qualification, custody-period, stay or release")
	}
	for _, k := range kinds {
		if _, ok := signedKind(k); !ok {
			return fmt.Errorf("%q is not a kind of record an organisation signs", k)
		}
	}
	return nil
}

// MaySign reports whether the organisation may sign records of kind (a
// kind of record in schemas.Types, "CustodyPeriod").
func (o Org) MaySign(kind string) bool {
	return o.Signs == nil || slices.Contains(o.Signs, kind)
}

// Kinds are the kinds of record the organisation may sign, in the order
// of SignedKinds.
func (o Org) Kinds() []SignedKind {
	var out []SignedKind
	for _, k := range SignedKinds {
		if o.MaySign(k.Kind) {
			out = append(out, k)
		}
	}
	return out
}

// CannotSignError refuses a record of a kind the organisation may not
// sign. Its message is a plain sentence: "HMP Example Education cannot
// sign custody periods."
type CannotSignError struct {
	Org  string // the organisation's name
	Kind string // the kind of record
}

func (e *CannotSignError) Error() string {
	what := e.Kind
	if k, ok := signedKind(e.Kind); ok {
		what = k.Plural
	}
	return e.Org + " cannot sign " + what + "."
}

// maySign is nil if o may sign kind, else a *CannotSignError.
func (o Org) maySign(kind string) error {
	if o.MaySign(kind) {
		return nil
	}
	return &CannotSignError{Org: o.Name, Kind: kind}
}

// maySignCredential is nil unless vc is a credential of one of
// SignedKinds that o may not sign, by its type or its subject's type.
func (o Org) maySignCredential(vc map[string]any) error {
	var subjects []any
	switch cs := vc["credentialSubject"].(type) {
	case map[string]any:
		subjects = []any{cs}
	case []any:
		subjects = cs
	}
	for _, k := range SignedKinds {
		named := hasType(vc["type"], schemas.Types[k.Kind].Credential)
		for _, s := range subjects {
			if m, ok := s.(map[string]any); ok && hasType(m["type"], k.Kind) {
				named = true
			}
		}
		if named {
			if err := o.maySign(k.Kind); err != nil {
				return err
			}
		}
	}
	return nil
}

// SetSigns changes the kinds of record organisation slug may sign (kinds
// of record in schemas.Types, at least one) and returns it as changed.
func (s *Service) SetSigns(ctx context.Context, slug string, kinds []string) (Org, error) {
	if err := checkKinds(kinds); err != nil {
		return Org{}, err
	}
	if _, err := s.Org(ctx, slug); err != nil {
		return Org{}, err
	}
	var o Org
	err := s.db.UpdateJSON(ctx, orgPath(slug), &o, func() error {
		o.Signs = slices.Clone(kinds)
		return nil
	})
	return o, err
}
