package pgstore

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

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
	// FunctionsHash is the hash of the SQL API recorded in the database ("" when not
	// installed); WantFunctionsHash is this binary's.
	FunctionsHash     string
	WantFunctionsHash string
}

// Current reports whether the schema and the functions are exactly this binary's.
func (s SchemaStatus) Current() bool {
	return s.Version == s.Latest && s.FunctionsHash == s.WantFunctionsHash
}

// FunctionsState is "current", "stale" or "not installed".
func (s SchemaStatus) FunctionsState() string {
	switch s.FunctionsHash {
	case "":
		return "not installed"
	case s.WantFunctionsHash:
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

// Status reads the applied version and the installed functions' hash.
func Status(ctx context.Context, conn *pgx.Conn) (SchemaStatus, error) {
	var st SchemaStatus
	latest, err := LatestVersion()
	if err != nil {
		return st, err
	}
	st.Latest = latest
	if st.WantFunctionsHash, err = sqlfs.Hash("functions"); err != nil {
		return st, err
	}
	var exists bool
	err = conn.QueryRow(ctx,
		`SELECT to_regclass($1) IS NOT NULL, to_regclass('vestige_functions') IS NOT NULL`,
		VersionTable).Scan(&exists, new(bool))
	if err != nil {
		return st, fmt.Errorf("schema: status: %w", err)
	}
	if !exists {
		return st, nil
	}
	if err := conn.QueryRow(ctx, `SELECT version FROM `+VersionTable).Scan(&st.Version); err != nil {
		return st, fmt.Errorf("schema: status: %w", err)
	}
	st.FunctionsHash, err = installedFunctionsHash(ctx, conn)
	return st, err
}

func installedFunctionsHash(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) (string, error) {
	var exists bool
	if err := q.QueryRow(ctx, `SELECT to_regclass('vestige_functions') IS NOT NULL`).Scan(&exists); err != nil {
		return "", fmt.Errorf("schema: read functions hash: %w", err)
	}
	if !exists {
		return "", nil
	}
	var hash string
	err := q.QueryRow(ctx, `SELECT coalesce((SELECT hash FROM vestige_functions WHERE id = 1), '')`).Scan(&hash)
	if err != nil {
		return "", fmt.Errorf("schema: read functions hash: %w", err)
	}
	return hash, nil
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

// installFunctions drops every vestige_* function of the current schema and creates the
// embedded ones, in one transaction, when the recorded hash differs from this binary's.
// Drop and create (not CREATE OR REPLACE), since a changed output column cannot be replaced.
func installFunctions(ctx context.Context, conn *pgx.Conn) error {
	want, err := sqlfs.Hash("functions")
	if err != nil {
		return err
	}
	files, err := functionFiles()
	if err != nil {
		return err
	}
	return withLock(ctx, conn, func(tx pgx.Tx) error {
		have, err := installedFunctionsHash(ctx, tx)
		if err != nil {
			return err
		}
		if have == want {
			return nil
		}
		if err := dropFunctionsTx(ctx, tx); err != nil {
			return err
		}
		for _, f := range files {
			if _, err := tx.Exec(ctx, f.body); err != nil {
				return fmt.Errorf("schema: install %s: %w", f.name, err)
			}
		}
		_, err = tx.Exec(ctx, `INSERT INTO vestige_functions (id, hash, installed_at) VALUES (1, $1, now())
			ON CONFLICT (id) DO UPDATE SET hash = excluded.hash, installed_at = excluded.installed_at`, want)
		if err != nil {
			return fmt.Errorf("schema: record functions hash: %w", err)
		}
		return nil
	})
}

func dropFunctions(ctx context.Context, conn *pgx.Conn) error {
	return withLock(ctx, conn, func(tx pgx.Tx) error { return dropFunctionsTx(ctx, tx) })
}

// dropFunctionsTx removes the SQL API: every vestige_* function in the current schema (the
// helpers that tables depend on are named otherwise and belong to the migrations).
func dropFunctionsTx(ctx context.Context, tx pgx.Tx) error {
	rows, err := tx.Query(ctx, `SELECT p.oid::regprocedure::text FROM pg_proc p
		WHERE p.pronamespace = current_schema()::regnamespace AND p.proname LIKE 'vestige\_%'`)
	if err != nil {
		return fmt.Errorf("schema: list functions: %w", err)
	}
	sigs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("schema: list functions: %w", err)
	}
	for _, sig := range sigs {
		if _, err := tx.Exec(ctx, "DROP FUNCTION "+sig); err != nil {
			return fmt.Errorf("schema: drop %s: %w", sig, err)
		}
	}
	_, err = tx.Exec(ctx, `DO $$ BEGIN
		IF to_regclass('vestige_functions') IS NOT NULL THEN DELETE FROM vestige_functions; END IF;
	END $$`)
	return err
}

type functionFile struct{ name, body string }

func functionFiles() ([]functionFile, error) {
	fsys := sqlfs.Sub("functions")
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	out := make([]functionFile, 0, len(names))
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		if strings.TrimSpace(string(b)) == "" {
			return nil, fmt.Errorf("schema: %s is empty", path.Join("functions", n))
		}
		out = append(out, functionFile{name: n, body: string(b)})
	}
	return out, nil
}
