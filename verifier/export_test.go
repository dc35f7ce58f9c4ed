package verifier

import (
	"time"

	"github.com/satchel-project/satchel/web/lang"
)

// SetClock makes v tell the time with now, for tests.
func SetClock(v *Verifier, now func() time.Time) { v.now = now }

// ReasonInWords is a check's reason as the share page says it in English:
// its timestamps as dates in words.
func ReasonInWords(c Check) string { return checkWords(lang.English, []Check{c})[0].Reason }
