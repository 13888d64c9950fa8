package main

import (
	"context"
	"fmt"

	"github.com/vestige-mem/vestige/client/config"
	"github.com/vestige-mem/vestige/client/store/pgstore"
)

type schemaGrantCmd struct {
	Role string `arg:"" help:"The application role (it must exist)."`
}

type grantJSON struct {
	Role       string   `json:"role"`
	Statements []string `json:"statements"`
}

// Run grants an application role what vestige needs. SQLite has no roles: the command is a
// usage error there rather than a silent no-op.
func (c *schemaGrantCmd) Run(ctx context.Context, g *globals) error {
	cfg, err := g.resolve()
	if err != nil {
		return err
	}
	if cfg.Storage.Backend != config.BackendPostgres {
		return usagef("schema grant needs the postgres backend (SQLite has no roles)")
	}
	conn, err := connectPostgres(ctx, *cfg.Storage.Postgres)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	stmts, err := pgstore.Grant(ctx, conn, c.Role)
	if err != nil {
		return err
	}
	if g.JSON {
		return g.printJSON(grantJSON{Role: c.Role, Statements: stmts})
	}
	fmt.Fprintf(g.stdout, "granted %s what vestige needs:\n", c.Role)
	for _, q := range stmts {
		fmt.Fprintf(g.stdout, "  %s;\n", q)
	}
	return nil
}
