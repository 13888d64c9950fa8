// Package pgstore is the Postgres backend of vestige. It is deliberately thin: every method
// is one call of the SQL API (sql/functions, vestige_* functions) or one plain statement, so
// that a psql user or a program in another language gets exactly the behaviour the Go client
// gets.
package pgstore

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	pgxvec "github.com/pgvector/pgvector-go/pgx"

	"github.com/vestige-mem/vestige/client/config"
	"github.com/vestige-mem/vestige/client/store"
)

// Options configure Open; they mirror [storage.postgres] of vestige.toml.
type Options struct {
	// URL is a libpq connection string (URL or keyword/value form). It may carry a
	// password, which never appears in an error.
	URL string
	// MaxConnections bounds the pool; 0 means config.DefaultMaxConnections.
	MaxConnections int
	// AcquireTimeout bounds the wait for a connection (and the dial of a new one); 0 means
	// config.DefaultAcquireTimeoutSecs.
	AcquireTimeout time.Duration
	// AutoMigrate brings a schema that is behind up to date on Open. Without it, Open
	// refuses a schema that is behind with store.ErrSchemaBehind.
	AutoMigrate bool
	// ExecMode is a pgx query execution mode: cache_statement (the default),
	// cache_describe, describe_exec, exec or simple_protocol. The last two never prepare
	// named statements, as a transaction-pooling pgbouncer before 1.21 requires.
	ExecMode string
	// ReadURLs are hot standbys that take the reads (searches, gets, due lists, stats,
	// neighbors, edges, classify, dumps), one after another; writes go to URL. A standby
	// lags its primary: a read there may miss a write made a moment ago.
	ReadURLs []string
	// MigrateURL is a direct connection for schema migrations (never a transaction pooler).
	// Empty means URL, which Open and Init refuse to migrate through a pooler
	// (ErrThroughPooler).
	MigrateURL string
}

// Store is the Postgres store.Store. It is safe for concurrent use.
type Store struct {
	pool           *pgxpool.Pool
	ownsPool       bool
	reads          []*pgxpool.Pool // the standbys' pools; empty: the primary's takes reads
	next           atomic.Uint64   // round robin over reads
	migrate        *pgx.ConnConfig // MigrateURL's, or nil
	acquireTimeout time.Duration
	// model caches the registered embedding model: a registration is permanent (only a
	// re-embed changes it), so writes check dimensions without a round trip.
	model atomic.Pointer[store.ModelSignature]
}

var _ store.Store = (*Store)(nil)

var execModes = map[string]pgx.QueryExecMode{
	config.ExecModeCacheStatement: pgx.QueryExecModeCacheStatement,
	config.ExecModeCacheDescribe:  pgx.QueryExecModeCacheDescribe,
	config.ExecModeDescribeExec:   pgx.QueryExecModeDescribeExec,
	config.ExecModeExec:           pgx.QueryExecModeExec,
	config.ExecModeSimpleProtocol: pgx.QueryExecModeSimpleProtocol,
}

// ParseExecMode maps a configured exec mode name to pgx's; "" is the default.
func ParseExecMode(name string) (pgx.QueryExecMode, error) {
	if name == "" {
		return pgx.QueryExecModeCacheStatement, nil
	}
	if m, ok := execModes[name]; ok {
		return m, nil
	}
	return 0, &store.InvalidInputError{Field: "exec_mode",
		Reason: fmt.Sprintf("%q is not one of cache_statement, cache_describe, describe_exec, exec, simple_protocol", name)}
}

// AfterConnect prepares a new connection for the store (pgvector's types). A caller that
// builds its own pool for New sets it as the pool's AfterConnect. It fails until the vector
// extension exists, so a database must be migrated before a pool that uses it connects.
func AfterConnect(ctx context.Context, conn *pgx.Conn) error {
	if err := pgxvec.RegisterTypes(ctx, conn); err != nil {
		return fmt.Errorf("pgstore: register pgvector types (is the schema migrated?): %w", err)
	}
	// jsonb numbers are read as json.Number, never float64: an integer such as
	// 9007199254740993 must come back exactly (docs/value-rules.md).
	conn.TypeMap().RegisterType(&pgtype.Type{Name: "jsonb", OID: pgtype.JSONBOID,
		Codec: &pgtype.JSONBCodec{Marshal: json.Marshal, Unmarshal: unmarshalNumbers}})
	return nil
}

func unmarshalNumbers(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}

