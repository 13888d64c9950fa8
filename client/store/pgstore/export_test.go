package pgstore

// InterpretError lets the external tests check the mapping on errors raised by real SQL.
var InterpretError = interpretError

// OnRetry makes f see every error a store method is about to retry, until the test ends.
func OnRetry(t interface{ Cleanup(func()) }, f func(error)) {
	onRetry.Store(&f)
	t.Cleanup(func() { onRetry.Store(nil) })
}
