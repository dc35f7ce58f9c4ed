package schemas

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// FuzzSelect checks field pointers against any record and any list of
// pointers (one per line): Resolve and Select never panic; Select fails
// exactly when some pointer names nothing; what it returns holds what the
// pointers name, unchanged, and nothing else but "@context" and the
// "id" and "type" of each object on the way; the record itself is left
// as it was.
func FuzzSelect(f *testing.F) {
	for _, c := range []struct{ doc, pointers string }{
		{history, "/entries/#current/address\n/entries/#current/from"},
		{history, "/entries/0/address/addressLocality\n/entries/#current"},
		{history, "/entries/#approved/to\n/entries/1"},
		{history, "/entries\n/entries/#current/address"},
		{history, "/entries/#current/address\n/entries"},
		{history, ""},
		{goodID, "/holder/birthDate\n/documentNumber"},
		{goodID, "/holder\n/holder/name"},
		{goodID, "/type\n/id"},
		// Hostile: names that are not there, or not pointers.
		{history, "/entries/#nowhere/address"},
		{history, "/entries/3"},
		{history, "/entries/-1\n/entries/01\n/entries/+1\n/entries/1e0"},
		{history, "entries"},
		{history, "/entries/#current/address/addressLocality/x"},
		{goodID, "/~0~1\n/~2\n/~"},
		{`{"a/b":{"~c":1},"":{"":2}}`, "/a~1b/~0c\n//"},
		{`{"type":["A","B"],"id":{"x":1,"y":2}}`, "/type/0\n/id/x"},
		{`{"e":[[1,2],[3,[4,5]]],"id":"#top"}`, "/e/1/1/0\n/e/0"},
		{`{"e":[{"id":"#a","v":1},{"id":"#a","v":2},{"id":1}]}`, "/e/#a/v\n/e/1/v\n/e/#1"},
		{`{"e":[null,{"id":"#n","type":"T","x":null}]}`, "/e/0\n/e/#n/x"},
		{`{"@context":"https://w3id.org/satchel/v1","x":{"@context":{"a":"b"},"y":1}}`, "/x/y"},
		{`[1,2]`, "/0"},
		{`null`, ""},
	} {
		f.Add(c.doc, c.pointers)
	}
	f.Fuzz(func(t *testing.T, docJSON, pointerLines string) {
		pointers := strings.Split(pointerLines, "\n")
		if pointerLines == "" {
			pointers = nil
		}
		if len(pointers) > 16 {
			return
		}
		var v any
		if json.Unmarshal([]byte(docJSON), &v) != nil {
			return
		}
		for _, p := range pointers {
			Resolve(v, p)
		}
		doc, ok := v.(map[string]any)
		if !ok {
			return
		}
		before, _ := json.Marshal(doc)
		out, err := Select(doc, pointers)
		if after, _ := json.Marshal(doc); !bytes.Equal(before, after) {
			t.Fatalf("Select changed the record:\n%s\nto\n%s", before, after)
		}
		var targets [][]string
		for _, p := range pointers {
			c, ok := concrete(doc, p)
			if !ok {
				if err == nil {
					t.Fatalf("Select(%s, %q) succeeded, but %q names nothing", before, pointers, p)
				}
				return
			}
			targets = append(targets, c)
		}
		if err != nil {
			t.Fatalf("Select(%s, %q) = %v, but every pointer names something", before, pointers, err)
		}
		sel := newSelected(targets)
		if msg := sel.check(nil, doc, out); msg != "" {
			got, _ := json.Marshal(out)
			t.Fatalf("Select(%s, %q) =\n%s\n%s", before, pointers, got, msg)
		}
		// What Select returns is a copy: changing it changes nothing in the record.
		scribble(out)
		if after, _ := json.Marshal(doc); !bytes.Equal(before, after) {
			t.Fatalf("changing what Select returned changed the record:\n%s\nto\n%s", before, after)
		}
	})
}

// concrete resolves pointer p in doc to the keys and array indices it
// passes through, following RFC 6901 and the "#id" rule of the README's
// "Field addressing", independently of step.
func concrete(doc any, p string) ([]string, bool) {
	if p == "" {
		return []string{}, true
	}
	if p[0] != '/' {
		return nil, false
	}
	var path []string
	v := doc
	for _, raw := range strings.Split(p[1:], "/") {
		seg := strings.ReplaceAll(strings.ReplaceAll(raw, "~1", "/"), "~0", "~")
		switch c := v.(type) {
		case map[string]any:
			x, ok := c[seg]
			if !ok {
				return nil, false
			}
			path, v = append(path, seg), x
		case []any:
			i := -1
			if strings.HasPrefix(seg, "#") {
				for j, e := range c {
					if m, ok := e.(map[string]any); ok {
						if id, ok := m["id"].(string); ok && id == seg {
							i = j
							break
						}
					}
				}
			} else if n, err := strconv.Atoi(seg); err == nil && n >= 0 && n < len(c) && strconv.Itoa(n) == seg {
				i = n
			}
			if i < 0 {
				return nil, false
			}
			path, v = append(path, strconv.Itoa(i)), c[i]
		default:
			return nil, false
		}
	}
	return path, true
}

// selected is what a list of pointers allows into Select's result: whole
// values at the targets, and the objects on the way to them.
type selected struct {
	whole, onTheWay map[string]bool
}

func key(path []string) string {
	var b strings.Builder
	for _, s := range path {
		b.WriteString(strconv.Quote(s))
		b.WriteByte('/')
	}
	return b.String()
}

