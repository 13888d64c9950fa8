package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/vestige-mem/vestige/client/config"
	"github.com/vestige-mem/vestige/client/store/pgstore"
	"github.com/vestige-mem/vestige/client/store/sqlitestore"
	"github.com/vestige-mem/vestige/client/transfer"
)

// migrateCmd moves a store: between backends (copy) or to another embedding model (reembed).
type migrateCmd struct {
	Copy    migrateCopyCmd    `cmd:"" help:"Copy every row from one backend to the other (ids and times kept; rows already there skipped)."`
	Reembed migrateReembedCmd `cmd:"" help:"Re-embed every memory with another model; searches keep working until one short switch."`
}

// endpoint opens one side of a copy. The source is opened read-only (SQLite mode=ro; on
// Postgres no migration, and the dump reads in a read-only transaction); the destination
// is created and migrated.
func endpoint(ctx context.Context, cfg config.Config, backend, sqlitePath string, source bool) (transfer.Source, string, error) {
	switch backend {
	case config.BackendSQLite:
		if source {
			if _, err := os.Stat(sqlitePath); err != nil {
				return nil, sqlitePath, fmt.Errorf("the source SQLite file %s: %w", sqlitePath, err)
			}
			st, err := sqlitestore.OpenWith(ctx, sqlitePath, sqlitestore.Options{ReadOnly: true})
			return st, sqlitePath, err
		}
		// The build a killed copy's bulk load left due is left to this copy, which loads
		// the rest the same way and then builds (any other open would build it at once).
		st, err := sqlitestore.OpenWith(ctx, sqlitePath, sqlitestore.Options{KeepCopyPending: true})
		return st, sqlitePath, err
	case config.BackendPostgres:
		p := cfg.Storage.Postgres
		if p == nil || p.URL == "" {
			return nil, "", usagef("no Postgres URL: pass --postgres-url, set %s, or configure [storage.postgres] url", config.EnvPostgresURL)
		}
		st, err := pgstore.Open(ctx, pgstore.Options{URL: p.URL, MaxConnections: p.MaxConnections,
			AcquireTimeout: p.AcquireTimeout(), AutoMigrate: !source, ExecMode: p.ExecMode, MigrateURL: p.MigrateURL})
		return st, config.RedactURL(p.URL), err
	}
	return nil, "", usagef("unknown backend %q (allowed: sqlite, postgres)", backend)
}

// pauseAt stops the command for good at the point named by VESTIGE_MIGRATE_PAUSE_AT (a
// testing aid: the tests of kill -9 and resume stop a copy or re-embed at a known point,
// say "paused at POINT" on stderr, and kill it). Unset, it does nothing.
func (g *globals) pauseAt() func(string) {
	want := os.Getenv("VESTIGE_MIGRATE_PAUSE_AT")
	if want == "" {
		return nil
	}
	return func(point string) {
		if point == want {
			fmt.Fprintf(g.stderr, "paused at %s\n", point)
			for {
				time.Sleep(time.Hour) // until killed
			}
		}
	}
}
