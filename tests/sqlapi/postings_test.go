package sqlapi_test

import (
	"context"
	"fmt"
	"net/url"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store/pgstore"
	"github.com/vestige-mem/vestige/tests/testdb"
)

// The full-text ranking reads memory_terms and memory_count_shards (migration 006), which
// triggers derive from memories. Whatever a psql user writes, they stay exact, and the
// ranking with them.
func TestPostingsFollowPlainSQL(t *testing.T) {
	ctx := context.Background()
	d := newDB(t)
	var a, b uuid.UUID
	require.NoError(t, d.conn.QueryRow(ctx, `INSERT INTO memories (content, tags) VALUES ('Postgres postings postings', '{db}') RETURNING id`).Scan(&a))
	requireNoDrift(t, d.conn, testdb.PostingsDrift, "one insert")
	require.NoError(t, d.conn.QueryRow(ctx, `INSERT INTO memories (content, node_type) VALUES ('a posting about Postgres', 'fact') RETURNING id`).Scan(&b))
	ranked := func() []uuid.UUID {
		t.Helper()
		rows, err := d.conn.Query(ctx, `SELECT id FROM vestige_fts_ranked('postgres posting', 10)`)
		require.NoError(t, err)
		got, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
		require.NoError(t, err)
		return got
	}
	require.Equal(t, []uuid.UUID{a, b}, ranked(), "two postings of 'post' outrank one")

	for _, tc := range []struct {
		name string
		sql  string
		args []any
	}{
		{"a bulk insert", `INSERT INTO memories (content) SELECT 'bulk memory number ' || g FROM generate_series(1, 50) g`, nil},
		{"content changed", `UPDATE memories SET content = 'posting posting posting postgres' WHERE id = $1`, []any{b}},
		{"tags changed", `UPDATE memories SET tags = '{postgres,posting}' WHERE id = $1`, []any{a}},
		{"node type changed", `UPDATE memories SET node_type = 'posting' WHERE id = $1`, []any{a}},
		{"metadata changed (no text change)", `UPDATE memories SET metadata = '{"k": 1}' WHERE id = $1`, []any{a}},
		{"id changed", `UPDATE memories SET id = $2 WHERE id = $1`, []any{b, uuid.MustParse("00000000-0000-4000-8000-0000000000bb")}},
		{"an upsert that updates", `INSERT INTO memories (id, content) VALUES ($1, 'upserted text') ON CONFLICT (id) DO UPDATE SET content = excluded.content`, []any{a}},
		{"an upsert that inserts", `INSERT INTO memories (id, content) VALUES ($1, 'fresh posting') ON CONFLICT (id) DO NOTHING`, []any{uuid.MustParse("00000000-0000-4000-8000-0000000000cc")}},
		{"a bulk delete", `DELETE FROM memories WHERE content LIKE 'bulk memory number 1%'`, nil},
		{"a delete", `DELETE FROM memories WHERE id = $1`, []any{a}},
		{"a truncate", `TRUNCATE memories CASCADE`, nil},
		{"after the truncate", `INSERT INTO memories (content) VALUES ('postgres again')`, nil},
	} {
		_, err := d.conn.Exec(ctx, tc.sql, tc.args...)
		require.NoError(t, err, tc.name)
		requireNoDrift(t, d.conn, testdb.PostingsDrift, tc.name)
	}
	require.Len(t, ranked(), 1)
}

