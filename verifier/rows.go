package verifier

// Rows flattens a record of type typ into labelled values as the share
// page shows them (dates and codes in words, the JSON-LD machinery left
// out), for other pages that show a record to a person.
func Rows(typ string, doc map[string]any) []Row { return rows(typ, doc, nil) }
