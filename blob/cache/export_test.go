package cache

// RecordKey is the key of s's own member record ("" before Start).
func RecordKey(s *Store) string {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	if s.m.self.ID == "" {
		return ""
	}
	return MembersPrefix + s.m.self.ID
}
