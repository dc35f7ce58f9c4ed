package dataintegrity

import (
	"slices"
	"strings"
	"sync"

	"github.com/piprate/json-gold/ld"
)

// expand is JSON-LD expansion of doc, with its top-level @context
// processed once per loader and kept (processing the W3C credentials
// context was nearly half of every canonicalization).
//
// Only a @context that is a context URL, or a list of them, is kept: what
// the loader serves for a URL never changes, so the processed context is
// the same each time. The kept context is never handed to json-gold
// itself, only shallow copies of it, so expansions running at once share
// nothing json-gold writes.
func expand(doc map[string]any, o *ld.JsonLdOptions) ([]any, error) {
	if active := contexts.get(doc["@context"], o); active != nil {
		d := make(map[string]any, len(doc))
		for k, v := range doc {
			d[k] = v
		}
		// json-gold takes a *ld.Context in @context as the processed
		// context, and then writes its processing mode into it: each
		// expansion gets its own copy of the context's values. The term
		// definitions are shared: json-gold copies them before it changes
		// any.
		c := *active
		v := *active.Values
		c.Values = &v
		d["@context"] = &c
		doc = d
	}
	return ld.NewJsonLdProcessor().Expand(doc, o)
}

// maxContexts bounds the processed contexts kept: a document choosing
// among the few contexts a loader serves, none twice, can make only so
// many lists (325 of Satchel's five).
const maxContexts = 1024

type contextCache struct {
	mu sync.RWMutex
	m  map[contextKey]*ld.Context
}

type contextKey struct {
	loader ld.DocumentLoader
	urls   string // the URLs, joined with spaces
}

var contexts = &contextCache{m: map[contextKey]*ld.Context{}}

// get returns the processed context for v, a context URL or a list of
// them, under o; nil when v is anything else, the loader cannot be a map
// key, or the context does not process (expansion then reports why).
func (c *contextCache) get(v any, o *ld.JsonLdOptions) *ld.Context {
	urls, ok := contextURLs(v)
	if !ok || !hashable(o.DocumentLoader) {
		return nil
	}
	key := contextKey{o.DocumentLoader, urls}
	c.mu.RLock()
	active, ok := c.m[key]
	c.mu.RUnlock()
	if ok {
		return active
	}
	active, err := ld.NewContext(nil, o).Parse(v)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	if len(c.m) < maxContexts {
		c.m[key] = active
	}
	c.mu.Unlock()
	return active
}

// contextURLs joins the URLs of a @context that holds nothing else: at
// most eight, none twice, so that the lists a loader can process are few.
func contextURLs(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, !strings.ContainsAny(x, " ")
	case []any:
		if len(x) == 0 || len(x) > 8 {
			return "", false
		}
		parts := make([]string, len(x))
		for i, e := range x {
			s, ok := e.(string)
			if !ok || strings.Contains(s, " ") || slices.Contains(parts[:i], s) {
				return "", false
			}
			parts[i] = s
		}
		return strings.Join(parts, " "), true
	}
	return "", false
}

// hashable reports whether l can be a map key without a panic.
func hashable(l ld.DocumentLoader) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	_ = map[ld.DocumentLoader]bool{l: true}
	return l != nil
}
