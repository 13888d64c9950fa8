package cli_test

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/tests/testdb"
)

func writeConfig(t *testing.T, path, text string) string {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o700))
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	return path
}

func TestConfigFileSelectsTheBackend(t *testing.T) {
	t.Parallel()
	dbURL := testdb.New(t)
	e := sqliteEnv(t)

	// ~/.vestige/vestige.toml is read when nothing else names a file.
	writeConfig(t, filepath.Join(e.home, ".vestige", "vestige.toml"),
		"[storage]\nbackend = \"postgres\"\n[storage.postgres]\nurl = \""+dbURL+"\"\nmax_connections = 3\n")
	var st struct{ Backend string }
	e.okJSON(&st, "stats")
	require.Equal(t, "postgres", st.Backend)
	id := e.add("stored in postgres")

	// --config names another file: a SQLite store with a relative path, taken relative to
	// the file.
	other := writeConfig(t, filepath.Join(e.home, "conf", "lite.toml"),
		"[storage]\nbackend = \"sqlite\"\n[storage.sqlite]\npath = \"data/mem.db\"\n")
	e.okJSON(&st, "--config", other, "stats")
	require.Equal(t, "sqlite", st.Backend)
	e.add("stored in sqlite", "--config", other)
	require.FileExists(t, filepath.Join(e.home, "conf", "data", "mem.db"))
	e.fails(1, []string{"get", id, "--config", other}, "not found")

	// VESTIGE_CONFIG does the same; --config wins over it.
	e.vars["VESTIGE_CONFIG"] = other
	e.okJSON(&st, "stats")
	require.Equal(t, "sqlite", st.Backend)
	e.okJSON(&st, "stats", "--config", filepath.Join(e.home, ".vestige", "vestige.toml"))
	require.Equal(t, "postgres", st.Backend)

	// VESTIGE_POSTGRES_URL and then --postgres-url override the file's backend.
	e.vars["VESTIGE_POSTGRES_URL"] = dbURL
	e.okJSON(&st, "stats")
	require.Equal(t, "postgres", st.Backend)
	require.Contains(t, e.ok("get", id), "stored in postgres")
	delete(e.vars, "VESTIGE_POSTGRES_URL")
	e.okJSON(&st, "--postgres-url", dbURL, "stats")
	require.Equal(t, "postgres", st.Backend)
}

func TestBadConfigGivesOneClearLine(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t)
	cases := []struct {
		name, text string
		want       []string
	}{
		{"syntax", "[storage\nbackend = 1\n", []string{"bad.toml:2", "end table name"}},
		{"unknown key", "[storage]\nbackend = \"sqlite\"\ncolour = \"red\"\n", []string{"storage.colour is not a known key", "[storage] accepts: backend"}},
		{"two problems", "[storage]\nbackend = \"mysql\"\n[embeddings]\nmodle = \"x\"\n", []string{"storage.backend is \"mysql\"", "embeddings.modle is not a known key"}},
		{"postgres without its table", "[storage]\nbackend = \"postgres\"\n", []string{"storage.postgres is missing", "VESTIGE_POSTGRES_URL"}},
		{"empty url", "[storage]\nbackend = \"postgres\"\n[storage.postgres]\nurl = \"\"\n", []string{"storage.postgres.url is empty"}},
		{"wrong type", "[storage.postgres]\nurl = \"postgres://h/db\"\nmax_connections = \"many\"\n", []string{"max_connections"}},
	}
	for _, c := range cases {
		path := writeConfig(t, filepath.Join(e.home, "bad.toml"), c.text)
		for _, args := range [][]string{{"stats", "--config", path}, {"add", "x", "--config", path}, {"schema", "status", "--config", path}} {
			e.fails(1, args, c.want...)
		}
		e.vars["VESTIGE_CONFIG"] = path
		e.fails(1, []string{"search", "x"}, c.want...)
		delete(e.vars, "VESTIGE_CONFIG")
	}
	e.fails(1, []string{"stats", "--config", filepath.Join(e.home, "nope.toml")}, "config file named by --config", "no such file")
	require.NoDirExists(t, filepath.Join(e.home, ".vestige"), "a bad config opens no store")
}

func TestUnreachablePostgresNeverPrintsThePassword(t *testing.T) {
	t.Parallel()
	const pw = "s3cr3t-Pa55"
	unreachable := "postgres://bob:" + pw + "@127.0.0.1:1/vestige"
	good, err := url.Parse(testdb.URL(t))
	require.NoError(t, err)
	good.User = url.UserPassword("no_such_role", pw)
	e := sqliteEnv(t)
	commands := [][]string{{"add", "x"}, {"get", "0190a1b2-0000-7000-8000-00000000000a"}, {"search", "x"},
		{"stats"}, {"health"}, {"export"}, {"import", "-"}, {"schema", "status"}, {"schema", "up"}, {"domains"}}
	for _, u := range []string{unreachable, good.String(), "host=127.0.0.1 port=1 user=bob password=" + pw} {
		for _, args := range commands {
			e.vars["VESTIGE_POSTGRES_URL"] = u
			line := e.fails(1, args)
			require.NotContains(t, line, pw)
			require.True(t, strings.Contains(line, "connect") || strings.Contains(line, "authentication") ||
				strings.Contains(line, "no_such_role"), line)
			delete(e.vars, "VESTIGE_POSTGRES_URL")
			line = e.fails(1, append([]string{"--postgres-url", u}, args...))
			require.NotContains(t, line, pw)
		}
	}
	file := writeConfig(t, filepath.Join(e.home, "pg.toml"), "[storage]\nbackend = \"postgres\"\n[storage.postgres]\nurl = \""+unreachable+"\"\n")
	line := e.fails(1, []string{"stats", "--config", file}, "connection refused")
	require.NotContains(t, line, pw)
	line = e.fails(1, []string{"stats", "--postgres-url", "mysql://bob:" + pw + "@h/db"}, "--postgres-url")
	require.NotContains(t, line, pw)
}

func TestUsageErrorsExitWithTwo(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t)
	e.fails(2, []string{"remember", "x"}, "unexpected argument remember")
	e.fails(2, []string{"add", "x", "--colour", "red"}, "unknown flag --colour")
	e.fails(2, []string{}, "expected one of")
	e.fails(2, []string{"link", "x", "y"}, `source "x" is not a memory id`)
	require.NoDirExists(t, filepath.Join(e.home, ".vestige"), "a usage error opens no store")
}
