package config

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	type tc struct {
		name    string
		text    string
		check   func(t *testing.T, cfg Config, dir string)
		wantKey []string // keys of the FieldErrors, in order; nil means success
		wantMsg []string // substrings of the error text
	}
	cases := []tc{
		// The plan's pg_config_parsing cases.
		{
			name: "sqlite and hash",
			text: `
[storage]
backend = "sqlite"
[storage.sqlite]
path = "/data/vestige.db"
[embeddings]
provider = "hash"
model = "hash-384"
`,
			check: func(t *testing.T, cfg Config, _ string) {
				require.Equal(t, BackendSQLite, cfg.Storage.Backend)
				require.Equal(t, "/data/vestige.db", cfg.Storage.SQLite.Path)
				require.Nil(t, cfg.Storage.Postgres)
				require.Equal(t, Embeddings{Provider: "hash", Model: "hash-384", BatchSize: 32, TimeoutSecs: 60}, cfg.Embeddings)
			},
		},
		{
			name: "postgres with default pool",
			text: `
[storage]
backend = "postgres"
[storage.postgres]
url = "postgres://vestige@localhost/vestige"
[embeddings]
provider = "hash"
`,
			check: func(t *testing.T, cfg Config, _ string) {
				require.Equal(t, BackendPostgres, cfg.Storage.Backend)
				require.Equal(t, &Postgres{
					URL:                "postgres://vestige@localhost/vestige",
					MaxConnections:     10,
					AcquireTimeoutSecs: 30,
					AutoMigrate:        true,
					ExecMode:           ExecModeCacheStatement,
				}, cfg.Storage.Postgres)
				require.Equal(t, "hash-384", cfg.Embeddings.Model)
			},
		},
		{
			name: "postgres with custom pool",
			text: `
[storage]
backend = "postgres"
[storage.postgres]
url = "postgres://vestige@localhost/vestige"
max_connections = 25
acquire_timeout_secs = 60
`,
			check: func(t *testing.T, cfg Config, _ string) {
				require.Equal(t, 25, cfg.Storage.Postgres.MaxConnections)
				require.Equal(t, 60, cfg.Storage.Postgres.AcquireTimeoutSecs)
				require.Equal(t, "1m0s", cfg.Storage.Postgres.AcquireTimeout().String())
			},
		},
		{
			name:    "unknown backend",
			text:    "[storage]\nbackend = \"mysql\"\n",
			wantKey: []string{"storage.backend"},
			wantMsg: []string{`storage.backend is "mysql"; allowed values: "sqlite", "postgres"`},
		},
		{
			name:    "postgres backend without its table",
			text:    "[storage]\nbackend = \"postgres\"\n",
			wantKey: []string{"storage.postgres"},
			wantMsg: []string{"storage.postgres is missing", "VESTIGE_POSTGRES_URL"},
		},
		{
			name:    "empty url",
			text:    "[storage]\nbackend = \"postgres\"\n[storage.postgres]\nurl = \"\"\n",
			wantKey: []string{"storage.postgres.url"},
			wantMsg: []string{"storage.postgres.url is empty"},
		},

		// Beyond the plan.
		{
			name: "empty file is the defaults",
			text: "",
			check: func(t *testing.T, cfg Config, dir string) {
				require.Equal(t, Default(filepath.Join(dir, "home")), cfg)
			},
		},
		{
			name: "sqlite table may be omitted",
			text: "[storage]\nbackend = \"sqlite\"\n",
			check: func(t *testing.T, cfg Config, dir string) {
				require.Equal(t, filepath.Join(dir, "home", ".vestige", "vestige.db"), cfg.Storage.SQLite.Path)
			},
		},
		{
			name: "auto_migrate off and simple protocol",
			text: `
[storage]
backend = "postgres"
[storage.postgres]
url = "host=db user=vestige"
auto_migrate = false
exec_mode = "simple_protocol"
`,
			check: func(t *testing.T, cfg Config, _ string) {
				require.False(t, cfg.Storage.Postgres.AutoMigrate)
				require.Equal(t, ExecModeSimpleProtocol, cfg.Storage.Postgres.ExecMode)
			},
		},
		{
			name: "postgres table kept while backend is sqlite",
			text: "[storage.postgres]\nmax_connections = 4\n",
			check: func(t *testing.T, cfg Config, _ string) {
				require.Equal(t, BackendSQLite, cfg.Storage.Backend)
				require.Equal(t, 4, cfg.Storage.Postgres.MaxConnections)
				require.Equal(t, 30, cfg.Storage.Postgres.AcquireTimeoutSecs)
			},
		},
		{
			name: "http provider fields parse",
			text: "[embeddings]\nbase_url = \"http://localhost:11434\"\napi_key_env = \"OPENAI_API_KEY\"\n",
			check: func(t *testing.T, cfg Config, _ string) {
				require.Equal(t, "http://localhost:11434", cfg.Embeddings.BaseURL)
				require.Equal(t, "OPENAI_API_KEY", cfg.Embeddings.APIKeyEnv)
			},
		},
		{
			name:    "unknown top-level table reported once",
			text:    "[server]\nport = 8080\n[server.tls]\ncert = \"x\"\n",
			wantKey: []string{"server"},
			wantMsg: []string{"server is not a known key; top-level tables: storage, embeddings"},
		},
		{
			name:    "unknown top-level key",
			text:    "backend = \"sqlite\"\n",
			wantKey: []string{"backend"},
		},
		{
			name:    "unknown nested key",
			text:    "[storage]\nbackend = \"postgres\"\n[storage.postgres]\nurl = \"postgres://h/db\"\nmax_conns = 5\n",
			wantKey: []string{"storage.postgres.max_conns"},
			wantMsg: []string{
				"storage.postgres.max_conns is not a known key",
				"[storage.postgres] accepts: url, max_connections, acquire_timeout_secs, auto_migrate, exec_mode",
			},
		},
		{
			name:    "every unknown key at once",
			text:    "[storage]\nbakend = \"sqlite\"\n[storage.sqlite]\npth = \"x\"\n[embedings]\nmodel = \"m\"\n",
			wantKey: []string{"storage.bakend", "storage.sqlite.pth", "embedings"},
		},
		{
			name:    "unknown key inside an inline table",
			text:    "[storage]\nsqlite = { path = \"/x.db\", mode = \"wal\" }\n",
			wantKey: []string{"storage.sqlite.mode"},
		},
		{
			name:    "wrong type names key and line",
			text:    "[storage.postgres]\nurl = \"postgres://h/db\"\nmax_connections = \"ten\"\n",
			wantKey: []string{"storage.postgres.max_connections"},
			wantMsg: []string{"vestige.toml:3: storage.postgres.max_connections has the wrong type"},
		},
		{
			name:    "max_connections below one",
			text:    "[storage]\nbackend = \"postgres\"\n[storage.postgres]\nurl = \"postgres://h/db\"\nmax_connections = 0\n",
			wantKey: []string{"storage.postgres.max_connections"},
			wantMsg: []string{"storage.postgres.max_connections must be at least 1 (got 0)"},
		},
		{
			name:    "acquire_timeout_secs below one",
			text:    "[storage]\nbackend = \"postgres\"\n[storage.postgres]\nurl = \"postgres://h/db\"\nacquire_timeout_secs = -5\n",
			wantKey: []string{"storage.postgres.acquire_timeout_secs"},
			wantMsg: []string{"must be at least 1 (got -5)"},
		},
		{
			name:    "bad exec_mode",
			text:    "[storage.postgres]\nurl = \"postgres://h/db\"\nexec_mode = \"pgbouncer\"\n",
			wantKey: []string{"storage.postgres.exec_mode"},
			wantMsg: []string{`storage.postgres.exec_mode is "pgbouncer"; allowed values: "cache_statement"`, `"simple_protocol"`},
		},
		{
			name:    "unknown provider",
			text:    "[embeddings]\nprovider = \"fastembed\"\n",
			wantKey: []string{"embeddings.provider", "embeddings.model"},
			wantMsg: []string{`embeddings.provider is "fastembed"; allowed values: "hash"`},
		},
		{
			name:    "empty model",
			text:    "[embeddings]\nmodel = \"\"\n",
			wantKey: []string{"embeddings.model"},
		},
		{
			name:    "wrong url scheme",
			text:    "[storage]\nbackend = \"postgres\"\n[storage.postgres]\nurl = \"mysql://root@h/db\"\n",
			wantKey: []string{"storage.postgres.url"},
			wantMsg: []string{`has scheme "mysql"; want postgres:// or postgresql://`},
		},
		{
			name:    "url that is no connection string",
			text:    "[storage]\nbackend = \"postgres\"\n[storage.postgres]\nurl = \"localhost\"\n",
			wantKey: []string{"storage.postgres.url"},
			wantMsg: []string{"neither a postgres:// URL nor a keyword/value string"},
		},
		{
			name:    "several problems reported together",
			text:    "[storage]\nbackend = \"postgres\"\n[storage.postgres]\nurl = \"\"\nmax_connections = 0\n",
			wantKey: []string{"storage.postgres.url", "storage.postgres.max_connections"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := writeFile(t, dir, "vestige.toml", c.text)
			cfg, used, err := Resolve(ResolveOptions{ConfigPath: path, Home: filepath.Join(dir, "home")})
			if c.wantKey == nil {
				require.NoError(t, err)
				require.Equal(t, path, used)
				require.NoError(t, cfg.Validate())
				c.check(t, cfg, dir)
				return
			}
			require.Error(t, err)
			require.ErrorIs(t, err, ErrInvalid)
			var fe *FieldError
			require.ErrorAs(t, err, &fe)
			require.Equal(t, c.wantKey, fieldKeys(err))
			require.Contains(t, err.Error(), path, "the error names the file")
			for _, m := range c.wantMsg {
				require.Contains(t, err.Error(), m)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "v.toml", "[storage]\nbackend = \"postgres\"\n[storage.postgres]\nurl = \"postgres://h/db\"\nmax_connections = 25\n")
	cfg, err := Load(path)
	require.NoError(t, err)
	require.Equal(t, 25, cfg.Storage.Postgres.MaxConnections)
	require.Equal(t, 30, cfg.Storage.Postgres.AcquireTimeoutSecs)

	bad := writeFile(t, dir, "bad.toml", "[storage]\nbackend = \"mysql\"\n")
	_, err = Load(bad)
	require.ErrorIs(t, err, ErrInvalid)
	require.Equal(t, []string{"storage.backend"}, fieldKeys(err))

	incomplete := writeFile(t, dir, "incomplete.toml", "[storage]\nbackend = \"postgres\"\n")
	_, err = Load(incomplete)
	require.ErrorIs(t, err, ErrInvalid)
	require.Contains(t, err.Error(), incomplete+": storage.postgres is missing")

	_, err = Load(filepath.Join(dir, "absent.toml"))
	require.Error(t, err)
	require.NotErrorIs(t, err, ErrInvalid)
}

func TestMalformedTOML(t *testing.T) {
	cases := []struct {
		name, text, wantLoc string
	}{
		{"bare word as value", "[storage]\nbackend = sqlite\n", ":2"},
		{"missing value", "[storage]\n\nbackend =\n", ":3"},
		{"duplicate key", "[storage]\nbackend = \"sqlite\"\nbackend = \"sqlite\"\n", ":3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, path, err := resolveText(t, c.text)
			require.ErrorIs(t, err, ErrInvalid)
			require.Contains(t, err.Error(), path+c.wantLoc)
		})
	}
}

func TestPathExpansion(t *testing.T) {
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	cases := []struct {
		name, path, want string
	}{
		{"tilde", "~/data/v.db", filepath.Join(home, "data", "v.db")},
		{"absolute", "/srv/v.db", "/srv/v.db"},
		{"relative to the file", "data/v.db", filepath.Join(dir, "cfg", "data", "v.db")},
		{"tilde-user is not expanded", "~bob/v.db", filepath.Join(dir, "cfg", "~bob", "v.db")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeFile(t, dir, "cfg/vestige.toml", fmt.Sprintf("[storage.sqlite]\npath = %q\n", c.path))
			cfg, _, err := Resolve(ResolveOptions{ConfigPath: path, Home: home})
			require.NoError(t, err)
			require.Equal(t, c.want, cfg.Storage.SQLite.Path)
		})
	}

	t.Run("tilde with no home", func(t *testing.T) {
		path := writeFile(t, dir, "nohome.toml", "[storage.sqlite]\npath = \"~/v.db\"\n")
		_, _, err := Resolve(ResolveOptions{ConfigPath: path})
		require.ErrorIs(t, err, ErrInvalid)
		require.Equal(t, []string{"storage.sqlite.path"}, fieldKeys(err))
	})
}

