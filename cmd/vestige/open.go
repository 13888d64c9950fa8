package main

import (
	"context"
	"fmt"
	"os"

	"github.com/vestige-mem/vestige/client"
	"github.com/vestige-mem/vestige/client/config"
	"github.com/vestige-mem/vestige/client/store"
)

// resolve reads the configuration by the documented precedence: --postgres-url, then the
// environment (VESTIGE_CONFIG, VESTIGE_POSTGRES_URL), then the file, then the defaults.
func (g *globals) resolve() (config.Config, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		home = ""
	}
	cfg, _, err := config.Resolve(config.ResolveOptions{
		ConfigPath:  g.Config,
		PostgresURL: g.PostgresURL,
		Getenv:      os.Getenv,
		Home:        home,
	})
	if err != nil {
		if home == "" {
			return cfg, fmt.Errorf("%w (the home directory is unknown: set HOME, or name a config file with --config)", err)
		}
		return cfg, err
	}
	if cfg.Storage.Postgres != nil {
		g.postgresURL = cfg.Storage.Postgres.URL
	}
	return cfg, nil
}

// openClient opens the configured store with the configured embedder, for the commands
// that embed text (add, update, search, classify). It registers the embedder's model in a
// new store and refuses a store that holds another model's vectors.
func (g *globals) openClient(ctx context.Context) (*client.Client, error) {
	cfg, err := g.resolve()
	if err != nil {
		return nil, err
	}
	return client.Open(ctx, cfg)
}

// openStore opens the configured store without an embedder, for the commands that only
// read or write rows: they work on a store whatever model its vectors are from, and do not
// register one as a side effect.
func (g *globals) openStore(ctx context.Context) (store.Store, config.Config, error) {
	cfg, err := g.resolve()
	if err != nil {
		return nil, cfg, err
	}
	st, err := client.OpenStore(ctx, cfg.Storage)
	return st, cfg, err
}

// location names the store for people: the SQLite file, or the Postgres URL without its
// password.
func location(cfg config.Config) string {
	if cfg.Storage.Backend == config.BackendPostgres && cfg.Storage.Postgres != nil {
		return config.RedactURL(cfg.Storage.Postgres.URL)
	}
	return cfg.Storage.SQLite.Path
}
