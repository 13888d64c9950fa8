package pgstore_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store"
	"github.com/vestige-mem/vestige/client/store/pgstore"
	"github.com/vestige-mem/vestige/tests/testdb"
)

// insertMemory writes one memory through SQL and returns its id.
func insertMemory(t *testing.T, conn *pgx.Conn, content string) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	require.NoError(t, conn.QueryRow(context.Background(),
		`INSERT INTO memories (content) VALUES ($1) RETURNING id`, content).Scan(&id))
	return id
}

// waitForLockWait returns once a backend of application_name waits on a lock.
func waitForLockWait(t *testing.T, conn *pgx.Conn, app string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var n int
		require.NoError(t, conn.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity
			WHERE application_name = $1 AND wait_event_type = 'Lock'`, app).Scan(&n))
		if n > 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no backend of %s waited on a lock", app)
}

// TestConflictsAreRetryable provokes a real serialization failure and a real deadlock and
// checks that both map to store.ErrRetryable (they used to pass through unnamed).
func TestConflictsAreRetryable(t *testing.T) {
	ctx := context.Background()
	dbURL := testdb.New(t)
	a, b := testdb.Conn(t, dbURL), testdb.Conn(t, dbURL)
	x, y := insertMemory(t, a, "x"), insertMemory(t, a, "y")

	t.Run("40001", func(t *testing.T) {
		tx, err := a.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead})
		require.NoError(t, err)
		defer func() { _ = tx.Rollback(ctx) }()
		_, err = tx.Exec(ctx, `SELECT 1 FROM memories`) // takes the snapshot
		require.NoError(t, err)
		_, err = b.Exec(ctx, `UPDATE memories SET content = 'by b' WHERE id = $1`, x)
		require.NoError(t, err)
		_, err = tx.Exec(ctx, `UPDATE memories SET content = 'by a' WHERE id = $1`, x)
		requireRetryable(t, pgstore.InterpretError(err), "40001")
	})

	t.Run("40P01", func(t *testing.T) {
		ta, err := a.Begin(ctx)
		require.NoError(t, err)
		defer func() { _ = ta.Rollback(ctx) }()
		tb, err := b.Begin(ctx)
		require.NoError(t, err)
		defer func() { _ = tb.Rollback(ctx) }()
		_, err = ta.Exec(ctx, `UPDATE memories SET content = 'a' WHERE id = $1`, x)
		require.NoError(t, err)
		_, err = tb.Exec(ctx, `UPDATE memories SET content = 'b' WHERE id = $1`, y)
		require.NoError(t, err)
		errs := make(chan error, 2)
		go func() {
			_, err := ta.Exec(ctx, `UPDATE memories SET content = 'a' WHERE id = $1`, y)
			errs <- err
		}()
		time.Sleep(100 * time.Millisecond) // a waits on b first
		_, errB := tb.Exec(ctx, `UPDATE memories SET content = 'b' WHERE id = $1`, x)
		if errB == nil {
			require.NoError(t, tb.Rollback(ctx)) // lets a go on
		}
		errA := <-errs
		deadlock := errA
		if errA == nil {
			deadlock = errB
		}
		requireRetryable(t, pgstore.InterpretError(deadlock), "40P01")
	})
}

func requireRetryable(t *testing.T, err error, code string) {
	t.Helper()
	require.ErrorIs(t, err, store.ErrRetryable)
	var re *store.RetryableError
	require.ErrorAs(t, err, &re)
	require.Equal(t, code, re.Code)
	var pg *pgconn.PgError
	require.ErrorAs(t, err, &pg, "the Postgres error stays reachable")
	require.NotErrorIs(t, err, store.ErrInvalidInput)
}

// retries counts the retries of the test's store methods by SQLSTATE.
func retries(t *testing.T) func(code string) int {
	var mu sync.Mutex
	seen := map[string]int{}
	pgstore.OnRetry(t, func(err error) {
		var pg *pgconn.PgError
		if errors.As(err, &pg) {
			mu.Lock()
			seen[pg.Code]++
			mu.Unlock()
		}
	})
	return func(code string) int {
		mu.Lock()
		defer mu.Unlock()
		return seen[code]
	}
}

// TestUpdateRetriesSerializationFailure: under REPEATABLE READ (a server or role default some
// operators set), an UPDATE that waited on a concurrent one fails with 40001; the store runs
// the statement again and it succeeds.
func TestUpdateRetriesSerializationFailure(t *testing.T) {
	ctx := context.Background()
	dbURL := testdb.New(t)
	const app = "vestige_retry_40001"
	s := open(t, pgstore.Options{URL: dbURL + "&default_transaction_isolation=repeatable%20read&application_name=" + app})
	count := retries(t)
	conn := testdb.Conn(t, dbURL)
	m, err := s.Insert(ctx, store.Memory{Content: "first"})
	require.NoError(t, err)

	tx, err := conn.Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `UPDATE memories SET content = 'by another writer' WHERE id = $1`, m.ID)
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() {
		m.Content = "by the store"
		_, err := s.Update(ctx, m)
		done <- err
	}()
	waitForLockWait(t, conn, app)
	require.NoError(t, tx.Commit(ctx))
	require.NoError(t, <-done)
	require.GreaterOrEqual(t, count("40001"), 1, "the update was retried")
	got, err := s.Get(ctx, m.ID)
	require.NoError(t, err)
	require.Equal(t, "by the store", got.Content)
}

// TestLoadReplaysDeadlockedTransaction: an import that deadlocks with another writer is
// rolled back by the server (40P01) and replayed whole by the store.
func TestLoadReplaysDeadlockedTransaction(t *testing.T) {
	ctx := context.Background()
	dbURL := testdb.New(t)
	const app = "vestige_retry_40P01"
	s := open(t, pgstore.Options{URL: dbURL + "&application_name=" + app})
	count := retries(t)
	conn := testdb.Conn(t, dbURL)
	ida := uuid.MustParse("00000000-0000-4000-8000-00000000000a")
	idb := uuid.MustParse("00000000-0000-4000-8000-00000000000b")
	now := store.Truncate(time.Now().UTC())
	mem := func(id uuid.UUID) store.Record {
		return store.Record{Type: store.RecordMemory, Memory: &store.Memory{ID: id, Content: "imported " + id.String(),
			NodeType: "fact", CreatedAt: now, UpdatedAt: now}}
	}

	// Another writer holds b (uncommitted); the import writes a, then waits on b.
	tx, err := conn.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	_, err = tx.Exec(ctx, `INSERT INTO memories (id, content) VALUES ($1, 'other b')`, idb)
	require.NoError(t, err)
	var n atomic.Int64
	done := make(chan error, 1)
	go func() {
		got, err := s.Load(ctx, []store.Record{mem(ida), mem(idb)})
		n.Store(int64(got))
		done <- err
	}()
	waitForLockWait(t, conn, app)
	// Now the other writer wants a: a cycle. The import waited first, so its deadlock check
	// fires first and the server aborts it; the other writer then gets a and gives up.
	_, err = tx.Exec(ctx, `INSERT INTO memories (id, content) VALUES ($1, 'other a')`, ida)
	require.NoError(t, err)
	require.NoError(t, tx.Rollback(ctx))
	require.NoError(t, <-done)
	require.GreaterOrEqual(t, count("40P01"), 1, "the import was replayed")
	require.EqualValues(t, 2, n.Load(), "the replay counts its own rows only")
	for _, id := range []uuid.UUID{ida, idb} {
		got, err := s.Get(ctx, id)
		require.NoError(t, err)
		require.Equal(t, "imported "+id.String(), got.Content)
	}
}
