package state

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/satchel-project/satchel/sealed"
)

// legacyMember is a container's entry as releases before package state
// stored it (pod.Member).
type legacyMember struct {
	ContentType string    `json:"type,omitempty"`
	Size        int64     `json:"size"`
	Modified    time.Time `json:"modified"`
}

// writeLegacy stores docs in space as the release before package state
// did: each a resource of an internal pod, with a container listing for
// every directory above it, and no index entries. pending names a member a
// POST reserved and never wrote.
func writeLegacy(t *testing.T, b backend, space string, docs map[Name]string, pending Name) {
	t.Helper()
	ctx := context.Background()
	pk, err := b.keyring().Create(ctx, space)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	dirs := map[Name]map[string]legacyMember{"": {}}
	add := func(dir Name, name string, m legacyMember) {
		if dirs[dir] == nil {
			dirs[dir] = map[string]legacyMember{}
		}
		dirs[dir][name] = m
	}
	link := func(n Name, m legacyMember) {
		add(n.Dir(), n.Base(), m)
		// Every directory above n is a member of its parent: "b/" of "a/".
		for d := n.Dir(); d != ""; {
			inner := Name(strings.TrimSuffix(string(d), "/"))
			add(inner.Dir(), inner.Base()+"/", legacyMember{Modified: now})
			d = inner.Dir()
		}
	}
	for n, body := range docs {
		writeObject(t, b, pk, n, legacyHeader(n, "application/json", len(body), now), []byte(body))
		link(n, legacyMember{ContentType: "application/json", Size: int64(len(body)), Modified: now})
	}
	if pending != "" {
		link(pending, legacyMember{ContentType: "application/json", Size: -1, Modified: now})
	}
	for dir, members := range dirs {
		body, _ := json.Marshal(map[string]any{"members": members})
		writeObject(t, b, pk, dir, legacyHeader(dir, containerType, len(body), now), body)
	}
}

func legacyHeader(n Name, typ string, size int, now time.Time) []byte {
	h, _ := json.Marshal(map[string]any{"path": n, "type": typ, "size": size, "created": time.Time{}, "modified": now})
	return h
}

func writeObject(t *testing.T, b backend, pk *sealed.Keys, n Name, header, body []byte) {
	t.Helper()
	if _, err := sealed.WriteBytes(context.Background(), b.store, pk, pk.Object(string(n)), header, body, Cond{}); err != nil {
		t.Fatal(err)
	}
}

// TestMigrate: records an earlier release wrote are read as they are, and
// listed after Open indexes them; running it twice, or on two instances
// at once, lists each record once.
func TestMigrate(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		docs := map[Name]string{
			"grants/g1.json":        `{"pod":"p1"}`,
			"grants/g2.json":        `{"pod":"p2"}`,
			"pods/p1/g1":            `{}`,
			"pods/p2/g2":            `{}`,
			"delegations/p1/h.json": `{"helper":"h"}`,
			"status/revocation.bin": "\x00\x01",
			"secret":                "0123456789abcdef0123456789abcdef",
		}
		writeLegacy(t, b, "consent", docs, "pods/p1/reserved")

		var wg sync.WaitGroup
		dbs := make([]*DB, 2)
		errs := make([]error, 2)
		for i := range dbs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				dbs[i], errs[i] = Open(ctx, b.store, b.keyring(), "consent")
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		db := dbs[0]
		for n, want := range docs {
			if got, _, err := db.ReadRaw(ctx, n); err != nil || string(got) != want {
				t.Errorf("ReadRaw(%s) = %q, %v; want %q", n, got, err, want)
			}
		}
		check := func() {
			t.Helper()
			for dir, want := range map[Name]string{
				"grants/":         "[grants/g1.json grants/g2.json]",
				"pods/p1/":        "[pods/p1/g1]",
				"pods/p2/":        "[pods/p2/g2]",
				"delegations/p1/": "[delegations/p1/h.json]",
				"":                "[secret]",
				"pods/":           "[]",
			} {
				got, err := dbs[1].List(ctx, dir)
				if err != nil || fmt.Sprint(got) != want {
					t.Errorf("List(%q) = %v, %v; want %s", dir, got, err, want)
				}
			}
		}
		check()
		var f format
		if _, err := db.ReadJSON(ctx, formatName, &f); err != nil || f.Version != formatVersion {
			t.Fatalf("format record: %+v, %v", f, err)
		}
		if err := Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		check()
		// What is written after the upgrade is listed beside what was there.
		if err := db.WriteRaw(ctx, "pods/p1/g3", []byte("{}"), CreateOnly()); err != nil {
			t.Fatal(err)
		}
		if err := db.Delete(ctx, "pods/p1/g1"); err != nil {
			t.Fatal(err)
		}
		if got, err := db.List(ctx, "pods/p1/"); err != nil || fmt.Sprint(got) != "[pods/p1/g3]" {
			t.Errorf("after changes, List = %v, %v", got, err)
		}
		// Opening again does not index again what was deleted since.
		again, err := Open(ctx, b.store, b.keyring(), "consent")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := again.List(ctx, "pods/p1/"); err != nil || fmt.Sprint(got) != "[pods/p1/g3]" {
			t.Errorf("after reopening, List = %v, %v", got, err)
		}
	})
}

// TestNewerFormat: a space written by a later release is refused, not
// half-read.
func TestNewerFormat(t *testing.T) {
	b := fsBackend(t)
	ctx := context.Background()
	db := b.open(t, "web")
	if err := db.WriteJSON(ctx, formatName, format{formatVersion + 1}, Cond{}); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, b.store, b.keyring(), "web"); err == nil || !strings.Contains(err.Error(), "newer release") {
		t.Fatalf("Open of a newer format: %v", err)
	}
}
