package sqlitestore

import (
	"math"

	"zombiezen.com/go/sqlite"
)

// forgettingCurve is vestige_forgetting_curve (sql/functions/010_forgetting_curve.sql), with
// its operations in the same order so both backends round alike: FSRS-6's
// R(t, S) = (1 + f·t/S)^(−decay), f = 0.9^(−1/decay) − 1, t in fractional days; t <= 0 gives 1,
// S <= 0 gives 0. decay is w20 of fsrs_parameters.
func forgettingCurve(stability, elapsedDays, decay float64) float64 {
	switch {
	case elapsedDays <= 0:
		return 1.0
	case stability <= 0:
		return 0.0
	}
	return math.Pow(1.0+(math.Pow(0.9, -1.0/decay)-1.0)*elapsedDays/stability, -decay)
}

// microsPerDay turns a difference of stored times into the fractional days the curve takes
// (Postgres: extract(epoch FROM at - last_review) / 86400.0).
const microsPerDay = 86400e6

// registerFunctions gives each connection the SQL functions the search filters call, so that
// the retrievability filter is the same Go code as Store.Retrievability.
func registerFunctions(conn *sqlite.Conn) error {
	return conn.CreateFunction("vestige_forgetting_curve", &sqlite.FunctionImpl{
		NArgs:         3,
		Deterministic: true,
		Scalar: func(_ sqlite.Context, args []sqlite.Value) (sqlite.Value, error) {
			// NULLs as in the SQL CASE: NULL elapsed days count as <= 0, a NULL stability
			// as <= 0, and a NULL decay makes the power NULL.
			s, t, d := args[0], args[1], args[2]
			switch {
			case t.Type() == sqlite.TypeNull || t.Float() <= 0:
				return sqlite.FloatValue(1.0), nil
			case s.Type() == sqlite.TypeNull || s.Float() <= 0:
				return sqlite.FloatValue(0.0), nil
			case d.Type() == sqlite.TypeNull:
				return sqlite.Value{}, nil
			}
			return sqlite.FloatValue(forgettingCurve(s.Float(), t.Float(), d.Float())), nil
		},
	})
}
