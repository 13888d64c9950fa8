package transfer_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/embedder"
	"github.com/vestige-mem/vestige/client/store"
	"github.com/vestige-mem/vestige/client/store/pgstore"
	"github.com/vestige-mem/vestige/client/store/sqlitestore"
	"github.com/vestige-mem/vestige/client/transfer"
	"github.com/vestige-mem/vestige/client/transfer/transfertest"
	"github.com/vestige-mem/vestige/tests/testdb"
)

type testStore interface {
	store.Store
	store.Dumper
}

// bothStores opens an empty store of each backend, by name.
var bothStores = map[string]func(t *testing.T) testStore{
	"sqlite":   func(t *testing.T) testStore { st, _ := newSQLite(t); return st },
	"postgres": func(t *testing.T) testStore { st, _ := newPostgres(t); return st },
}

func newSQLite(t *testing.T) (*sqlitestore.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "vestige.db")
	st, err := sqlitestore.Open(context.Background(), path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return st, path
}

func openReadOnly(t *testing.T, path string) *sqlitestore.Store {
	t.Helper()
	st, err := sqlitestore.OpenWith(context.Background(), path, sqlitestore.Options{ReadOnly: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func newPostgres(t *testing.T) (*pgstore.Store, string) {
	t.Helper()
	url := testdb.New(t)
	st, err := pgstore.Open(context.Background(), pgstore.Options{URL: url, AutoMigrate: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return st, url
}

func hash(t testing.TB, dim int) embedder.Embedder {
	t.Helper()
	e, err := embedder.NewHash(dim)
	require.NoError(t, err)
	return e
}

// dump returns every record of st as JSON values (two stores are equal when these are).
func dump(t *testing.T, st store.Dumper) []any {
	t.Helper()
	out, err := transfertest.Dump(context.Background(), st)
	require.NoError(t, err)
	return out
}

func copyAll(t *testing.T, src transfer.Source, dst store.Store, opts transfer.CopyOptions) transfer.CopyReport {
	t.Helper()
	rep, err := transfer.Copy(context.Background(), src, dst, opts)
	require.NoError(t, err)
	return rep
}
