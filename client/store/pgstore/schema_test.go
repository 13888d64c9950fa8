package pgstore_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store/pgstore"
	"github.com/vestige-mem/vestige/tests/testdb"
)

// ourObjects lists what the current schema holds that no extension owns: relations
// (tables, indexes, sequences, views) and functions.
func ourObjects(t *testing.T, conn *pgx.Conn) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(), `
		SELECT 'rel ' || c.relname FROM pg_class c
		WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
		  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
		                  AND d.objid = c.oid AND d.deptype = 'e')
		UNION ALL
		SELECT 'fn ' || p.proname FROM pg_proc p
		WHERE p.pronamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
		  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
		                  AND d.objid = p.oid AND d.deptype = 'e')
		ORDER BY 1`)
	require.NoError(t, err)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	return names
}

func TestMigrateUpDownUp(t *testing.T) {
	ctx := context.Background()
	conn := testdb.Conn(t, testdb.Empty(t))

	require.NoError(t, pgstore.Migrate(ctx, conn))
	st, err := pgstore.Status(ctx, conn)
	require.NoError(t, err)
	require.True(t, st.Current(), "after up: %+v", st)
	require.Equal(t, "current", st.FunctionsState())
	up := ourObjects(t, conn)
	for _, want := range []string{"rel memories", "rel scheduling", "rel edges", "rel domains",
		"rel embedding_model", "rel review_events", "rel fsrs_parameters", "rel idx_memories_fts"} {
		require.Contains(t, up, want)
	}

	// A second up is a no-op.
	require.NoError(t, pgstore.Migrate(ctx, conn))
	require.Equal(t, up, ourObjects(t, conn))

	require.NoError(t, pgstore.MigrateTo(ctx, conn, 0))
	require.Equal(t, []string{"rel " + pgstore.VersionTable}, ourObjects(t, conn),
		"down to 0 leaves only the version table")
	var ext int
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM pg_extension WHERE extname = 'vector'`).Scan(&ext))
	require.Equal(t, 1, ext, "the vector extension stays")
	st, err = pgstore.Status(ctx, conn)
	require.NoError(t, err)
	require.Equal(t, int32(0), st.Version)
	require.Equal(t, "not installed", st.FunctionsState())

	require.NoError(t, pgstore.Migrate(ctx, conn))
	require.Equal(t, up, ourObjects(t, conn), "up again restores the same objects")
}

func TestMigrateToRejectsUnknownVersion(t *testing.T) {
	conn := testdb.Conn(t, testdb.Empty(t))
	latest, err := pgstore.LatestVersion()
	require.NoError(t, err)
	require.Error(t, pgstore.MigrateTo(context.Background(), conn, latest+1))
	require.Error(t, pgstore.MigrateTo(context.Background(), conn, -1))
}

func TestFSRSParametersDefaults(t *testing.T) {
	conn := testdb.Conn(t, testdb.New(t))
	var n int
	var retention float64
	var learning []int32
	require.NoError(t, conn.QueryRow(context.Background(),
		`SELECT cardinality(weights), desired_retention, learning_steps_secs FROM fsrs_parameters`).
		Scan(&n, &retention, &learning))
	require.Equal(t, 21, n)
	require.Equal(t, 0.9, retention)
	require.Equal(t, []int32{60, 600}, learning)
}
