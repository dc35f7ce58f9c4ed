package access

import (
	"errors"
	"testing"
)

func TestCanEvaluate(t *testing.T) {
	for _, c := range []struct {
		p    Principal
		want error
	}{
		{Principal{}, ErrUnauthenticated},
		{Principal{Account: "e", Kind: Evaluator}, nil},
		{Principal{Account: "s", Kind: Issuer, Org: "hmp"}, ErrNotFound},
		{Principal{Account: "a", Kind: Issuer, Org: "hmp", OrgAdmin: true}, ErrNotFound},
		{Principal{Account: "o", Kind: Operator}, ErrNotFound},
		{Principal{Account: "l", Kind: Leaver, Pod: "p"}, ErrNotFound},
		{Principal{Account: "h", Kind: Helper}, ErrNotFound},
	} {
		if err := CanEvaluate(c.p); !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("%+v: %v, want %v", c.p, err, c.want)
		}
	}
	// An evaluator has no standing in any pod or organisation.
	e := Principal{Account: "e", Kind: Evaluator}
	if err := Can(e, Request{Right: View, Pod: "p"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("an evaluator in a pod: %v", err)
	}
	if err := CanOrg(e, Issue, "hmp"); err == nil {
		t.Error("an evaluator may issue")
	}
}
