package consent

import "time"

// SetClock makes s tell the time with now, for tests.
func SetClock(s *Service, now func() time.Time) { s.now = now }
