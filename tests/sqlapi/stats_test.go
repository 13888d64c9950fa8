package sqlapi_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// Stale statistics cost speed, never an error. On 50,000 memories or more the search
// functions plan with ANALYZE's statistics (pg_class.reltuples, pg_stats) beside exact counts
// taken now; between a bulk write and the next ANALYZE the two disagree, both ways (a table
// far smaller, then far larger, than the statistics say). Autovacuum is off for the table, so
// no ANALYZE runs behind the test's back.
func TestStaleStatisticsNeverRaise(t *testing.T) {
	d := newDB(t)
	d.exec(`SELECT vestige_ensure_embedding_model('random-4', 4, 'test')`)
	d.exec(`ALTER TABLE memories SET (autovacuum_enabled = false)`)
	d.exec(`INSERT INTO memories (content, node_type, domains, tags, embedding)
		SELECT 'note ' || i || ' about ' || (ARRAY['alpha','beta','gamma'])[1 + i % 3], 'general',
		       ARRAY['d' || i % 10], ARRAY['t' || i % 7],
		       CASE WHEN i % 50 = 0 THEN ARRAY[1, i % 7, i % 5, 1]::real[]::vector END
		  FROM generate_series(1, 50000) AS i`)
	d.exec(`ANALYZE memories`)

	t.Run("most rows deleted", func(t *testing.T) {
		d.exec(`DELETE FROM memories WHERE (regexp_match(content, '\d+'))[1]::integer % 100 <> 0`)
		require.Equal(t, 50000.0, d.reltuples(), "no ANALYZE ran since")
		d.requireSearchesAnswer(t)
	})
	t.Run("a bulk insert makes a rare word common", func(t *testing.T) {
		// 'zebra' is in no row at ANALYZE time; afterwards it is in more rows than the
		// statistics say the table has: its exact df passes the estimated N.
		d.exec(`INSERT INTO memories (content, node_type, domains, tags, embedding)
			SELECT 'zebra crossing ' || i, 'event', ARRAY['d' || i % 10], ARRAY['new'],
			       CASE WHEN i % 50 = 0 THEN ARRAY[i % 3, 1, 2, i % 5]::real[]::vector END
			  FROM generate_series(1, 50500) AS i`)
		require.Equal(t, 50000.0, d.reltuples(), "no ANALYZE ran since")
		d.requireSearchesAnswer(t)
	})
}

func (d *db) reltuples() float64 {
	d.t.Helper()
	var n float64
	require.NoError(d.t, d.conn.QueryRow(context.Background(),
		`SELECT reltuples FROM pg_class WHERE oid = 'memories'::regclass`).Scan(&n))
	return n
}

// requireSearchesAnswer runs full-text, vector and hybrid searches, with and without filters,
// and requires each to answer without error and with a full page: min(10, rows it could
// return), counted exactly.
func (d *db) requireSearchesAnswer(t *testing.T) {
	t.Helper()
	const fts = `m.search_vec @@ vestige_fts_query('zebra alpha')`
	for _, c := range []struct {
		call, filter, can string
	}{
		{`vestige_fts_search('zebra alpha', 10`, ``, fts},
		{`vestige_fts_search('zebra alpha', 10`, `domain_filter => ARRAY['d0']`, fts + ` AND 'd0' = ANY(m.domains)`},
		{`vestige_vector_search('[1,2,3,4]', 10`, ``, `m.embedding IS NOT NULL`},
		{`vestige_vector_search('[1,2,3,4]', 10`, `node_type_filter => ARRAY['general']`, `m.embedding IS NOT NULL AND m.node_type = 'general'`},
		{`vestige_search('zebra alpha', '[1,2,3,4]', 10`, `domain_filter => ARRAY['d0'], tag_filter => ARRAY['new', 't1']`,
			`(` + fts + ` OR m.embedding IS NOT NULL) AND 'd0' = ANY(m.domains) AND m.tags && ARRAY['new', 't1']`},
		{`vestige_search('zebra alpha', '[1,2,3,4]', 10`, `min_retrievability => 0.5`, `(` + fts + ` OR m.embedding IS NOT NULL)`},
	} {
		call := c.call
		if c.filter != "" {
			call += ", " + c.filter
		}
		call += ")"
		rows, err := d.query(call)
		require.NoError(t, err, call)
		var want int
		require.NoError(t, d.conn.QueryRow(context.Background(),
			`SELECT least(10, count(*)) FROM memories m WHERE `+c.can).Scan(&want))
		require.NotZero(t, want, call)
		require.Len(t, rows, want, call)
	}
}
