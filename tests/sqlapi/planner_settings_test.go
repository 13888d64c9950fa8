package sqlapi_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// The full-text branch sets enable_hashjoin, enable_nestloop and plan_cache_mode for its
// own statements (set_config(..., true)) and puts back what the caller had: in a
// transaction whose SET LOCAL differs from the defaults, after every statement shape, and
// after a search that a statement_timeout ends inside a savepoint.
func TestSearchPutsPlannerSettingsBack(t *testing.T) {
	ctx := context.Background()
	d := newDB(t)
	// aster 1,125 and birch 1,286 (like df, over the candidate bound together: a static
	// statement); zephyr 30 beside meadow 2,500 (a probe: the statement text).
	d.exec(`INSERT INTO memories (content, domains)
		SELECT concat_ws(' ', CASE WHEN g % 8 < 3 THEN 'aster' END, CASE WHEN g % 7 < 3 THEN 'birch' END,
		                      CASE WHEN g % 100 = 0 THEN 'zephyr' END, CASE WHEN g % 6 <> 0 THEN 'meadow' END, 'filler'),
		       ARRAY[CASE WHEN g % 2 = 0 THEN 'even' ELSE 'odd' END]
		  FROM generate_series(1, 3000) g`)
	searches := []string{
		`SELECT count(*) FROM vestige_fts_ranked('aster birch', 10)`,
		`SELECT count(*) FROM vestige_fts_ranked('zephyr meadow', 10)`,
		`SELECT count(*) FROM vestige_fts_ranked('aster birch', 10, domain_filter => ARRAY['odd'])`,
		`SELECT count(*) FROM vestige_search('aster birch meadow', NULL, 10)`,
	}
	settings := func() []string {
		t.Helper()
		var h, n, p string
		require.NoError(t, d.conn.QueryRow(ctx, `SELECT current_setting('enable_hashjoin'), current_setting('enable_nestloop'), current_setting('plan_cache_mode')`).Scan(&h, &n, &p))
		return []string{h, n, p}
	}
	run := func() {
		t.Helper()
		for _, s := range searches {
			var rows int
			require.NoError(t, d.conn.QueryRow(ctx, s).Scan(&rows), s)
			require.Positive(t, rows, s)
		}
	}

	run()
	require.Equal(t, []string{"on", "on", "auto"}, settings(), "outside a transaction")

	tx, err := d.conn.Begin(ctx)
	require.NoError(t, err)
	t.Cleanup(func() { _ = tx.Rollback(context.Background()) })
	_, err = tx.Exec(ctx, `SET LOCAL enable_nestloop = off; SET LOCAL plan_cache_mode = force_custom_plan`)
	require.NoError(t, err)
	run()
	require.Equal(t, []string{"on", "off", "force_custom_plan"}, settings(), "in a transaction with SET LOCAL")

	_, err = tx.Exec(ctx, `SAVEPOINT s; SET LOCAL statement_timeout = 1`)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `SELECT count(*) FROM vestige_fts_ranked('aster birch', 10), pg_sleep(0.05)`)
	require.ErrorContains(t, err, "statement timeout")
	_, err = tx.Exec(ctx, `ROLLBACK TO SAVEPOINT s`)
	require.NoError(t, err)
	require.Equal(t, []string{"on", "off", "force_custom_plan"}, settings(), "after a timeout and ROLLBACK TO SAVEPOINT")
}
