//go:build heavy

package transfer_test

import "github.com/vestige-mem/vestige/client/transfer/transfertest"

var planShape = transfertest.PlanShape
