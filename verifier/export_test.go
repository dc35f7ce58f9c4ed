package verifier

import "time"

// SetClock makes v tell the time with now, for tests.
func SetClock(v *Verifier, now func() time.Time) { v.now = now }