func newSelected(targets [][]string) selected {
	s := selected{map[string]bool{}, map[string]bool{"": true}}
	for _, t := range targets {
		s.whole[key(t)] = true
		for i := range t {
			s.onTheWay[key(t[:i])] = true
		}
	}
	return s
}

func (s selected) isWhole(path []string) bool {
	for i := 0; i <= len(path); i++ {
		if s.whole[key(path[:i])] {
			return true
		}
	}
	return false
}

func (s selected) named(path []string) bool { return s.isWhole(path) || s.onTheWay[key(path)] }

// check compares Select's output o at path with the record's value v
// there, and returns what is wrong, or "".
func (s selected) check(path []string, v, o any) string {
	if s.isWhole(path) {
		if !reflect.DeepEqual(v, o) {
			return "at " + key(path) + " it does not hold the named value unchanged"
		}
		return ""
	}
	if !s.onTheWay[key(path)] {
		return "at " + key(path) + " it holds something no pointer names"
	}
	switch vc := v.(type) {
	case map[string]any:
		oc, ok := o.(map[string]any)
		if !ok {
			return "at " + key(path) + " an object became something else"
		}
		for _, frame := range []string{"id", "type"} {
			if x, ok := vc[frame]; ok && !s.named(append(slices.Clip(path), frame)) && !reflect.DeepEqual(oc[frame], x) {
				return "at " + key(path) + " the object lost its " + frame
			}
		}
		for k, ox := range oc {
			p := append(slices.Clip(path), k)
			x, ok := vc[k]
			switch {
			case !ok:
				return "at " + key(p) + " it holds something the record does not"
			case (k == "id" || k == "type") && reflect.DeepEqual(x, ox):
				// The object's frame, kept whole.
			case s.named(p):
				if msg := s.check(p, x, ox); msg != "" {
					return msg
				}
			case len(path) == 0 && k == "@context":
				if !reflect.DeepEqual(x, ox) {
					return "at " + key(p) + " the context changed"
				}
			default:
				return "at " + key(p) + " it holds something no pointer names"
			}
		}
		for k := range vc {
			if _, ok := oc[k]; !ok && s.named(append(slices.Clip(path), k)) {
				return "at " + key(path) + " it lacks the named " + strconv.Quote(k)
			}
		}
	case []any:
		oc, ok := o.([]any)
		if !ok {
			return "at " + key(path) + " an array became something else"
		}
		var chosen []int
		for i := range vc {
			if s.named(append(slices.Clip(path), strconv.Itoa(i))) {
				chosen = append(chosen, i)
			}
		}
		if len(oc) != len(chosen) {
			return "at " + key(path) + " it holds " + strconv.Itoa(len(oc)) + " elements, not the " + strconv.Itoa(len(chosen)) + " named"
		}
		for j, i := range chosen {
			if msg := s.check(append(slices.Clip(path), strconv.Itoa(i)), vc[i], oc[j]); msg != "" {
				return msg
			}
		}
	default:
		return "at " + key(path) + " a value on the way is not an object or array"
	}
	return ""
}

// scribble overwrites every value inside v.
func scribble(v any) {
	switch c := v.(type) {
	case map[string]any:
		for k, x := range c {
			scribble(x)
			c[k] = "scribbled"
		}
	case []any:
		for i, x := range c {
			scribble(x)
			c[i] = "scribbled"
		}
	}
}

// A pointer inside a value another pointer already shares whole (or inside
// an object's "type", which is always kept) names something: found by
// FuzzSelect, where Select answered "the record has no field at …".
func TestSelectPointerInsideSharedArray(t *testing.T) {
	doc := mustDoc(t, history)
	for _, pointers := range [][]string{
		{"/entries", "/entries/#current/address"},
		{"/entries", "/entries/0/from", "/entries/#approved"},
		{"/type", "/entries/#current/type"},
	} {
		got, err := Select(doc, pointers)
		if err != nil {
			t.Fatalf("Select(%q): %v", pointers, err)
		}
		if len(got["entries"].([]any)) != 3 && pointers[0] == "/entries" {
			t.Fatalf("Select(%q) lost entries: %v", pointers, got)
		}
	}
	typed := map[string]any{"type": []any{"A", "B"}, "x": 1}
	if _, err := Select(typed, []string{"/type/1"}); err != nil {
		t.Fatalf("Select(/type/1): %v", err)
	}
	if _, err := Select(typed, []string{"/type/2"}); err == nil {
		t.Fatal("Select(/type/2) named nothing but succeeded")
	}
	if _, err := Select(doc, []string{"/entries", "/entries/#nowhere/address"}); err == nil {
		t.Fatal("a pointer into a shared array that names nothing succeeded")
	}
}

// A pointer to the whole record ("") does not excuse the pointers after
// it: found by FuzzSelect, where ["", "0"] shared the whole record.
func TestSelectWholeRecordStillChecksTheRest(t *testing.T) {
	doc := mustDoc(t, history)
	for _, pointers := range [][]string{{"", "0"}, {"", "/entries/#nowhere"}, {"", "/nothing"}} {
		if got, err := Select(doc, pointers); err == nil {
			t.Errorf("Select(%q) = %v, want an error", pointers, got)
		}
	}
	if got, err := Select(doc, []string{"", "/entries/#current"}); err != nil || len(got["entries"].([]any)) != 3 {
		t.Errorf("Select of the whole record = %v, %v", got, err)
	}
}
