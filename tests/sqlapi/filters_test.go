package sqlapi_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Over 20,000 memories, filters that pass 1 %, 5 % and 20 % of them still return a full page:
// HNSW alone would run out of candidates (DESIGN.md §8 measured short pages for 72 % of
// filtered queries with the plan's statement).
func TestSelectiveFiltersReturnFullPages(t *testing.T) {
	d := newDB(t)
	ctx := context.Background()
	const n, dim = 20000, 32
	d.exec(`SELECT vestige_ensure_embedding_model('random-32', 32, 'test')`)
	// Generated server-side: rows are cheap, and the test is about the functions.
	d.exec(`SELECT setseed(0.42)`)
	d.exec(fmt.Sprintf(`
		INSERT INTO memories (content, node_type, domains, tags, embedding)
		SELECT 'memory ' || i || ' about ' || (ARRAY['alpha','beta','gamma','delta','epsilon'])[1 + i %% 5]
		       || CASE WHEN i %% 3 = 0 THEN ' common' ELSE '' END,
		       CASE WHEN i %% 100 = 0 THEN 'nt1' WHEN i %% 20 = 1 THEN 'nt5' WHEN i %% 5 = 2 THEN 'nt20' ELSE 'other' END,
		       ARRAY[CASE WHEN i %% 100 = 0 THEN 'd1' WHEN i %% 20 = 1 THEN 'd5' WHEN i %% 5 = 2 THEN 'd20' ELSE 'rest' END],
		       ARRAY[CASE WHEN i %% 100 = 0 THEN 't1' WHEN i %% 20 = 1 THEN 't5' WHEN i %% 5 = 2 THEN 't20' ELSE 'x' END],
		       (SELECT array_agg(random() - 0.5) FROM generate_series(1, %d) WHERE i > 0)::vector
		  FROM generate_series(1, %d) AS i`, dim, n))
	d.exec(`ANALYZE memories`)

	rng := rand.New(rand.NewPCG(1, 2))
	query := make([]float32, dim)
	for i := range query {
		query[i] = float32(rng.Float64() - 0.5)
	}
	q := literal(query)

	filters := []struct{ name, arg, value string }{
		{"domain", "domain_filter", "d"}, {"node type", "node_type_filter", "nt"}, {"tag", "tag_filter", "t"},
	}
	// Each case runs twice: on the table as it is (passing rows are counted), and with the
	// planner's row estimate raised to 100,000, which makes the functions estimate from
	// statistics as they do on large tables (vestige_filter_selectivity for the vector
	// branch, N and common terms' df for the full-text one).
	for _, scale := range []string{"counted", "estimated"} {
		if scale == "estimated" {
			d.exec(`UPDATE pg_class SET reltuples = 100000 WHERE oid = 'memories'::regclass`)
		}
		for _, f := range filters {
			for _, pct := range []string{"1", "5", "20"} {
				value := f.value + pct
				t.Run(fmt.Sprintf("%s %s %s%%", scale, f.name, pct), func(t *testing.T) {
					filter := fmt.Sprintf("%s => ARRAY['%s']", f.arg, value)
					vec := d.search(`vestige_vector_search($1::vector, 10, `+filter+`)`, q)
					require.Len(t, vec, 10, "vector")
					hybrid := d.search(`vestige_search('common alpha', $1::vector, 10, `+filter+`)`, q)
					require.Len(t, hybrid, 10, "hybrid")
					for _, r := range append(vec, hybrid...) {
						var ok bool
						require.NoError(t, d.conn.QueryRow(ctx, `SELECT $2 = ANY(domains) OR $2 = node_type OR $2 = ANY(tags)
						FROM memories WHERE id = $1`, r.ID, value).Scan(&ok))
						require.True(t, ok, "row %s passes the filter", r.ID)
					}
					// FTS only: as many as match and pass, up to 10. 'gamma' is in 1 of 5 rows,
					// which the 1 % filter (i % 100 = 0, so i % 5 = 0: 'alpha') never passes.
					for _, word := range []string{"alpha", "gamma", "common"} {
						var want int
						require.NoError(t, d.conn.QueryRow(ctx, `SELECT least(10, count(*)) FROM memories
						WHERE search_vec @@ to_tsquery('english', $1) AND ($2 = ANY(domains) OR $2 = node_type OR $2 = ANY(tags))`,
							word, value).Scan(&want))
						fts := d.search(`vestige_fts_search($1, 10, `+filter+`)`, word)
						require.Len(t, fts, want, "fts %q", word)
					}
				})
			}
		}
	}
}

