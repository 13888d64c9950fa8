package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/jackc/pgx/v5"

	"github.com/vestige-mem/vestige/client/config"
	"github.com/vestige-mem/vestige/client/store/pgstore"
	"github.com/vestige-mem/vestige/client/store/sqlitestore"
)

// The schema commands act on the configured backend. Postgres versions its schema with tern
// and installs the SQL API; SQLite versions its own with PRAGMA user_version, numbered like
// the Postgres migrations, and its "functions" are Go code of this binary.
type schemaCmd struct {
	Up     schemaUpCmd     `cmd:"" help:"Apply every migration (and, on Postgres, install the SQL API)."`
	Down   schemaDownCmd   `cmd:"" help:"Revert migrations (to version 0 unless --to)."`
	Status schemaStatusCmd `cmd:"" help:"Show the schema version and whether it is current."`
	Grant  schemaGrantCmd  `cmd:"" help:"Postgres: give an application role what vestige needs (rows, functions; no DDL). Run as the owner."`
}

type schemaUpCmd struct{}

type schemaDownCmd struct {
	To int32 `help:"Target version." default:"0"`
}

type schemaStatusCmd struct{}

type statusJSON struct {
	Backend   string `json:"backend"`
	Location  string `json:"location"`
	Version   int32  `json:"version"`
	Latest    int32  `json:"latest"`
	Functions string `json:"functions"`
	// APIVersion is the installed SQL API's version (Postgres; 0: none), WantAPIVersion
	// this binary's.
	APIVersion     int  `json:"api_version,omitempty"`
	WantAPIVersion int  `json:"want_api_version,omitempty"`
	Current        bool `json:"current"`
}

// schemaTarget is one backend's schema operations.
type schemaTarget interface {
	migrateTo(ctx context.Context, version int32) error
	latest() (int32, error)
	status(ctx context.Context) (statusJSON, error)
	close()
}

func (c *schemaUpCmd) Run(ctx context.Context, g *globals) error {
	t, err := g.schemaTarget(ctx, true)
	if err != nil {
		return err
	}
	defer t.close()
	latest, err := t.latest()
	if err != nil {
		return err
	}
	if err := t.migrateTo(ctx, latest); err != nil {
		return err
	}
	return printStatus(ctx, g, t, "schema is up to date")
}

func (c *schemaDownCmd) Run(ctx context.Context, g *globals) error {
	t, err := g.schemaTarget(ctx, true)
	if err != nil {
		return err
	}
	defer t.close()
	latest, err := t.latest()
	if err != nil {
		return err
	}
	if c.To < 0 || c.To > latest {
		return usagef("--to %d is outside 0..%d", c.To, latest)
	}
	if err := t.migrateTo(ctx, c.To); err != nil {
		return err
	}
	return printStatus(ctx, g, t, fmt.Sprintf("schema reverted to version %d", c.To))
}

func (c *schemaStatusCmd) Run(ctx context.Context, g *globals) error {
	t, err := g.schemaTarget(ctx, false)
	if err != nil {
		return err
	}
	defer t.close()
	return printStatus(ctx, g, t, "")
}

func printStatus(ctx context.Context, g *globals, t schemaTarget, headline string) error {
	st, err := t.status(ctx)
	if err != nil {
		return err
	}
	if g.JSON {
		return g.printJSON(st)
	}
	if headline != "" {
		fmt.Fprintln(g.stdout, headline)
	}
	fmt.Fprintf(g.stdout, "backend:   %s\nlocation:  %s\nversion:   %d of %d\nfunctions: %s\n",
		st.Backend, st.Location, st.Version, st.Latest, st.Functions)
	if st.WantAPIVersion > 0 {
		fmt.Fprintf(g.stdout, "sql api:   version %d (this vestige: %d)\n", st.APIVersion, st.WantAPIVersion)
	}
	return nil
}

