package testdb_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/tests/testdb"
)

// The same id goes into two test databases: each test owns its database, so neither sees
// the other's row and neither conflicts.
const sharedID = "00000000-0000-4000-8000-0000000000aa"

func TestIsolatedDatabases(t *testing.T) {
	for _, name := range []string{"first", "second"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			conn := testdb.Conn(t, testdb.New(t))
			var before int
			require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM memories`).Scan(&before))
			require.Zero(t, before, "a fresh database is empty")
			_, err := conn.Exec(ctx, `INSERT INTO memories (id, content) VALUES ($1, $2)`, sharedID, name)
			require.NoError(t, err)
			var content string
			require.NoError(t, conn.QueryRow(ctx, `SELECT content FROM memories WHERE id = $1`, sharedID).Scan(&content))
			require.Equal(t, name, content)
		})
	}
}

// NewICU's database really collates by ICU en-US, not bytewise: "a" before "B".
func TestNewICU(t *testing.T) {
	conn := testdb.Conn(t, testdb.NewICU(t))
	var first string
	require.NoError(t, conn.QueryRow(context.Background(),
		`SELECT x FROM (VALUES ('B'), ('a')) v(x) ORDER BY x LIMIT 1`).Scan(&first))
	require.Equal(t, "a", first, "en-US ignores case at first")
	var n int
	require.NoError(t, conn.QueryRow(context.Background(), `SELECT count(*) FROM memories`).Scan(&n))
	require.Zero(t, n, "migrated and empty")
}
