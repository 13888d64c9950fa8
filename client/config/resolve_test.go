package config

import (
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestResolvePrecedence(t *testing.T) {
	const (
		fileURL = "postgres://file@h/db"
		envURL  = "postgres://env@h/db"
		flagURL = "postgres://flag@h/db"
	)
	sqliteFile := "[storage]\nbackend = \"sqlite\"\n[storage.sqlite]\npath = \"/file.db\"\n"
	pgFile := "[storage]\nbackend = \"postgres\"\n[storage.postgres]\nurl = \"" + fileURL + "\"\nmax_connections = 25\nauto_migrate = false\n"
	pgSettingsOnly := "[storage]\nbackend = \"postgres\"\n[storage.postgres]\nmax_connections = 7\n"

	cases := []struct {
		name        string
		file        string // written to the default location; "" for none
		env         map[string]string
		flag        string
		wantBackend string
		wantURL     string
		wantPath    string
		wantMax     int
		wantMigrate bool
	}{
		{name: "defaults", wantBackend: BackendSQLite, wantPath: "HOME/.vestige/vestige.db"},
		{name: "file over defaults", file: sqliteFile, wantBackend: BackendSQLite, wantPath: "/file.db"},
		{name: "file postgres", file: pgFile, wantBackend: BackendPostgres, wantURL: fileURL, wantMax: 25},
		{
			name: "env url over sqlite file", file: sqliteFile, env: map[string]string{EnvPostgresURL: envURL},
			wantBackend: BackendPostgres, wantURL: envURL, wantMax: 10, wantMigrate: true,
		},
		{
			name: "env url keeps file pool settings", file: pgFile, env: map[string]string{EnvPostgresURL: envURL},
			wantBackend: BackendPostgres, wantURL: envURL, wantMax: 25,
		},
		{
			name: "env url completes a file without url", file: pgSettingsOnly, env: map[string]string{EnvPostgresURL: envURL},
			wantBackend: BackendPostgres, wantURL: envURL, wantMax: 7, wantMigrate: true,
		},
		{
			name: "flag over env over file", file: pgFile, env: map[string]string{EnvPostgresURL: envURL}, flag: flagURL,
			wantBackend: BackendPostgres, wantURL: flagURL, wantMax: 25,
		},
		{
			name: "flag alone", flag: flagURL,
			wantBackend: BackendPostgres, wantURL: flagURL, wantMax: 10, wantMigrate: true,
		},
		{
			name: "empty env var is unset", file: sqliteFile, env: map[string]string{EnvPostgresURL: ""},
			wantBackend: BackendSQLite, wantPath: "/file.db",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			home := t.TempDir()
			wantUsed := ""
			if c.file != "" {
				wantUsed = writeFile(t, home, ".vestige/vestige.toml", c.file)
			}
			cfg, used, err := Resolve(ResolveOptions{PostgresURL: c.flag, Getenv: envMap(c.env), Home: home})
			require.NoError(t, err)
			require.Equal(t, wantUsed, used)
			require.Equal(t, c.wantBackend, cfg.Storage.Backend)
			if c.wantBackend == BackendPostgres {
				require.NotNil(t, cfg.Storage.Postgres)
				require.Equal(t, c.wantURL, cfg.Storage.Postgres.URL)
				require.Equal(t, c.wantMax, cfg.Storage.Postgres.MaxConnections)
				require.Equal(t, c.wantMigrate, cfg.Storage.Postgres.AutoMigrate)
			} else {
				want := c.wantPath
				if want == "HOME/.vestige/vestige.db" {
					want = filepath.Join(home, ".vestige", "vestige.db")
				}
				require.Equal(t, want, cfg.Storage.SQLite.Path)
			}
		})
	}
}

