package consent_test

import (
	"context"
	"testing"
	"time"

	"github.com/satchel-project/satchel/consent"
)

// TestUseCountsOpenings drives Use on a one-view grant with a clock that
// moves: the page and its items within the window are one view, written
// once as a view in the access log; after the window the items are used up.
func TestUseCountsOpenings(t *testing.T) {
	f := newFixture(t, t.TempDir())
	ctx := context.Background()
	now := time.Now()
	consent.SetClock(f.svc, func() time.Time { return now })
	n := newGrant(f.pod)
	n.Items = []consent.Item{{Path: "documents/"}}
	n.MaxViews = 1
	g, err := f.svc.Create(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	use := func(req consent.Request) consent.Decision {
		t.Helper()
		d, err := f.svc.Use(ctx, g, consent.Visit{Request: req, Who: "Acme Lettings"})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	page := consent.Request{Path: "documents/", Opening: true}
	doc := consent.Request{Path: "documents/letter.pdf"}
	if d := use(page); !d.Allowed {
		t.Fatalf("opening: %+v", d)
	}
	now = now.Add(consent.OpeningWindow - time.Second)
	for i := 0; i < 3; i++ {
		if d := use(doc); !d.Allowed {
			t.Fatalf("item %d within the window: %+v", i, d)
		}
	}
	if d := use(page); d.Reason != consent.UsedUp {
		t.Fatalf("second opening: %+v", d)
	}
	now = now.Add(time.Second)
	if d := use(doc); d.Reason != consent.UsedUp {
		t.Fatalf("item after the window: %+v", d)
	}
	log, err := f.svc.Log(ctx, f.pod)
	if err != nil {
		t.Fatal(err)
	}
	views := 0
	for _, e := range log {
		if e.View {
			views++
		}
		if e.Views != 1 {
			t.Errorf("entry %+v: views %d, want 1", e, e.Views)
		}
	}
	if len(log) != 4 || views != 1 {
		t.Fatalf("access log: %d entries, %d views, want 4 and 1: %+v", len(log), views, log)
	}
	sh, err := f.svc.Get(ctx, f.pod, g.ID)
	if err != nil || sh.Status != "used-up" || sh.Views != 1 {
		t.Fatalf("share: %+v, %v", sh, err)
	}
}
