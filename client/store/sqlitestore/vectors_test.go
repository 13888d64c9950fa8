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

func vectorIDs(t *testing.T, s store.Store, q []float32, limit int) []uuid.UUID {
	t.Helper()
	res, err := s.VectorSearch(context.Background(), store.SearchQuery{Embedding: q, Limit: limit})
	require.NoError(t, err)
	ids := make([]uuid.UUID, len(res))
	for i, r := range res {
		ids[i] = r.Memory.ID
	}
	return ids
}

// Two stores on one file stand for two processes: each keeps its own in-memory vectors, and
// each sees the other's writes (insert, update, delete) at its next search, also after
// Vacuum trims the change log and after the schema is recreated.
func TestVectorsFollowOtherWriters(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "vestige.db")
	a, err := sqlitestore.Open(ctx, path)
	require.NoError(t, err)
	defer a.Close()
	b, err := sqlitestore.Open(ctx, path)
	require.NoError(t, err)
	defer b.Close()
	sig := store.ModelSignature{Name: "m3", Dimension: 3, Hash: "h"}
	require.NoError(t, a.EnsureModel(ctx, sig))
	require.NoError(t, b.EnsureModel(ctx, sig))

	x := []float32{1, 0, 0}
	m1, err := a.Insert(ctx, store.Memory{Content: "one", Embedding: []float32{1, 0.1, 0}})
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{m1.ID}, vectorIDs(t, b, x, 5), "b loads a's first write")

	m2, err := a.Insert(ctx, store.Memory{Content: "two", Embedding: []float32{1, 0, 0}})
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{m2.ID, m1.ID}, vectorIDs(t, b, x, 5), "b replays a's insert")

	m1.Embedding = []float32{0, 1, 0}
	_, err = a.Update(ctx, m1)
	require.NoError(t, err)
	res, err := b.VectorSearch(ctx, store.SearchQuery{Embedding: []float32{0, 1, 0}, Limit: 1})
	require.NoError(t, err)
	require.Equal(t, m1.ID, res[0].Memory.ID)
	require.InDelta(t, 1.0, *res[0].VectorScore, 1e-6, "b replays a's update")

	require.NoError(t, a.Delete(ctx, m2.ID))
	require.Equal(t, []uuid.UUID{m1.ID}, vectorIDs(t, b, x, 5), "b replays a's delete")

	m3, err := b.Insert(ctx, store.Memory{Content: "three", Embedding: []float32{1, 0, 0}})
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{m3.ID, m1.ID}, vectorIDs(t, a, x, 5), "and the other way round")

	require.NoError(t, a.Vacuum(ctx))
	m4, err := a.Insert(ctx, store.Memory{Content: "four", Embedding: []float32{1, 0.01, 0}})
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{m3.ID, m4.ID, m1.ID}, vectorIDs(t, b, x, 5), "a trimmed log makes b reload")

	m4.Embedding = nil
	_, err = b.Update(ctx, m4)
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{m3.ID, m1.ID}, vectorIDs(t, a, x, 5), "a removed embedding leaves the index")

	require.NoError(t, a.MigrateTo(ctx, 0))
	require.NoError(t, a.Migrate(ctx))
	require.NoError(t, a.EnsureModel(ctx, sig))
	m5, err := a.Insert(ctx, store.Memory{Content: "five", Embedding: []float32{1, 0, 0}})
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{m5.ID}, vectorIDs(t, b, x, 5), "a new schema epoch makes b reload")
}

// A filtered vector page is always full: the scan is exact over the rows that pass.
func TestFilteredVectorPagesAreFull(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	require.NoError(t, s.EnsureModel(ctx, store.ModelSignature{Name: "m2", Dimension: 2, Hash: "h"}))
	for i := range 200 {
		dom := "common"
		if i%40 == 0 {
			dom = "rare"
		}
		_, err := s.Insert(ctx, store.Memory{Content: "memory", Domains: []string{dom},
			Embedding: []float32{1, float32(i) / 200}})
		require.NoError(t, err)
	}
	res, err := s.VectorSearch(ctx, store.SearchQuery{Embedding: []float32{1, 0}, Limit: 10, Domains: []string{"rare"}})
	require.NoError(t, err)
	require.Len(t, res, 5, "every rare memory, though none is among the 30 nearest overall")
	for _, r := range res {
		require.Equal(t, []string{"rare"}, r.Memory.Domains)
	}
}
