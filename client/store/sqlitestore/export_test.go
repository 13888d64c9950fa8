package sqlitestore

// VectorReloads counts the times s's in-memory vectors were reloaded in full (not replayed
// from the change log).
func VectorReloads(s *Store) int {
	s.vectors.syncMu.Lock()
	defer s.vectors.syncMu.Unlock()
	return s.vectors.reloads
}
