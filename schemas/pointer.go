package schemas

import (
	"fmt"
	"strconv"
	"strings"
)

// Field addressing. One field of one record is named by a JSON Pointer
// (RFC 6901) into the record as stored, with one addition: inside an array,
// a segment starting with "#" picks the element whose "id" is that value,
// so that "/entries/#hostel-2022/address" keeps naming the same address when
// others are added before it. Index segments ("/entries/0") also work but
// move when the array changes; the consent service stores the "#" form.
// In a URL, the pointer is the fragment, percent-encoded:
// housing/history.jsonld#/entries/%23hostel-2022/address.

// ErrNoField is the error for a pointer that names nothing in the record.
type ErrNoField struct{ Pointer string }

func (e *ErrNoField) Error() string {
	return fmt.Sprintf("the record has no field at %s", e.Pointer)
}

// splitPointer parses a JSON Pointer into unescaped segments.
func splitPointer(p string) ([]string, error) {
	if p == "" {
		return nil, nil
	}
	if !strings.HasPrefix(p, "/") {
		return nil, fmt.Errorf("a field address must start with /, like /entries/#hostel-2022/address")
	}
	segs := strings.Split(p[1:], "/")
	for i, s := range segs {
		segs[i] = strings.NewReplacer("~1", "/", "~0", "~").Replace(s)
	}
	return segs, nil
}

// step moves one segment into v.
func step(v any, seg string) (any, int, bool) {
	switch c := v.(type) {
	case map[string]any:
		x, ok := c[seg]
		return x, -1, ok
	case []any:
		if strings.HasPrefix(seg, "#") {
			for i, e := range c {
				if m, ok := e.(map[string]any); ok && m["id"] == seg {
					return e, i, true
				}
			}
			return nil, -1, false
		}
		i, err := strconv.Atoi(seg)
		if err != nil || i < 0 || i >= len(c) || strconv.Itoa(i) != seg {
			return nil, -1, false
		}
		return c[i], i, true
	}
	return nil, -1, false
}

// Resolve returns the value the pointer names in doc.
func Resolve(doc any, pointer string) (any, error) {
	segs, err := splitPointer(pointer)
	if err != nil {
		return nil, err
	}
	v := doc
	for _, s := range segs {
		var ok bool
		if v, _, ok = step(v, s); !ok {
			return nil, &ErrNoField{pointer}
		}
	}
	return v, nil
}

// Select returns a new record holding only the fields the pointers name,
// plus what keeps it a valid JSON-LD record: "@context", and "id" and
// "type" of every object on the way. A pointer that names nothing is an
// error: a grant must never silently share less (or more) than it says.
func Select(doc map[string]any, pointers []string) (map[string]any, error) {
	out := map[string]any{}
	keepFrame(doc, out)
	if ctx, ok := doc["@context"]; ok {
		out["@context"] = ctx
	}
	whole := false
	for _, p := range pointers {
		segs, err := splitPointer(p)
		if err != nil {
			return nil, err
		}
		if len(segs) == 0 {
			// The whole record; the other pointers must still name
			// something.
			whole = true
			continue
		}
		if err := copyPath(doc, out, segs, p); err != nil {
			return nil, err
		}
	}
	if whole {
		return deepCopy(doc).(map[string]any), nil
	}
	return deepCopy(out).(map[string]any), nil
}

// keepFrame copies "id" and "type" from src to dst.
func keepFrame(src, dst map[string]any) {
	for _, k := range []string{"id", "type"} {
		if v, ok := src[k]; ok {
			dst[k] = deepCopy(v)
		}
	}
}

// copyPath copies the value at segs from src into dst, building the
// containers on the way; arrays keep their selected elements in order.
func copyPath(src, dst any, segs []string, pointer string) error {
	next, idx, ok := step(src, segs[0])
	if !ok {
		return &ErrNoField{pointer}
	}
	last := len(segs) == 1
	switch d := dst.(type) {
	case map[string]any:
		if last {
			d[segs[0]] = deepCopy(next)
			return nil
		}
		child, exists := d[segs[0]]
		if !exists {
			child = emptyLike(next)
			d[segs[0]] = child
		}
		return copyPath(next, child, segs[1:], pointer)
	case *selection:
		el := d.get(idx)
		if last {
			d.set(idx, deepCopy(next))
			return nil
		}
		if el == nil {
			el = emptyLike(next)
			d.set(idx, el)
		}
		return copyPath(next, el, segs[1:], pointer)
	case []any:
		// dst already holds all of src: an earlier pointer named the
		// whole array, or it is an object's "type". Only check that the
		// rest of the pointer names something.
		for _, s := range segs[1:] {
			if next, _, ok = step(next, s); !ok {
				return &ErrNoField{pointer}
			}
		}
		return nil
	}
	return &ErrNoField{pointer}
}

// selection is an array being built from chosen elements of another.
type selection struct {
	idx  []int
	vals []any
}

func (s *selection) get(i int) any {
	for k, j := range s.idx {
		if j == i {
			return s.vals[k]
		}
	}
	return nil
}

func (s *selection) set(i int, v any) {
	for k, j := range s.idx {
		if j == i {
			s.vals[k] = v
			return
		}
	}
	pos := 0
	for pos < len(s.idx) && s.idx[pos] < i {
		pos++
	}
	s.idx = append(s.idx[:pos], append([]int{i}, s.idx[pos:]...)...)
	s.vals = append(s.vals[:pos], append([]any{v}, s.vals[pos:]...)...)
}

func emptyLike(v any) any {
	switch c := v.(type) {
	case map[string]any:
		m := map[string]any{}
		keepFrame(c, m)
		return m
	case []any:
		return &selection{}
	}
	return nil
}

func deepCopy(v any) any {
	switch c := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(c))
		for k, x := range c {
			m[k] = deepCopy(x)
		}
		return m
	case []any:
		a := make([]any, len(c))
		for i, x := range c {
			a[i] = deepCopy(x)
		}
		return a
	case *selection:
		a := make([]any, len(c.vals))
		for i, x := range c.vals {
			a[i] = deepCopy(x)
		}
		return a
	}
	return v
}
