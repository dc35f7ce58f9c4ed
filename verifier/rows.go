package verifier

import (
	"context"

	"github.com/satchel-project/satchel/web/lang"
)

// Rows flattens a record of type typ into labelled values as the share
// page shows them (dates and codes in words, in the language ctx carries,
// the JSON-LD machinery left out), for other pages that show a record to a
// person.
func Rows(ctx context.Context, typ string, doc map[string]any) []Row {
	return rows(lang.Of(ctx), typ, doc, nil)
}
