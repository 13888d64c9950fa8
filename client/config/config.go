// Package config reads vestige.toml and decides which store a process opens.
//
// Everything that can change the answer — the --config and --postgres-url flags, the
// VESTIGE_CONFIG and VESTIGE_POSTGRES_URL variables, the home directory — reaches [Resolve]
// through [ResolveOptions], so the decision is a pure function of its inputs and tests never
// touch the real environment.
//
// Two rules shape the errors: a mistake names the key that holds it (a typo in a key must
// not silently fall back to a default), and a database password is never part of an error,
// a String method or a log value ([RedactURL]).
//
// A relative [storage.sqlite] path is taken relative to the directory of the file that
// names it, so the same file opens the same database whatever the working directory.
package config

import (
	"fmt"
	"log/slog"
	"math"
	"path/filepath"
	"time"
)

// Backend names accepted in [storage] backend.
const (
	BackendSQLite   = "sqlite"
	BackendPostgres = "postgres"
)

// Query execution modes accepted in [storage.postgres] exec_mode. They are pgx's own names
// (pgx.QueryExecMode and its default_query_exec_mode connection parameter), so the mapping
// is one to one. The default caches prepared statements per connection; behind pgbouncer in
// transaction mode (before 1.21 or without max_prepared_statements) those statements end up
// on the wrong server connection, and simple_protocol or exec avoids them.
const (
	ExecModeCacheStatement = "cache_statement"
	ExecModeCacheDescribe  = "cache_describe"
	ExecModeDescribeExec   = "describe_exec"
	ExecModeExec           = "exec"
	ExecModeSimpleProtocol = "simple_protocol"
)

// Embedding providers accepted in [embeddings] provider.
const (
	// ProviderHash is the built-in feature-hashing embedder: no network and no weights, so a
	// fresh install works offline.
	ProviderHash = "hash"
	// ProviderOllama is an Ollama server (POST /api/embed).
	ProviderOllama = "ollama"
	// ProviderOpenAI is OpenAI or any server that speaks its POST /v1/embeddings.
	ProviderOpenAI = "openai"
)

// Defaults of the HTTP providers, chosen so that `provider = "ollama"` alone works against a
// stock Ollama on this machine once `ollama pull nomic-embed-text` has run.
const (
	DefaultOllamaURL   = "http://localhost:11434"
	DefaultOllamaModel = "nomic-embed-text"
	DefaultOpenAIURL   = "https://api.openai.com/v1"
	DefaultOpenAIModel = "text-embedding-3-small"
	// DefaultOpenAIKeyEnv is read only when base_url is OpenAI's own (left at its default):
	// a local OpenAI-compatible server usually wants no key.
	DefaultOpenAIKeyEnv = "OPENAI_API_KEY"
	// DefaultBatchSize texts go in one request: large enough to amortise a round trip,
	// small enough that one slow request does not hold a whole import.
	DefaultBatchSize   = 32
	DefaultTimeoutSecs = 60
	// MaxBatchSize is OpenAI's limit on inputs per request.
	MaxBatchSize = 2048
	// MaxDimensions is the registry's limit (vestige_ensure_embedding_model).
	MaxDimensions = 16000
)

// Environment variables read by [Resolve].
const (
	EnvConfig      = "VESTIGE_CONFIG"
	EnvPostgresURL = "VESTIGE_POSTGRES_URL"
	// EnvPostgresReadURL replaces [storage.postgres] read_url with one URL.
	EnvPostgresReadURL = "VESTIGE_POSTGRES_READ_URL"
	// EnvPostgresMigrateURL replaces [storage.postgres] migrate_url.
	EnvPostgresMigrateURL = "VESTIGE_POSTGRES_MIGRATE_URL"
)

// Defaults for keys a file may leave out.
const (
	DefaultMaxConnections     = 10
	DefaultAcquireTimeoutSecs = 30 // above a cold container's start-up time
	DefaultModel              = "hash-384"
)

// Config is the whole of vestige.toml after defaults, environment and flags are applied.
type Config struct {
	Storage    Storage    `toml:"storage"`
	Embeddings Embeddings `toml:"embeddings"`
}

// Storage selects the backend. Both sub-tables may be present so that switching backends
// (in the file, or with VESTIGE_POSTGRES_URL / --postgres-url) needs no other edit.
type Storage struct {
	Backend string `toml:"backend"`
	SQLite  SQLite `toml:"sqlite"`
	// Postgres is nil when [storage.postgres] is absent, which is an error only when the
	// backend is postgres and no URL arrives from the environment or a flag.
	Postgres *Postgres `toml:"postgres"`
}

// SQLite configures the embedded backend.
type SQLite struct {
	Path string `toml:"path"`
}

