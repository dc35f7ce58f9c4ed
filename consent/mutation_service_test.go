package consent_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/consent/statuslist"
	"github.com/satchel-project/satchel/pod"
)

// These tests pin down what a leaver, a recipient or an attacker sees of
// the consent service's decisions (issue 18, mutation testing): limits at
// their exact boundary, refusals, and what is stored and forgotten.

// clockAt makes f's service tell the time from *now, which the test moves.
func clockAt(f *fixture, now *time.Time) {
	consent.SetClock(f.svc, func() time.Time { return *now })
}

func putRecord(t *testing.T, f *fixture, p pod.Path, body string) {
	t.Helper()
	if _, _, err := f.pods.Put(context.Background(), f.pod, p, "application/ld+json", int64(len(body)), strings.NewReader(body), pod.Preconditions{}); err != nil {
		t.Fatal(err)
	}
}

func wantInvalid(t *testing.T, what string, err error, words string) {
	t.Helper()
	var inv *consent.InvalidError
	if !errors.As(err, &inv) {
		t.Errorf("%s: %v, want a refusal in plain words", what, err)
		return
	}
	if !strings.Contains(inv.Error(), words) {
		t.Errorf("%s: %q, want it to say %q", what, inv.Error(), words)
	}
}

// TestCreateLimits: the sharer's name, the end and the start of a share
// are refused just past their limits and allowed at them.
func TestCreateLimits(t *testing.T) {
	t.Parallel()
	f := newFixture(t, t.TempDir())
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	clockAt(f, &now)

	n := newGrant(f.pod)
	n.SharedBy = strings.Repeat("j", 200)
	g, err := f.svc.Create(ctx, n)
	if err != nil {
		t.Fatalf("a sharer's name of 200 characters: %v", err)
	}
	if !g.NotBefore.Equal(now) || !g.Expires.Equal(now.Add(consent.DefaultTTL)) || !g.Created.Equal(now) {
		t.Errorf("a share with no dates runs %v to %v (made %v), want now to now + 14 days", g.NotBefore, g.Expires, g.Created)
	}
	n.SharedBy = strings.Repeat("j", 201)
	_, err = f.svc.Create(ctx, n)
	wantInvalid(t, "a sharer's name of 201 characters", err, "what name the recipient should see")
	n.SharedBy = "  "
	_, err = f.svc.Create(ctx, n)
	wantInvalid(t, "a blank sharer's name", err, "what name the recipient should see")

	n = newGrant(f.pod)
	n.TTL = 36 * time.Hour
	if g, err := f.svc.Create(ctx, n); err != nil || !g.Expires.Equal(now.Add(36*time.Hour)) {
		t.Errorf("a share of 36 hours ends %v (%v), want %v", g.Expires, err, now.Add(36*time.Hour))
	}

	n = newGrant(f.pod)
	n.NotBefore = now.Add(-time.Hour)
	n.Expires = now
	_, err = f.svc.Create(ctx, n)
	wantInvalid(t, "a share ending now", err, "end in the past")
	n.Expires = now.Add(time.Second)
	if _, err := f.svc.Create(ctx, n); err != nil {
		t.Errorf("a share ending a second from now: %v", err)
	}

	n = newGrant(f.pod)
	n.NotBefore = now.Add(consent.MaxTTL)
	n.TTL = time.Hour
	g, err = f.svc.Create(ctx, n)
	if err != nil {
		t.Fatalf("a share starting in exactly 90 days: %v", err)
	}
	if sh, err := f.svc.Get(ctx, f.pod, g.ID); err != nil || sh.Status != "scheduled" {
		t.Errorf("a share starting later is %q (%v), want scheduled", sh.Status, err)
	}
	n.NotBefore = now.Add(consent.MaxTTL + time.Second)
	_, err = f.svc.Create(ctx, n)
	wantInvalid(t, "a share starting in 90 days and a second", err, "at most 90 days from now")
}

