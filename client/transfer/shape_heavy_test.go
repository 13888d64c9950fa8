//go:build heavy

package transfer_test

import (
	"testing"

	"github.com/vestige-mem/vestige/client/transfer/transfertest"
)

// TestHeavyCopyPlan is the plan's copy test at its size: 10,000 memories, 4,000 scheduling
// rows, 2,000 edges (too slow for the SQLite engine under -race: the heavy pass runs it).
func TestHeavyCopyPlan(t *testing.T) {
	t.Parallel()
	testCopyBothWays(t, transfertest.PlanShape)
}