// Postgres configures the pool. URL may carry a password: print it only through
// [RedactURL], [Postgres.String] or [Postgres.Redacted].
type Postgres struct {
	URL                string `toml:"url"`
	MaxConnections     int    `toml:"max_connections"`
	AcquireTimeoutSecs int    `toml:"acquire_timeout_secs"`
	// AutoMigrate lets client.Open bring a schema that is behind up to date; production
	// roles that may not run DDL turn it off and migrate with `vestige schema up`.
	AutoMigrate bool   `toml:"auto_migrate"`
	ExecMode    string `toml:"exec_mode"`
	// ReadURL names hot standbys (one URL or a list) that take the reads: searches, gets,
	// due lists, stats, neighbors, edges, classify, export. Writes go to URL. Empty: URL
	// takes everything.
	ReadURL URLList `toml:"read_url"`
	// MigrateURL is a direct connection (never through a transaction pooler) for schema
	// migrations; empty means URL, which Open refuses to migrate through a pooler.
	MigrateURL string `toml:"migrate_url"`
}

// URLList is one URL or a list of them: read_url = "postgres://..." and read_url =
// ["postgres://a", "postgres://b"] both read.
type URLList []string

// UnmarshalTOML accepts a string or an array of strings.
func (l *URLList) UnmarshalTOML(v any) error {
	switch v := v.(type) {
	case string:
		*l = URLList{v}
		return nil
	case []any:
		out := make(URLList, 0, len(v))
		for i, e := range v {
			s, ok := e.(string)
			if !ok {
				return fmt.Errorf("element %d is a %T, not a string", i, e)
			}
			out = append(out, s)
		}
		*l = out
		return nil
	}
	return fmt.Errorf("is a %T; want a URL string or a list of them", v)
}

// MigrationURL is where schema migrations run: MigrateURL when set, else URL.
func (p Postgres) MigrationURL() string {
	if p.MigrateURL != "" {
		return p.MigrateURL
	}
	return p.URL
}

func redactAll(urls []string) []string {
	out := make([]string, len(urls))
	for i, u := range urls {
		out[i] = RedactURL(u)
	}
	return out
}

// Embeddings names the embedder; the other keys serve the HTTP providers (the hash
// embedder ignores them). APIKeyEnv holds the NAME of a variable, so that the key itself
// never sits in the file. docs/embeddings.md describes every key.
type Embeddings struct {
	Provider  string `toml:"provider"`
	Model     string `toml:"model"`
	BaseURL   string `toml:"base_url"`
	APIKeyEnv string `toml:"api_key_env"`
	// Dimensions asks a model that can shorten its vectors for this many; 0 takes the
	// model's own length.
	Dimensions int `toml:"dimensions"`
	// BatchSize is how many texts go in one request (1..2048; 0 in Go: the default, 32).
	BatchSize int `toml:"batch_size"`
	// TimeoutSecs bounds one request (0 in Go: the default, 60).
	TimeoutSecs int `toml:"timeout_secs"`
	// QueryPrefix is put before a search's text and DocumentPrefix before a memory's, for
	// models trained with such prefixes (nomic: "search_query: " / "search_document: ").
	QueryPrefix    string `toml:"query_prefix"`
	DocumentPrefix string `toml:"document_prefix"`
}

