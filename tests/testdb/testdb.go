// Package testdb hands each Postgres test a fresh, fully migrated database of its own.
//
// It uses pgtestdb: the first test builds a template database with the production migrate
// function; every test then gets a cheap copy of it. The server comes from
// VESTIGE_TEST_DATABASE_URL, which must be a superuser's URL (creating the vector extension
// needs one). Without a server, tests skip with a one-line reason, unless
// VESTIGE_REQUIRE_POSTGRES=1 (as in `make test` and CI), where they fail.
package testdb

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver that pgtestdb opens
	"github.com/peterldowns/pgtestdb"

	"github.com/vestige-mem/vestige/client/store/pgstore"
	sqlfs "github.com/vestige-mem/vestige/sql"
)

// Role is the superuser test role pgtestdb creates and connects as. It has a name of its own
// because pgtestdb never alters an existing role, and its default role cannot create
// extensions.
const Role = "vestige_test_super"

// URL returns the superuser URL of the test server, or skips (fails under
// VESTIGE_REQUIRE_POSTGRES=1) when there is none.
func URL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("VESTIGE_TEST_DATABASE_URL")
	if u == "" {
		if os.Getenv("VESTIGE_REQUIRE_POSTGRES") == "1" {
			t.Fatal("VESTIGE_TEST_DATABASE_URL is not set and VESTIGE_REQUIRE_POSTGRES=1: run `make test`, which starts a server")
		}
		t.Skip("no Postgres: set VESTIGE_TEST_DATABASE_URL to a superuser URL (or run `make test`)")
	}
	return u
}

// migrator builds the template with pgstore.Migrate; its hash covers every embedded SQL
// file, so any change to a migration or a function makes a new template.
type migrator struct{}

func (migrator) Hash() (string, error) { return sqlfs.Hash(".") }

func (migrator) Migrate(ctx context.Context, _ *sql.DB, conf pgtestdb.Config) error {
	conn, err := pgx.Connect(ctx, conf.URL())
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	return pgstore.Migrate(ctx, conn)
}

func config(t testing.TB) pgtestdb.Config {
	t.Helper()
	raw := URL(t)
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("VESTIGE_TEST_DATABASE_URL is not a URL")
	}
	pw, _ := u.User.Password()
	opts := u.Query()
	if opts.Get("sslmode") == "" {
		opts.Set("sslmode", "disable")
	}
	db := "postgres"
	if p := u.Path; len(p) > 1 {
		db = p[1:]
	}
	return pgtestdb.Config{
		DriverName: "pgx",
		Host:       u.Hostname(),
		Port:       u.Port(),
		User:       u.User.Username(),
		Password:   pw,
		Database:   db,
		Options:    opts.Encode(),
		TestRole: &pgtestdb.Role{
			Username:     Role,
			Password:     "vestige_test_pw",
			Capabilities: "SUPERUSER",
		},
		ForceTerminateConnections: true,
	}
}

// New returns the URL of a fresh, migrated database that is dropped when the test ends
// (kept when it fails, for a look).
func New(t testing.TB) string {
	t.Helper()
	return pgtestdb.Custom(t, config(t), migrator{}).URL()
}

// Empty returns the URL of a fresh database with no schema of ours at all (for tests of
// migrate itself).
func Empty(t testing.TB) string {
	t.Helper()
	return pgtestdb.Custom(t, config(t), pgtestdb.NoopMigrator{}).URL()
}

// Conn opens a connection to url that is closed when the test ends.
func Conn(t testing.TB, url string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect to test database: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}
