package sqlitestore_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store"
	"github.com/vestige-mem/vestige/client/store/sqlitestore"
)

// Vacuum trims the vector change log. A process whose vectors were current carries on
// replaying (no full reload); one that lagged behind the trimmed entries reloads once and
// finds every change.
func TestVacuumKeepsCurrentVectors(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "vestige.db")
	a, err := sqlitestore.Open(ctx, path)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, a.Close()) })
	b, err := sqlitestore.Open(ctx, path)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, b.Close()) })
	sig := store.ModelSignature{Name: "m3", Dimension: 3, Hash: "h"}
	require.NoError(t, a.EnsureModel(ctx, sig))

	x := []float32{1, 0, 0}
	m1, err := a.Insert(ctx, store.Memory{Content: "one", Embedding: []float32{1, 0.2, 0}})
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{m1.ID}, vectorIDs(t, a, x, 5))
	require.Equal(t, []uuid.UUID{m1.ID}, vectorIDs(t, b, x, 5))
	require.Equal(t, 1, sqlitestore.VectorReloads(a), "the first search loads")
	require.Equal(t, 1, sqlitestore.VectorReloads(b))

	// b lags: it does not search again before the vacuum.
	m2, err := a.Insert(ctx, store.Memory{Content: "two", Embedding: []float32{1, 0.1, 0}})
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{m2.ID, m1.ID}, vectorIDs(t, a, x, 5))
	require.NoError(t, a.Vacuum(ctx))

	require.Equal(t, []uuid.UUID{m2.ID, m1.ID}, vectorIDs(t, a, x, 5))
	require.Equal(t, 1, sqlitestore.VectorReloads(a), "a was current: the vacuum costs it no reload")
	m3, err := a.Insert(ctx, store.Memory{Content: "three", Embedding: []float32{1, 0, 0}})
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{m3.ID, m2.ID, m1.ID}, vectorIDs(t, a, x, 5))
	require.Equal(t, 1, sqlitestore.VectorReloads(a), "writes after the vacuum replay")

	require.Equal(t, []uuid.UUID{m3.ID, m2.ID, m1.ID}, vectorIDs(t, b, x, 5), "the lagging b sees every change")
	require.Equal(t, 2, sqlitestore.VectorReloads(b), "b missed trimmed entries: one reload")
	require.NoError(t, a.Delete(ctx, m2.ID))
	require.Equal(t, []uuid.UUID{m3.ID, m1.ID}, vectorIDs(t, b, x, 5))
	require.Equal(t, 2, sqlitestore.VectorReloads(b), "then replays again")

	// Vacuums by the other process, and over an already empty log, leave both current.
	require.Equal(t, []uuid.UUID{m3.ID, m1.ID}, vectorIDs(t, a, x, 5))
	require.NoError(t, b.Vacuum(ctx))
	require.NoError(t, a.Vacuum(ctx))
	require.Equal(t, []uuid.UUID{m3.ID, m1.ID}, vectorIDs(t, a, x, 5))
	require.Equal(t, []uuid.UUID{m3.ID, m1.ID}, vectorIDs(t, b, x, 5))
	require.Equal(t, 1, sqlitestore.VectorReloads(a))
	require.Equal(t, 2, sqlitestore.VectorReloads(b))
}
