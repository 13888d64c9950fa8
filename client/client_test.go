package client_test

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client"
	"github.com/vestige-mem/vestige/client/config"
	"github.com/vestige-mem/vestige/client/embedder"
	"github.com/vestige-mem/vestige/client/store"
	"github.com/vestige-mem/vestige/client/store/pgstore"
	"github.com/vestige-mem/vestige/client/store/sqlitestore"
	"github.com/vestige-mem/vestige/tests/testdb"
)

// backends returns a config per backend, each on a fresh store.
func backends(t *testing.T) map[string]func(t *testing.T) config.Config {
	return map[string]func(t *testing.T) config.Config{
		"sqlite": func(t *testing.T) config.Config {
			return config.Default(t.TempDir())
		},
		"postgres": func(t *testing.T) config.Config {
			return postgresConfig(testdb.New(t))
		},
	}
}

func postgresConfig(url string) config.Config {
	cfg := config.Default("")
	p := config.DefaultPostgres(url)
	cfg.Storage = config.Storage{Backend: config.BackendPostgres, Postgres: &p}
	return cfg
}

func open(t *testing.T, cfg config.Config) *client.Client {
	t.Helper()
	c, err := client.Open(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestClient(t *testing.T) {
	for name, newConfig := range backends(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			c := open(t, newConfig(t))
			require.Equal(t, name, c.Backend())

			notes := []string{
				"The deploy pipeline runs on GitHub Actions and pushes images to the registry",
				"Alice prefers tea over coffee in the morning",
				"Postgres connection pool is limited to 10 connections in production",
			}
			var mems []store.Memory
			for _, n := range notes {
				m, err := c.Remember(ctx, store.Memory{Content: n, Tags: []string{"t"}})
				require.NoError(t, err)
				require.Len(t, m.Embedding, 384, "content is embedded with the configured model")
				mems = append(mems, m)
			}

			for _, mode := range []client.Mode{client.Hybrid, client.FTS, client.Vector} {
				res, err := c.Search(ctx, mode, store.SearchQuery{Text: "how many Postgres connections in the pool?", Limit: 3})
				require.NoError(t, err, mode)
				require.NotEmpty(t, res, mode)
				require.Equal(t, mems[2].ID, res[0].Memory.ID, "mode %s finds the pool note first", mode)
			}
			_, err := c.Search(ctx, client.Vector, store.SearchQuery{Text: "!!!"})
			require.ErrorIs(t, err, store.ErrEmptyQuery, "no word to embed")

			got, err := c.Get(ctx, mems[1].ID)
			require.NoError(t, err)
			require.Equal(t, mems[1].Content, got.Content)

			// Changing the content re-embeds it, even when the caller passes the old vector.
			got.Content = "Alice switched to green tea"
			upd, err := c.Update(ctx, got)
			require.NoError(t, err)
			require.NotEqual(t, mems[1].Embedding, upd.Embedding)
			want, err := c.Embed(ctx, got.Content)
			require.NoError(t, err)
			require.Equal(t, want, upd.Embedding)

			_, err = c.Link(ctx, store.Edge{SourceID: mems[0].ID, TargetID: mems[2].ID, Weight: 0.5})
			require.NoError(t, err)
			edges, err := c.Edges(ctx, mems[2].ID, "")
			require.NoError(t, err)
			require.Len(t, edges, 1)
			ns, err := c.Neighbors(ctx, mems[0].ID, 2, "")
			require.NoError(t, err)
			require.Len(t, ns, 2)
			require.NoError(t, c.Unlink(ctx, mems[0].ID, mems[2].ID, ""))

			centroid, err := c.Embed(ctx, "databases postgres connections")
			require.NoError(t, err)
			_, err = c.UpsertDomain(ctx, store.Domain{ID: "infra", Label: "Infrastructure", Centroid: centroid})
			require.NoError(t, err)
			cls, err := c.Classify(ctx, "postgres pool size")
			require.NoError(t, err)
			require.Equal(t, "infra", cls[0].DomainID)
			ds, err := c.Domains(ctx)
			require.NoError(t, err)
			require.Len(t, ds, 1)
			require.NoError(t, c.DeleteDomain(ctx, "infra"))

			due, err := c.Due(ctx, time.Time{}, 10)
			require.NoError(t, err)
			require.Len(t, due, 3, "new cards are due")

			require.NoError(t, c.Forget(ctx, mems[0].ID))
			_, err = c.Get(ctx, mems[0].ID)
			require.ErrorIs(t, err, store.ErrNotFound)
			require.ErrorIs(t, c.Forget(ctx, uuid.New()), store.ErrNotFound)

			st, err := c.Stats(ctx)
			require.NoError(t, err)
			require.Equal(t, int64(2), st.Memories)
			require.Equal(t, "hash-384", st.ModelName)
			h, err := c.Health(ctx)
			require.NoError(t, err)
			require.Equal(t, store.Healthy, h.Status)
			require.NoError(t, c.Vacuum(ctx))

			var recs []store.Record
			require.NoError(t, client.Export(ctx, c.Store(), func(r store.Record) error {
				recs = append(recs, r)
				return nil
			}))
			require.Len(t, recs, 1+1+2) // model, parameters, two memories
		})
	}
}

