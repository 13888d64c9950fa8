package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/BurntSushi/toml"
)

// ResolveOptions carries every outside input of [Resolve], so that callers decide where
// they come from (the CLI passes os.Getenv and os.UserHomeDir; tests pass maps).
type ResolveOptions struct {
	// ConfigPath is the --config flag; "" when not given.
	ConfigPath string
	// PostgresURL is the --postgres-url flag; "" when not given.
	PostgresURL string
	// Getenv reads the environment; nil means an empty environment.
	Getenv func(string) string
	// Home is the user's home directory; "" when unknown, which disables the default file
	// and makes "~" in paths an error.
	Home string
}

// Load reads one file, applies defaults for what it leaves out and validates the result.
// It takes the home directory from the process (for "~" and the default SQLite path);
// [Resolve] is the entry point that also applies the environment and flags.
func Load(path string) (Config, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		home = ""
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, err
	}
	cfg, err := parse(data, path, home)
	if err != nil {
		return Config{}, err
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, withPrefix(path, err)
	}
	return cfg, nil
}

// Resolve builds the configuration a command runs with, by precedence: flags, then the
// environment, then the file, then defaults. The file is --config, else $VESTIGE_CONFIG,
// else ~/.vestige/vestige.toml; a file the user named must exist, the default one need
// not. VESTIGE_POSTGRES_URL and then --postgres-url switch the backend to postgres with
// that URL, keeping any pool settings from [storage.postgres], so a file can hold the
// settings while the secret stays in the environment. It returns the file actually read,
// or "" when none was.
func Resolve(opts ResolveOptions) (Config, string, error) {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}

	path, source := opts.ConfigPath, "--config"
	if path == "" {
		path, source = getenv(EnvConfig), "$"+EnvConfig
	}
	explicit := path != ""
	if explicit {
		p, err := expandHome(path, opts.Home)
		if err != nil {
			return Config{}, "", fmt.Errorf("config file %q (from %s): %w", path, source, err)
		}
		path = p
	} else if opts.Home != "" {
		path = DefaultPath(opts.Home)
	}

	cfg, used := Default(opts.Home), ""
	if path != "" {
		data, err := os.ReadFile(path)
		switch {
		case err == nil:
			if cfg, err = parse(data, path, opts.Home); err != nil {
				return Config{}, "", err
			}
			used = path
		case explicit:
			return Config{}, "", fmt.Errorf("config file named by %s: %w", source, err)
		case !errors.Is(err, fs.ErrNotExist):
			return Config{}, "", err
		}
	}

	if u := getenv(EnvPostgresURL); u != "" {
		if err := usePostgres(&cfg, u, "$"+EnvPostgresURL); err != nil {
			return Config{}, "", err
		}
	}
	if opts.PostgresURL != "" {
		if err := usePostgres(&cfg, opts.PostgresURL, "--postgres-url"); err != nil {
			return Config{}, "", err
		}
	}

	if err := useSideURLs(&cfg, getenv); err != nil {
		return Config{}, "", err
	}

	if err := cfg.Validate(); err != nil {
		return Config{}, "", withPrefix(used, err)
	}
	return cfg, used, nil
}

// usePostgres switches to postgres with url, checked here so that an error names the
// variable or flag the URL came from rather than a key of a file that does not hold it.
func usePostgres(cfg *Config, url, source string) error {
	if msg := checkURL(url); msg != "" {
		return &FieldError{Key: source, Msg: msg}
	}
	p := DefaultPostgres(url)
	if cfg.Storage.Postgres != nil {
		p = *cfg.Storage.Postgres // a copy: the caller's file settings stay untouched
		p.URL = url
		if source == "--postgres-url" {
			// The flag names the server to use, for schema commands too: a migrate_url from
			// the file would send them elsewhere.
			p.MigrateURL = ""
		}
	}
	cfg.Storage.Backend = BackendPostgres
	cfg.Storage.Postgres = &p
	return nil
}

