package client_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client"
	"github.com/vestige-mem/vestige/client/embedder"
	"github.com/vestige-mem/vestige/client/embedder/embedtest"
	"github.com/vestige-mem/vestige/client/store"
)

// Each client method that embeds uses the prefix its text calls for, and a failed
// embedding stores nothing.
func TestSemanticPrefixesPerMethod(t *testing.T) {
	for name, newConfig := range backends(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			srv := embedtest.New(t, "", map[string]embedtest.Model{"nomic-embed-text:latest": {Dim: 32, Digest: "abc"}})
			cfg := newConfig(t)
			cfg.Embeddings.Provider, cfg.Embeddings.Model, cfg.Embeddings.BaseURL = "ollama", "nomic-embed-text", srv.URL
			cfg.Embeddings.QueryPrefix, cfg.Embeddings.DocumentPrefix = "Q| ", "D| "
			c := open(t, cfg)
			require.Equal(t, "ollama/nomic-embed-text:latest", c.Embedder().ModelName())

			m, err := c.Remember(ctx, store.Memory{Content: "the pool holds ten connections"})
			require.NoError(t, err)
			require.Len(t, m.Embedding, 32)
			m.Content = "the pool holds twenty connections"
			_, err = c.Update(ctx, m)
			require.NoError(t, err)
			res, err := c.Search(ctx, client.Hybrid, store.SearchQuery{Text: "pool size"})
			require.NoError(t, err)
			require.Equal(t, m.ID, res[0].Memory.ID)
			require.NotNil(t, res[0].VectorRank, "a semantic model's vector branch runs by default")
			_, err = c.Classify(ctx, "database settings")
			require.NoError(t, err)
			require.Equal(t, []string{"vestige dimension probe", "D| the pool holds ten connections",
				"D| the pool holds twenty connections", "Q| pool size", "D| database settings"}, srv.Inputs())
			have, err := c.Store().Model(ctx)
			require.NoError(t, err)
			require.Equal(t, client.Signature(c.Embedder()), *have)

			srv.Fail(embedtest.Fault{Path: "/api/embed", Times: 1, Status: 200, Body: `{"embeddings":[]}`})
			_, err = c.Remember(ctx, store.Memory{Content: "never stored"})
			require.ErrorIs(t, err, embedder.ErrMalformed)
			st, err := c.Stats(ctx)
			require.NoError(t, err)
			require.EqualValues(t, 1, st.Memories)
		})
	}
}
