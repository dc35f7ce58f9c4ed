package schemas

import (
	"encoding/json"
	"io/fs"
	"strings"
	"sync"
)

// linkRef is how a schema says a property links to a file in the pod.
const linkRef = "common.json#/$defs/link"

// linkNames are the property names whose schema is a link to a file, read
// once from the embedded schemas (today "file" and "scan").
var linkNames = sync.OnceValue(func() map[string]bool {
	names := map[string]bool{}
	matches, _ := fs.Glob(files, "json/*.schema.json")
	for _, m := range matches {
		data, err := files.ReadFile(m)
		if err != nil {
			continue
		}
		var doc any
		if json.Unmarshal(data, &doc) != nil {
			continue
		}
		collectLinkNames(doc, names)
	}
	return names
})

func collectLinkNames(v any, names map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		if props, ok := x["properties"].(map[string]any); ok {
			for name, p := range props {
				if ps, ok := p.(map[string]any); ok {
					if ref, _ := ps["$ref"].(string); strings.HasSuffix(ref, linkRef) {
						names[name] = true
					}
				}
			}
		}
		for _, c := range x {
			collectLinkNames(c, names)
		}
	case []any:
		for _, c := range x {
			collectLinkNames(c, names)
		}
	}
}

// Links lists the links to files in a record (the values of properties its
// schema types as links, at any depth), as written: relative references
// such as "../documents/passport.pdf", or URLs. Data that is not JSON has
// none.
func Links(data []byte) []string {
	var doc any
	if json.Unmarshal(data, &doc) != nil {
		return nil
	}
	var out []string
	names := linkNames()
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				if s, ok := c.(string); ok && names[k] {
					out = append(out, s)
					continue
				}
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(doc)
	return out
}