// The estimate the vector branch plans with, from ANALYZE statistics of the same 20,000 rows.
func TestFilterSelectivityFromStatistics(t *testing.T) {
	d := newDB(t)
	d.exec(`SELECT vestige_ensure_embedding_model('random-4', 4, 'test')`)
	d.exec(`INSERT INTO memories (content, node_type, domains, tags)
		SELECT 'memory ' || i,
		       CASE WHEN i % 100 = 0 THEN 'nt1' WHEN i % 5 = 2 THEN 'nt20' ELSE 'other' END,
		       ARRAY[CASE WHEN i % 100 = 0 THEN 'd1' WHEN i % 5 = 2 THEN 'd20' ELSE 'rest' END],
		       ARRAY[CASE WHEN i % 20 = 1 THEN 't5' ELSE 'x' END]
		  FROM generate_series(1, 20000) AS i`)
	var none *float64
	require.NoError(t, d.conn.QueryRow(context.Background(),
		`SELECT vestige_filter_selectivity(ARRAY['d1'], NULL, NULL)`).Scan(&none))
	require.Nil(t, none, "no statistics before ANALYZE: the caller counts")
	d.exec(`ANALYZE memories`)
	for _, c := range []struct {
		domains, nodeTypes, tags []string
		want, tol                float64
	}{
		{[]string{"d1"}, nil, nil, 0.01, 0.005},
		{[]string{"d20"}, nil, nil, 0.20, 0.03},
		{[]string{"d1", "d20"}, nil, nil, 0.21, 0.03},
		{nil, []string{"nt20"}, nil, 0.20, 0.03},
		{nil, nil, []string{"t5"}, 0.05, 0.01},
		{[]string{"d20"}, nil, []string{"t5"}, 0.01, 0.005},
		{[]string{"nowhere"}, nil, nil, 0, 0.005},
		{nil, []string{"nothing"}, nil, 0, 0.005},
		{nil, nil, nil, 1, 0},
	} {
		var got float64
		require.NoError(t, d.conn.QueryRow(context.Background(),
			`SELECT vestige_filter_selectivity($1, $2, $3)`, c.domains, c.nodeTypes, c.tags).Scan(&got))
		require.InDelta(t, c.want, got, c.tol, "%v %v %v", c.domains, c.nodeTypes, c.tags)
	}
}

// An empty filter array is no filter, exactly like NULL (the Go client's rule too): a caller
// that builds the list from an empty selection means "any", never "none".
func TestEmptyFilterArrayIsNoFilter(t *testing.T) {
	d := newDB(t)
	d.registerModel()
	for i := range 5 {
		d.insert(fmt.Sprintf("empty filter probe %d", i), []string{"dev"}, []string{"t"}, "note")
	}
	v := d.vec("filter probe")
	for _, call := range []string{
		`vestige_search('filter probe', $1::vector, 10`, `vestige_search('filter probe', NULL, 10`,
		`vestige_search('', $1::vector, 10`, `vestige_fts_search('filter probe', 10`, `vestige_vector_search($1::vector, 10`,
	} {
		args := []any{v}
		if !strings.Contains(call, "$1") {
			args = nil
		}
		want := ids(d.search(call+`)`, args...))
		require.Len(t, want, 5, call)
		for _, filter := range []string{
			`domain_filter => '{}'`, `node_type_filter => '{}'`, `tag_filter => ARRAY[]::text[]`,
			`domain_filter => '{}', node_type_filter => '{}', tag_filter => '{}'`,
			`domain_filter => '{}', min_retrievability => 0`,
		} {
			require.Equal(t, want, ids(d.search(call+`, `+filter+`)`, args...)), "%s, %s", call, filter)
		}
	}
	var sel float64
	require.NoError(t, d.conn.QueryRow(context.Background(),
		`SELECT vestige_filter_selectivity('{}', '{}', '{}')`).Scan(&sel))
	require.Equal(t, 1.0, sel, "an empty array passes every row")
}
