package sqlapi_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// The scoring statement vestige_fts_postings_sql writes has three shapes: one base term
// whose postings the others are merged into, several base terms (their distinct memories
// first), and probes of a term with many more postings than the base has memories. The
// first shape, unfiltered, with at most four terms of like df, runs one of
// vestige_fts_ranked's static statements instead, the base term in any place among the
// others. Each gives the definition's page with the definition's scores, to the last bit,
// under the candidate bound (rarest terms retrieve while their postings stay within 2,000).
func TestPostingsRankingStatementsAgree(t *testing.T) {
	ctx := context.Background()
	d := newDB(t)
	// 3,000 memories: zephyr df 30, quokka 40, nimbus 1,000, fjord 1,200, meadow 2,500,
	// yonder 20 in tags only and never beside meadow; aster 1,125, birch 1,286, cedar 1,333
	// and dune 1,385 (terms of like df: any two exceed the bound); some words twice or more
	// and some in tags, so that tf varies.
	d.exec(`INSERT INTO memories (content, domains, tags)
		SELECT concat_ws(' ', CASE WHEN g % 100 = 0 THEN 'zephyr' END,
		                      CASE WHEN g % 75 = 0 THEN 'quokka quokka' END,
		                      CASE WHEN g % 3 = 0 THEN 'nimbus' END,
		                      CASE WHEN g % 5 < 2 THEN repeat('fjord ', 1 + g % 4) END,
		                      CASE WHEN g % 6 <> 0 THEN repeat('meadow ', 1 + g % 3) END,
		                      CASE WHEN g % 8 < 3 THEN repeat('aster ', 1 + g % 3) END,
		                      CASE WHEN g % 7 < 3 THEN repeat('birch ', 1 + g % 2) END,
		                      CASE WHEN g % 9 < 4 THEN repeat('cedar ', 1 + g % 5) END,
		                      CASE WHEN g % 13 < 6 THEN 'dune' END,
		                      'filler'),
		       ARRAY[CASE WHEN g % 2 = 0 THEN 'even' ELSE 'odd' END],
		       CASE WHEN g % 150 = 0 THEN ARRAY['yonder'] WHEN g % 11 = 0 THEN ARRAY['nimbus', 'zephyr'] ELSE ARRAY['plain'] END
		  FROM generate_series(1, 3000) g`)
	// 9,000 more, so that meadow is rare enough to count (idf 1.3).
	d.exec(`INSERT INTO memories (content) SELECT 'filler' FROM generate_series(1, 9000)`)
	var stmt string
	require.NoError(t, d.conn.QueryRow(ctx, `SELECT vestige_fts_postings_sql(ARRAY[30, 2500]::bigint[], ARRAY[true, false])`).Scan(&stmt))
	require.Contains(t, stmt, "LATERAL", "a term with far more postings than the base has memories is probed")

	const reference = `
		WITH q AS (SELECT lexeme, ord FROM vestige_fts_terms($1)),
		n AS (SELECT count(*)::float8 AS n FROM memories),
		df AS (SELECT q.lexeme, q.ord, count(t.memory_id)::float8 AS df FROM q LEFT JOIN memory_terms t USING (lexeme) GROUP BY 1, 2),
		idf AS (SELECT df.lexeme, df.ord, df.df, greatest(ln((greatest(n.n, (SELECT max(df) FROM df)) - df.df + 0.5) / (df.df + 0.5)), 1e-6) AS idf FROM df, n),
		bound AS (SELECT lexeme, row_number() OVER w = 1 OR sum(df) OVER w <= 2000 AS retrieve
		            FROM idf WHERE df > 0 WINDOW w AS (ORDER BY df, ord)),
		s AS (SELECT t.memory_id, sum(idf.idf * t.tf * 2.2 / (t.tf + 1.2) ORDER BY idf.ord) AS score,
		             bool_or(bound.retrieve) AS retrieved
		        FROM idf JOIN bound USING (lexeme) JOIN memory_terms t USING (lexeme) GROUP BY t.memory_id)
		SELECT s.memory_id, s.score FROM s JOIN memories m ON m.id = s.memory_id
		 WHERE (s.retrieved OR (SELECT count(*) FROM s WHERE s.retrieved) < $4)
		   AND (cardinality($3::text[]) IS NULL OR m.domains && $3)
		 ORDER BY s.score DESC, s.memory_id LIMIT $2`
	type scored struct {
		ID    uuid.UUID
		Score float64
	}
	ranked := func(sql string, args ...any) []scored {
		t.Helper()
		rows, err := d.conn.Query(ctx, sql, args...)
		require.NoError(t, err)
		got, err := pgx.CollectRows(rows, pgx.RowToStructByPos[scored])
		require.NoError(t, err)
		return got
	}
	for _, tc := range []struct {
		name, query string
		k           int
		domains     []string
	}{
		{"one base term, a common term probed", "zephyr meadow", 10, nil},
		{"two base terms, a common term probed", "zephyr quokka meadow", 10, nil},
		{"one base term, the others merged", "nimbus fjord meadow", 10, nil},
		{"every term a base term", "zephyr quokka nimbus", 25, nil},
		{"one base term merged, filtered (the walk)", "nimbus fjord meadow", 10, []string{"even"}},
		{"probed, filtered (the walk)", "zephyr meadow", 5, []string{"odd"}},
		{"a long page", "nimbus fjord meadow", 600, nil},
		{"static, one term", "cedar", 10, nil},
		{"static, two terms, the base first", "aster birch", 150, nil},
		{"static, two terms, the base last", "birch aster", 150, nil},
		{"static, three terms, the base first", "aster birch cedar", 150, nil},
		{"static, three terms, the base in the middle", "cedar aster birch", 150, nil},
		{"static, three terms, the base last", "dune cedar aster", 150, nil},
		{"static, four terms, the base first", "aster dune cedar birch", 150, nil},
		{"static, four terms, the base second", "birch aster dune cedar", 150, nil},
		{"static, four terms, the base third", "dune cedar aster birch", 150, nil},
		{"static, four terms, the base last", "dune birch cedar aster", 150, nil},
		{"static shape, filtered (the walk)", "cedar aster birch", 10, []string{"odd"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := ranked(reference, tc.query, tc.k, tc.domains, tc.k)
			require.Len(t, want, tc.k, "the corpus fills the page")
			got := ranked(`SELECT id, score FROM vestige_fts_ranked($1, $2, domain_filter => $3)`, tc.query, tc.k, tc.domains)
			require.Equal(t, want, got)
		})
	}
	// vestige_search asks the branch for 3 × match_count, also when full text runs alone:
	// yonder's 20 memories fill a page of 15 but not the 45 the branch is asked for, so
	// every term retrieves, and memories with meadow three times (2.1) pass those with
	// yonder in a tag (2.0).
	t.Run("search, full text alone, the bound giving way at 3 × the page", func(t *testing.T) {
		want := ranked(reference, "yonder meadow", 15, nil, 45)
		require.Equal(t, want, ranked(`SELECT id, fts_score FROM vestige_search($1, NULL, $2)`, "yonder meadow", 15))
		restricted := ranked(reference, "yonder meadow", 15, nil, 15)
		require.NotEqual(t, want, restricted, "the corpus tells the two bounds apart")
	})
}