func TestValidateBuiltInCode(t *testing.T) {
	require.NoError(t, Default("/home/u").Validate())

	cfg := Default("")
	require.Equal(t, []string{"storage.sqlite.path"}, fieldKeys(cfg.Validate()))

	cfg = Default("/home/u")
	cfg.Storage.Backend = BackendPostgres
	p := DefaultPostgres("postgres://h/db")
	p.ExecMode = "" // the zero value means the driver's default
	cfg.Storage.Postgres = &p
	require.NoError(t, cfg.Validate())

	cfg.Storage.Backend = ""
	require.Equal(t, []string{"storage.backend"}, fieldKeys(cfg.Validate()))
}

func TestPostgresNeverPrintsPassword(t *testing.T) {
	const secret = "S3cr3tPw"
	p := DefaultPostgres("postgres://vestige:" + secret + "@db.example:5432/vestige")
	cfg := Default("/home/u")
	cfg.Storage.Backend = BackendPostgres
	cfg.Storage.Postgres = &p
	cfg.Embeddings.BaseURL = "https://key:" + secret + "@api.example/v1"

	var logged, loggedJSON bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("open", "pg", p, "cfg", cfg)
	slog.New(slog.NewJSONHandler(&loggedJSON, nil)).Info("open", "pg", p, "cfg", cfg, "emb", cfg.Embeddings)
	outputs := map[string]string{
		"String":          p.String(),
		"%v":              fmt.Sprintf("%v", p),
		"%+v":             fmt.Sprintf("%+v", p),
		"%#v":             fmt.Sprintf("%#v", p),
		"%v of pointer":   fmt.Sprintf("%v", &p),
		"%+v of Config":   fmt.Sprintf("%+v", cfg),
		"%+v of Redacted": fmt.Sprintf("%+v", cfg.Redacted()),
		"Redacted URL":    cfg.Redacted().Storage.Postgres.URL,
		"Redacted base":   cfg.Redacted().Embeddings.BaseURL,
		"slog":            logged.String(),
		"slog JSON":       loggedJSON.String(),
		"%#v of Config":   fmt.Sprintf("%#v", cfg),
	}
	for name, out := range outputs {
		require.NotContains(t, out, secret, name)
	}
	require.Contains(t, p.String(), "postgres://vestige:xxxxx@db.example:5432/vestige")
	require.Contains(t, p.String(), "max_connections=10")
	require.Equal(t, "postgres://vestige:"+secret+"@db.example:5432/vestige", cfg.Storage.Postgres.URL,
		"Redacted works on a copy")
}

func TestFieldErrorMatching(t *testing.T) {
	err := fmt.Errorf("opening: %w", &FieldError{Key: "storage.postgres.url", Msg: "is empty"})
	require.ErrorIs(t, err, ErrInvalid)
	var fe *FieldError
	require.True(t, errors.As(err, &fe))
	require.Equal(t, "storage.postgres.url", fe.Key)
	require.Equal(t, "opening: storage.postgres.url is empty", err.Error())
}
