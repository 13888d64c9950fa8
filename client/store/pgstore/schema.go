package pgstore

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/tern/v2/migrate"

	sqlfs "github.com/vestige-mem/vestige/sql"
)

// VersionTable is tern's version table: after a schema down to 0 it is the only object of
// ours left in the database.
const VersionTable = "vestige_schema_version"

// ternLockNum is the advisory lock tern takes while it migrates. The function install takes
// the same lock, so a migrate and an install never interleave.
const ternLockNum = int64(9628173550095224)

// SchemaStatus is what `vestige schema status` reports.
type SchemaStatus struct {
	Version int32 // applied migration version (0: empty)
	Latest  int32 // newest migration this binary knows
	// FunctionsHash and APIVersion are what the database records of its SQL API ("" and 0
	// when not installed); WantFunctionsHash and WantAPIVersion are this binary's.
	FunctionsHash     string
	WantFunctionsHash string
	APIVersion        int
	WantAPIVersion    int
}

// Current reports whether the schema and the functions are exactly this binary's.
func (s SchemaStatus) Current() bool {
	return s.Version == s.Latest && s.FunctionsHash == s.WantFunctionsHash && s.APIVersion == s.WantAPIVersion
}

// Behind reports whether this binary would bring the database forward: a migration is
// missing, or the SQL API is missing or older. Only then does an auto-migrating Open run
// DDL; a current (or newer) database is never touched by it.
func (s SchemaStatus) Behind() bool {
	return s.Version < s.Latest || s.FunctionsHash == "" || s.APIVersion < s.WantAPIVersion
}

// FunctionsState is "current", "stale" (an older API, or this version with other
// contents), "newer" (installed by a newer vestige) or "not installed".
func (s SchemaStatus) FunctionsState() string {
	switch {
	case s.FunctionsHash == "":
		return "not installed"
	case s.APIVersion > s.WantAPIVersion:
		return "newer"
	case s.FunctionsHash == s.WantFunctionsHash && s.APIVersion == s.WantAPIVersion:
		return "current"
	default:
		return "stale"
	}
}

func newMigrator(ctx context.Context, conn *pgx.Conn) (*migrate.Migrator, error) {
	m, err := migrate.NewMigrator(ctx, conn, VersionTable)
	if err != nil {
		return nil, fmt.Errorf("schema: prepare version table: %w", err)
	}
	if err := m.LoadMigrations(sqlfs.Sub("migrations")); err != nil {
		return nil, fmt.Errorf("schema: load migrations: %w", err)
	}
	return m, nil
}

// LatestVersion is the number of migrations embedded in this binary.
func LatestVersion() (int32, error) {
	names, err := migrate.FindMigrations(sqlfs.Sub("migrations"))
	if err != nil {
		return 0, err
	}
	return int32(len(names)), nil
}

// Migrate brings the database to the newest schema and installs the SQL API when it is
// missing or stale. Production (client.Open, `vestige schema up`) and the test databases use
// this one function.
func Migrate(ctx context.Context, conn *pgx.Conn) error {
	latest, err := LatestVersion()
	if err != nil {
		return err
	}
	return MigrateTo(ctx, conn, latest)
}

// MigrateTo moves the schema to version target (0 removes everything of ours but the
// version table). The SQL API is installed only at the newest version: below it, the
// functions are dropped first, since they may name what the down step removes.
func MigrateTo(ctx context.Context, conn *pgx.Conn, target int32) error {
	m, err := newMigrator(ctx, conn)
	if err != nil {
		return err
	}
	latest := int32(len(m.Migrations))
	if target < 0 || target > latest {
		return fmt.Errorf("schema: version %d is outside 0..%d", target, latest)
	}
	current, err := m.GetCurrentVersion(ctx)
	if err != nil {
		return fmt.Errorf("schema: read version: %w", err)
	}
	if current > latest {
		// tern would run down steps this binary does not even have.
		return fmt.Errorf("schema: database schema version %d is newer than this vestige (%d): upgrade vestige", current, latest)
	}
	if target < current {
		if err := dropFunctions(ctx, conn); err != nil {
			return err
		}
	}
	if err := m.MigrateTo(ctx, target); err != nil {
		return fmt.Errorf("schema: migrate to version %d: %w", target, err)
	}
	if target == latest {
		return installFunctions(ctx, conn)
	}
	return nil
}

// Status reads the applied version and the installed SQL API. It only reads: a read-only
// role (or a hot standby) can run it.
func Status(ctx context.Context, conn *pgx.Conn) (SchemaStatus, error) {
	st := SchemaStatus{WantAPIVersion: APIVersion}
	latest, err := LatestVersion()
	if err != nil {
		return st, err
	}
	st.Latest = latest
	if st.WantFunctionsHash, err = FunctionsHash(); err != nil {
		return st, err
	}
	var exists bool
	err = conn.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, VersionTable).Scan(&exists)
	if err != nil {
		return st, fmt.Errorf("schema: status: %w", err)
	}
	if !exists {
		return st, nil
	}
	if err := conn.QueryRow(ctx, `SELECT version FROM `+VersionTable).Scan(&st.Version); err != nil {
		return st, fmt.Errorf("schema: status: %w", err)
	}
	api, err := readInstalledAPI(ctx, conn)
	st.FunctionsHash, st.APIVersion = api.Hash, api.Version
	return st, err
}

// withLock runs fn in one transaction under tern's advisory lock.
func withLock(ctx context.Context, conn *pgx.Conn, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, ternLockNum); err != nil {
			return err
		}
		return fn(tx)
	})
}