// A rolled-back write leaves no posting and no count behind.
func TestPostingsRollBack(t *testing.T) {
	ctx := context.Background()
	d := newDB(t)
	tx, err := d.conn.Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `INSERT INTO memories (content) SELECT 'rolled back ' || g FROM generate_series(1, 10) g`)
	require.NoError(t, err)
	require.NoError(t, tx.Rollback(ctx))
	var n int
	require.NoError(t, d.conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM memory_terms) + (SELECT coalesce(sum(memories), 0) FROM memory_count_shards) + (SELECT count(*) FROM term_stats)`).Scan(&n))
	require.Zero(t, n)
}

// Migration 006 fills memory_terms from the memories already stored and gives the two new
// tables to the roles granted memories before they existed, so that their writes (which the
// triggers extend to them) keep working without a new `vestige schema grant`; down removes
// them.
func TestPostingsMigrationBackfillsAndGrants(t *testing.T) {
	ctx := context.Background()
	ownerURL := testdb.New(t)
	owner := testdb.Conn(t, ownerURL)
	require.NoError(t, pgstore.MigrateTo(ctx, owner, 5))

	role := "vestige_terms_" + uuid.NewString()[:8]
	for _, stmt := range []string{
		fmt.Sprintf(`CREATE ROLE %s LOGIN PASSWORD 'terms-pw' NOSUPERUSER NOCREATEDB NOCREATEROLE`, role),
		fmt.Sprintf(`GRANT USAGE ON SCHEMA public TO %s`, role),
		// What `vestige schema grant` gave before version 6.
		fmt.Sprintf(`GRANT SELECT, INSERT, UPDATE, DELETE ON memories, scheduling, edges, domains, review_events, fsrs_parameters, new_cards TO %s`, role),
		fmt.Sprintf(`GRANT SELECT, UPDATE ON embedding_model TO %s`, role),
		fmt.Sprintf(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO %s`, role),
		fmt.Sprintf(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO %s`, role),
		`INSERT INTO memories (content, tags) SELECT 'stored before version six, number ' || g, '{old}' FROM generate_series(1, 30) g`,
	} {
		_, err := owner.Exec(ctx, stmt)
		require.NoError(t, err, stmt)
	}
	t.Cleanup(func() {
		_, _ = owner.Exec(context.Background(), "DROP OWNED BY "+role)
		_, _ = owner.Exec(context.Background(), "DROP ROLE "+role)
	})

	require.NoError(t, pgstore.Migrate(ctx, owner))
	requireNoDrift(t, owner, testdb.PostingsDrift, "after the migration")

	u, err := url.Parse(ownerURL)
	require.NoError(t, err)
	u.User = url.UserPassword(role, "terms-pw")
	app := testdb.Conn(t, u.String())
	_, err = app.Exec(ctx, `INSERT INTO memories (content) VALUES ('written by the role after version six')`)
	require.NoError(t, err, "the role's insert also writes memory_terms")
	_, err = app.Exec(ctx, `DELETE FROM memories WHERE content LIKE '%number 1%'`)
	require.NoError(t, err, "and its delete removes postings")
	var n int
	require.NoError(t, app.QueryRow(ctx, `SELECT count(*) FROM vestige_fts_search('stored six', 100)`).Scan(&n))
	require.Equal(t, 20, n, "19 old memories and the new one hold a term")
	requireNoDrift(t, owner, testdb.PostingsDrift, "after the role's writes")

	require.NoError(t, pgstore.MigrateTo(ctx, owner, 5), "and down again")
	require.NoError(t, owner.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE tablename IN ('memory_terms', 'term_stats', 'memory_count_shards')`).Scan(&n))
	require.Zero(t, n)
	_, err = owner.Exec(ctx, `INSERT INTO memories (content) VALUES ('after down')`)
	require.NoError(t, err, "no trigger is left behind")
}

