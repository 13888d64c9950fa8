package sqlapi_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// The search functions change settings for their own statements (set_config: merge joins
// only for the full-text postings, hnsw.ef_search for the vector walk), which Postgres refuses
// inside a parallel worker ("cannot be set during a parallel operation"). A user's query that
// joins a search with a table scanned in parallel runs the function in each worker unless it
// is marked PARALLEL UNSAFE. debug_parallel_query (force_parallel_mode before PostgreSQL 16)
// puts every parallel-safe plan under a Gather, so each call below fails when the function
// it reaches is marked safe.
func TestSearchUnderParallelQuery(t *testing.T) {
	d := newDB(t)
	d.registerModel()
	d.insert("the diffusion tensor of white matter", []string{"d1"}, []string{"alpha"}, "fact")
	d.insert("magnetic resonance of white matter in newborns", nil, nil, "")
	d.insert("an unrelated note about gardening", nil, nil, "")
	q := d.vec("white matter diffusion")

	calls := []struct {
		name string
		sql  string
		args []any
	}{
		{"text alone", `vestige_search('matter', NULL, 2)`, nil},
		{"text alone, filtered", `vestige_search('matter', NULL, 2, domain_filter => ARRAY['d1'])`, nil},
		{"hybrid", `vestige_search('matter', $1::vector, 2, fts_weight => 1, vector_weight => 1)`, []any{q}},
		{"vector alone", `vestige_search(NULL, $1::vector, 2)`, []any{q}},
		{"fts_search", `vestige_fts_search('matter', 2)`, nil},
		{"vector_search", `vestige_vector_search($1::vector, 2)`, []any{q}},
	}
	want := make([][]row, len(calls))
	for i, c := range calls {
		want[i] = d.search(c.sql, c.args...)
		require.NotEmpty(t, want[i], c.name)
	}

	ctx := context.Background()
	var set int
	require.NoError(t, d.conn.QueryRow(ctx, `SELECT count(set_config(name, 'on', false)) FROM pg_settings
		WHERE name IN ('debug_parallel_query', 'force_parallel_mode')`).Scan(&set))
	require.Equal(t, 1, set, "the server has neither debug_parallel_query nor force_parallel_mode")
	t.Cleanup(func() {
		_, _ = d.conn.Exec(context.Background(), `SELECT set_config(name, 'off', false) FROM pg_settings WHERE name IN ('debug_parallel_query', 'force_parallel_mode')`)
	})
	for i, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			got, err := d.query(c.sql, c.args...)
			require.NoError(t, err, c.sql)
			require.Equal(t, want[i], got)
		})
	}
	var hashjoin, nestloop string
	require.NoError(t, d.conn.QueryRow(ctx, `SELECT current_setting('enable_hashjoin'), current_setting('enable_nestloop')`).Scan(&hashjoin, &nestloop))
	require.Equal(t, []string{"on", "on"}, []string{hashjoin, nestloop})
}
