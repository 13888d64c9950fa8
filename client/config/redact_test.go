package config

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRedactURL(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", ""},
		{"postgres://u:pw@h:5432/db", "postgres://u:xxxxx@h:5432/db"},
		{"postgresql://u:pw@h/db?sslmode=require", "postgresql://u:xxxxx@h/db?sslmode=require"},
		{"postgres://u@h/db", "postgres://u@h/db"},
		{"postgres://h/db", "postgres://h/db"},
		{"postgres://:pw@h/db", "postgres://:xxxxx@h/db"},
		{"postgres://u:p%40ss@h/db", "postgres://u:xxxxx@h/db"},
		{"postgres://u:p@ss@h/db", "postgres://u:xxxxx@h/db"},
		{"postgres://u:pa/ss@h/db", "postgres://u:xxxxx@h/db"},
		{"postgres://u:pa#ss@h/db", "postgres://u:xxxxx@h/db"},
		{"postgres://u:pa?ss@h/db", "postgres://u:xxxxx@h/db"},
		{"postgres://u:pw@h1:5432,h2:5433/db", "postgres://u:xxxxx@h1:5432,h2:5433/db"},
		{"postgres://h/db?sslmode=require&password=pw", "postgres://h/db?sslmode=require&password=xxxxx"},
		{"postgres://h/db?PASSWORD=pw&sslmode=require", "postgres://h/db?PASSWORD=xxxxx&sslmode=require"},
		{"postgres://h/db?password=p&w&sslmode=require", "postgres://h/db?password=xxxxx&sslmode=require"},
		{"postgres://u:pw@h/db?password=pw2", "postgres://u:xxxxx@h/db?password=xxxxx"},
		{"https://key:sk-1@api.example/v1", "https://key:xxxxx@api.example/v1"},
		{"host=h user=u password=pw dbname=d", "host=h user=u password=xxxxx dbname=d"},
		{"password=pw", "password=xxxxx"},
		{"host=h sslpassword=pw", "host=h sslpassword=xxxxx"},
		{"host=h mysslpassword=pw", "host=h mysslpassword=pw"},
		{"postgres://h/db?sslpassword=pw&x=1", "postgres://h/db?sslpassword=xxxxx&x=1"},
		{"postgres://h/db?pass%77ord=pw", "postgres://h/db?pass%77ord=xxxxx"},
		{"host=h PassWord = pw", "host=h PassWord = xxxxx"},
		{`host=h password='p w\'x' dbname=d`, "host=h password=xxxxx dbname=d"},
		{"host=h password='unterminated and more", "host=h password=xxxxx"},
		{"host=h password=a&b dbname=d", "host=h password=xxxxx dbname=d"},
		{`host=h password=s3cr3t\ pw dbname=d`, "host=h password=xxxxx dbname=d"},
		{`host=h password=trailing\`, "host=h password=xxxxx"},
		{"host=h passfile=/x/.pgpass", "host=h passfile=/x/.pgpass"},
		{"postgres:/u:pw@h/db", "postgres:xxxxx@h/db"},
		{"u:pw@h", "u:xxxxx@h"},
		{"localhost", "localhost"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			require.Equal(t, c.want, RedactURL(c.in))
		})
	}
}

// TestErrorsNeverContainPassword drives every path that puts a value from the file, the
// environment or a flag into an error.
func TestErrorsNeverContainPassword(t *testing.T) {
	const pw = "Hunter2Secret"
	// Rejected here, so they reach an error message.
	urls := []string{
		"mysql://u:" + pw + "@h/db",
		"postgres:/u:" + pw + "@h/db",
		"postgresql//u:" + pw + "@h/db",
		pw,
		"u:" + pw + "@h",
	}
	// Left to the driver (its parser is libpq's, not net/url's), but still printed by
	// String when something else is wrong.
	driverURLs := []string{
		"postgres://u:" + pw + "@h:notaport/db",
		"postgres://u:" + pw + "/x@h/db",
		"postgres://u:%zz" + pw + "@h/db",
		"host=h password=" + pw,
		"host=h password='" + pw,
		"host=h sslpassword=" + pw,
	}
	files := map[string]string{
		"bare url value":      "[storage.postgres]\nurl = postgres://u:" + pw + "@h/db\n",
		"unterminated string": "[storage.postgres]\nurl = \"postgres://u:" + pw + "@h/db\n",
		"bad escape":          "[storage.postgres]\nurl = \"postgres://u:" + pw + "\\q@h/db\"\n",
		"trailing junk":       "[storage.postgres]\nurl = 'postgres://u:" + pw + "@h/db' junk\n",
		"url in backend":      "[storage]\nbackend = \"postgres://u:" + pw + "@h/db\"\n",
		"url in exec_mode":    "[storage.postgres]\nurl = \"postgres://h/db\"\nexec_mode = \"postgres://u:" + pw + "@h/db\"\n",
		"url in provider":     "[embeddings]\nprovider = \"https://u:" + pw + "@h\"\n",
		"url as a table":      "[storage]\npostgres = \"postgres://u:" + pw + "@h/db\"\n",
		"password as key":     "[storage.postgres]\npassword = \"" + pw + "\"\n",
	}
	for i, u := range urls {
		files[fmt.Sprintf("url %d in file", i)] = fmt.Sprintf("[storage]\nbackend = \"postgres\"\n[storage.postgres]\nurl = %q\n", u)
	}

	for name, text := range files {
		t.Run(name, func(t *testing.T) {
			_, _, err := resolveText(t, text)
			require.Error(t, err)
			require.NotContains(t, err.Error(), pw)
		})
	}
	for i, u := range urls {
		t.Run(fmt.Sprintf("url %d from env and flag", i), func(t *testing.T) {
			home := t.TempDir()
			_, _, err := Resolve(ResolveOptions{Home: home, Getenv: envMap(map[string]string{EnvPostgresURL: u})})
			require.Error(t, err)
			require.NotContains(t, err.Error(), pw)
			_, _, err = Resolve(ResolveOptions{Home: home, PostgresURL: u})
			require.Error(t, err)
			require.NotContains(t, err.Error(), pw)
		})
	}
	for i, u := range driverURLs {
		t.Run(fmt.Sprintf("driver url %d", i), func(t *testing.T) {
			cfg, _, err := resolveText(t, fmt.Sprintf("[storage]\nbackend = \"postgres\"\n[storage.postgres]\nurl = %q\n", u))
			require.NoError(t, err)
			require.NotContains(t, cfg.Storage.Postgres.String(), pw)
			require.NotContains(t, fmt.Sprintf("%+v", cfg), pw)
		})
	}
	t.Run("Load", func(t *testing.T) {
		path := writeFile(t, t.TempDir(), "v.toml", files["url 0 in file"])
		_, err := Load(filepath.Clean(path))
		require.Error(t, err)
		require.NotContains(t, err.Error(), pw)
	})
}
