package access

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func TestCan(t *testing.T) {
	owner := Principal{Account: "jo", Name: "Jo", Kind: Leaver, Pod: "POD", AuthTime: now.Add(-time.Minute)}
	staleOwner := owner
	staleOwner.AuthTime = now.Add(-RecentSignIn - time.Second)
	other := Principal{Account: "sam", Name: "Sam", Kind: Leaver, Pod: "OTHER", AuthTime: now}
	helper := Principal{Account: "hh", Name: "Helen", Kind: Helper, AuthTime: now}
	staff := Principal{Account: "st", Name: "Staff", Kind: Issuer, Org: "hmp", AuthTime: now}
	all := []Right{View, Add, Share, Reset}
	tests := []struct {
		name string
		p    Principal
		q    Request
		want error
	}{
		{"nobody", Principal{}, Request{Right: View, Pod: "POD"}, ErrUnauthenticated},
		{"owner views", owner, Request{Right: View, Pod: "POD", Path: "identity/"}, nil},
		{"owner reads log", owner, Request{Right: ReadLog, Pod: "POD", Path: "access-log/"}, nil},
		{"owner changes", owner, Request{Right: Change, Pod: "POD", Path: "identity/x"}, nil},
		{"owner sees tokens", owner, Request{Right: SeeTokens, Pod: "POD"}, nil},
		{"owner manages helpers, recent", owner, Request{Right: ManageHelpers, Pod: "POD"}, nil},
		{"owner manages helpers, stale", staleOwner, Request{Right: ManageHelpers, Pod: "POD"}, ErrSignInAgain},
		{"owner deletes, stale", staleOwner, Request{Right: DeleteAccount, Pod: "POD"}, ErrSignInAgain},
		{"owner deletes, never signed in with a password", Principal{Account: "jo", Kind: Leaver, Pod: "POD"}, Request{Right: DeleteAccount, Pod: "POD"}, ErrSignInAgain},
		{"owner, unknown right", owner, Request{Right: "fly", Pod: "POD"}, ErrForbidden},
		{"owner, org right in a pod", owner, Request{Right: Issue, Pod: "POD"}, ErrForbidden},
		{"other leaver", other, Request{Right: View, Pod: "POD"}, ErrNotFound},
		{"other leaver, even with rights listed", other, Request{Right: View, Pod: "POD", Delegated: all}, ErrNotFound},
		{"staff in a pod", staff, Request{Right: View, Pod: "POD", Delegated: all}, ErrNotFound},
		{"empty pod id is nobody's", Principal{Account: "x", Kind: Leaver}, Request{Right: View, Pod: ""}, ErrNotFound},
		{"helper not chosen", helper, Request{Right: View, Pod: "POD"}, ErrNotFound},
		{"helper view", helper, Request{Right: View, Pod: "POD", Path: "identity/id.jsonld", Delegated: []Right{View}}, nil},
		{"helper view, log", helper, Request{Right: View, Pod: "POD", Path: "access-log/", Delegated: all}, ErrForbidden},
		{"helper read log", helper, Request{Right: ReadLog, Pod: "POD", Path: "access-log/", Delegated: all}, ErrForbidden},
		{"helper add only, view", helper, Request{Right: View, Pod: "POD", Path: "identity/", Delegated: []Right{Add}}, ErrForbidden},
		{"helper add in documents", helper, Request{Right: Add, Pod: "POD", Path: "documents/a.pdf", Delegated: []Right{Add}}, nil},
		{"helper add elsewhere", helper, Request{Right: Add, Pod: "POD", Path: "identity/a.pdf", Delegated: []Right{Add}}, ErrForbidden},
		{"helper add without the right", helper, Request{Right: Add, Pod: "POD", Path: "documents/a.pdf", Delegated: []Right{View, Share, Reset}}, ErrForbidden},
		{"owner appends", owner, Request{Right: Append, Pod: "POD", Path: "housing/address-history.jsonld"}, nil},
		{"helper add appends an address", helper, Request{Right: Append, Pod: "POD", Path: "housing/address-history.jsonld", Delegated: []Right{Add}}, nil},
		{"helper add appends elsewhere", helper, Request{Right: Append, Pod: "POD", Path: "identity/id.jsonld", Delegated: []Right{Add}}, ErrForbidden},
		{"helper add appends to a lookalike", helper, Request{Right: Append, Pod: "POD", Path: "housing/address-history.jsonld/x", Delegated: []Right{Add}}, ErrForbidden},
		{"helper append without add", helper, Request{Right: Append, Pod: "POD", Path: "housing/address-history.jsonld", Delegated: []Right{View, Share, Reset}}, ErrForbidden},
		{"helper add cannot change the history", helper, Request{Right: Change, Pod: "POD", Path: "housing/address-history.jsonld", Delegated: all}, ErrForbidden},
		{"helper add is not add there", helper, Request{Right: Add, Pod: "POD", Path: "housing/address-history.jsonld", Delegated: all}, ErrForbidden},
		{"helper append, not chosen", helper, Request{Right: Append, Pod: "POD", Path: "housing/address-history.jsonld"}, ErrNotFound},
		{"helper change", helper, Request{Right: Change, Pod: "POD", Path: "documents/a.pdf", Delegated: all}, ErrForbidden},
		{"helper share with view", helper, Request{Right: Share, Pod: "POD", Path: "housing/h.jsonld", Delegated: []Right{View, Share}}, nil},
		{"helper share without view", helper, Request{Right: Share, Pod: "POD", Path: "housing/h.jsonld", Delegated: []Right{Share}}, ErrForbidden},
		{"helper share the log", helper, Request{Right: Share, Pod: "POD", Path: "access-log/", Delegated: all}, ErrForbidden},
		{"helper share without the right", helper, Request{Right: Share, Pod: "POD", Path: "housing/h.jsonld", Delegated: []Right{View, Add, Reset}}, ErrForbidden},
		{"helper reset", helper, Request{Right: Reset, Pod: "POD", Delegated: []Right{Reset}}, nil},
		{"helper reset without the right", helper, Request{Right: Reset, Pod: "POD", Delegated: []Right{View, Add, Share}}, ErrForbidden},
		{"helper manages helpers", helper, Request{Right: ManageHelpers, Pod: "POD", Delegated: all}, ErrForbidden},
		{"helper deletes account", helper, Request{Right: DeleteAccount, Pod: "POD", Delegated: all}, ErrForbidden},
		{"helper sees tokens", helper, Request{Right: SeeTokens, Pod: "POD", Delegated: all}, ErrForbidden},
		{"owner enrols", owner, Request{Right: Enrol, Pod: "POD"}, nil},
		{"helper add enrols", helper, Request{Right: Enrol, Pod: "POD", Delegated: []Right{Add}}, nil},
		{"helper enrols without add", helper, Request{Right: Enrol, Pod: "POD", Delegated: []Right{View, Share, Reset}}, ErrForbidden},
		{"helper enrols, not chosen", helper, Request{Right: Enrol, Pod: "POD"}, ErrNotFound},
		{"other leaver enrols", other, Request{Right: Enrol, Pod: "POD"}, ErrNotFound},
		{"staff enrols someone", staff, Request{Right: Enrol, Pod: "POD", Delegated: all}, ErrNotFound},
	}
	for _, tt := range tests {
		tt.q.Now = now
		if got := Can(tt.p, tt.q); !errors.Is(got, tt.want) || (tt.want == nil) != (got == nil) {
			t.Errorf("%s: Can = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestCanOrg(t *testing.T) {
	staff := Principal{Account: "st", Kind: Issuer, Org: "hmp"}
	admin := Principal{Account: "ad", Kind: Issuer, Org: "hmp", OrgAdmin: true}
	tests := []struct {
		p    Principal
		r    Right
		org  string
		want error
	}{
		{Principal{}, Issue, "hmp", ErrUnauthenticated},
		{staff, Issue, "hmp", nil},
		{staff, Manage, "hmp", nil},
		{staff, Issue, "other", ErrForbidden},
		{staff, View, "hmp", ErrForbidden},
		{Principal{Account: "x", Kind: Issuer}, Issue, "", ErrForbidden},
		{Principal{Account: "jo", Kind: Leaver, Pod: "POD", Org: "hmp"}, Issue, "hmp", ErrForbidden},
		{staff, ManageStaff, "hmp", ErrForbidden},
		{admin, ManageStaff, "hmp", nil},
		{admin, Issue, "hmp", nil},
		{admin, ManageStaff, "other", ErrForbidden},
		{admin, Issue, "other", ErrForbidden},
		{Principal{Account: "jo", Kind: Leaver, Pod: "POD", Org: "hmp", OrgAdmin: true}, ManageStaff, "hmp", ErrForbidden},
	}
	for _, tt := range tests {
		if got := CanOrg(tt.p, tt.r, tt.org); !errors.Is(got, tt.want) || (tt.want == nil) != (got == nil) {
			t.Errorf("CanOrg(%+v, %s, %s) = %v, want %v", tt.p, tt.r, tt.org, got, tt.want)
		}
	}
}

func TestActorAndContext(t *testing.T) {
	p := Principal{Account: "hh", Name: "Helen", Kind: Helper}
	if got := Actor(p, "POD"); got != "Helen" {
		t.Errorf("Actor of a helper = %q", got)
	}
	if got := Actor(Principal{Account: "jo", Name: "Jo", Pod: "POD"}, "POD"); got != "" {
		t.Errorf("Actor of the owner = %q", got)
	}
	if From(context.Background()).SignedIn() {
		t.Error("an empty context has a principal")
	}
	if got := From(WithPrincipal(context.Background(), p)); got != p {
		t.Errorf("From = %+v", got)
	}
}

func TestWrite(t *testing.T) {
	for _, tt := range []struct {
		err    error
		detail string
		status int
		want   string
	}{
		{ErrUnauthenticated, "leak", 401, "Sign in first"},
		{ErrSignInAgain, "", 401, "Sign in again"},
		{ErrNotFound, "leak", 404, "Nothing is stored"},
		{ErrForbidden, "Jo has not allowed you to share.", 403, "Jo has not allowed"},
		{errors.New("anything else"), "", 403, "not allowed"},
	} {
		rec := httptest.NewRecorder()
		Write(rec, tt.err, tt.detail)
		if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.want) || strings.Contains(rec.Body.String(), "leak") {
			t.Errorf("Write(%v) = %d %s", tt.err, rec.Code, rec.Body)
		}
		if rec.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("Write(%v): Content-Type %q", tt.err, rec.Header().Get("Content-Type"))
		}
		if tt.status == http.StatusUnauthorized && rec.Header().Get("WWW-Authenticate") == "" {
			t.Errorf("Write(%v): no WWW-Authenticate", tt.err)
		}
	}
	rec := httptest.NewRecorder()
	Write(rec, ErrSignInAgain, "")
	if !strings.Contains(rec.Header().Get("WWW-Authenticate"), "insufficient_user_authentication") {
		t.Errorf("step-up challenge missing: %q", rec.Header().Get("WWW-Authenticate"))
	}
}
