package mcp_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"zombiezen.com/go/sqlite"
	"zombiezen.com/go/sqlite/sqlitex"
)

// requireIntegrity runs SQLite's own full check of a database file.
func requireIntegrity(t *testing.T, path string) {
	t.Helper()
	conn, err := sqlite.OpenConn(path, sqlite.OpenReadWrite)
	require.NoError(t, err)
	defer conn.Close()
	var res []string
	err = sqlitex.ExecuteTransient(conn, "PRAGMA integrity_check", &sqlitex.ExecOptions{
		ResultFunc: func(stmt *sqlite.Stmt) error {
			res = append(res, stmt.ColumnText(0))
			return nil
		},
	})
	require.NoError(t, err)
	require.Equal(t, []string{"ok"}, res)
}