// schemaTarget opens the configured backend for schema work, without migrating it. With
// create false, a SQLite file that does not exist is reported as version 0 rather than
// created by looking at it.
func (g *globals) schemaTarget(ctx context.Context, create bool) (schemaTarget, error) {
	cfg, err := g.resolve()
	if err != nil {
		return nil, err
	}
	if cfg.Storage.Backend == config.BackendPostgres {
		conn, err := connectPostgres(ctx, *cfg.Storage.Postgres)
		if err != nil {
			return nil, err
		}
		return &pgSchema{conn: conn, where: location(cfg)}, nil
	}
	path := cfg.Storage.SQLite.Path
	if _, err := os.Stat(path); !create && errors.Is(err, fs.ErrNotExist) {
		return &sqliteSchema{where: path}, nil
	}
	s, err := sqlitestore.OpenWith(ctx, path, sqlitestore.Options{SkipMigrate: true})
	if err != nil {
		return nil, err
	}
	return &sqliteSchema{s: s, where: path}, nil
}

// connectPostgres opens one connection for schema work: the pool of a store would register
// pgvector's types, which fails before the first migration has created the extension.
func connectPostgres(ctx context.Context, p config.Postgres) (*pgx.Conn, error) {
	cc, err := pgx.ParseConfig(p.MigrationURL()) // migrate_url when set: a direct connection
	if err != nil {
		return nil, fmt.Errorf("invalid Postgres URL: %w", err)
	}
	if cc.ConnectTimeout == 0 || cc.ConnectTimeout > p.AcquireTimeout() {
		cc.ConnectTimeout = p.AcquireTimeout()
	}
	// The configured exec mode, as the store's pool uses it: behind a transaction pooler
	// (simple_protocol) a named prepared statement would outlive the transaction on the
	// server connection and the next run's would collide with it (42P05).
	if cc.DefaultQueryExecMode, err = pgstore.ParseExecMode(p.ExecMode); err != nil {
		return nil, err
	}
	conn, err := pgx.ConnectConfig(ctx, cc)
	if err != nil {
		return nil, fmt.Errorf("cannot connect to Postgres: %w", err)
	}
	return conn, nil
}

type pgSchema struct {
	conn  *pgx.Conn
	where string
}

func (p *pgSchema) migrateTo(ctx context.Context, v int32) error {
	if err := pgstore.CheckDirect(ctx, p.conn); err != nil { // never through a pooler
		return err
	}
	return pgstore.MigrateTo(ctx, p.conn, v)
}

func (p *pgSchema) latest() (int32, error) { return pgstore.LatestVersion() }

func (p *pgSchema) status(ctx context.Context) (statusJSON, error) {
	st, err := pgstore.Status(ctx, p.conn)
	if err != nil {
		return statusJSON{}, err
	}
	return statusJSON{Backend: config.BackendPostgres, Location: p.where, Version: st.Version, Latest: st.Latest,
		Functions: st.FunctionsState(), APIVersion: st.APIVersion, WantAPIVersion: st.WantAPIVersion, Current: st.Current()}, nil
}

func (p *pgSchema) close() { _ = p.conn.Close(context.Background()) }

// sqliteSchema has no store when the file does not exist yet.
type sqliteSchema struct {
	s     *sqlitestore.Store
	where string
}

func (q *sqliteSchema) migrateTo(ctx context.Context, v int32) error {
	return q.s.MigrateTo(ctx, int(v))
}

func (q *sqliteSchema) latest() (int32, error) { return int32(sqlitestore.LatestVersion()), nil }

func (q *sqliteSchema) status(ctx context.Context) (statusJSON, error) {
	latest, _ := q.latest()
	st := statusJSON{Backend: config.BackendSQLite, Location: q.where, Latest: latest, Functions: "built in"}
	if q.s == nil {
		return st, nil
	}
	v, err := q.s.SchemaVersion(ctx)
	if err != nil {
		return st, err
	}
	st.Version = int32(v)
	st.Current = st.Version == st.Latest
	return st, nil
}

func (q *sqliteSchema) close() {
	if q.s != nil {
		_ = q.s.Close()
	}
}