// Open connects to Postgres and checks (or, with AutoMigrate, brings up to date) the schema.
// Migration runs on a connection of its own before the pool exists, because the pool's
// connections register pgvector's types, which only works once the extension is installed.
func Open(ctx context.Context, opts Options) (*Store, error) {
	sec := newSecrets(opts.URL)
	where := config.RedactURL(opts.URL)
	if opts.URL == "" {
		return nil, &store.InvalidInputError{Field: "url", Reason: "is empty"}
	}
	mode, err := ParseExecMode(opts.ExecMode)
	if err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig(opts.URL)
	if err != nil {
		// pgx's parse errors keep the raw string (ConnString, the url.Error inside), so
		// none of it is wrapped: only a scrubbed text leaves here.
		return nil, &store.InvalidInputError{Field: "url", Reason: sec.scrub(err.Error())}
	}
	sec.add(cfg.ConnConfig.Password)

	timeout := opts.AcquireTimeout
	if timeout <= 0 {
		timeout = config.DefaultAcquireTimeoutSecs * time.Second
	}
	maxConns := opts.MaxConnections
	if maxConns <= 0 {
		maxConns = config.DefaultMaxConnections
	}
	cfg.MaxConns = int32(maxConns)
	cfg.ConnConfig.DefaultQueryExecMode = mode
	if cfg.ConnConfig.ConnectTimeout == 0 || cfg.ConnConfig.ConnectTimeout > timeout {
		cfg.ConnConfig.ConnectTimeout = timeout
	}
	if cfg.ConnConfig.RuntimeParams["application_name"] == "" {
		cfg.ConnConfig.RuntimeParams["application_name"] = "vestige"
	}
	cfg.AfterConnect = AfterConnect

	var migrate *pgx.ConnConfig
	if opts.MigrateURL != "" {
		mc, err := pgx.ParseConfig(opts.MigrateURL)
		if err != nil {
			return nil, &store.InvalidInputError{Field: "migrate_url", Reason: newSecrets(opts.MigrateURL).scrub(err.Error())}
		}
		sec.add(mc.Password)
		mc.DefaultQueryExecMode = mode
		if mc.ConnectTimeout == 0 || mc.ConnectTimeout > timeout {
			mc.ConnectTimeout = timeout
		}
		migrate = mc
	}
	if err := prepareSchema(ctx, cfg.ConnConfig.Copy(), migrate, opts.AutoMigrate, timeout); err != nil {
		return nil, sec.wrap(fmt.Sprintf("pgstore: open %s", where), err)
	}
	pool, err := openPool(ctx, cfg, timeout)
	if err != nil {
		return nil, sec.wrap(fmt.Sprintf("pgstore: open %s", where), err)
	}
	s := &Store{pool: pool, ownsPool: true, acquireTimeout: timeout, migrate: migrate}
	for i, u := range opts.ReadURLs {
		rc, err := pgxpool.ParseConfig(u)
		if err != nil {
			s.Close()
			return nil, &store.InvalidInputError{Field: fmt.Sprintf("read_url[%d]", i), Reason: newSecrets(u).scrub(err.Error())}
		}
		sec.add(rc.ConnConfig.Password)
		rc.MaxConns = cfg.MaxConns
		rc.ConnConfig.DefaultQueryExecMode = mode
		rc.ConnConfig.ConnectTimeout = cfg.ConnConfig.ConnectTimeout
		if rc.ConnConfig.RuntimeParams["application_name"] == "" {
			rc.ConnConfig.RuntimeParams["application_name"] = "vestige"
		}
		rc.AfterConnect = AfterConnect
		rp, err := openPool(ctx, rc, timeout)
		if err != nil {
			s.Close()
			return nil, sec.wrap(fmt.Sprintf("pgstore: open read_url %s", config.RedactURL(u)), err)
		}
		s.reads = append(s.reads, rp)
	}
	return s, nil
}

// openPool makes a pool and checks that one connection answers.
func openPool(ctx context.Context, cfg *pgxpool.Config, timeout time.Duration) (*pgxpool.Pool, error) {
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, err
	}
	return pool, nil
}

// prepareSchema checks the schema on one connection and migrates it when allowed: on a
// connection to migrate (MigrateURL) when there is one, else on this one if it does not go
// through a pooler.
func prepareSchema(ctx context.Context, cc, migrate *pgx.ConnConfig, autoMigrate bool, timeout time.Duration) error {
	cctx, cancel := context.WithTimeout(ctx, timeout)
	conn, err := pgx.ConnectConfig(cctx, cc)
	cancel()
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	st, err := Status(ctx, conn)
	if err != nil {
		return err
	}
	if st.Version > st.Latest {
		// Migrating "up" to an older latest would run down steps and drop data.
		return fmt.Errorf("database schema version %d is newer than this vestige (%d): upgrade vestige", st.Version, st.Latest)
	}
	if st.APIVersion > st.WantAPIVersion {
		// A newer binary installed its API during a rolling upgrade: replacing it would
		// downgrade that binary, and this one's calls may not match it.
		return fmt.Errorf("SQL API version %d is installed, this vestige has %d: %w", st.APIVersion, st.WantAPIVersion, ErrAPINewer)
	}
	// DDL only when this binary brings the database forward: a current database (the
	// common case, and every read-only command on it) is only read. The migration runs on
	// a direct connection, never through a transaction pooler (pooler.go).
	if autoMigrate && st.Behind() {
		return migrateDirect(ctx, conn, migrate, timeout)
	}
	if st.Version < st.Latest || st.FunctionsState() == "not installed" {
		return fmt.Errorf("schema version %d of %d, functions %s: %w",
			st.Version, st.Latest, st.FunctionsState(), store.ErrSchemaBehind)
	}
	// Stale functions of this API version still work: HealthCheck reports them.
	return nil
}

