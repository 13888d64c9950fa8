// Package sqlitestore is the embedded backend, the zero-setup default: one SQLite file, no
// server. Postgres does the work in the other backend (the vestige_* functions of
// sql/functions); this package ports each of those functions to Go, with the same constants,
// rank rules, tie-breaks, filters and errors, so that the conformance suite (storetest) and
// the parity test (tests/parity) hold both backends to one behaviour.
//
// The schema is sql/sqlite, versioned by PRAGMA user_version. Vectors are searched by an
// exact cosine scan over a copy held in memory (vectors.go); full text by FTS5 (fts.go).
package sqlitestore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"zombiezen.com/go/sqlite"
	"zombiezen.com/go/sqlite/sqlitex"

	"github.com/vestige-mem/vestige/client/store"
)

// busyTimeout bounds the wait for another process's write lock. Writers of this process never
// wait on it: they queue on Store.writeSlot, which honours their contexts.
const busyTimeout = 10 * time.Second

// Store is the SQLite backend. It is safe for concurrent use.
type Store struct {
	path string
	pool *sqlitex.Pool
	// writeSlot admits one writer at a time: SQLite has a single write lock, and queueing
	// here (cancellable) beats polling the lock from many connections.
	writeSlot chan struct{}
	vectors   *vectorIndex
	// writerModel is the model this Store registered or checked (EnsureModel) or switched to (a
	// re-embed): a vector write is refused when the registry names another by then.
	writerModel atomic.Pointer[store.ModelSignature]
	// keepCopyPending is Options.KeepCopyPending.
	keepCopyPending bool

	closeOnce sync.Once
	closeErr  error
}

// Options tunes Open. The zero value is what Open uses.
type Options struct {
	// SkipMigrate opens the file without bringing its schema up to date: for `vestige
	// schema status|down`, which migrate explicitly.
	SkipMigrate bool
	// ReadOnly opens an existing file for reading only (SQLite's mode=ro): nothing is
	// created or migrated, and every write fails. The source of a copy is opened so.
	ReadOnly bool
	// PoolSize is the number of connections (readers run in parallel in WAL mode); 0 means
	// max(4, number of CPUs).
	PoolSize int
	// KeepCopyPending leaves the build of a bulk load that a killed copy did not finish
	// (SearchIndexesPending) to the copy that runs again, which loads the rest the same way
	// and then builds; any other Open finishes it at once (bulkbuild.go).
	KeepCopyPending bool
}

// Open opens (creating it and its folder when missing) the database at path and migrates it
// to the newest schema.
func Open(ctx context.Context, path string) (*Store, error) {
	return OpenWith(ctx, path, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, path string, opts Options) (*Store, error) {
	if path == "" {
		return nil, &store.InvalidInputError{Field: "sqlite path", Reason: "is empty"}
	}
	if opts.ReadOnly {
		return openReadOnly(path, opts)
	}
	// Memories are personal: the folder is private to the user.
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("sqlitestore: create folder for %s: %w", path, err)
	}
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	size := opts.PoolSize
	if size <= 0 {
		size = max(4, runtime.NumCPU())
	}
	flags := sqlite.OpenReadWrite | sqlite.OpenCreate | sqlite.OpenWAL
	pool, err := sqlitex.NewPool(path, sqlitex.PoolOptions{Flags: flags, PoolSize: size, PrepareConn: prepareConn})
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: open %s: %w", path, err)
	}
	s := &Store{
		path:      path,
		pool:      pool,
		writeSlot: make(chan struct{}, 1),
		vectors:   newVectorIndex(path, flags),

		keepCopyPending: opts.KeepCopyPending,
	}
	if !opts.SkipMigrate {
		if err := s.Migrate(ctx); err != nil {
			_ = s.Close()
			return nil, err
		}
	}
	return s, nil
}

func openReadOnly(path string, opts Options) (*Store, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("sqlitestore: open %s: %w", path, err)
	}
	size := opts.PoolSize
	if size <= 0 {
		size = max(4, runtime.NumCPU())
	}
	flags := sqlite.OpenReadOnly | sqlite.OpenWAL
	pool, err := sqlitex.NewPool(path, sqlitex.PoolOptions{Flags: flags, PoolSize: size, PrepareConn: prepareConn})
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: open %s read-only: %w", path, err)
	}
	return &Store{path: path, pool: pool, writeSlot: make(chan struct{}, 1), vectors: newVectorIndex(path, flags)}, nil
}

// createPrivate creates the database file 0600 when it does not exist yet. SQLite would
// create it 0644, and its unix VFS gives the -wal, -shm and -journal files the database
// file's mode, so this one file decides the mode of all of them. An empty file is an empty
// database. An existing file keeps the mode its owner gave it.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sqlitestore: create %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("sqlitestore: create %s: %w", path, err)
	}
	return nil
}

// prepareConn sets up what SQLite keeps per connection, not per file: pragmas, the Go SQL
// functions, the query stemmer.
func prepareConn(conn *sqlite.Conn) error {
	conn.SetBusyTimeout(busyTimeout)
	// synchronous=NORMAL is the WAL setting SQLite recommends: never corrupt, and a commit
	// costs no fsync (a power cut may lose the last commits, not the file).
	for _, pragma := range []string{"PRAGMA foreign_keys = ON", "PRAGMA synchronous = NORMAL"} {
		if err := exec(conn, pragma); err != nil {
			return err
		}
	}
	if err := registerFunctions(conn); err != nil {
		return err
	}
	return prepareStemmer(conn)
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Close releases every connection; later calls return the first call's result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.closeErr = errors.Join(s.vectors.close(), s.pool.Close())
	})
	return s.closeErr
}

// Init brings the schema to the newest version (Open already does, unless SkipMigrate).
func (s *Store) Init(ctx context.Context) error { return s.Migrate(ctx) }

// read runs fn in a read transaction: one snapshot for every statement of fn.
func (s *Store) read(ctx context.Context, fn func(*sqlite.Conn) error) error {
	conn, err := s.pool.Take(ctx)
	if err != nil {
		return err
	}
	defer s.pool.Put(conn)
	return inTx(conn, "BEGIN", fn)
}

// write runs fn in a write transaction. BEGIN IMMEDIATE takes the write lock up front: a
// deferred transaction that upgrades later can fail with SQLITE_BUSY without waiting.
func (s *Store) write(ctx context.Context, fn func(*sqlite.Conn) error) error {
	return s.writer(ctx, func(conn *sqlite.Conn) error { return inTx(conn, "BEGIN IMMEDIATE", fn) })
}

// writer runs fn on a connection while holding the in-process write slot, outside any
// transaction (for write, and for statements such as VACUUM that cannot run inside one).
func (s *Store) writer(ctx context.Context, fn func(*sqlite.Conn) error) error {
	select {
	case s.writeSlot <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.writeSlot }()
	conn, err := s.pool.Take(ctx)
	if err != nil {
		return err
	}
	defer s.pool.Put(conn)
	return fn(conn)
}
