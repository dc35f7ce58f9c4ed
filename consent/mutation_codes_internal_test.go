package consent

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/pod/podtest"
	"github.com/satchel-project/satchel/state"
	"github.com/satchel-project/satchel/vault/local"
)

// codeService is a consent service over a fresh pod that holds a birth
// certificate (so new shares get codes) and a document to share.
func codeService(t *testing.T) (*Service, pod.PodID, time.Time) {
	t.Helper()
	ctx := context.Background()
	pods, _ := podtest.Open(t, t.TempDir(), time.Minute)
	l, _, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	signer, err := l.Signer(ctx, "grants")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, pods, signer, "https://satchel.example.org")
	if err != nil {
		t.Fatal(err)
	}
	id, err := pods.CreatePod(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for p, body := range map[pod.Path]string{
		"identity/birth.jsonld": `{"type":"BirthCertificate","birthDate":"1990-04-23"}`,
		"documents/letter.json": `{"a":1}`,
	} {
		ct := "application/json"
		if strings.HasSuffix(string(p), ".jsonld") {
			ct = "application/ld+json"
		}
		if _, _, err := pods.Put(ctx, id, p, ct, int64(len(body)), strings.NewReader(body), pod.Preconditions{}); err != nil {
			t.Fatal(err)
		}
	}
	return s, id, time.Date(1990, 4, 23, 0, 0, 0, 0, time.UTC)
}

func codeGrant(p pod.PodID) NewGrant {
	return NewGrant{Pod: p, GrantedBy: "acct", SharedBy: "Jo",
		Recipient: Recipient{Name: "Acme Lettings", Kind: Landlord},
		Purpose:   "tenancy-application", Items: []Item{{Path: "documents/letter.json"}}}
}

// tokenList hands out the given tokens in turn and counts what it gave.
type tokenList struct {
	next  []string
	drawn int
}

func (l *tokenList) token() string {
	l.drawn++
	t := l.next[0]
	l.next = l.next[1:]
	return t
}

// TestShareCodeTakenGivesANewToken: a new share whose token's code already
// names another share is given a new token (and so a new link and code);
// the earlier share keeps its code.
func TestShareCodeTakenGivesANewToken(t *testing.T) {
	t.Parallel()
	s, id, birth := codeService(t)
	ctx := context.Background()
	const a, b = "tokenAAAAAAAAAAAAAAAAA", "tokenBBBBBBBBBBBBBBBBB"

	first := &tokenList{next: []string{a}}
	s.tokens = first.token
	ga, err := s.Create(ctx, codeGrant(id))
	if err != nil || ga.Token != a {
		t.Fatalf("first share: token %q, %v", ga.Token, err)
	}
	// The second share draws a's token first: its code is a's, so it draws again.
	second := &tokenList{next: []string{a, b}}
	s.tokens = second.token
	gb, err := s.Create(ctx, codeGrant(id))
	if err != nil || gb.Token != b || second.drawn != 2 {
		t.Fatalf("second share: token %q after %d draws, %v; want %q after 2", gb.Token, second.drawn, err, b)
	}
	for _, g := range []Grant{ga, gb} {
		got, _, err := s.ResolveCode(ctx, codeOf(g.Token), birth)
		if err != nil || got.ID != g.ID {
			t.Errorf("the code of %s reaches %v (%v)", g.Token, got.ID, err)
		}
	}
}

// TestShareCodeThreeTakenInARow: three draws that all give taken codes end
// with ErrCodeTaken and no share; a fourth token is never drawn.
func TestShareCodeThreeTakenInARow(t *testing.T) {
	t.Parallel()
	s, id, _ := codeService(t)
	ctx := context.Background()
	taken := []string{"takenAAAAAAAAAAAAAAAAA", "takenBBBBBBBBBBBBBBBBB", "takenCCCCCCCCCCCCCCCCC"}
	for _, tok := range taken {
		l := &tokenList{next: []string{tok}}
		s.tokens = l.token
		if _, err := s.Create(ctx, codeGrant(id)); err != nil {
			t.Fatal(err)
		}
	}
	before, err := s.List(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	l := &tokenList{next: append(append([]string{}, taken...), "freshDDDDDDDDDDDDDDDDD")}
	s.tokens = l.token
	_, err = s.Create(ctx, codeGrant(id))
	if !errors.Is(err, ErrCodeTaken) {
		t.Fatalf("a share whose three tokens all have taken codes: %v, want ErrCodeTaken", err)
	}
	if l.drawn != 4 {
		t.Errorf("%d tokens drawn, want 4 (the first and three more)", l.drawn)
	}
	after, err := s.List(ctx, id)
	if err != nil || len(after) != len(before) {
		t.Errorf("shares before %d, after %d (%v): a share was made", len(before), len(after), err)
	}
}

// TestMakeCodeTakenByAnother: asking for a code for a share made without
// one, when its token's code already names another share, is ErrCodeTaken
// and never hands out the other share's code.
func TestMakeCodeTakenByAnother(t *testing.T) {
	t.Parallel()
	s, id, birth := codeService(t)
	ctx := context.Background()
	n := codeGrant(id)
	g, err := s.Create(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	// g has a code already (the pod has a birth date): take its entry over
	// for another share, as if that one had the same code.
	code := codeOf(g.Token)
	if err := s.db.WriteJSON(ctx, codePath(code), codeEntry{Grant: "anothershareaaaaaaaaaaaaaa", Birth: birthHash(code, birth)}, state.Cond{}); err != nil {
		t.Fatal(err)
	}
	c, err := s.MakeCode(ctx, id, g.ID, birth)
	if !errors.Is(err, ErrCodeTaken) || c != "" {
		t.Fatalf("MakeCode with the code taken by another share: %q, %v; want ErrCodeTaken", c, err)
	}
	if c, err := s.Code(ctx, g); err != nil || c != "" {
		t.Errorf("the share shows code %q (%v), which reaches another share", c, err)
	}
}