// TestCreateChecksItems: only what is in the pod can be shared, and parts
// only of a record, and only parts it has.
func TestCreateChecksItems(t *testing.T) {
	t.Parallel()
	f := newFixture(t, t.TempDir())
	ctx := context.Background()
	putRecord(t, f, "housing/address-history.jsonld", `{"type":"AddressHistory","current":{"address":"1 High St","postcode":"LS1 1AA"}}`)

	n := newGrant(f.pod)
	n.Items = []consent.Item{{Path: "documents/missing.pdf"}}
	_, err := f.svc.Create(ctx, n)
	wantInvalid(t, "an item not in the pod", err, "there is nothing called documents/missing.pdf")

	n.Items = []consent.Item{{Path: "documents/letter.pdf", Fields: []string{"/name"}}}
	_, err = f.svc.Create(ctx, n)
	wantInvalid(t, "parts of a file", err, "documents/letter.pdf is a file")

	n.Items = []consent.Item{{Path: "housing/address-history.jsonld", Fields: []string{"/current/address", "/current/phone"}}}
	_, err = f.svc.Create(ctx, n)
	wantInvalid(t, "a part the record lacks", err, "has no part /current/phone")

	n.Items = []consent.Item{{Path: "documents/letter.pdf"}, {Path: "housing/address-history.jsonld", Fields: []string{"/current/address", "/current/postcode"}}}
	g, err := f.svc.Create(ctx, n)
	if err != nil {
		t.Fatalf("parts the record has: %v", err)
	}
	v, err := consent.VerifyCredential(g.Credential, f.svc.Keys().JWKS(), f.svc.DID(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	data := v.Credential["credentialSubject"].(map[string]any)["providedConsent"].(map[string]any)["forPersonalData"].([]any)
	podURL := f.svc.PodURL(f.pod)
	want := []string{podURL + "documents/letter.pdf", podURL + "housing/address-history.jsonld#%2Fcurrent%2Faddress", podURL + "housing/address-history.jsonld#%2Fcurrent%2Fpostcode"}
	if len(data) != len(want) {
		t.Fatalf("the credential shares %v, want %v", data, want)
	}
	for i := range want {
		if data[i] != want[i] {
			t.Errorf("shared item %d is %v, want %s", i, data[i], want[i])
		}
	}
}

// TestCredentialContent: the signed grant says to whom, why, how many
// views, for which dates, and where its revocation bit is.
func TestCredentialContent(t *testing.T) {
	t.Parallel()
	f := newFixture(t, t.TempDir())
	n := newGrant(f.pod)
	n.PurposeText = "  flat on Elm Road "
	n.MaxViews = 2
	g, err := f.svc.Create(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	v, err := consent.VerifyCredential(g.Credential, f.svc.Keys().JWKS(), f.svc.DID(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	c := v.Credential["credentialSubject"].(map[string]any)["providedConsent"].(map[string]any)
	if c["maxViews"] != float64(2) || c["purposeDescription"] != "flat on Elm Road" || c["forPurpose"] != consent.PurposeIRI("tenancy-application") {
		t.Errorf("consent %v", c)
	}
	if v.StatusIndex != g.StatusIndex || v.StatusList != base+consent.StatusListPath {
		t.Errorf("status entry %s #%d, want %s #%d", v.StatusList, v.StatusIndex, base+consent.StatusListPath, g.StatusIndex)
	}
	if !v.ValidFrom.Equal(g.NotBefore) || !v.ValidUntil.Equal(g.Expires) {
		t.Errorf("credential valid %v to %v, grant %v to %v", v.ValidFrom, v.ValidUntil, g.NotBefore, g.Expires)
	}
	plain, err := f.svc.Create(context.Background(), newGrant(f.pod))
	if err != nil {
		t.Fatal(err)
	}
	v, _ = consent.VerifyCredential(plain.Credential, f.svc.Keys().JWKS(), f.svc.DID(), time.Now())
	c = v.Credential["credentialSubject"].(map[string]any)["providedConsent"].(map[string]any)
	if _, ok := c["maxViews"]; ok {
		t.Errorf("a grant with no view limit says maxViews %v", c["maxViews"])
	}
	if _, ok := c["purposeDescription"]; ok {
		t.Errorf("a grant with no reason says %v", c["purposeDescription"])
	}
}

// TestGrantCheckBoundaries: each limit of a grant allows its largest value
// and refuses one more.
func TestGrantCheckBoundaries(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	good := func() consent.Grant {
		return consent.Grant{
			Recipient: consent.Recipient{Name: "Acme Lettings", Kind: consent.Landlord},
			Purpose:   "tenancy-application",
			Items:     []consent.Item{{Path: "housing/h.jsonld"}},
			NotBefore: t0, Expires: t0.Add(consent.DefaultTTL),
		}
	}
	many := func(n int, f func(i int) string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = f(i)
		}
		return out
	}
	items := func(n int) []consent.Item {
		out := make([]consent.Item, n)
		for i := range out {
			out[i] = consent.Item{Path: pod.Path("documents/" + strings.Repeat("a", i+1) + ".pdf")}
		}
		return out
	}
	for _, c := range []struct {
		name string
		mod  func(*consent.Grant)
		ok   bool
	}{
		{"a name of 200", func(g *consent.Grant) { g.Recipient.Name = strings.Repeat("n", 200) }, true},
		{"a name of 201", func(g *consent.Grant) { g.Recipient.Name = strings.Repeat("n", 201) }, false},
		{"a reason of 500", func(g *consent.Grant) { g.PurposeText = strings.Repeat("r", 500) }, true},
		{"a reason of 501", func(g *consent.Grant) { g.PurposeText = strings.Repeat("r", 501) }, false},
		{"50 items", func(g *consent.Grant) { g.Items = items(consent.MaxItems) }, true},
		{"51 items", func(g *consent.Grant) { g.Items = items(consent.MaxItems + 1) }, false},
		{"50 parts", func(g *consent.Grant) {
			g.Items[0].Fields = many(consent.MaxFields, func(i int) string { return "/f" + strings.Repeat("x", i) })
		}, true},
		{"51 parts", func(g *consent.Grant) {
			g.Items[0].Fields = many(consent.MaxFields+1, func(i int) string { return "/f" + strings.Repeat("x", i) })
		}, false},
		{"a part of 500", func(g *consent.Grant) { g.Items[0].Fields = []string{"/" + strings.Repeat("p", 499)} }, true},
		{"a part of 501", func(g *consent.Grant) { g.Items[0].Fields = []string{"/" + strings.Repeat("p", 500)} }, false},
		{"a description", func(g *consent.Grant) { g.Items = []consent.Item{{Path: "housing/.meta"}} }, false},
		{"exactly 90 days", func(g *consent.Grant) { g.Expires = g.NotBefore.Add(consent.MaxTTL) }, true},
		{"one second long", func(g *consent.Grant) { g.Expires = g.NotBefore.Add(time.Second) }, true},
		{"1000 views", func(g *consent.Grant) { g.MaxViews = 1000 }, true},
		{"1001 views", func(g *consent.Grant) { g.MaxViews = 1001 }, false},
		{"no view limit", func(g *consent.Grant) { g.MaxViews = 0 }, true},
		{"one view", func(g *consent.Grant) { g.MaxViews = 1 }, true},
	} {
		g := good()
		c.mod(&g)
		if err := g.Check(); (err == nil) != c.ok {
			t.Errorf("%s: Check gives %v, want allowed %v", c.name, err, c.ok)
		}
	}
}

// TestParseTTL: the lengths a person types, at the edges.
func TestParseTTL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Duration{
		"1d": 24 * time.Hour, " 7d ": 7 * 24 * time.Hour, "90d": 90 * 24 * time.Hour,
		"2w": 14 * 24 * time.Hour, "1m": 30 * 24 * time.Hour, "36h": 36 * time.Hour, "1s": time.Second,
	} {
		if got, err := consent.ParseTTL(in); err != nil || got != want {
			t.Errorf("ParseTTL(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "d", "0d", "-1d", "91d", "0s", "-1h", "soon", "7x"} {
		if got, err := consent.ParseTTL(in); err == nil {
			t.Errorf("ParseTTL(%q) = %v, want a refusal", in, got)
		}
	}
}

// TestGetListOtherPods: a share is its own pod's: another pod's owner, a
// damaged ID and an unknown one all get ErrNoGrant; a pod's list is newest
// first.
func TestGetListOtherPods(t *testing.T) {
	t.Parallel()
	f := newFixture(t, t.TempDir())
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	clockAt(f, &now)
	var ids []consent.GrantID
	for i := 0; i < 3; i++ {
		g, err := f.svc.Create(ctx, newGrant(f.pod))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, g.ID)
		now = now.Add(time.Minute)
	}
	list, err := f.svc.List(ctx, f.pod)
	if err != nil || len(list) != 3 {
		t.Fatalf("list: %d shares, %v", len(list), err)
	}
	for i, sh := range list {
		if sh.ID != ids[2-i] || sh.Status != "active" {
			t.Errorf("list[%d] is %s (%s), want %s active", i, sh.ID, sh.Status, ids[2-i])
		}
	}
	other, err := f.pods.CreatePod(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Get(ctx, other, ids[0]); !errors.Is(err, consent.ErrNoGrant) {
		t.Errorf("another pod's share: %v", err)
	}
	if err := f.svc.Revoke(ctx, other, ids[0]); !errors.Is(err, consent.ErrNoGrant) {
		t.Errorf("withdrawing another pod's share: %v", err)
	}
	if sh, err := f.svc.Get(ctx, f.pod, ids[0]); err != nil || sh.Revoked {
		t.Errorf("after another pod tried to withdraw it: %+v, %v", sh, err)
	}
	if list, err := f.svc.List(ctx, other); err != nil || len(list) != 0 {
		t.Errorf("another pod lists %d shares (%v)", len(list), err)
	}
	for _, id := range []consent.GrantID{"", "../" + ids[0], "aaaaaaaaaaaaaaaaaaaaaaaaaa"} {
		if _, err := f.svc.Get(ctx, f.pod, id); !errors.Is(err, consent.ErrNoGrant) {
			t.Errorf("Get(%q): %v", id, err)
		}
	}
}

// TestRevokeStopsResolve: a withdrawn share resolves with its state saying
// so, its bit is set in the published list, and withdrawing again is
// harmless.
func TestRevokeStopsResolve(t *testing.T) {
	t.Parallel()
	f := newFixture(t, t.TempDir())
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	clockAt(f, &now)
	g, err := f.svc.Create(ctx, newGrant(f.pod))
	if err != nil {
		t.Fatal(err)
	}
	keep, err := f.svc.Create(ctx, newGrant(f.pod))
	if err != nil {
		t.Fatal(err)
	}
	rg, st, err := f.svc.Resolve(ctx, g.Token)
	if err != nil || rg.ID != g.ID || st.Revoked {
		t.Fatalf("resolve before: %+v %+v %v", rg, st, err)
	}
	if set, err := f.svc.Revoked(ctx, g.StatusIndex); err != nil || set {
		t.Fatalf("bit before: %v %v", set, err)
	}
	now = now.Add(time.Minute)
	if err := f.svc.Revoke(ctx, f.pod, g.ID); err != nil {
		t.Fatal(err)
	}
	_, st, err = f.svc.Resolve(ctx, g.Token) // the grant is remembered; its state is not
	if err != nil || !st.Revoked || !st.RevokedAt.Equal(now) {
		t.Fatalf("resolve after: %+v %v", st, err)
	}
	if d, err := f.svc.Use(ctx, g, consent.Visit{Request: consent.Request{Path: "documents/letter.pdf", Opening: true}}); err != nil || d.Allowed || d.Reason != consent.Revoked {
		t.Errorf("use after withdrawal: %+v %v", d, err)
	}
	if set, err := f.svc.Revoked(ctx, g.StatusIndex); err != nil || !set {
		t.Errorf("bit after: %v %v", set, err)
	}
	if set, err := f.svc.Revoked(ctx, keep.StatusIndex); err != nil || set {
		t.Errorf("another share's bit: %v %v", set, err)
	}
	later := now.Add(time.Hour)
	now = later
	if err := f.svc.Revoke(ctx, f.pod, g.ID); err != nil {
		t.Fatalf("withdrawing again: %v", err)
	}
	sh, err := f.svc.Get(ctx, f.pod, g.ID)
	if err != nil || sh.Status != "revoked" || !sh.RevokedAt.Equal(later.Add(-time.Hour)) {
		t.Errorf("after withdrawing twice: %q at %v, %v; want revoked at the first time", sh.Status, sh.RevokedAt, err)
	}
	sl, err := f.svc.StatusListCredential(ctx)
	if err != nil {
		t.Fatal(err)
	}
	subj, err := consent.VerifyStatusList(sl, f.svc.Keys().JWKS(), f.svc.DID(), now)
	if err != nil {
		t.Fatal(err)
	}
	for idx, want := range map[int]bool{g.StatusIndex: true, keep.StatusIndex: false} {
		if set, err := statuslist.Check(subj, idx); err != nil || set != want {
			t.Errorf("published bit %d: %v %v, want %v", idx, set, err, want)
		}
	}
}

// TestResolveTokens: only a token of the right shape is looked up, and an
// unknown one is ErrNoGrant.
func TestResolveTokens(t *testing.T) {
	t.Parallel()
	f := newFixture(t, t.TempDir())
	ctx := context.Background()
	g, err := f.svc.Create(ctx, newGrant(f.pod))
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Token) != 22 {
		t.Fatalf("token %q", g.Token)
	}
	for i := 0; i < 2; i++ { // looked up, then remembered
		if rg, _, err := f.svc.Resolve(ctx, g.Token); err != nil || rg.ID != g.ID {
			t.Fatalf("resolve %d: %v", i, err)
		}
	}
	for _, tok := range []string{"", g.Token[:21], g.Token + "A", g.Token[:21] + ".", g.Token[:21] + "=", "AAAAAAAAAAAAAAAAAAAAAA", "-_-_-_-_-_-_-_-_-_-_-_"} {
		if _, _, err := f.svc.Resolve(ctx, tok); !errors.Is(err, consent.ErrNoGrant) {
			t.Errorf("Resolve(%q): %v", tok, err)
		}
	}
}

// TestShareCodes: a share made when the pod gives a date of birth has a
// code; the code with that date reaches the share, with another date it
// reaches nothing, and the same is said for a code that names nothing.
func TestShareCodes(t *testing.T) {
	t.Parallel()
	f := newFixture(t, t.TempDir())
	ctx := context.Background()
	plain, err := f.svc.Create(ctx, newGrant(f.pod))
	if err != nil {
		t.Fatal(err)
	}
	if c, err := f.svc.Code(ctx, plain); err != nil || c != "" {
		t.Errorf("a share made with no date of birth known has code %q (%v)", c, err)
	}
	putRecord(t, f, "identity/a-passport.jsonld", `{"type":"IdentityDocument","holder":{"birthDate":"1985-01-02"}}`)
	putRecord(t, f, "identity/b-licence.jsonld", `{"type":"IdentityDocument","holder":{"birthDate":"1970-05-05"}}`)
	if b, err := f.svc.BirthDate(ctx, f.pod); err != nil || b.Format(time.DateOnly) != "1985-01-02" {
		t.Errorf("from identity documents: %v %v, want the first's 1985-01-02", b, err)
	}
	putRecord(t, f, "identity/z-birth.jsonld", `{"type":"BirthCertificate","birthDate":"1990-04-23"}`)
	putRecord(t, f, "identity/y-broken.jsonld", `{"type":"BirthCertificate","birthDate":"soon"}`)
	body := []byte(`{"type":"BirthCertificate","birthDate":"1950-01-01"}`)
	if _, _, err := f.pods.Put(ctx, f.pod, "identity/c-scan.json", "application/json", int64(len(body)), bytes.NewReader(body), pod.Preconditions{}); err != nil {
		t.Fatal(err)
	}
	birth, err := f.svc.BirthDate(ctx, f.pod)
	if err != nil || birth.Format(time.DateOnly) != "1990-04-23" {
		t.Fatalf("birth date %v %v, want the birth certificate's 1990-04-23", birth, err)
	}

	g, err := f.svc.Create(ctx, newGrant(f.pod))
	if err != nil {
		t.Fatal(err)
	}
	code, err := f.svc.Code(ctx, g)
	if err != nil || len(code) != 11 || code[3] != '-' || code[7] != '-' {
		t.Fatalf("code %q %v", code, err)
	}
	typed := strings.ToLower(strings.ReplaceAll(code, "-", " \t"))
	rg, _, err := f.svc.ResolveCode(ctx, typed, birth)
	if err != nil || rg.ID != g.ID {
		t.Fatalf("the code as typed (%q): %v", typed, err)
	}
	sh, err := f.svc.Get(ctx, f.pod, g.ID)
	if err != nil || sh.Code != code {
		t.Errorf("the owner sees code %q, want %q", sh.Code, code)
	}
	for what, try := range map[string]struct {
		code  string
		birth time.Time
	}{
		"another date":       {code, birth.AddDate(0, 0, 1)},
		"a code for nothing": {"ABC-DEF-GHJ", birth},
		"a short code":       {code[:10], birth},
		"a letter not used":  {"O" + code[1:], birth},
		"a code of another":  {strings.Repeat("A", 9), birth},
	} {
		if _, _, err := f.svc.ResolveCode(ctx, try.code, try.birth); !errors.Is(err, consent.ErrNoGrant) {
			t.Errorf("%s: %v", what, err)
		}
	}

	// A share made without a code gets one on asking, kept after.
	c1, err := f.svc.MakeCode(ctx, f.pod, plain.ID, birth)
	if err != nil || len(c1) != 11 {
		t.Fatalf("MakeCode: %q %v", c1, err)
	}
	c2, err := f.svc.MakeCode(ctx, f.pod, plain.ID, birth.AddDate(1, 0, 0))
	if err != nil || c2 != c1 {
		t.Errorf("MakeCode again: %q %v, want %q", c2, err, c1)
	}
	if rg, _, err := f.svc.ResolveCode(ctx, c1, birth); err != nil || rg.ID != plain.ID {
		t.Errorf("the made code: %v", err)
	}
	if _, err := f.svc.MakeCode(ctx, f.pod, "aaaaaaaaaaaaaaaaaaaaaaaaaa", birth); !errors.Is(err, consent.ErrNoGrant) {
		t.Errorf("MakeCode of nothing: %v", err)
	}
}

// TestCodeForms: how a code is written and read back.
func TestCodeForms(t *testing.T) {
	t.Parallel()
	if got := consent.FormatCode("ABCDEFGHJ"); got != "ABC-DEF-GHJ" {
		t.Errorf("FormatCode: %q", got)
	}
	for _, in := range []string{"ABCDEFGH", "ABCDEFGHJK"} {
		if got := consent.FormatCode(in); got != in {
			t.Errorf("FormatCode(%q) = %q", in, got)
		}
	}
	for in, want := range map[string]string{
		"abc-def-ghj": "ABCDEFGHJ", " ABC DEF\tGHJ ": "ABCDEFGHJ", "23456789Z": "23456789Z",
		"ABC-DEF-GH": "", "ABC-DEF-GHJK": "", "ABC-DEF-GH1": "", "ABC-DEF-GHO": "", "ABC_DEF_GHJ": "", "ABC-DEF-GHÉ": "",
	} {
		if got := consent.ParseCode(in); got != want {
			t.Errorf("ParseCode(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestDeleteShares: after an account's shares are deleted, their links,
// codes and listings are gone and their bits stay set.
func TestDeleteShares(t *testing.T) {
	t.Parallel()
	f := newFixture(t, t.TempDir())
	ctx := context.Background()
	putRecord(t, f, "identity/birth.jsonld", `{"type":"BirthCertificate","birthDate":"1990-04-23"}`)
	birth := time.Date(1990, 4, 23, 0, 0, 0, 0, time.UTC)
	var gs []consent.Grant
	for i := 0; i < 2; i++ {
		g, err := f.svc.Create(ctx, newGrant(f.pod))
		if err != nil {
			t.Fatal(err)
		}
		gs = append(gs, g)
	}
	other, err := f.pods.CreatePod(ctx)
	if err != nil {
		t.Fatal(err)
	}
	doc := []byte("x")
	if _, _, err := f.pods.Put(ctx, other, "documents/letter.pdf", "application/pdf", 1, bytes.NewReader(doc), pod.Preconditions{}); err != nil {
		t.Fatal(err)
	}
	theirs, err := f.svc.Create(ctx, newGrant(other))
	if err != nil {
		t.Fatal(err)
	}
	codes := map[consent.GrantID]string{}
	for _, g := range gs {
		codes[g.ID], _ = f.svc.Code(ctx, g)
		f.svc.Resolve(ctx, g.Token) // remembered
		f.svc.VerifyOwn(g.Credential, time.Now())
	}
	if err := f.svc.DeleteShares(ctx, f.pod); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.DeleteShares(ctx, f.pod); err != nil {
		t.Fatalf("again: %v", err)
	}
	if list, err := f.svc.List(ctx, f.pod); err != nil || len(list) != 0 {
		t.Errorf("listed after deletion: %d %v", len(list), err)
	}
	for _, g := range gs {
		if _, _, err := f.svc.Resolve(ctx, g.Token); !errors.Is(err, consent.ErrNoGrant) {
			t.Errorf("link after deletion: %v", err)
		}
		if _, _, err := f.svc.ResolveCode(ctx, codes[g.ID], birth); !errors.Is(err, consent.ErrNoGrant) {
			t.Errorf("code %q after deletion: %v", codes[g.ID], err)
		}
		if set, err := f.svc.Revoked(ctx, g.StatusIndex); err != nil || !set {
			t.Errorf("bit after deletion: %v %v", set, err)
		}
	}
	if _, _, err := f.svc.Resolve(ctx, theirs.Token); err != nil {
		t.Errorf("another pod's share after deletion: %v", err)
	}
	if set, _ := f.svc.Revoked(ctx, theirs.StatusIndex); set {
		t.Errorf("another pod's share was withdrawn")
	}
}