// Timeout converts TimeoutSecs, saturating instead of overflowing.
func (e Embeddings) Timeout() time.Duration {
	if e.TimeoutSecs > math.MaxInt64/int(time.Second) {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(e.TimeoutSecs) * time.Second
}

// Default is what a machine with no vestige.toml gets: an embedded store under the home
// directory and the offline hash embedder, so that vestige works before anything is set up.
// An empty home leaves the SQLite path empty, which [Config.Validate] reports rather than
// silently creating a database under the working directory.
func Default(home string) Config {
	var path string
	if home != "" {
		path = filepath.Join(home, ".vestige", "vestige.db")
	}
	return Config{
		Storage: Storage{Backend: BackendSQLite, SQLite: SQLite{Path: path}},
		Embeddings: Embeddings{Provider: ProviderHash, Model: DefaultModel,
			BatchSize: DefaultBatchSize, TimeoutSecs: DefaultTimeoutSecs},
	}
}

// DefaultPostgres is the pool a bare URL gets (from the environment, a flag, or a
// [storage.postgres] table that sets only url).
func DefaultPostgres(url string) Postgres {
	return Postgres{
		URL:                url,
		MaxConnections:     DefaultMaxConnections,
		AcquireTimeoutSecs: DefaultAcquireTimeoutSecs,
		AutoMigrate:        true,
		ExecMode:           ExecModeCacheStatement,
	}
}

// DefaultPath is the file read when neither --config nor VESTIGE_CONFIG names one.
func DefaultPath(home string) string {
	return filepath.Join(home, ".vestige", "vestige.toml")
}

// AcquireTimeout converts the seconds a file holds into what a pool takes, saturating
// instead of overflowing for absurd values.
func (p Postgres) AcquireTimeout() time.Duration {
	if p.AcquireTimeoutSecs > math.MaxInt64/int(time.Second) {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(p.AcquireTimeoutSecs) * time.Second
}

// Redacted returns a copy safe to print, log or serialise.
func (p Postgres) Redacted() Postgres {
	p.URL = RedactURL(p.URL)
	p.ReadURL = redactAll(p.ReadURL)
	p.MigrateURL = RedactURL(p.MigrateURL)
	return p
}

// String keeps the password out of %v, %+v and %s, including when a Postgres is printed as
// a field of a larger struct.
func (p Postgres) String() string {
	return fmt.Sprintf("{url=%s max_connections=%d acquire_timeout_secs=%d auto_migrate=%t exec_mode=%s read_url=%v migrate_url=%s}",
		RedactURL(p.URL), p.MaxConnections, p.AcquireTimeoutSecs, p.AutoMigrate, p.ExecMode,
		redactAll(p.ReadURL), RedactURL(p.MigrateURL))
}

// GoString covers %#v, which would otherwise print the URL verbatim.
func (p Postgres) GoString() string {
	return fmt.Sprintf("config.Postgres{URL:%q, MaxConnections:%d, AcquireTimeoutSecs:%d, AutoMigrate:%t, ExecMode:%q, ReadURL:%#v, MigrateURL:%q}",
		RedactURL(p.URL), p.MaxConnections, p.AcquireTimeoutSecs, p.AutoMigrate, p.ExecMode,
		redactAll(p.ReadURL), RedactURL(p.MigrateURL))
}

// LogValue covers log/slog, which does not use String.
func (p Postgres) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("url", RedactURL(p.URL)),
		slog.Int("max_connections", p.MaxConnections),
		slog.Int("acquire_timeout_secs", p.AcquireTimeoutSecs),
		slog.Bool("auto_migrate", p.AutoMigrate),
		slog.String("exec_mode", p.ExecMode),
		slog.Any("read_url", redactAll(p.ReadURL)),
		slog.String("migrate_url", RedactURL(p.MigrateURL)),
	)
}

// Redacted returns a copy safe to print, log or serialise (for `vestige config` style
// output or JSON); the original keeps the real URL for connecting.
func (c Config) Redacted() Config {
	if c.Storage.Postgres != nil {
		p := c.Storage.Postgres.Redacted()
		c.Storage.Postgres = &p
	}
	c.Embeddings.BaseURL = RedactURL(c.Embeddings.BaseURL)
	return c
}

// LogValue makes slog (text or JSON) log the redacted copy; a JSON handler would otherwise
// marshal the URL field by field, past every String method.
func (c Config) LogValue() slog.Value {
	return slog.AnyValue(redactedView(c.Redacted()))
}

// redactedView has no methods, so logging it cannot recurse into LogValue.
type redactedView Config

// String keeps a password in base_url out of %v.
func (e Embeddings) String() string {
	return fmt.Sprintf("{provider=%s model=%s base_url=%s api_key_env=%s dimensions=%d batch_size=%d timeout_secs=%d query_prefix=%q document_prefix=%q}",
		e.Provider, e.Model, RedactURL(e.BaseURL), e.APIKeyEnv, e.Dimensions, e.BatchSize, e.TimeoutSecs,
		e.QueryPrefix, e.DocumentPrefix)
}

// GoString covers %#v.
func (e Embeddings) GoString() string {
	return fmt.Sprintf("config.Embeddings{Provider:%q, Model:%q, BaseURL:%q, APIKeyEnv:%q, Dimensions:%d, BatchSize:%d, TimeoutSecs:%d, QueryPrefix:%q, DocumentPrefix:%q}",
		e.Provider, e.Model, RedactURL(e.BaseURL), e.APIKeyEnv, e.Dimensions, e.BatchSize, e.TimeoutSecs,
		e.QueryPrefix, e.DocumentPrefix)
}

// LogValue covers log/slog, which does not use String.
func (e Embeddings) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("provider", e.Provider),
		slog.String("model", e.Model),
		slog.String("base_url", RedactURL(e.BaseURL)),
		slog.String("api_key_env", e.APIKeyEnv),
		slog.Int("dimensions", e.Dimensions),
		slog.Int("batch_size", e.BatchSize),
		slog.Int("timeout_secs", e.TimeoutSecs),
		slog.String("query_prefix", e.QueryPrefix),
		slog.String("document_prefix", e.DocumentPrefix),
	)
}
