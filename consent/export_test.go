package consent

import "time"

// SetClock makes s tell the time with now, for tests.
func SetClock(s *Service, now func() time.Time) { s.now = now }

// SetTokens makes s take its share tokens from next, for tests.
func SetTokens(s *Service, next func() string) { s.tokens = next }

// CodeOf is the share code of a share token, unformatted.
func CodeOf(token string) string { return codeOf(token) }
