package main

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vestige-mem/vestige/client/store/pgstore"
)

type schemaCmd struct {
	Up     schemaUpCmd     `cmd:"" help:"Apply every migration and install the SQL API."`
	Down   schemaDownCmd   `cmd:"" help:"Revert migrations (to version 0 unless --to)."`
	Status schemaStatusCmd `cmd:"" help:"Show the schema version and whether the SQL API is current."`
}

type schemaUpCmd struct{}

type schemaDownCmd struct {
	To int32 `help:"Target version." default:"0"`
}

type schemaStatusCmd struct{}

// connectPostgres opens one connection for schema work. The URL comes from --postgres-url or
// VESTIGE_POSTGRES_URL.
func (g *globals) connectPostgres(ctx context.Context) (*pgx.Conn, error) {
	if g.PostgresURL == "" {
		return nil, fmt.Errorf("%w: no Postgres URL: pass --postgres-url or set VESTIGE_POSTGRES_URL", errUsage)
	}
	cfg, err := pgx.ParseConfig(g.PostgresURL)
	if err != nil {
		return nil, fmt.Errorf("invalid Postgres URL: %w", err)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("cannot connect to Postgres: %w", err)
	}
	return conn, nil
}

func (c *schemaUpCmd) Run(ctx context.Context, g *globals) error {
	conn, err := g.connectPostgres(ctx)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if err := pgstore.Migrate(ctx, conn); err != nil {
		return err
	}
	return printStatus(ctx, g, conn, "schema is up to date")
}

func (c *schemaDownCmd) Run(ctx context.Context, g *globals) error {
	conn, err := g.connectPostgres(ctx)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if err := pgstore.MigrateTo(ctx, conn, c.To); err != nil {
		return err
	}
	return printStatus(ctx, g, conn, fmt.Sprintf("schema reverted to version %d", c.To))
}

func (c *schemaStatusCmd) Run(ctx context.Context, g *globals) error {
	conn, err := g.connectPostgres(ctx)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	return printStatus(ctx, g, conn, "")
}

type statusJSON struct {
	Backend   string `json:"backend"`
	Version   int32  `json:"version"`
	Latest    int32  `json:"latest"`
	Functions string `json:"functions"`
	Current   bool   `json:"current"`
}

func printStatus(ctx context.Context, g *globals, conn *pgx.Conn, headline string) error {
	st, err := pgstore.Status(ctx, conn)
	if err != nil {
		return err
	}
	if g.JSON {
		return g.printJSON(statusJSON{"postgres", st.Version, st.Latest, st.FunctionsState(), st.Current()})
	}
	if headline != "" {
		fmt.Fprintln(g.stdout, headline)
	}
	fmt.Fprintf(g.stdout, "backend:   postgres\nversion:   %d of %d\nfunctions: %s\n", st.Version, st.Latest, st.FunctionsState())
	return nil
}
