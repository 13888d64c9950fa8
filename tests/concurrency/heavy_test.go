//go:build heavy

package concurrency_test

import "testing"

// DESIGN.md §8: 16 writers × 100 inserts + 4 searchers + 2 schedulers at once.
func TestHeavyMixedLoad(t *testing.T) {
	runMixedLoad(t, load{writers: 16, inserts: 100, searchers: 4})
}
