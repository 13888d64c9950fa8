package config

import (
	"bytes"
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReadAndMigrateURLs(t *testing.T) {
	base := "[storage]\nbackend = \"postgres\"\n[storage.postgres]\nurl = \"postgres://app:pw1@pooler:6432/v\"\n"
	cases := []struct {
		name    string
		text    string
		reads   []string
		migrate string
		errKeys []string
	}{
		{"none", base, nil, "", nil},
		{"one string", base + `read_url = "postgres://ro:pw2@standby/v"` + "\n",
			[]string{"postgres://ro:pw2@standby/v"}, "", nil},
		{"a list", base + `read_url = ["postgres://a/v", "postgres://b/v"]` + "\n",
			[]string{"postgres://a/v", "postgres://b/v"}, "", nil},
		{"migrate", base + `migrate_url = "postgres://owner:pw3@primary:5432/v"` + "\n",
			nil, "postgres://owner:pw3@primary:5432/v", nil},
		{"bad read", base + `read_url = "mysql://x"` + "\n", nil, "", []string{"storage.postgres.read_url"}},
		{"empty in list", base + `read_url = ["postgres://a/v", ""]` + "\n", nil, "", []string{"storage.postgres.read_url[1]"}},
		{"bad migrate", base + `migrate_url = "http://x"` + "\n", nil, "", []string{"storage.postgres.migrate_url"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, _, err := resolveText(t, c.text)
			if c.errKeys != nil {
				require.Error(t, err)
				require.Equal(t, c.errKeys, fieldKeys(err))
				return
			}
			require.NoError(t, err)
			p := cfg.Storage.Postgres
			require.Equal(t, c.reads, []string(p.ReadURL))
			require.Equal(t, c.migrate, p.MigrateURL)
			if c.migrate == "" {
				require.Equal(t, p.URL, p.MigrationURL())
			} else {
				require.Equal(t, c.migrate, p.MigrationURL())
			}
		})
	}
	t.Run("not a string", func(t *testing.T) {
		_, _, err := resolveText(t, base+"read_url = 3\n")
		require.ErrorContains(t, err, "read_url")
	})
}

func TestSideURLsFromEnvironment(t *testing.T) {
	dir := t.TempDir()
	env := envMap(map[string]string{
		EnvPostgresURL:        "postgres://app@pooler:6432/v",
		EnvPostgresReadURL:    "postgres://ro:secret@standby/v",
		EnvPostgresMigrateURL: "postgres://owner:secret@primary/v",
	})
	cfg, _, err := Resolve(ResolveOptions{Getenv: env, Home: filepath.Join(dir, "home")})
	require.NoError(t, err)
	require.Equal(t, []string{"postgres://ro:secret@standby/v"}, []string(cfg.Storage.Postgres.ReadURL))
	require.Equal(t, "postgres://owner:secret@primary/v", cfg.Storage.Postgres.MigrateURL)

	// Without a primary URL they mean nothing: say so rather than ignore them.
	_, _, err = Resolve(ResolveOptions{Getenv: envMap(map[string]string{EnvPostgresReadURL: "postgres://standby/v"}),
		Home: filepath.Join(dir, "home")})
	require.Equal(t, []string{"$" + EnvPostgresReadURL}, fieldKeys(err))
}

func TestSideURLsNeverPrintPasswords(t *testing.T) {
	p := DefaultPostgres("postgres://app:pw1@pooler/v")
	p.ReadURL = URLList{"postgres://ro:pw2@standby/v", "postgres://ro:pw3@standby2/v"}
	p.MigrateURL = "postgres://owner:pw4@primary/v"
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("cfg", "pg", p)
	for _, out := range []string{fmt.Sprint(p), fmt.Sprintf("%+v", p), fmt.Sprintf("%#v", p), logged.String(),
		fmt.Sprint(p.Redacted().ReadURL), p.Redacted().MigrateURL} {
		for _, pw := range []string{"pw1", "pw2", "pw3", "pw4"} {
			require.NotContains(t, out, pw)
		}
	}
	require.Contains(t, fmt.Sprint(p), "standby2")
}
