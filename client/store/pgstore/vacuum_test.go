package pgstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store/pgstore"
	"github.com/vestige-mem/vestige/tests/testdb"
)

// term_stats only ever adds to a word's count (migration 006): a word no memory holds any
// more keeps a zero row. Vacuum drops those, and the counts stay what they were.
func TestVacuumDropsUnusedWords(t *testing.T) {
	ctx := context.Background()
	dbURL := testdb.New(t)
	s := open(t, pgstore.Options{URL: dbURL})
	conn := testdb.Conn(t, dbURL)
	for _, sql := range []string{
		`INSERT INTO memories (content) VALUES ('ephemeral xylophone'), ('lasting harbor')`,
		`DELETE FROM memories WHERE content = 'ephemeral xylophone'`,
	} {
		_, err := conn.Exec(ctx, sql)
		require.NoError(t, err, sql)
	}
	words := func() map[string]int64 {
		t.Helper()
		out := map[string]int64{}
		rows, err := conn.Query(ctx, `SELECT lexeme, sum(df)::bigint FROM term_stats GROUP BY lexeme ORDER BY 1`)
		require.NoError(t, err)
		var w string
		var n int64
		_, err = pgx.ForEachRow(rows, []any{&w, &n}, func() error { out[w] = n; return nil })
		require.NoError(t, err)
		return out
	}
	require.Equal(t, map[string]int64{"ephemer": 0, "xylophon": 0, "last": 1, "harbor": 1, "general": 1}, words())
	require.NoError(t, s.Vacuum(ctx))
	require.Equal(t, map[string]int64{"last": 1, "harbor": 1, "general": 1}, words(), "the node type is indexed too")
}

// VACUUM marks a page all-visible only when its rows are older than every open snapshot. A
// snapshot open while Vacuum runs (here a REPEATABLE READ transaction, closed 300 ms in;
// after a load it was an autovacuum ANALYZE) left the new postings unmarked, and the
// ranking's index-only scans visited the heap for each. Vacuum tries again until the
// visibility map covers them.
func TestVacuumMarksPostingsVisibleAfterAnOpenSnapshot(t *testing.T) {
	ctx := context.Background()
	dbURL := testdb.New(t)
	s := open(t, pgstore.Options{URL: dbURL})
	conn := testdb.Conn(t, dbURL)
	holder := testdb.Conn(t, dbURL)
	tx, err := holder.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead})
	require.NoError(t, err)
	var n int
	require.NoError(t, tx.QueryRow(ctx, `SELECT count(*) FROM memories`).Scan(&n), "the snapshot is taken")
	_, err = conn.Exec(ctx, `INSERT INTO memories (content)
		SELECT 'harbor lantern ' || g || ' tide ' || (g % 97) || ' quay ' || (g % 13) FROM generate_series(1, 20000) g`)
	require.NoError(t, err)
	closed := make(chan error, 1)
	go func() {
		time.Sleep(300 * time.Millisecond)
		closed <- tx.Rollback(context.Background())
	}()
	require.NoError(t, s.Vacuum(ctx))
	require.NoError(t, <-closed, "the snapshot's transaction ends (before its connection closes)")
	var pages, visible int
	require.NoError(t, conn.QueryRow(ctx, `SELECT relpages, relallvisible FROM pg_class WHERE oid = 'memory_terms'::regclass`).Scan(&pages, &visible))
	require.Positive(t, pages)
	require.GreaterOrEqual(t, float64(visible), 0.9*float64(pages), "the postings' pages are all-visible after Vacuum")
}