// useSideURLs applies $VESTIGE_POSTGRES_READ_URL and $VESTIGE_POSTGRES_MIGRATE_URL, which
// only make sense beside a primary URL.
func useSideURLs(cfg *Config, getenv func(string) string) error {
	for _, env := range []string{EnvPostgresReadURL, EnvPostgresMigrateURL} {
		u := getenv(env)
		if u == "" {
			continue
		}
		if msg := checkURL(u); msg != "" {
			return &FieldError{Key: "$" + env, Msg: msg}
		}
		if cfg.Storage.Postgres == nil {
			return &FieldError{Key: "$" + env, Msg: fmt.Sprintf("needs a primary URL too ([storage.postgres] url, $%s or --postgres-url)", EnvPostgresURL)}
		}
		p := *cfg.Storage.Postgres // a copy: the caller's file settings stay untouched
		if env == EnvPostgresReadURL {
			p.ReadURL = URLList{u}
		} else {
			p.MigrateURL = u
		}
		cfg.Storage.Postgres = &p
	}
	return nil
}

// parse decodes one file over the defaults. It rejects what no later source could fix
// (syntax, unknown keys, an unknown backend); whether the result is complete is for
// [Config.Validate], after the environment and flags have had their say.
func parse(data []byte, name, home string) (Config, error) {
	cfg := Default(home)
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&cfg)
	if err != nil {
		return Config{}, decodeError(name, err)
	}

	var errs []error
	undecoded := md.Undecoded()
	for i, k := range undecoded {
		if hasUndecodedParent(undecoded[:i], k) {
			continue // [server] is reported once, not again for each of its keys
		}
		errs = append(errs, unknownKey(k))
	}

	if !backendKnown(cfg.Storage.Backend) {
		errs = append(errs, backendError(cfg.Storage.Backend))
	}

	if p := cfg.Storage.Postgres; p != nil {
		def := DefaultPostgres("")
		if !md.IsDefined("storage", "postgres", "max_connections") {
			p.MaxConnections = def.MaxConnections
		}
		if !md.IsDefined("storage", "postgres", "acquire_timeout_secs") {
			p.AcquireTimeoutSecs = def.AcquireTimeoutSecs
		}
		if !md.IsDefined("storage", "postgres", "auto_migrate") {
			p.AutoMigrate = def.AutoMigrate
		}
		if !md.IsDefined("storage", "postgres", "exec_mode") {
			p.ExecMode = def.ExecMode
		}
	}

	embeddingDefaults(&cfg.Embeddings, func(key string) bool { return md.IsDefined("embeddings", key) })
	// 0 means "the default" only to Go callers: in a file it is a mistake.
	if md.IsDefined("embeddings", "batch_size") && cfg.Embeddings.BatchSize == 0 {
		errs = append(errs, &FieldError{Key: "embeddings.batch_size", Msg: "must be at least 1 (got 0)"})
	}
	if md.IsDefined("embeddings", "timeout_secs") && cfg.Embeddings.TimeoutSecs == 0 {
		errs = append(errs, &FieldError{Key: "embeddings.timeout_secs", Msg: "must be at least 1 (got 0)"})
	}

	if md.IsDefined("storage", "sqlite", "path") && cfg.Storage.SQLite.Path != "" {
		p, err := expandHome(cfg.Storage.SQLite.Path, home)
		if err != nil {
			errs = append(errs, &FieldError{Key: "storage.sqlite.path", Msg: err.Error()})
		} else {
			if !filepath.IsAbs(p) {
				p = filepath.Join(filepath.Dir(name), p)
			}
			cfg.Storage.SQLite.Path = p
		}
	}

	if len(errs) > 0 {
		return Config{}, &errorList{prefix: name, errs: errs}
	}
	return cfg, nil
}

// embeddingDefaults fills what a provider needs and the file left out. The default model
// belongs to the default provider: an unknown provider without a model must be reported,
// not handed "hash-384". The HTTP providers get what works against a stock server: for
// Ollama the local server and nomic-embed-text, with the prefixes that model was trained
// with (its model card) unless the file names its own, even empty ones.
func embeddingDefaults(e *Embeddings, defined func(key string) bool) {
	switch e.Provider {
	case ProviderHash:
		return
	case ProviderOllama:
		if !defined("model") {
			e.Model = DefaultOllamaModel
		}
		if !defined("base_url") {
			e.BaseURL = DefaultOllamaURL
		}
		if base, _, _ := strings.Cut(e.Model, ":"); base == DefaultOllamaModel {
			if !defined("query_prefix") {
				e.QueryPrefix = "search_query: "
			}
			if !defined("document_prefix") {
				e.DocumentPrefix = "search_document: "
			}
		}
	case ProviderOpenAI:
		if !defined("model") {
			e.Model = DefaultOpenAIModel
		}
		if !defined("base_url") {
			e.BaseURL = DefaultOpenAIURL
			if !defined("api_key_env") {
				e.APIKeyEnv = DefaultOpenAIKeyEnv
			}
		}
	default:
		if !defined("model") {
			e.Model = ""
		}
	}
}

