package sqlitestore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"zombiezen.com/go/sqlite"
	"zombiezen.com/go/sqlite/sqlitex"

	"github.com/vestige-mem/vestige/client/store"
	sqlfs "github.com/vestige-mem/vestige/sql"
)

// ErrSchemaAhead: the file was written by a newer vestige, whose schema this binary does not
// know; writing to it could break that version's invariants.
var ErrSchemaAhead = errors.New("database schema is newer than this vestige version; upgrade vestige")

// The split line of a migration file, the same as in the Postgres migrations.
const migrationSeparator = "---- create above / drop below ----"

type migration struct {
	version  int
	name     string
	up, down string
}

// migrations reads sql/sqlite: NNN_name.sql files numbered 1, 2, … without gaps, as the
// Postgres migrations are, so that version N means the same schema on both backends.
func migrations() ([]migration, error) {
	fsys := sqlfs.Sub("sqlite")
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	out := make([]migration, 0, len(names))
	for i, name := range names {
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v != i+1 {
			return nil, fmt.Errorf("sqlitestore: migration %s: want number %03d", path.Join("sql/sqlite", name), i+1)
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		up, down, ok := strings.Cut(string(body), migrationSeparator)
		if !ok {
			return nil, fmt.Errorf("sqlitestore: migration %s has no %q line", name, migrationSeparator)
		}
		out = append(out, migration{version: v, name: name, up: up, down: down})
	}
	return out, nil
}

// LatestVersion is the newest schema version this binary knows.
func LatestVersion() int {
	ms, err := migrations()
	if err != nil {
		panic(err) // the files are embedded: a bad name is a build bug
	}
	return len(ms)
}

// SchemaVersion reads PRAGMA user_version: the schema version the file is at (0: empty).
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.read(ctx, func(conn *sqlite.Conn) error {
		var err error
		v, err = userVersion(conn)
		return err
	})
	return v, err
}

func userVersion(conn *sqlite.Conn) (int, error) {
	var v int
	_, err := queryOne(conn, "PRAGMA user_version", func(stmt *sqlite.Stmt) error {
		v = stmt.ColumnInt(0)
		return nil
	})
	return v, err
}

// Migrate brings the schema to the newest version.
func (s *Store) Migrate(ctx context.Context) error {
	return s.MigrateTo(ctx, LatestVersion())
}

// MigrateTo moves the schema to version target, up or down, in one transaction (SQLite DDL
// and user_version are transactional, so a failed step leaves the previous version whole).
// Version 0 leaves a file with nothing of ours in it. The build of a bulk load an
// interrupted copy left (SearchIndexesPending) is finished first.
func (s *Store) MigrateTo(ctx context.Context, target int) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	if target < 0 || target > len(ms) {
		return &store.InvalidInputError{Field: "schema version", Reason: fmt.Sprintf("%d is outside 0..%d", target, len(ms))}
	}
	err = s.write(ctx, func(conn *sqlite.Conn) error {
		current, err := userVersion(conn)
		if err != nil {
			return err
		}
		if current > len(ms) {
			return fmt.Errorf("%w (file at version %d, this binary knows up to %d)", ErrSchemaAhead, current, len(ms))
		}
		// A migration expects the schema whole, and other writers need the triggers a bulk
		// load deferred: its build is finished first (bulkbuild.go).
		if !s.keepCopyPending || current != target {
			if err := finishDeferred(conn, nil); err != nil {
				return fmt.Errorf("finish the build of an interrupted copy: %w", err)
			}
		}
		for v := current + 1; v <= target; v++ {
			if err := runStep(conn, ms[v-1].name, ms[v-1].up, v); err != nil {
				return err
			}
			if after := afterUp[v]; after != nil {
				if err := after(conn); err != nil {
					return fmt.Errorf("%s: %w", ms[v-1].name, err)
				}
			}
		}
		for v := current; v > target; v-- {
			if err := runStep(conn, ms[v-1].name+" (down)", ms[v-1].down, v-1); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: migrate to version %d: %w", target, err)
	}
	s.vectors.reset()
	return nil
}

// afterUp holds the Go part of a migration, run right after its script in the same
// transaction: what SQL alone cannot compute (004: the NFC text of the full-text index).
var afterUp = map[int]func(*sqlite.Conn) error{
	4: reindexAllFTS,
}

func runStep(conn *sqlite.Conn, name, script string, version int) error {
	if err := sqlitex.ExecuteScript(conn, script, nil); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	// PRAGMA takes no parameters; version is an int, so formatting it is safe.
	return exec(conn, "PRAGMA user_version = "+strconv.Itoa(version))
}
