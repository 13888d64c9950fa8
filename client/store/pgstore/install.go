package pgstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/tern/v2/migrate"

	sqlfs "github.com/vestige-mem/vestige/sql"
)

// APIVersion orders the SQL API of sql/functions: a binary installs its functions over an
// older API (or none) and never over a newer one. Bump it whenever a file of sql/functions
// changes; TestInstallSQLIsCurrent fails until install.sql is regenerated with the new
// number (go test ./client/store/pgstore -run TestInstallSQLIsCurrent -update).
const APIVersion = 6

// InstallFile is the tern code package's entry point in sql/functions. `vestige schema up`
// runs exactly what `tern code install sql/functions` runs: this file, rendered by tern.
const InstallFile = "install.sql"

// ErrAPINewer is returned when the database holds a newer SQL API than this binary's: the
// binary may not replace it (that would downgrade the other binaries of a rolling upgrade).
var ErrAPINewer = errors.New("the installed SQL API is newer than this vestige: upgrade vestige")

// FunctionsHash is the hex SHA-256 of the SQL API: every file of sql/functions but
// install.sql (which records the hash, so it cannot be part of it), names and contents, in
// name order.
func FunctionsHash() (string, error) {
	fsys := sqlfs.Sub("functions")
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return "", err
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		if n == InstallFile {
			continue
		}
		body, err := fs.ReadFile(fsys, n)
		if err != nil {
			return "", err
		}
		if strings.TrimSpace(string(body)) == "" {
			return "", fmt.Errorf("schema: functions/%s is empty", n)
		}
		h.Write([]byte(n))
		h.Write([]byte{0})
		h.Write(body)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// GenerateInstallSQL is what install.sql must hold for an API version and hash: the two
// values, then every other file of sql/functions included in name order (tern's template
// syntax). 000_install_begin.sql loads pgvector, refuses a downgrade and keeps the old
// functions' privileges; 999_install_end.sql puts them back and records version and hash.
func GenerateInstallSQL(version int, hash string) (string, error) {
	names, err := fs.Glob(sqlfs.Sub("functions"), "*.sql")
	if err != nil {
		return "", err
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString(`-- The vestige SQL API as a tern code package. Generated: do not edit; after changing a file
-- here, bump pgstore.APIVersion and run
--   go test ./client/store/pgstore -run TestInstallSQLIsCurrent -update
-- ` + "`tern code install sql/functions`" + ` and ` + "`vestige schema up`" + ` both run this file, rendered by tern, in one
-- transaction, after the migrations (sql/migrations) are applied.
SELECT set_config('vestige.install_api_version', '` + strconv.Itoa(version) + `', true),
       set_config('vestige.install_hash', '` + hash + `', true);
`)
	for _, n := range names {
		if n == InstallFile {
			continue
		}
		fmt.Fprintf(&b, "{{ template %q . }}\n", n)
	}
	return b.String(), nil
}

// installSQL renders install.sql the way `tern code install` does.
func installSQL() (string, error) {
	pkg, err := migrate.LoadCodePackage(sqlfs.Sub("functions"))
	if err != nil {
		return "", fmt.Errorf("schema: load the functions' code package: %w", err)
	}
	sql, err := pkg.Eval(map[string]any{})
	if err != nil {
		return "", fmt.Errorf("schema: render %s: %w", InstallFile, err)
	}
	return sql, nil
}

// installedAPI is what vestige_functions records (zero values: nothing installed).
type installedAPI struct {
	Hash    string
	Version int
}

// readInstalledAPI reads vestige_functions, before and after migration 003 (which added
// api_version: an API installed before it counts as version 0).
func readInstalledAPI(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) (installedAPI, error) {
	var api installedAPI
	var exists bool
	if err := q.QueryRow(ctx, `SELECT to_regclass('vestige_functions') IS NOT NULL`).Scan(&exists); err != nil {
		return api, fmt.Errorf("schema: read the installed SQL API: %w", err)
	}
	if !exists {
		return api, nil
	}
	err := q.QueryRow(ctx, `SELECT coalesce(f->>'hash', ''), coalesce((f->>'api_version')::integer, 0)
		FROM (SELECT (SELECT to_jsonb(v) FROM vestige_functions v WHERE v.id = 1) AS f) s`).Scan(&api.Hash, &api.Version)
	if err != nil {
		return api, fmt.Errorf("schema: read the installed SQL API: %w", err)
	}
	return api, nil
}

// installFunctions installs the SQL API (install.sql) in one transaction under tern's lock,
// unless the database already holds exactly this binary's. It refuses (ErrAPINewer) to
// replace a newer API. Privileges granted on the functions survive (install.sql keeps them).
func installFunctions(ctx context.Context, conn *pgx.Conn) error {
	want, err := FunctionsHash()
	if err != nil {
		return err
	}
	sql, err := installSQL()
	if err != nil {
		return err
	}
	return withLock(ctx, conn, func(tx pgx.Tx) error {
		have, err := readInstalledAPI(ctx, tx)
		if err != nil {
			return err
		}
		if have.Version > APIVersion {
			return fmt.Errorf("schema: SQL API version %d is installed, this vestige has %d: %w", have.Version, APIVersion, ErrAPINewer)
		}
		if have.Hash == want && have.Version == APIVersion {
			return nil
		}
		// No arguments: pgx sends the script by the simple protocol, statement after
		// statement, as tern does.
		if _, err := tx.Exec(ctx, sql); err != nil {
			return fmt.Errorf("schema: install the SQL API (%s): %w", InstallFile, err)
		}
		return nil
	})
}

func dropFunctions(ctx context.Context, conn *pgx.Conn) error {
	return withLock(ctx, conn, func(tx pgx.Tx) error { return dropFunctionsTx(ctx, tx) })
}

// dropFunctionsTx removes the SQL API: every vestige_* function in the current schema (the
// helpers that tables depend on are named otherwise and belong to the migrations). The
// schema is found by name, not by casting current_schema() to regnamespace, which would
// fold or refuse a name such as "Vestige Mem".
func dropFunctionsTx(ctx context.Context, tx pgx.Tx) error {
	rows, err := tx.Query(ctx, `SELECT p.oid::regprocedure::text FROM pg_proc p
		JOIN pg_namespace n ON n.oid = p.pronamespace
		WHERE n.nspname = current_schema() AND p.proname LIKE 'vestige\_%'`)
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
