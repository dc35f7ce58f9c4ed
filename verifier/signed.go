package verifier

import (
	"context"
	"time"

	"github.com/satchel-project/satchel/schemas"
	"github.com/satchel-project/satchel/web/lang"
)

// SignedTitle names a signed credential by what it says, in the reader's
// language: a qualification by its title, "In custody at HMP Example",
// "Stay at Example House", "Released from HMP Example"; "" if it says
// nothing to name it by.
func SignedTitle(ctx context.Context, vc map[string]any) string {
	words := lang.Of(ctx)
	subj, _ := vc["credentialSubject"].(map[string]any)
	switch schemas.SubjectType(vc).Name {
	case "CustodyPeriod":
		if e := str(subj["establishment"]); e != "" {
			return words.Text("signed.custody-period", e)
		}
	case "AccommodationStay":
		where := str(subj["provider"])
		if where == "" {
			addr, _ := subj["address"].(map[string]any)
			where = str(addr["addressLocality"])
		}
		switch {
		case where == "":
		case str(subj["accommodationKind"]) == "approved-premises":
			return words.Text("signed.approved-premises", where)
		default:
			return words.Text("signed.hostel", where)
		}
	case "ReleaseDocument":
		if e := str(subj["establishment"]); e != "" {
			return words.Text("signed.release", e)
		}
	default:
		return str(subj["title"])
	}
	return ""
}

// Period is the stretch of the address history that a signed custody
// period or stay vouches for, as an AddressHistory entry (from, to, the
// kind of place, the address), for the five-year summary; false for any
// other credential. An open end ("still in custody") runs to the day the
// credential was signed, which is as far as the organisation vouched.
func Period(vc map[string]any) (map[string]any, bool) {
	kind := schemas.SubjectType(vc)
	if !kind.Period {
		return nil, false
	}
	subj, _ := vc["credentialSubject"].(map[string]any)
	e := map[string]any{"from": subj["from"], "address": subj["address"], "accommodationKind": subj["accommodationKind"]}
	if kind.Name == "CustodyPeriod" {
		e["accommodationKind"] = "custody"
	}
	if p := str(subj["provider"]); p != "" {
		e["provider"] = p
	}
	to := str(subj["to"])
	if to == "" {
		signed, err := time.Parse(time.RFC3339, str(vc["validFrom"]))
		if err != nil {
			return nil, false
		}
		to = signed.UTC().Format(time.DateOnly)
	}
	e["to"] = to
	return e, true
}

// WithPeriods is an address history's record with the signed periods
// added to its entries, for schemas.AddressGaps; doc is not changed.
func WithPeriods(doc map[string]any, periods []map[string]any) map[string]any {
	if len(periods) == 0 {
		return doc
	}
	out := make(map[string]any, len(doc))
	for k, v := range doc {
		out[k] = v
	}
	entries, _ := doc["entries"].([]any)
	all := append([]any{}, entries...)
	for _, p := range periods {
		all = append(all, p)
	}
	out["entries"] = all
	return out
}

// signedPeriodsCover makes the cover line of each address history among
// out count the custody periods and stays shared beside it, whose
// signatures checked out (periods).
func signedPeriodsCover(words lang.Catalogue, out []Shown, periods []map[string]any, now time.Time) {
	if len(periods) == 0 {
		return
	}
	for i := range out {
		h := out[i].History
		if h == nil || h.Cover == "" || out[i].historyDoc == nil {
			continue
		}
		gaps := schemas.AddressGaps(WithPeriods(out[i].historyDoc, periods), now)
		h.Cover, h.Gaps = coverWords(words, gaps), len(gaps) > 0
	}
}