// decodeError turns the parser's error into one that names the file, the line and, when the
// parser knows it, the key, with anything that could be a password removed: the parser
// quotes bits of the input, and the bad line may well be the one holding the URL.
func decodeError(name string, err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		loc := fmt.Sprintf("%s:%d", name, pe.Position.Line)
		if pe.Position.Col > 0 {
			loc += fmt.Sprintf(":%d", pe.Position.Col)
		}
		msg := loc + ": " + redactText(pe.Message)
		if pe.LastKey != "" {
			msg += fmt.Sprintf(" (after key %s)", pe.LastKey)
		}
		return &invalidError{msg: msg}
	}

	// Type mismatches come as `toml: line N (last key "K"): MSG`; keep the line and make K
	// the FieldError's key.
	text := strings.TrimPrefix(err.Error(), "toml: ")
	if rest, ok := strings.CutPrefix(text, "line "); ok {
		if line, after, ok := strings.Cut(rest, " (last key \""); ok {
			if key, msg, ok := strings.Cut(after, "\"): "); ok {
				return &errorList{
					prefix: name + ":" + line,
					errs:   []error{&FieldError{Key: key, Msg: "has the wrong type: " + redactText(msg)}},
				}
			}
		}
	}
	return &invalidError{msg: name + ": " + redactText(text)}
}

func hasUndecodedParent(earlier []toml.Key, k toml.Key) bool {
	for _, e := range earlier {
		if len(e) < len(k) && reflect.DeepEqual([]string(e), []string(k[:len(e)])) {
			return true
		}
	}
	return false
}

// unknownKey lists what the enclosing table does accept, since the usual cause is a typo.
func unknownKey(k toml.Key) error {
	parent := k[:len(k)-1]
	known := tableKeys(reflect.TypeOf(Config{}), parent)
	msg := "is not a known key"
	switch {
	case known == nil: // inside a value that is not a table
	case len(parent) == 0:
		msg += "; top-level tables: " + strings.Join(known, ", ")
	default:
		msg += fmt.Sprintf("; [%s] accepts: %s", parent, strings.Join(known, ", "))
	}
	return &FieldError{Key: k.String(), Msg: msg}
}

// tableKeys reads the accepted keys from the struct tags, so that the hint can never drift
// from what the decoder really takes. It returns nil when path does not name a table.
func tableKeys(t reflect.Type, path []string) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	if len(path) > 0 {
		for i := range t.NumField() {
			if tomlName(t.Field(i)) == path[0] {
				return tableKeys(t.Field(i).Type, path[1:])
			}
		}
		return nil
	}
	keys := make([]string, 0, t.NumField())
	for i := range t.NumField() {
		keys = append(keys, tomlName(t.Field(i)))
	}
	return keys
}

func tomlName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
	return name
}

// expandHome expands a leading "~" the way a shell would, because paths reach us through
// files and environment variables that no shell has expanded.
func expandHome(p, home string) (string, error) {
	if p != "~" && !strings.HasPrefix(p, "~/") && !strings.HasPrefix(p, "~"+string(filepath.Separator)) {
		return p, nil
	}
	if home == "" {
		return "", fmt.Errorf("starts with ~ but the home directory is unknown")
	}
	return filepath.Join(home, p[1:]), nil
}

// errorList reports several problems at once, each on its own line under the same prefix
// (a file name), so one run shows every mistake; errors.Is and errors.As see each of them.
type errorList struct {
	prefix string
	errs   []error
}

func (l *errorList) Error() string {
	var b strings.Builder
	for i, e := range l.errs {
		if i > 0 {
			b.WriteByte('\n')
		}
		if l.prefix != "" {
			b.WriteString(l.prefix)
			b.WriteString(": ")
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

func (l *errorList) Unwrap() []error { return l.errs }

// withPrefix puts the file name in front of each validation error, when there is a file.
func withPrefix(name string, err error) error {
	if name == "" {
		return err
	}
	var l *errorList
	if errors.As(err, &l) && l.prefix == "" {
		return &errorList{prefix: name, errs: l.errs}
	}
	return &errorList{prefix: name, errs: []error{err}}
}
