//go:build !heavy

package transfer_test

import "github.com/vestige-mem/vestige/client/transfer/transfertest"

// planShape is small in the -race pass; the heavy pass runs the plan's 10,000 memories.
var planShape = transfertest.Shape{Memories: 400, Scheduling: 160, Edges: 80, ReviewEvents: 20, Domains: 3}