func TestResolveFileChoice(t *testing.T) {
	home := t.TempDir()
	other := t.TempDir()
	defaultFile := writeFile(t, home, ".vestige/vestige.toml", "[storage.sqlite]\npath = \"/default.db\"\n")
	envFile := writeFile(t, other, "env.toml", "[storage.sqlite]\npath = \"/env.db\"\n")
	flagFile := writeFile(t, other, "flag.toml", "[storage.sqlite]\npath = \"/flag.db\"\n")
	tildeFile := writeFile(t, home, "cfg/tilde.toml", "[storage.sqlite]\npath = \"/tilde.db\"\n")

	cases := []struct {
		name             string
		flag             string
		env              map[string]string
		wantUsed, wantDB string
	}{
		{"default file", "", nil, defaultFile, "/default.db"},
		{"VESTIGE_CONFIG picks the file", "", map[string]string{EnvConfig: envFile}, envFile, "/env.db"},
		{"--config over VESTIGE_CONFIG", flagFile, map[string]string{EnvConfig: envFile}, flagFile, "/flag.db"},
		{"~ in VESTIGE_CONFIG", "", map[string]string{EnvConfig: "~/cfg/tilde.toml"}, tildeFile, "/tilde.db"},
		{"~ in --config", "~/cfg/tilde.toml", nil, tildeFile, "/tilde.db"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, used, err := Resolve(ResolveOptions{ConfigPath: c.flag, Getenv: envMap(c.env), Home: home})
			require.NoError(t, err)
			require.Equal(t, c.wantUsed, used)
			require.Equal(t, c.wantDB, cfg.Storage.SQLite.Path)
		})
	}
}

func TestResolveMissingFiles(t *testing.T) {
	home := t.TempDir()
	missing := filepath.Join(home, "nope.toml")

	t.Run("missing default file gives defaults", func(t *testing.T) {
		cfg, used, err := Resolve(ResolveOptions{Home: home})
		require.NoError(t, err)
		require.Empty(t, used)
		require.Equal(t, Default(home), cfg)
	})
	t.Run("nil Getenv is an empty environment", func(t *testing.T) {
		_, _, err := Resolve(ResolveOptions{Home: home, Getenv: nil})
		require.NoError(t, err)
	})
	t.Run("missing --config file", func(t *testing.T) {
		_, _, err := Resolve(ResolveOptions{ConfigPath: missing, Home: home})
		require.ErrorIs(t, err, fs.ErrNotExist)
		require.NotErrorIs(t, err, ErrInvalid)
		require.Contains(t, err.Error(), "--config")
		require.Contains(t, err.Error(), missing)
	})
	t.Run("missing VESTIGE_CONFIG file", func(t *testing.T) {
		_, _, err := Resolve(ResolveOptions{Getenv: envMap(map[string]string{EnvConfig: missing}), Home: home})
		require.ErrorIs(t, err, fs.ErrNotExist)
		require.Contains(t, err.Error(), "$VESTIGE_CONFIG")
	})
	t.Run("unreadable default file is an error", func(t *testing.T) {
		h := t.TempDir()
		writeFile(t, h, ".vestige/vestige.toml/inside", "") // a directory where the file should be
		_, _, err := Resolve(ResolveOptions{Home: h})
		require.Error(t, err)
	})
	t.Run("no home and no file", func(t *testing.T) {
		_, _, err := Resolve(ResolveOptions{})
		require.ErrorIs(t, err, ErrInvalid)
		require.Equal(t, []string{"storage.sqlite.path"}, fieldKeys(err))
	})
	t.Run("no home but a postgres flag", func(t *testing.T) {
		cfg, _, err := Resolve(ResolveOptions{PostgresURL: "postgres://h/db"})
		require.NoError(t, err)
		require.Equal(t, BackendPostgres, cfg.Storage.Backend)
	})
	t.Run("~ in --config with no home", func(t *testing.T) {
		_, _, err := Resolve(ResolveOptions{ConfigPath: "~/v.toml"})
		require.ErrorContains(t, err, "home directory is unknown")
	})
}

func TestResolveBadOverrides(t *testing.T) {
	home := t.TempDir()
	_, _, err := Resolve(ResolveOptions{Home: home, Getenv: envMap(map[string]string{EnvPostgresURL: "mysql://h/db"})})
	require.ErrorIs(t, err, ErrInvalid)
	require.Equal(t, []string{"$" + EnvPostgresURL}, fieldKeys(err))

	_, _, err = Resolve(ResolveOptions{Home: home, PostgresURL: "localhost"})
	require.Equal(t, []string{"--postgres-url"}, fieldKeys(err))

	// A file's own mistakes are reported even when the environment overrides the key.
	writeFile(t, home, ".vestige/vestige.toml", "[storage]\nbackend = \"mysql\"\n")
	_, _, err = Resolve(ResolveOptions{Home: home, PostgresURL: "postgres://h/db"})
	require.Equal(t, []string{"storage.backend"}, fieldKeys(err))
}
