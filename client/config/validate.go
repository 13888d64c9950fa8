package config

import (
	"cmp"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Validate reports every problem at once, each as a [*FieldError] naming its key, so a
// configuration built in code is held to the same rules as one read from a file.
func (c Config) Validate() error {
	var errs []error
	add := func(key, format string, args ...any) {
		errs = append(errs, &FieldError{Key: key, Msg: fmt.Sprintf(format, args...)})
	}

	s := c.Storage
	if !backendKnown(s.Backend) {
		errs = append(errs, backendError(s.Backend))
	}
	if s.Backend == BackendSQLite && s.SQLite.Path == "" {
		add("storage.sqlite.path", "is empty")
	}
	if s.Backend == BackendPostgres && s.Postgres == nil {
		add("storage.postgres", "is missing: backend %q needs a [storage.postgres] table with a url "+
			"(or set $%s or --postgres-url)", BackendPostgres, EnvPostgresURL)
	}
	if p := s.Postgres; p != nil {
		switch {
		case p.URL == "" && s.Backend == BackendPostgres:
			add("storage.postgres.url", "is empty")
		case p.URL != "":
			if msg := checkURL(p.URL); msg != "" {
				add("storage.postgres.url", "%s", msg)
			}
		}
		for i, u := range p.ReadURL {
			key := "storage.postgres.read_url"
			if len(p.ReadURL) > 1 {
				key = fmt.Sprintf("%s[%d]", key, i)
			}
			if msg := checkURL(u); u == "" || msg != "" {
				add(key, "%s", cmp.Or(msg, "is empty"))
			}
		}
		if p.MigrateURL != "" {
			if msg := checkURL(p.MigrateURL); msg != "" {
				add("storage.postgres.migrate_url", "%s", msg)
			}
		}
		if msg := checkRange(p.MaxConnections, 1, math.MaxInt32); msg != "" {
			add("storage.postgres.max_connections", "%s", msg)
		}
		if msg := checkRange(p.AcquireTimeoutSecs, 1, math.MaxInt32); msg != "" {
			add("storage.postgres.acquire_timeout_secs", "%s", msg)
		}
		if p.ExecMode != "" && !oneOf(p.ExecMode, execModes()) {
			add("storage.postgres.exec_mode", "is %s; allowed values: %s", quote(p.ExecMode), quoteAll(execModes()))
		}
	}

	e := c.Embeddings
	switch {
	case e.Provider == "":
		add("embeddings.provider", "is empty; allowed values: %s", quoteAll(providers()))
	case !oneOf(e.Provider, providers()):
		add("embeddings.provider", "is %s; allowed values: %s", quote(e.Provider), quoteAll(providers()))
	}
	if e.Model == "" {
		add("embeddings.model", "is empty")
	}
	if e.Provider == ProviderOllama || e.Provider == ProviderOpenAI {
		if msg := checkHTTPURL(e.BaseURL); msg != "" {
			add("embeddings.base_url", "%s", msg)
		}
	}
	if e.APIKeyEnv != "" && !envName.MatchString(e.APIKeyEnv) {
		// Most likely the key itself was pasted here: never echo it.
		add("embeddings.api_key_env", "must be the NAME of an environment variable that holds the key "+
			"(such as %s), not the key itself (value not shown)", DefaultOpenAIKeyEnv)
	}
	if msg := checkRange(e.Dimensions, 0, MaxDimensions); msg != "" {
		add("embeddings.dimensions", "%s (0 takes the model's own)", msg)
	}
	// 0 is the default for a Config built in Go; a file that writes 0 is refused by parse.
	if msg := checkRange(e.BatchSize, 1, MaxBatchSize); msg != "" && e.BatchSize != 0 {
		add("embeddings.batch_size", "%s", msg)
	}
	if msg := checkRange(e.TimeoutSecs, 1, 24*3600); msg != "" && e.TimeoutSecs != 0 {
		add("embeddings.timeout_secs", "%s", msg)
	}

	if len(errs) == 0 {
		return nil
	}
	return &errorList{errs: errs}
}

func backendKnown(b string) bool { return b == BackendSQLite || b == BackendPostgres }

func backendError(b string) error {
	allowed := quoteAll([]string{BackendSQLite, BackendPostgres})
	if b == "" {
		return &FieldError{Key: "storage.backend", Msg: "is empty; allowed values: " + allowed}
	}
	return &FieldError{Key: "storage.backend", Msg: fmt.Sprintf("is %s; allowed values: %s", quote(b), allowed)}
}

func execModes() []string {
	return []string{ExecModeCacheStatement, ExecModeCacheDescribe, ExecModeDescribeExec, ExecModeExec, ExecModeSimpleProtocol}
}

// providers lists the embedders this build can construct.
func providers() []string { return []string{ProviderHash, ProviderOllama, ProviderOpenAI} }

// envName is what a shell accepts as a variable name.
var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// checkHTTPURL wants an absolute http or https URL with a host. Like checkURL, it shows the
// value only redacted.
func checkHTTPURL(u string) string {
	if u == "" {
		return "is empty"
	}
	p, err := url.Parse(u)
	if err != nil {
		return fmt.Sprintf("%s is not a URL", quote(u))
	}
	if p.Scheme != "http" && p.Scheme != "https" {
		return fmt.Sprintf("%s has scheme %s; want http:// or https://", quote(u), quote(p.Scheme))
	}
	if p.Host == "" {
		return fmt.Sprintf("%s has no host", quote(u))
	}
	return ""
}

// checkURL catches what is wrong on its face (wrong scheme, not a connection string at
// all) and leaves the rest to the driver, which also knows multi-host URLs. Its messages
// never repeat the value unless it is a URL whose password can be cut out: a bare string
// might be the password itself.
func checkURL(u string) string {
	scheme, _, isURL := strings.Cut(u, "://")
	if isURL {
		if !strings.EqualFold(scheme, "postgres") && !strings.EqualFold(scheme, "postgresql") {
			return fmt.Sprintf("%s has scheme %s; want postgres:// or postgresql://", quote(u), quote(scheme))
		}
		return ""
	}
	if !strings.Contains(u, "=") {
		return "is neither a postgres:// URL nor a keyword/value string such as \"host=... dbname=...\" (value not shown)"
	}
	return ""
}

func checkRange(v, lo, hi int) string {
	switch {
	case v < lo:
		return fmt.Sprintf("must be at least %d (got %d)", lo, v)
	case v > hi:
		return fmt.Sprintf("must be at most %d (got %d)", hi, v)
	}
	return ""
}

func oneOf(v string, set []string) bool {
	for _, s := range set {
		if v == s {
			return true
		}
	}
	return false
}

// quote shows a value the user wrote, redacted first: a URL pasted into the wrong key must
// not be echoed with its password.
func quote(v string) string { return strconv.Quote(RedactURL(v)) }

func quoteAll(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = strconv.Quote(v)
	}
	return strings.Join(q, ", ")
}
