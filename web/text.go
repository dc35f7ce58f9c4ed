package web

import "github.com/satchel-project/satchel/web/lang"

// The pages' words come from package lang's catalogue (web/lang/en.json);
// TestCatalogue checks that every key a page or handler uses is there and
// that none is unused.

// english is the catalogue handlers use for words they build themselves.
var english = lang.English
