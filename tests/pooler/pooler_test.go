// Package pooler runs the vestige binary through pgbouncer in transaction mode
// (scripts/pg-matrix.sh starts Debian's pgbouncer in front of the test server): every main
// command works with exec_mode = "simple_protocol", and a schema migration through the
// pooler is refused, never half run.
package pooler

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/tests/testdb"
	"github.com/vestige-mem/vestige/tests/vestigebin"
)

var binary string

func TestMain(m *testing.M) { vestigebin.Main(m, &binary) }

// bouncer returns pgbouncer's URL, or skips (fails under VESTIGE_REQUIRE_POSTGRES=1).
func bouncer(t *testing.T) *url.URL {
	t.Helper()
	raw := os.Getenv("VESTIGE_TEST_PGBOUNCER_URL")
	if raw == "" {
		if os.Getenv("VESTIGE_REQUIRE_POSTGRES") == "1" {
			t.Fatal("VESTIGE_TEST_PGBOUNCER_URL is not set: run `make test` (scripts/pg-matrix.sh starts pgbouncer)")
		}
		t.Skip("no pgbouncer: run scripts/pg-matrix.sh (or `make test`)")
	}
	u, err := url.Parse(raw)
	require.NoError(t, err)
	return u
}

// viaBouncer is dbURL (a test database on the server pgbouncer fronts) through pgbouncer.
func viaBouncer(t *testing.T, dbURL string) string {
	t.Helper()
	b := bouncer(t)
	u, err := url.Parse(dbURL)
	require.NoError(t, err)
	u.Host = b.Host
	return u.String()
}

// pgbouncerVersion asks pgbouncer's admin console (simple protocol only).
func pgbouncerVersion(t *testing.T) string {
	t.Helper()
	u := *bouncer(t)
	u.Path = "/pgbouncer"
	q := u.Query()
	q.Set("default_query_exec_mode", "simple_protocol")
	u.RawQuery = q.Encode()
	conn, err := pgx.Connect(context.Background(), u.String())
	require.NoError(t, err)
	defer conn.Close(context.Background())
	var v string
	require.NoError(t, conn.QueryRow(context.Background(), "SHOW VERSION").Scan(&v))
	return v
}

type machine struct {
	t    *testing.T
	home string
	env  []string
}

// newMachine writes a vestige.toml for url with exec_mode and extra lines.
func newMachine(t *testing.T, dbURL, execMode string, extra ...string) *machine {
	home := t.TempDir()
	cfg := fmt.Sprintf("[storage]\nbackend = \"postgres\"\n[storage.postgres]\nurl = %q\nexec_mode = %q\n%s\n",
		dbURL, execMode, strings.Join(extra, "\n"))
	path := filepath.Join(home, "vestige.toml")
	require.NoError(t, os.WriteFile(path, []byte(cfg), 0o600))
	return &machine{t: t, home: home, env: []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "VESTIGE_CONFIG=" + path}}
}

type result struct {
	code           int
	stdout, stderr string
}

func (m *machine) run(stdin string, args ...string) result {
	m.t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = m.env
	cmd.Stdin = strings.NewReader(stdin)
	code, stdout, stderr := vestigebin.Run(m.t, cmd)
	return result{code, stdout, stderr}
}

