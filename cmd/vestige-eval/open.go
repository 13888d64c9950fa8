package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/vestige-mem/vestige/client"
	"github.com/vestige-mem/vestige/client/embedder"
	"github.com/vestige-mem/vestige/client/store/pgstore"
	"github.com/vestige-mem/vestige/client/store/sqlitestore"
)

// open gives a client on an empty store of the backend and the function that closes and
// removes it.
func open(ctx context.Context, backend, pgURL string, keep bool, emb embedder.Embedder) (*client.Client, func(), error) {
	switch backend {
	case "sqlite":
		dir, err := os.MkdirTemp("", "vestige-eval-")
		if err != nil {
			return nil, nil, err
		}
		st, err := sqlitestore.Open(ctx, filepath.Join(dir, "eval.db"))
		if err != nil {
			os.RemoveAll(dir)
			return nil, nil, err
		}
		cl, err := client.New(ctx, st, emb, backend)
		if err != nil {
			st.Close()
			os.RemoveAll(dir)
			return nil, nil, err
		}
		return cl, func() { cl.Close(); os.RemoveAll(dir) }, nil
	case "postgres":
		if pgURL == "" {
			return nil, nil, errors.New("postgres: no server (set -pg, VESTIGE_EVAL_DATABASE_URL or VESTIGE_TEST_DATABASE_URL)")
		}
		dbURL, drop, err := createDatabase(ctx, pgURL, keep)
		if err != nil {
			return nil, nil, err
		}
		st, err := pgstore.Open(ctx, pgstore.Options{URL: dbURL, AutoMigrate: true})
		if err != nil {
			drop()
			return nil, nil, err
		}
		cl, err := client.New(ctx, st, emb, backend)
		if err != nil {
			st.Close()
			drop()
			return nil, nil, err
		}
		return cl, func() { cl.Close(); drop() }, nil
	}
	return nil, nil, fmt.Errorf("backend %q is not sqlite or postgres", backend)
}

// createDatabase makes a fresh database on the server and returns its URL and its dropper.
func createDatabase(ctx context.Context, serverURL string, keep bool) (string, func(), error) {
	u, err := url.Parse(serverURL)
	if err != nil {
		return "", nil, fmt.Errorf("postgres URL: %w", err)
	}
	admin, err := pgx.Connect(ctx, serverURL)
	if err != nil {
		return "", nil, fmt.Errorf("postgres: %w", err)
	}
	name := "vestige_eval_" + uuid.NewString()[:8]
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close(ctx)
		return "", nil, fmt.Errorf("postgres: create database: %w", err)
	}
	u.Path = "/" + name
	if keep {
		fmt.Fprintln(os.Stderr, "vestige-eval: keeping database", name)
		return u.String(), func() { admin.Close(context.Background()) }, nil
	}
	drop := func() {
		_, _ = admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		admin.Close(context.Background())
	}
	return u.String(), drop, nil
}
