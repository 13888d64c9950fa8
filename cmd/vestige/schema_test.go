package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/config"
	"github.com/vestige-mem/vestige/client/store/pgstore"
	"github.com/vestige-mem/vestige/tests/testdb"
)

// vestige runs the CLI in-process and returns its exit code, stdout and stderr.
func vestige(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// isolate gives the test a home of its own and an environment that names no store.
func isolate(t *testing.T) string {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("VESTIGE_CONFIG", "")
	t.Setenv("VESTIGE_POSTGRES_URL", "")
	return home
}

func TestSchemaUpStatusDown(t *testing.T) {
	isolate(t)
	dbURL := testdb.Empty(t)
	code, out, errOut := vestige(t, "schema", "status", "--postgres-url", dbURL)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, fmt.Sprintf("version:   0 of %d", latestSchema(t)))
	require.Contains(t, out, "functions: not installed")

	code, out, errOut = vestige(t, "schema", "up", "--postgres-url", dbURL)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, fmt.Sprintf("version:   %d of %d", latestSchema(t), latestSchema(t)))

	code, out, errOut = vestige(t, "--json", "schema", "status", "--postgres-url", dbURL)
	require.Equal(t, 0, code, errOut)
	var st statusJSON
	require.NoError(t, json.Unmarshal([]byte(out), &st))
	require.Equal(t, statusJSON{Backend: "postgres", Location: config.RedactURL(dbURL), Version: int32(latestSchema(t)), Latest: int32(latestSchema(t)), Functions: "current", APIVersion: pgstore.APIVersion, WantAPIVersion: pgstore.APIVersion, Current: true}, st)

	code, out, errOut = vestige(t, "schema", "down", "--postgres-url", dbURL)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, fmt.Sprintf("version:   0 of %d", latestSchema(t)))
	conn := testdb.Conn(t, dbURL)
	var tables int
	require.NoError(t, conn.QueryRow(t.Context(), `SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()`).Scan(&tables))
	require.Equal(t, 1, tables, "only the version table is left")
}

func TestSchemaURLFromEnvironment(t *testing.T) {
	isolate(t)
	dbURL := testdb.Empty(t)
	t.Setenv("VESTIGE_POSTGRES_URL", dbURL)
	code, out, errOut := vestige(t, "schema", "up")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "schema is up to date")
}

func TestSchemaErrorsHidePassword(t *testing.T) {
	const pw = "s3cr3t-Pa55"
	// A real server with a wrong password, to get the server's own error text too.
	good, err := url.Parse(testdb.URL(t))
	require.NoError(t, err)
	good.User = url.UserPassword("no_such_role", pw)
	tests := []struct {
		name, url, want string
	}{
		{"unreachable", "postgres://bob:" + pw + "@127.0.0.1:1/db", "cannot connect to Postgres"},
		{"bad port", "postgres://bob:" + pw + "@127.0.0.1:99999/db", "invalid Postgres URL"},
		{"bad sslmode", "postgres://bob:" + pw + "@127.0.0.1:5432/db?sslmode=bogus", "invalid Postgres URL"},
		{"keyword form", "host=127.0.0.1 port=1 user=bob password=" + pw, "cannot connect to Postgres"},
		{"not a URL", "postgres://bob:" + pw + "@[::1", "invalid Postgres URL"},
		{"unknown role", good.String(), "cannot connect to Postgres"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolate(t)
			for _, cmd := range []string{"up", "down", "status"} {
				args := []string{"schema", cmd, "--postgres-url", tt.url}
				code, out, errOut := vestige(t, args...)
				require.NotEqual(t, 0, code)
				require.Empty(t, out)
				require.Contains(t, errOut, tt.want)
				require.NotContains(t, errOut+out, pw)
				require.Equal(t, 1, strings.Count(strings.TrimSpace(errOut), "\n")+1, "one line: %q", errOut)
			}
		})
	}
}

func TestSchemaOfTheDefaultSQLiteStore(t *testing.T) {
	home := isolate(t)
	db := filepath.Join(home, ".vestige", "vestige.db")
	code, out, errOut := vestige(t, "schema", "status")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "backend:   sqlite")
	require.Contains(t, out, fmt.Sprintf("version:   0 of %d", latestSchema(t)))
	require.NoFileExists(t, db, "looking does not create the store")

	code, out, errOut = vestige(t, "schema", "up")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, fmt.Sprintf("version:   %d of %d", latestSchema(t), latestSchema(t)))
	require.FileExists(t, db)

	code, out, errOut = vestige(t, "--json", "schema", "down")
	require.Equal(t, 0, code, errOut)
	var st statusJSON
	require.NoError(t, json.Unmarshal([]byte(out), &st))
	require.Equal(t, statusJSON{Backend: "sqlite", Location: db, Version: 0, Latest: int32(latestSchema(t)), Functions: "built in"}, st)

	code, _, errOut = vestige(t, "schema", "down", "--to", "99")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, fmt.Sprintf("--to 99 is outside 0..%d", latestSchema(t)))
}

// Fault: the schema commands ignored exec_mode, so behind a transaction pooler the second
// `schema status` collided with the first one's prepared statements (42P05). With
// simple_protocol the schema connection prepares nothing.
func TestSchemaConnectionHonoursExecMode(t *testing.T) {
	dbURL := testdb.New(t)
	for _, tc := range []struct {
		mode     string
		prepares bool
	}{{"simple_protocol", false}, {"exec", false}, {"", true}} {
		t.Run("mode="+tc.mode, func(t *testing.T) {
			conn, err := connectPostgres(t.Context(), config.Postgres{URL: dbURL, ExecMode: tc.mode})
			require.NoError(t, err)
			p := &pgSchema{conn: conn, where: "test"}
			defer p.close()
			for range 2 {
				_, err := p.status(t.Context())
				require.NoError(t, err)
			}
			var n int
			require.NoError(t, conn.QueryRow(t.Context(), `SELECT count(*) FROM pg_prepared_statements`,
				pgx.QueryExecModeSimpleProtocol).Scan(&n))
			require.Equal(t, tc.prepares, n > 0, "prepared statements left: %d", n)
		})
	}
}

// latestSchema is the newest schema version this vestige has (the same on both backends).
func latestSchema(t *testing.T) int {
	t.Helper()
	v, err := pgstore.LatestVersion()
	require.NoError(t, err)
	return int(v)
}
