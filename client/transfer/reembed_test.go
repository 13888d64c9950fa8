package transfer_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/embedder"
	"github.com/vestige-mem/vestige/client/store"
	"github.com/vestige-mem/vestige/client/transfer"
	"github.com/vestige-mem/vestige/client/transfer/transfertest"
)

var reembedShape = transfertest.Shape{Memories: 500, Scheduling: 200, Edges: 100, ReviewEvents: 20, Domains: 3}

// TestReembed is the plan's re-embed test on both backends: 500 memories at 768 dimensions
// re-embedded at 1024 while searches run; every vector then is 1024-d, the registry names
// the new model, ids, content, scheduling and edges are untouched, and a hybrid search with
// the new model answers. No search fails meanwhile.
func TestReembed(t *testing.T) {
	t.Parallel()
	for name, open := range bothStores {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st := open(t)
			old, next := hash(t, 768), hash(t, 1024)
			require.NoError(t, transfertest.Fill(ctx, st, reembedShape, old))
			before := transfertest.WithoutVectors(dump(t, st))

			var searches, failures atomic.Int64
			stop := make(chan struct{})
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					if err := searchWithRegistered(ctx, st, old, next); err != nil {
						failures.Add(1)
						t.Errorf("search during re-embed: %v", err)
						return
					}
					searches.Add(1)
				}
			}()
			rep, err := transfer.Reembed(ctx, st, next, transfer.ReembedOptions{BatchSize: 64})
			close(stop)
			wg.Wait()
			require.NoError(t, err)
			require.Zero(t, failures.Load())
			t.Logf("%d searches ran during the re-embed; %.0f memories/s", searches.Load(), rep.MemoriesPerSecond)
			require.Equal(t, reembedShape.Memories, rep.Embedded)

			sig := transfer.Signature(next)
			m, err := st.Model(ctx)
			require.NoError(t, err)
			require.Equal(t, sig, *m)
			stats, err := st.Stats(ctx)
			require.NoError(t, err)
			require.EqualValues(t, reembedShape.Memories, stats.WithEmbeddings)
			require.Equal(t, before, transfertest.WithoutVectors(dump(t, st)), "ids, content, times, scheduling, edges, reviews untouched")
			for i := 0; i < reembedShape.Memories; i += 50 {
				got, err := st.Get(ctx, transfertest.ID(i))
				require.NoError(t, err)
				want, err := next.Embed(ctx, got.Content)
				require.NoError(t, err)
				require.Equal(t, want, got.Embedding)
			}
			if pg, ok := st.(transfer.BulkIndexer); ok {
				present, wanted, err := pg.VectorIndexState(ctx)
				require.NoError(t, err)
				require.True(t, present && wanted, "the HNSW index is present after the re-embed")
			}
			q, err := next.Embed(ctx, "note 7: deploy pipeline")
			require.NoError(t, err)
			res, err := st.Search(ctx, store.SearchQuery{Text: "deploy pipeline", Embedding: q, Limit: 5})
			require.NoError(t, err)
			require.Len(t, res, 5)

			again, err := transfer.Reembed(ctx, st, next, transfer.ReembedOptions{})
			require.NoError(t, err)
			require.True(t, again.NothingToDo)
			_, err = transfer.Reembed(ctx, st, old, transfer.ReembedOptions{DryRun: true})
			require.NoError(t, err)
			st2, err := st.Model(ctx)
			require.NoError(t, err)
			require.Equal(t, sig, *st2, "a dry run writes nothing")
		})
	}
}

// searchWithRegistered runs a hybrid search with the embedder of the registered model. A
// dimension error is a failure unless the registry switched between reading it and searching.
func searchWithRegistered(ctx context.Context, st store.Store, old, next embedder.Embedder) error {
	m, err := st.Model(ctx)
	if err != nil {
		return err
	}
	e := old
	if m != nil && *m == transfer.Signature(next) {
		e = next
	}
	q, err := e.Embed(ctx, "green tea memory")
	if err != nil {
		return err
	}
	_, err = st.Search(ctx, store.SearchQuery{Text: "memory review", Embedding: q, Limit: 10})
	if errors.Is(err, store.ErrDimension) || errors.Is(err, store.ErrEmbeddingMismatch) {
		if now, err2 := st.Model(ctx); err2 == nil && now != nil && *now != *m {
			return nil // switched in between: the next search uses the new model
		}
	}
	return err
}