func TestRememberRefusesBeforeEmbedding(t *testing.T) {
	c := open(t, config.Default(t.TempDir()))
	_, err := c.Remember(context.Background(), store.Memory{Content: "  "})
	var inv *store.InvalidInputError
	require.ErrorAs(t, err, &inv)
	require.Equal(t, "content", inv.Field)

	// Text with no word to embed is still remembered, without a vector.
	m, err := c.Remember(context.Background(), store.Memory{Content: "!!!"})
	require.NoError(t, err)
	require.Nil(t, m.Embedding)
}

func TestOpenRefusesAnotherModel(t *testing.T) {
	for name, newConfig := range backends(t) {
		t.Run(name, func(t *testing.T) {
			cfg := newConfig(t)
			first := open(t, cfg)
			_, err := first.Remember(context.Background(), store.Memory{Content: "registers hash-384"})
			require.NoError(t, err)
			require.NoError(t, first.Close())
			cfg.Embeddings.Model = "hash-64"
			_, err = client.Open(context.Background(), cfg)
			var mm *store.EmbeddingMismatchError
			require.ErrorAs(t, err, &mm)
			require.Equal(t, "hash-384", mm.Registered.Name)
			require.Equal(t, "hash-64", mm.Requested.Name)
		})
	}
}

// Opening and reading a store registers no model: registration alters the table on
// Postgres, and a read-only command never runs DDL. The first vector written registers it.
func TestReadsRegisterNoModel(t *testing.T) {
	ctx := context.Background()
	for name, newConfig := range backends(t) {
		t.Run(name, func(t *testing.T) {
			c := open(t, newConfig(t))
			_, err := c.Search(ctx, client.Hybrid, store.SearchQuery{Text: "anything at all"})
			require.NoError(t, err)
			m, err := c.Store().Model(ctx)
			require.NoError(t, err)
			require.Nil(t, m, "a search registered a model")
			_, err = c.Remember(ctx, store.Memory{Content: "the first vector registers the model"})
			require.NoError(t, err)
			m, err = c.Store().Model(ctx)
			require.NoError(t, err)
			require.NotNil(t, m)
			require.Equal(t, client.Signature(c.Embedder()), *m)
		})
	}
}

func TestOpenMigratesPostgresUnlessTurnedOff(t *testing.T) {
	ctx := context.Background()
	url := testdb.Empty(t)
	cfg := postgresConfig(url)
	cfg.Storage.Postgres.AutoMigrate = false
	_, err := client.Open(ctx, cfg)
	require.ErrorIs(t, err, store.ErrSchemaBehind, "auto_migrate = false never runs DDL")

	cfg.Storage.Postgres.AutoMigrate = true
	c := open(t, cfg)
	_, err = c.Remember(ctx, store.Memory{Content: "the schema was created on open"})
	require.NoError(t, err)
	conn := testdb.Conn(t, url)
	st, err := pgstore.Status(ctx, conn)
	require.NoError(t, err)
	require.True(t, st.Current())
}

func TestOpenSQLiteCreatesItsFolder(t *testing.T) {
	home := t.TempDir()
	c := open(t, config.Default(home))
	_, err := c.Remember(context.Background(), store.Memory{Content: "first"})
	require.NoError(t, err)
	require.FileExists(t, filepath.Join(home, ".vestige", "vestige.db"))
}

func TestOpenRefusesBadConfig(t *testing.T) {
	_, err := client.Open(context.Background(), config.Default(""))
	require.ErrorIs(t, err, config.ErrInvalid, "no home, no path")

	cfg := config.Default(t.TempDir())
	cfg.Embeddings.Model = "no-such-model"
	_, err = client.Open(context.Background(), cfg)
	require.Error(t, err)
	require.Contains(t, err.Error(), "no-such-model")

	cfg = postgresConfig("postgres://u:secret@127.0.0.1:1/db")
	_, err = client.Open(context.Background(), cfg)
	require.Error(t, err)
	require.NotContains(t, err.Error(), "secret")
}

// countingEmbedder counts the texts it embeds.
type countingEmbedder struct {
	embedder.Embedder
	calls atomic.Int64
}

func (e *countingEmbedder) Embed(ctx context.Context, text string) ([]float32, error) {
	e.calls.Add(1)
	return e.Embedder.Embed(ctx, text)
}

// A default hybrid search with the hash embedder (vector weight 0 by default) costs no
// embedder call; naming a vector weight brings the branch, and the call, back.
func TestHybridWithoutVectorBranchEmbedsNothing(t *testing.T) {
	ctx := context.Background()
	base, err := embedder.FromName(ctx, "hash-384", embedder.Options{})
	require.NoError(t, err)
	emb := &countingEmbedder{Embedder: base}
	st, err := sqlitestore.Open(ctx, filepath.Join(t.TempDir(), "vestige.db"))
	require.NoError(t, err)
	c, err := client.New(ctx, st, emb, "sqlite")
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	_, err = c.Remember(ctx, store.Memory{Content: "the embedder runs for memories"})
	require.NoError(t, err)
	before := emb.calls.Load()

	rs, err := c.Search(ctx, client.Hybrid, store.SearchQuery{Text: "embedder memories"})
	require.NoError(t, err)
	require.Len(t, rs, 1)
	require.Equal(t, before, emb.calls.Load(), "default hybrid: no embedder call")

	one := 1.0
	rs, err = c.Search(ctx, client.Hybrid, store.SearchQuery{Text: "embedder memories", VectorWeight: &one})
	require.NoError(t, err)
	require.Len(t, rs, 1)
	require.NotNil(t, rs[0].VectorRank)
	require.Equal(t, before+1, emb.calls.Load())
}
