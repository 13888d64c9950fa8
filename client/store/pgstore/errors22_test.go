package pgstore_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store"
	"github.com/vestige-mem/vestige/client/store/pgstore"
	"github.com/vestige-mem/vestige/tests/testdb"
)

// TestDataExceptionsThatAreNotInput: class 22 used to become ErrInvalidInput whole, which
// blamed the caller for faults of vestige's own SQL or of the server's settings. Only the
// codes a caller's value causes are invalid input now; the rest stay internal errors.
func TestDataExceptionsThatAreNotInput(t *testing.T) {
	ctx := context.Background()
	conn := testdb.Conn(t, testdb.New(t))
	cases := []struct {
		code, sql string
		input     bool
		field     string
	}{
		{"22P02", `SELECT 'not-a-uuid'::uuid`, true, ""},
		{"22007", `SELECT 'yesterday-ish'::timestamptz`, true, ""},
		{"22003", `SELECT 99999999999::integer`, true, ""},
		{"22008", `SELECT '294277-01-01'::timestamptz`, true, ""},
		{"22001", `DO $$ DECLARE v varchar(2); BEGIN v := 'abc'; END $$`, true, ""},
		{"2201W", `SELECT * FROM vestige_due(now(), -1)`, true, "limit"},
		{"22000", `SELECT '[NaN]'::vector`, true, ""},
		{"22012", `SELECT 1/0`, false, ""},
		{"2201B", `SELECT 'x' ~ '('`, false, ""},
		{"22023", `SELECT set_config('work_mem', 'lots', true)`, false, ""},
		{"22004", `SELECT set_config(NULL, 'x', false)`, false, ""},
	}
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			_, raw := conn.Exec(ctx, c.sql)
			var pg *pgconn.PgError
			require.ErrorAs(t, raw, &pg)
			require.Equal(t, c.code, pg.Code, c.sql)
			err := pgstore.InterpretError(raw)
			if !c.input {
				require.NotErrorIs(t, err, store.ErrInvalidInput)
				require.Same(t, raw, err, "an internal fault passes through as it is")
				return
			}
			require.ErrorIs(t, err, store.ErrInvalidInput)
			if c.field != "" {
				var iie *store.InvalidInputError
				require.ErrorAs(t, err, &iie)
				require.Equal(t, c.field, iie.Field)
			}
		})
	}
}