// ok runs a command that must succeed, twice over when asked: a second process lands on
// the server connections the first one used, which is where prepared statements collide.
func (m *machine) ok(args ...string) string {
	m.t.Helper()
	r := m.run("", args...)
	require.Equal(m.t, 0, r.code, "vestige %s\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.stdout, r.stderr)
	return r.stdout
}

func (m *machine) id(out string) string {
	m.t.Helper()
	var v struct{ ID string }
	require.NoError(m.t, json.Unmarshal([]byte(out), &v), out)
	require.NotEmpty(m.t, v.ID)
	return v.ID
}

// execModes are the modes a transaction pooler supports: the simple protocol always, and
// prepared statements from pgbouncer 1.21 (max_prepared_statements, which pg-matrix.sh
// turns on where the version has it). Debian 12 ships 1.18.
func execModes(t *testing.T) []string {
	v := pgbouncerVersion(t)
	var major, minor int
	_, err := fmt.Sscanf(strings.TrimPrefix(v, "PgBouncer "), "%d.%d", &major, &minor)
	require.NoError(t, err, v)
	if major > 1 || minor >= 21 {
		return []string{"simple_protocol", "cache_statement"}
	}
	t.Logf("%s: no prepared statements in transaction mode (1.21+), simple_protocol only", v)
	return []string{"simple_protocol"}
}

func TestCommandsThroughPgbouncer(t *testing.T) {
	for _, mode := range execModes(t) {
		t.Run(mode, func(t *testing.T) {
			m := newMachine(t, viaBouncer(t, testdb.New(t)), mode)
			// Twice each: the second process reuses the server connections of the first.
			for round := 0; round < 2; round++ {
				a := m.id(m.ok("--json", "add", "--tag", "pool", "pgbouncer hands out server connections per transaction"))
				b := m.id(m.ok("--json", "add", "prepared statements outlive the transaction that made them"))
				require.Contains(t, m.ok("search", "server connections per transaction"), a)
				require.Contains(t, m.ok("search", "--mode", "fts", "prepared statements"), b)
				require.Contains(t, m.ok("get", a), "pgbouncer hands out")
				m.ok("review", a, "good")
				m.ok("link", a, b)
				require.Contains(t, m.ok("edges", a), b)
				require.Contains(t, m.ok("neighbors", a), b)
				m.ok("due")
				require.Contains(t, m.ok("stats"), "memories")
				m.ok("classify", "pool")
				m.ok("vacuum")
				m.ok("health")
			}
			dump := m.ok("export")
			require.Contains(t, dump, `"memory"`)

			other := newMachine(t, viaBouncer(t, testdb.New(t)), mode)
			r := other.run(dump, "import", "-")
			require.Equal(t, 0, r.code, r.stderr)
			require.Equal(t, stats(t, m.ok("--json", "stats")), stats(t, other.ok("--json", "stats")))
		})
	}
}

// stats is `vestige --json stats` without the location, which names the database.
func stats(t *testing.T, out string) map[string]any {
	t.Helper()
	var v map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &v), out)
	delete(v, "location")
	return v
}

// TestMigrationRefusedThroughPgbouncer: tern's session advisory lock is not safe through a
// transaction pooler. Auto-migrate on open and `vestige schema up` refuse there, naming
// migrate_url; with migrate_url (a direct connection) the same setup migrates and works.
func TestMigrationRefusedThroughPgbouncer(t *testing.T) {
	direct := testdb.Empty(t)
	pooled := viaBouncer(t, direct)

	m := newMachine(t, pooled, "simple_protocol")
	for _, args := range [][]string{{"stats"}, {"schema", "up"}} {
		r := m.run("", args...)
		require.NotEqual(t, 0, r.code, "vestige %v through pgbouncer: %s", args, r.stdout)
		require.Contains(t, r.stderr, "migrate_url", args)
		require.Contains(t, r.stderr, "pooler", args)
	}
	conn := testdb.Conn(t, direct)
	var tables int
	require.NoError(t, conn.QueryRow(context.Background(),
		`SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&tables))
	require.Zero(t, tables, "nothing was half migrated")

	m = newMachine(t, pooled, "simple_protocol", fmt.Sprintf("migrate_url = %q", direct))
	require.Contains(t, m.ok("stats"), "memories")
	m.ok("add", "migrated over the direct URL, used through the pooler")
	require.Contains(t, m.ok("schema", "status"), "current")
}

// TestDirectConnectionIsNotAPooler: the detection does not refuse a direct connection.
func TestDirectConnectionIsNotAPooler(t *testing.T) {
	m := newMachine(t, testdb.Empty(t), "simple_protocol")
	require.Contains(t, m.ok("stats"), "memories")
}

// TestSchemaStatusThroughPgbouncer: the schema commands connect with the configured exec
// mode, so `schema status` (read-only) runs through the pooler as often as asked (it failed
// with 42P05 on the second run while they prepared named statements regardless).
func TestSchemaStatusThroughPgbouncer(t *testing.T) {
	direct := testdb.New(t)
	m := newMachine(t, viaBouncer(t, direct), "simple_protocol")
	for range 3 {
		require.Contains(t, m.ok("schema", "status"), "functions: current")
	}
}
