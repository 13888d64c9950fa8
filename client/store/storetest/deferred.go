package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/embedder"
	"github.com/vestige-mem/vestige/client/store"
)

// deferredStore is a store that a copy loads in bulk with its search indexes and the
// value-check triggers of memories out of the way (transfer's bulkLoader and SearchIndexer;
// both backends).
type deferredStore interface {
	store.Store
	store.Dumper
	LoadBulk(ctx context.Context, recs []store.Record) (int, error)
	DropSearchIndexes(ctx context.Context) error
}

// freshDeferred is a fresh store, as a deferredStore, with sig registered.
func (h *dumpHarness) freshDeferred(sig store.ModelSignature) deferredStore {
	h.Helper()
	s, _ := h.fresh()
	d, ok := s.(deferredStore)
	require.True(h, ok, "%T cannot load in bulk with its search indexes dropped", s)
	require.NoError(h, d.EnsureModel(h.ctx, sig))
	return d
}

// While a copy leaves the value-check triggers of memories off (SQLite: dropped; Postgres:
// disabled in its transactions), the rows they would refuse are still refused, by LoadBulk
// and by Load (a copy's per-row retry), with the error the triggers give, and nothing is
// written: the Go checks stand in for them.
func testDumpDeferredLoadRefusesWhatTheTriggersWould(h *dumpHarness) {
	emb, err := embedder.NewHash(16)
	require.NoError(h, err)
	sig := store.ModelSignature{Name: emb.ModelName(), Dimension: emb.Dimension(), Hash: emb.ModelHash()}
	good, err := emb.Embed(h.ctx, "a vector of the registered size")
	require.NoError(h, err)
	at := time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)
	memory := func(i int, m store.Memory) store.Record {
		m.ID = uuid.NewSHA1(uuid.NameSpaceURL, []byte{byte(i)})
		if m.Content == "" {
			m.Content = "content"
		}
		m.CreatedAt, m.UpdatedAt = at, at
		return store.Record{Type: store.RecordMemory, Memory: &m}
	}
	for name, bad := range map[string]store.Record{
		"wrong dimension":  memory(1, store.Memory{Embedding: make([]float32, 8)}),
		"zero vector":      memory(2, store.Memory{Embedding: make([]float32, 16)}),
		"empty tag":        memory(3, store.Memory{Tags: []string{""}}),
		"content too long": memory(4, store.Memory{Content: strings.Repeat("a", 300_000)}),
	} {
		h.Run(name, func(t *testing.T) {
			h := &dumpHarness{T: t, ctx: h.ctx, newStore: h.newStore}
			live, deferred := h.freshDeferred(sig), h.freshDeferred(sig)
			require.NoError(t, deferred.DropSearchIndexes(h.ctx))
			batch := []store.Record{memory(0, store.Memory{Embedding: good}), bad}
			_, want := live.LoadBulk(h.ctx, batch)
			require.Error(t, want, "the triggers refuse it")
			for _, load := range []func(context.Context, []store.Record) (int, error){deferred.LoadBulk, deferred.Load} {
				_, err := load(h.ctx, batch)
				require.Error(t, err)
				require.Equal(t, want.Error(), err.Error())
			}
			n, err := deferred.Stats(h.ctx)
			require.NoError(t, err)
			require.Zero(t, n.Memories, "nothing written")
		})
	}
}