// New wraps a pool the caller built and owns (Close leaves it open). The pool must use
// AfterConnect, and its database must be migrated.
func New(pool *pgxpool.Pool) *Store {
	return &Store{pool: pool, acquireTimeout: config.DefaultAcquireTimeoutSecs * time.Second}
}

// Pool is the store's connection pool, for callers that need more than the Store interface
// (the CLI's schema commands, tests).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Close closes the pools when Open made them. It is safe to call more than once.
func (s *Store) Close() error {
	if s.ownsPool {
		s.pool.Close()
	}
	for _, p := range s.reads {
		p.Close()
	}
	return nil
}

// readPool is the pool for the next read: the standbys in turn, or the primary's.
func (s *Store) readPool() *pgxpool.Pool {
	if len(s.reads) == 0 {
		return s.pool
	}
	return s.reads[int(s.next.Add(1)%uint64(len(s.reads)))]
}

// acquire takes a connection, waiting at most the acquire timeout for it while the work
// itself runs under ctx alone.
func (s *Store) acquire(ctx context.Context) (*pgxpool.Conn, error) {
	return s.acquireFrom(ctx, s.pool)
}

func (s *Store) acquireFrom(ctx context.Context, pool *pgxpool.Pool) (*pgxpool.Conn, error) {
	actx, cancel := context.WithTimeout(ctx, s.acquireTimeout)
	defer cancel()
	c, err := pool.Acquire(actx)
	if err != nil {
		if ctx.Err() == nil && actx.Err() != nil {
			return nil, fmt.Errorf("no database connection within %s: %w", s.acquireTimeout, err)
		}
		return nil, err
	}
	return c, nil
}

// with runs fn on a connection to the primary and maps what fails to the store's errors.
// fn is one statement (or reads, then one statement, or one transaction), so a conflict the
// server rolled back (40001, 40P01) is retried: see retry.
func (s *Store) with(ctx context.Context, op string, fn func(c *pgxpool.Conn) error) error {
	return s.on(ctx, s.pool, op, fn)
}

// read is with for work that only reads: it goes to a standby when there is one. Nothing in
// a read path may write (a standby refuses it with 25006).
func (s *Store) read(ctx context.Context, op string, fn func(c *pgxpool.Conn) error) error {
	return s.on(ctx, s.readPool(), op, fn)
}

func (s *Store) on(ctx context.Context, pool *pgxpool.Pool, op string, fn func(c *pgxpool.Conn) error) error {
	var acquireErr error
	err := retry(ctx, func() error {
		c, err := s.acquireFrom(ctx, pool)
		if err != nil {
			acquireErr = err
			return err
		}
		defer c.Release()
		return fn(c)
	})
	if err != nil {
		if acquireErr != nil && err == acquireErr {
			return fmt.Errorf("pgstore %s: %w", op, err)
		}
		return fmt.Errorf("pgstore %s: %w", op, interpretError(err))
	}
	return nil
}

// Init brings the schema to this binary's version (a no-op when it is current). When it
// changed anything, the pool's connections are replaced, since their cached statements and
// type registrations may describe the old schema.
func (s *Store) Init(ctx context.Context) error {
	changed := false
	err := s.with(ctx, "init", func(c *pgxpool.Conn) error {
		before, err := Status(ctx, c.Conn())
		if err != nil {
			return err
		}
		if before.Version > before.Latest {
			return fmt.Errorf("database schema version %d is newer than this vestige (%d): upgrade vestige", before.Version, before.Latest)
		}
		if before.Current() {
			return nil
		}
		changed = true
		return migrateDirect(ctx, c.Conn(), s.migrate, s.acquireTimeout)
	})
	if changed {
		s.pool.Reset()
		s.model.Store(nil)
	}
	return err
}

// reason is an error's text with the connection's password cut out.
func (s *Store) reason(err error) string {
	sec := newSecrets("")
	sec.add(s.pool.Config().ConnConfig.Password)
	return sec.scrub(err.Error())
}
