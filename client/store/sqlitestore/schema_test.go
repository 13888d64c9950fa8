package sqlitestore_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"zombiezen.com/go/sqlite"
	"zombiezen.com/go/sqlite/sqlitex"

	"github.com/vestige-mem/vestige/client/store"
	"github.com/vestige-mem/vestige/client/store/pgstore"
	"github.com/vestige-mem/vestige/client/store/sqlitestore"
)

// objects lists the schema objects of the file at path, from a connection of its own.
func objects(t *testing.T, path string) []string {
	t.Helper()
	conn, err := sqlite.OpenConn(path, sqlite.OpenReadWrite)
	require.NoError(t, err)
	defer conn.Close()
	var names []string
	require.NoError(t, sqlitex.ExecuteTransient(conn, `SELECT name FROM sqlite_schema
		WHERE name NOT LIKE 'sqlite_%' ORDER BY name`, &sqlitex.ExecOptions{
		ResultFunc: func(stmt *sqlite.Stmt) error {
			names = append(names, stmt.ColumnText(0))
			return nil
		}}))
	return names
}

func TestSchemaDownAndUp(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "nested", "folder", "vestige.db")
	s, err := sqlitestore.Open(ctx, path)
	require.NoError(t, err, "Open creates the folder and the file")
	defer s.Close()
	v, err := s.SchemaVersion(ctx)
	require.NoError(t, err)
	require.Equal(t, sqlitestore.LatestVersion(), v)
	pgLatest, err := pgstore.LatestVersion()
	require.NoError(t, err)
	require.EqualValues(t, pgLatest, v, "numbered like the Postgres migrations")
	for _, want := range []string{"memories", "scheduling", "edges", "domains", "embedding_model",
		"review_events", "fsrs_parameters", "memories_fts"} {
		require.Contains(t, objects(t, path), want)
	}

	_, err = s.Insert(ctx, store.Memory{Content: "kept until the schema goes down"})
	require.NoError(t, err)
	require.NoError(t, s.MigrateTo(ctx, 0))
	require.Empty(t, objects(t, path), "schema down to 0 leaves nothing of ours")
	v, err = s.SchemaVersion(ctx)
	require.NoError(t, err)
	require.Zero(t, v)
	h, err := s.HealthCheck(ctx)
	require.NoError(t, err)
	require.Equal(t, store.Degraded, h.Status)
	require.Contains(t, h.Reason, "vestige schema up")

	require.NoError(t, s.Migrate(ctx))
	n, err := s.Count(ctx)
	require.NoError(t, err)
	require.Zero(t, n)
	h, err = s.HealthCheck(ctx)
	require.NoError(t, err)
	require.Equal(t, store.Healthy, h.Status)

	require.ErrorIs(t, s.MigrateTo(ctx, sqlitestore.LatestVersion()+1), store.ErrInvalidInput)
	require.ErrorIs(t, s.MigrateTo(ctx, -1), store.ErrInvalidInput)
}

func TestSchemaNewerThanBinary(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "vestige.db")
	s, err := sqlitestore.Open(ctx, path)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	conn, err := sqlite.OpenConn(path, sqlite.OpenReadWrite)
	require.NoError(t, err)
	require.NoError(t, sqlitex.ExecuteTransient(conn, `PRAGMA user_version = 99`, nil))
	require.NoError(t, conn.Close())

	_, err = sqlitestore.Open(ctx, path)
	require.True(t, errors.Is(err, sqlitestore.ErrSchemaAhead), "%v", err)
	s, err = sqlitestore.OpenWith(ctx, path, sqlitestore.Options{SkipMigrate: true})
	require.NoError(t, err, "schema status can still read the file")
	defer s.Close()
	v, err := s.SchemaVersion(ctx)
	require.NoError(t, err)
	require.Equal(t, 99, v)
}

func TestOpenRefusesEmptyPath(t *testing.T) {
	_, err := sqlitestore.Open(context.Background(), "")
	require.ErrorIs(t, err, store.ErrInvalidInput)
}

// The triggers guard writers that bypass the Go store (the sqlite3 shell) as Postgres' do.
func TestEmbeddingTriggers(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "vestige.db")
	s, err := sqlitestore.Open(ctx, path)
	require.NoError(t, err)
	defer s.Close()
	conn, err := sqlite.OpenConn(path, sqlite.OpenReadWrite)
	require.NoError(t, err)
	defer conn.Close()
	insert := `INSERT INTO memories (id, content, embedding) VALUES (lower('00000000-0000-4000-8000-0000000000' || hex(randomblob(1))), 'x', `
	err = sqlitex.ExecuteTransient(conn, insert+`zeroblob(8))`, nil)
	require.ErrorContains(t, err, "VS004")
	require.NoError(t, s.EnsureModel(ctx, store.ModelSignature{Name: "m2", Dimension: 2, Hash: "h"}))
	err = sqlitex.ExecuteTransient(conn, insert+`zeroblob(8))`, nil)
	require.ErrorContains(t, err, "VS006")
	err = sqlitex.ExecuteTransient(conn, insert+`x'0000803f')`, nil)
	require.ErrorContains(t, err, "VS002")
	require.NoError(t, sqlitex.ExecuteTransient(conn, insert+`x'0000803f0000803f')`, nil))
}