// Writers keep term_stats and memory_count_shards by backend shard (pg_backend_pid() % 16).
// With more connections than shards, some share one; their multi-statement transactions,
// touching the same words in opposite orders, take turns on the shard's advisory lock
// instead of deadlocking on each other's rows, and the counts stay exact.
func TestPostingsConcurrentWritersShareShards(t *testing.T) {
	ctx := context.Background()
	dbURL := testdb.New(t)
	const writers = 20 // more than the 16 shards: at least two share one
	words := []string{"alpha", "beta", "gamma", "delta", "epsilon"}
	errs := make(chan error, writers)
	for w := range writers {
		go func() {
			conn, err := pgx.Connect(ctx, dbURL)
			if err != nil {
				errs <- err
				return
			}
			defer conn.Close(ctx)
			for round := range 10 {
				err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
					// One word a memory, so that two transactions share no word but the ones
					// they take in opposite orders.
					var last uuid.UUID
					for i := range words {
						// Even writers walk the words forwards, odd ones backwards.
						word := words[i]
						if w%2 == 1 {
							word = words[len(words)-1-i]
						}
						if err := tx.QueryRow(ctx, `INSERT INTO memories (content) VALUES ($1) RETURNING id`, word).Scan(&last); err != nil {
							return err
						}
					}
					_, err := tx.Exec(ctx, `DELETE FROM memories WHERE id = $1`, last)
					return err
				})
				if err != nil {
					errs <- fmt.Errorf("writer %d round %d: %w", w, round, err)
					return
				}
			}
			errs <- nil
		}()
	}
	for range writers {
		require.NoError(t, <-errs)
	}
	conn := testdb.Conn(t, dbURL)
	requireNoDrift(t, conn, testdb.PostingsDrift, "after the writers")
	var n int
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM memories`).Scan(&n))
	require.Equal(t, writers*10*(len(words)-1), n)
}

// Every path of the full-text ranking (postings without a filter; postings walked in score
// order with a filter; the ranking over rows when the walk cannot fill the page) gives the
// page the definition gives: scores summed from memory_terms in query order, filtered, best
// first, ties by id.
func TestPostingsRankingPathsAgree(t *testing.T) {
	ctx := context.Background()
	d := newDB(t)
	words := []string{"kettle", "lantern", "meadow", "harbor", "quartz", "violet", "ember", "willow"}
	d.exec(`INSERT INTO memories (content, domains, tags)
		SELECT (SELECT string_agg(w[1 + (g * 7 + k * 13) % 8], ' ') FROM generate_series(1, 2 + g % 5) k),
		       ARRAY[CASE WHEN g % 10 = 0 THEN 'rare' WHEN g % 2 = 0 THEN 'even' ELSE 'odd' END],
		       ARRAY['t' || (g % 3)]
		  FROM generate_series(1, 400) g, (SELECT $1::text[] AS w) v`, words)
	const reference = `
		WITH q AS (SELECT lexeme, ord FROM vestige_fts_terms($1)),
		n AS (SELECT count(*)::float8 AS n FROM memories),
		df AS (SELECT q.lexeme, q.ord, count(t.memory_id)::float8 AS df FROM q LEFT JOIN memory_terms t USING (lexeme) GROUP BY 1, 2),
		idf AS (SELECT df.lexeme, df.ord, greatest(ln((greatest(n.n, (SELECT max(df) FROM df)) - df.df + 0.5) / (df.df + 0.5)), 1e-6) AS idf FROM df, n),
		s AS (SELECT t.memory_id, sum(idf.idf * t.tf * 2.2 / (t.tf + 1.2) ORDER BY idf.ord) AS score
		        FROM idf JOIN memory_terms t USING (lexeme) GROUP BY t.memory_id)
		SELECT s.memory_id FROM s JOIN memories m ON m.id = s.memory_id
		 WHERE (cardinality($3::text[]) IS NULL OR m.domains && $3) AND (cardinality($4::text[]) IS NULL OR m.tags && $4)
		 ORDER BY s.score DESC, s.memory_id LIMIT $2`
	ranked := func(sql string, args ...any) []uuid.UUID {
		t.Helper()
		rows, err := d.conn.Query(ctx, sql, args...)
		require.NoError(t, err)
		got, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
		require.NoError(t, err)
		return got
	}
	for _, tc := range []struct {
		query         string
		k             int
		domains, tags []string
	}{
		{"kettle lantern", 10, nil, nil},
		{"kettle lantern", 10, []string{"even"}, nil},              // the walk fills the page
		{"meadow quartz ember", 25, []string{"rare"}, nil},         // a tenth of the rows
		{"willow", 5, []string{"rare"}, []string{"t1"}},            // the walk runs out: rows
		{"violet harbor", 30, []string{"absent"}, nil},             // nothing passes
		{"harbor kettle willow violet", 400, []string{"odd"}, nil}, // more than the walk reads
	} {
		want := ranked(reference, tc.query, tc.k, tc.domains, tc.tags)
		got := ranked(`SELECT id FROM vestige_fts_ranked($1, $2, domain_filter => $3, tag_filter => $4)`, tc.query, tc.k, tc.domains, tc.tags)
		require.Equal(t, want, got, "%q k=%d domains=%v tags=%v", tc.query, tc.k, tc.domains, tc.tags)
		if len(tc.domains) == 0 || tc.domains[0] != "absent" {
			require.NotEmpty(t, got, tc.query)
		}
	}
}
