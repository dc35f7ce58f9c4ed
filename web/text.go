package web

import (
	"context"

	"github.com/satchel-project/satchel/web/lang"
)

// The pages' words come from package lang's catalogues (web/lang/en.json,
// cy.json), one for the language each visitor chose (lang.Choose);
// TestCatalogue checks that every key a page or handler uses is in each
// and that none is unused.

// words is the catalogue handlers use for words they build themselves: the
// language of the request ctx belongs to (set by Pages.wrap).
func words(ctx context.Context) lang.Catalogue { return lang.Of(ctx) }
