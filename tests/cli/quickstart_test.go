package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The README's quick start on a fresh machine: an empty home, no config file, no server.
func TestQuickStartOnAFreshMachine(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t)
	entries, err := os.ReadDir(e.home)
	require.NoError(t, err)
	require.Empty(t, entries, "the home starts empty")

	e.add("The deploy pipeline runs on GitHub Actions and pushes images to the registry")
	tea := e.add("Alice prefers green tea over coffee in the morning")
	pool := e.add("The Postgres connection pool is limited to 10 connections in production")
	e.add("Our on-call rotation changes every Monday at 9am")

	for query, want := range map[string]string{
		"how many connections can the postgres pool hold?": pool,
		"what does Alice drink":                            tea,
	} {
		out := e.ok("search", query)
		rows := lines(out)
		require.GreaterOrEqual(t, len(rows), 2, out)
		require.Contains(t, rows[0], "CONTENT", "a header first")
		require.Contains(t, rows[1], want, "the right memory first for %q:\n%s", query, out)
	}
	info, err := os.Stat(filepath.Join(e.home, ".vestige", "vestige.db"))
	require.NoError(t, err, "the default store is ~/.vestige/vestige.db")
	require.True(t, info.Mode().IsRegular())
	dir, err := os.Stat(filepath.Join(e.home, ".vestige"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o700), dir.Mode().Perm(), "memories are private")
	require.NoFileExists(t, filepath.Join(e.home, ".vestige", "vestige.toml"), "no config file is written")
}

func TestHelp(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t)
	out := e.ok("--help")
	for _, cmd := range []string{"add", "get", "update", "delete", "search", "link", "unlink", "edges",
		"neighbors", "domains", "classify", "due", "stats", "health", "vacuum", "export", "import", "schema"} {
		require.Contains(t, out, "  "+cmd, "help lists %s", cmd)
	}
	out = e.ok("search", "--help")
	for _, flag := range []string{"--mode", "-k", "--domain", "--type", "--tag", "--min-retrievability", "--json", "--config"} {
		require.True(t, strings.Contains(out, flag), "search --help names %s", flag)
	}
	require.NoDirExists(t, filepath.Join(e.home, ".vestige"), "help touches no store")
}
