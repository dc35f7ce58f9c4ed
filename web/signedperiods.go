package web

import (
	"context"
	"time"

	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/verifier"
)

// signedPeriod is a custody period or a stay an organisation signed, kept
// in housing/, as the address list shows it.
type signedPeriod struct {
	thing
	From, To time.Time // To is the day it was signed for one still open
}

// signedPeriods lists the custody periods and stays the leaver kept in
// housing/ whose signatures check out and that their issuers did not
// withdraw, with their entries for the five-year summary.
func (p *Pages) signedPeriods(ctx context.Context, id pod.PodID) ([]signedPeriod, []map[string]any) {
	things, err := p.listThings(ctx, id, "housing/")
	if err != nil {
		return nil, nil
	}
	var list []signedPeriod
	var entries []map[string]any
	for _, t := range things {
		if t.Signer == "" || !t.Checked || t.Withdrawn {
			continue
		}
		e, ok := verifier.Period(t.Doc)
		if !ok {
			continue
		}
		sp := signedPeriod{thing: t}
		sp.From, _ = time.Parse(time.DateOnly, str(e, "from"))
		sp.To, _ = time.Parse(time.DateOnly, str(e, "to"))
		list = append(list, sp)
		entries = append(entries, e)
	}
	return list, entries
}
