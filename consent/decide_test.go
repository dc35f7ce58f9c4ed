package consent

import (
	"testing"
	"time"
)

func TestDecide(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	g := Grant{
		NotBefore: t0,
		Expires:   t0.Add(DefaultTTL),
		MaxViews:  3,
		Items: []Item{
			{Path: "identity/"},
			{Path: "housing/history.jsonld", Fields: []string{"/entries/#current/address"}},
		},
	}
	now := t0.Add(time.Hour)
	for _, c := range []struct {
		name   string
		st     State
		req    Request
		at     time.Time
		want   Reason
		fields int
	}{
		{"container item covers a member", State{}, Request{Path: "identity/passport.pdf"}, now, Allowed, 0},
		{"container item covers the container", State{}, Request{Path: "identity/"}, now, Allowed, 0},
		{"container item covers deeper members", State{}, Request{Path: "identity/old/card.png"}, now, Allowed, 0},
		{"another container is out of scope", State{}, Request{Path: "finance/bank.jsonld"}, now, OutOfScope, 0},
		{"a sibling that shares a prefix is out", State{}, Request{Path: "identity-old/x"}, now, OutOfScope, 0},
		{"whole record of a field grant gives the fields", State{}, Request{Path: "housing/history.jsonld"}, now, Allowed, 1},
		{"the shared field", State{}, Request{Path: "housing/history.jsonld", Field: "/entries/#current/address"}, now, Allowed, 1},
		{"inside the shared field", State{}, Request{Path: "housing/history.jsonld", Field: "/entries/#current/address/postalCode"}, now, Allowed, 1},
		{"another field of the record", State{}, Request{Path: "housing/history.jsonld", Field: "/entries/#custody/address"}, now, OutOfScope, 0},
		{"a field whose name extends the shared one", State{}, Request{Path: "housing/history.jsonld", Field: "/entries/#current/addressX"}, now, OutOfScope, 0},
		{"the record's container is out", State{}, Request{Path: "housing/"}, now, OutOfScope, 0},
		{"before the start", State{}, Request{Path: "identity/x"}, t0.Add(-time.Second), NotYetValid, 0},
		{"at the end", State{}, Request{Path: "identity/x"}, t0.Add(DefaultTTL), Expired, 0},
		{"revoked wins over everything", State{Revoked: true}, Request{Path: "finance/x"}, t0.Add(-time.Hour), Revoked, 0},
		{"used up", State{Views: 3}, Request{Path: "identity/x"}, now, UsedUp, 0},
		{"one view left", State{Views: 2}, Request{Path: "identity/x"}, now, Allowed, 0},
	} {
		d := Decide(g, c.st, c.req, c.at)
		if d.Reason != c.want || d.Allowed != (c.want == Allowed) || len(d.Fields) != c.fields {
			t.Errorf("%s: %+v, want %q with %d fields", c.name, d, c.want, c.fields)
		}
	}
}

func TestGrantCheck(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	good := func() Grant {
		return Grant{
			Recipient: Recipient{Name: "Acme Lettings", Kind: Landlord},
			Purpose:   "tenancy-application",
			Items:     []Item{{Path: "housing/"}},
			NotBefore: t0, Expires: t0.Add(DefaultTTL),
		}
	}
	g := good()
	if err := g.Check(); err != nil {
		t.Fatal(err)
	}
	for name, mod := range map[string]func(*Grant){
		"no recipient":       func(g *Grant) { g.Recipient.Name = " " },
		"unknown kind":       func(g *Grant) { g.Recipient.Kind = "friend" },
		"unknown purpose":    func(g *Grant) { g.Purpose = "curiosity" },
		"nothing shared":     func(g *Grant) { g.Items = nil },
		"the whole pod":      func(g *Grant) { g.Items = []Item{{Path: ""}} },
		"escape":             func(g *Grant) { g.Items = []Item{{Path: "../x"}} },
		"fields of a folder": func(g *Grant) { g.Items = []Item{{Path: "housing/", Fields: []string{"/a"}}} },
		"bad pointer":        func(g *Grant) { g.Items = []Item{{Path: "housing/h.jsonld", Fields: []string{"entries"}}} },
		"ends before start":  func(g *Grant) { g.Expires = g.NotBefore },
		"over 90 days":       func(g *Grant) { g.Expires = g.NotBefore.Add(MaxTTL + time.Second) },
		"negative views":     func(g *Grant) { g.MaxViews = -1 },
	} {
		g := good()
		mod(&g)
		if err := g.Check(); err == nil {
			t.Errorf("%s: Check passed", name)
		}
	}
}

// TestDecideViews: a view is one opening of a share, its page and, within
// OpeningWindow of it, its items; an item read outside any window is a
// view of its own.
func TestDecideViews(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	g := Grant{NotBefore: t0, Expires: t0.Add(DefaultTTL), MaxViews: 1, Items: []Item{{Path: "documents/"}}}
	opened := t0.Add(time.Hour)
	page := Request{Path: "documents/", Opening: true}
	item := Request{Path: "documents/licence.pdf"}
	for _, c := range []struct {
		name string
		st   State
		req  Request
		at   time.Time
		want Reason
		view bool
	}{
		{"the first opening uses the view", State{}, page, opened, Allowed, true},
		{"a second opening is refused", State{Views: 1, OpenedAt: opened}, page, opened.Add(time.Second), UsedUp, false},
		{"an item just after the opening", State{Views: 1, OpenedAt: opened}, item, opened.Add(time.Second), Allowed, false},
		{"an item at the end of the window", State{Views: 1, OpenedAt: opened}, item, opened.Add(OpeningWindow - time.Nanosecond), Allowed, false},
		{"an item after the window", State{Views: 1, OpenedAt: opened}, item, opened.Add(OpeningWindow), UsedUp, false},
		{"an item on an instance whose clock is behind", State{Views: 1, OpenedAt: opened}, item, opened.Add(-time.Second), Allowed, false},
		{"an item long before the opening", State{Views: 1, OpenedAt: opened}, item, opened.Add(-time.Hour), UsedUp, false},
		{"an item never opened uses the view", State{}, item, opened, Allowed, true},
		{"an item after the view was used by another item", State{Views: 1}, item, opened, UsedUp, false},
		{"withdrawn within the window", State{Views: 1, OpenedAt: opened, Revoked: true}, item, opened.Add(time.Second), Revoked, false},
		{"out of scope within the window", State{Views: 1, OpenedAt: opened}, Request{Path: "finance/bank.jsonld"}, opened.Add(time.Second), OutOfScope, false},
	} {
		d := Decide(g, c.st, c.req, c.at)
		if d.Reason != c.want || d.Allowed != (c.want == Allowed) || d.View != c.view {
			t.Errorf("%s: %+v, want %q, view %v", c.name, d, c.want, c.view)
		}
	}
	// Expiry ends the window too.
	short := g
	short.Expires = opened.Add(time.Minute)
	if d := Decide(short, State{Views: 1, OpenedAt: opened}, item, short.Expires); d.Reason != Expired {
		t.Errorf("an item after expiry, within the window: %+v", d)
	}
	// With views left, an item outside the window uses one.
	three := g
	three.MaxViews = 3
	if d := Decide(three, State{Views: 1, OpenedAt: opened}, item, opened.Add(OpeningWindow)); !d.Allowed || !d.View {
		t.Errorf("an item after the window with views left: %+v", d)
	}
}
