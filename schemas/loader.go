package schemas

import (
	"encoding/json"
	"fmt"
	"sync"

	"github.com/piprate/json-gold/ld"
)

// ErrRemoteContext is the error for a context the loader does not have. It
// is never fetched: a document naming an address someone else chose must
// not make the server send a request there.
type ErrRemoteContext struct{ URL string }

func (e *ErrRemoteContext) Error() string {
	return fmt.Sprintf("the context %q is not one Satchel knows; only %s and the W3C credential contexts are allowed", e.URL, ContextURL)
}

// Loader is a json-gold DocumentLoader that serves the embedded contexts
// and refuses everything else. It parses each context once and is safe for
// concurrent use.
type Loader struct {
	once   sync.Once
	parsed map[string]any
	err    error
}

// DefaultLoader is the loader every Satchel component uses.
var DefaultLoader = &Loader{}

func (l *Loader) load() {
	l.parsed = map[string]any{}
	for u, name := range Contexts {
		b, ok := File(name)
		if !ok {
			l.err = fmt.Errorf("embedded context %s is missing", name)
			return
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			l.err = fmt.Errorf("embedded context %s: %w", name, err)
			return
		}
		l.parsed[u] = v
	}
}

// LoadDocument implements ld.DocumentLoader.
func (l *Loader) LoadDocument(u string) (*ld.RemoteDocument, error) {
	l.once.Do(l.load)
	if l.err != nil {
		return nil, l.err
	}
	doc, ok := l.parsed[u]
	if !ok {
		return nil, ld.NewJsonLdError(ld.LoadingDocumentFailed, &ErrRemoteContext{URL: u})
	}
	// json-gold does not modify loaded documents, so they can be shared.
	return &ld.RemoteDocument{DocumentURL: u, Document: doc}, nil
}
