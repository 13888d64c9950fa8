// Package client is what Go programs import: Open a store from a config and remember, search,
// link and review memories. Text is embedded with the configured embedder on the way in, so
// callers deal in text; the store (Postgres or SQLite) does the rest.
package client

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/vestige-mem/vestige/client/config"
	"github.com/vestige-mem/vestige/client/embedder"
	"github.com/vestige-mem/vestige/client/store"
	"github.com/vestige-mem/vestige/client/store/pgstore"
	"github.com/vestige-mem/vestige/client/store/sqlitestore"
)

// Client is an open store with its embedder. Safe for concurrent use.
type Client struct {
	store    store.Store
	embedder embedder.Embedder
	backend  string
	// registered is set once the store's registry holds the embedder's model. Until the
	// first write of a vector it may not: registering alters the table (Postgres stamps
	// vector(N) and builds the HNSW index), which a read-only command must never do.
	registered atomic.Bool
	register   sync.Mutex
}

// Open picks the backend from cfg, opens it (migrating Postgres when it is behind, unless
// auto_migrate is off), builds the embedder and checks it against the store's registered
// model: a store never mixes vectors of two models.
func Open(ctx context.Context, cfg config.Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	// The embedder first: a misconfigured model should fail before a connection is made.
	emb, err := NewEmbedder(ctx, cfg.Embeddings)
	if err != nil {
		return nil, err
	}
	st, err := OpenStore(ctx, cfg.Storage)
	if err != nil {
		return nil, err
	}
	c, err := New(ctx, st, emb, cfg.Storage.Backend)
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	return c, nil
}

// NewEmbedder builds the configured embedder; an HTTP one contacts its server here (see
// embedder.New). An API key is read from the variable that api_key_env names, so the key
// itself never sits in a file; a variable that is unset or empty is an error naming it.
func NewEmbedder(ctx context.Context, cfg config.Embeddings) (embedder.Embedder, error) {
	opts := embedder.Options{
		Provider:       cfg.Provider,
		Model:          cfg.Model,
		BaseURL:        cfg.BaseURL,
		Dimensions:     cfg.Dimensions,
		BatchSize:      cfg.BatchSize,
		Timeout:        cfg.Timeout(),
		QueryPrefix:    cfg.QueryPrefix,
		DocumentPrefix: cfg.DocumentPrefix,
	}
	if cfg.APIKeyEnv != "" && cfg.Provider != config.ProviderHash {
		opts.APIKey = os.Getenv(cfg.APIKeyEnv)
		if opts.APIKey == "" {
			return nil, &config.FieldError{Key: "embeddings.api_key_env",
				Msg: fmt.Sprintf("names $%s, which is not set (or empty): export the API key in it", cfg.APIKeyEnv)}
		}
	}
	return embedder.New(ctx, opts)
}

// OpenStore opens the configured backend without an embedder and without registering a
// model: for schema work, export and import, where the store's own registry (or the
// dump's) is what counts.
func OpenStore(ctx context.Context, cfg config.Storage) (store.Store, error) {
	switch cfg.Backend {
	case config.BackendPostgres:
		if cfg.Postgres == nil {
			return nil, &config.FieldError{Key: "storage.postgres", Msg: "is missing"}
		}
		p := *cfg.Postgres
		return pgstore.Open(ctx, pgstore.Options{
			URL:            p.URL,
			MaxConnections: p.MaxConnections,
			AcquireTimeout: p.AcquireTimeout(),
			AutoMigrate:    p.AutoMigrate,
			ExecMode:       p.ExecMode,
			ReadURLs:       p.ReadURL,
			MigrateURL:     p.MigrateURL,
		})
	case config.BackendSQLite:
		if cfg.SQLite.Path == "" {
			return nil, &config.FieldError{Key: "storage.sqlite.path", Msg: "is empty"}
		}
		return sqlitestore.Open(ctx, cfg.SQLite.Path)
	default:
		return nil, &config.FieldError{Key: "storage.backend",
			Msg: fmt.Sprintf("is %q; allowed values: %q, %q", cfg.Backend, config.BackendSQLite, config.BackendPostgres)}
	}
}

// New wraps an open store and an embedder (tests, custom setups) and checks the embedder's
// model against the registered one (*store.EmbeddingMismatchError). A store with no model
// yet gets the embedder's at its first write of a vector, not here: opening only reads.
// The client owns st from then on: Close closes it.
func New(ctx context.Context, st store.Store, emb embedder.Embedder, backend string) (*Client, error) {
	c := &Client{store: st, embedder: emb, backend: backend}
	have, err := st.Model(ctx)
	if err != nil {
		return nil, err
	}
	if have != nil {
		// The store's own check, so that the error is the one a write would meet.
		if *have != Signature(emb) {
			return nil, &store.EmbeddingMismatchError{Registered: *have, Requested: Signature(emb)}
		}
		c.registered.Store(true)
	}
	return c, nil
}

// ensureModel registers the embedder's model before the first vector is written (once).
func (c *Client) ensureModel(ctx context.Context) error {
	if c.registered.Load() {
		return nil
	}
	c.register.Lock()
	defer c.register.Unlock()
	if c.registered.Load() {
		return nil
	}
	if err := c.store.EnsureModel(ctx, Signature(c.embedder)); err != nil {
		return err
	}
	c.registered.Store(true)
	return nil
}

// Signature is the registry entry of an embedder.
func Signature(emb embedder.Embedder) store.ModelSignature {
	return store.ModelSignature{Name: emb.ModelName(), Dimension: emb.Dimension(), Hash: emb.ModelHash()}
}

// Store is the underlying store, for what the client does not wrap.
func (c *Client) Store() store.Store { return c.store }

// Embedder is the client's embedder.
func (c *Client) Embedder() embedder.Embedder { return c.embedder }

// Backend is "sqlite" or "postgres".
func (c *Client) Backend() string { return c.backend }

// Close releases the store.
func (c *Client) Close() error { return c.store.Close() }

// Embed embeds a memory's text with the client's model (with the document prefix of an
// asymmetric model; searches use the query prefix); text with no word to embed gives a nil vector
// and no error, since such text is still worth keeping (and full-text search may find it).
func (c *Client) Embed(ctx context.Context, text string) ([]float32, error) {
	v, err := c.embedder.Embed(ctx, text)
	if errors.Is(err, embedder.ErrEmptyText) {
		return nil, nil
	}
	return v, err
}

// Remember stores a memory, embedding its content unless it carries an embedding.
func (c *Client) Remember(ctx context.Context, m store.Memory) (store.Memory, error) {
	// Validate before embedding: a refused memory should not cost an embedder call.
	if err := store.ValidateMemory(m); err != nil {
		return store.Memory{}, err
	}
	if m.Embedding == nil {
		v, err := c.Embed(ctx, m.Content)
		if err != nil {
			return store.Memory{}, err
		}
		m.Embedding = v
	}
	if m.Embedding != nil {
		if err := c.ensureModel(ctx); err != nil {
			return store.Memory{}, err
		}
	}
	return c.store.Insert(ctx, m)
}

// Update replaces a memory's fields (Get, change, Update). The content is embedded again when
// it changed and the caller did not bring a new embedding of its own: a vector that no longer
// matches its text would make vector search lie.
func (c *Client) Update(ctx context.Context, m store.Memory) (store.Memory, error) {
	if err := store.ValidateMemory(m); err != nil {
		return store.Memory{}, err
	}
	old, err := c.store.Get(ctx, m.ID)
	if err != nil {
		return store.Memory{}, err
	}
	stale := old.Content != m.Content && slices.Equal(old.Embedding, m.Embedding)
	if m.Embedding == nil || stale {
		if m.Embedding, err = c.Embed(ctx, m.Content); err != nil {
			return store.Memory{}, err
		}
	}
	if m.Embedding != nil {
		if err := c.ensureModel(ctx); err != nil {
			return store.Memory{}, err
		}
	}
	return c.store.Update(ctx, m)
}

// Get returns a memory with its embedding (store.ErrNotFound for an unknown id).
func (c *Client) Get(ctx context.Context, id uuid.UUID) (store.Memory, error) {
	return c.store.Get(ctx, id)
}

// Forget deletes a memory with its edges, scheduling and review events.
func (c *Client) Forget(ctx context.Context, id uuid.UUID) error { return c.store.Delete(ctx, id) }

// Mode picks the search branches.
type Mode string

const (
	Hybrid Mode = "hybrid"
	FTS    Mode = "fts"
	Vector Mode = "vector"
)

// ParseMode reads a mode name ("" is hybrid).
func ParseMode(s string) (Mode, error) {
	switch Mode(s) {
	case "", Hybrid:
		return Hybrid, nil
	case FTS, Vector:
		return Mode(s), nil
	}
	return "", &store.InvalidInputError{Field: "mode", Reason: fmt.Sprintf("%q is not hybrid, fts or vector", s)}
}

// Search finds memories by q.Text, embedded for the vector branch unless q.Embedding is
// given. Hybrid fuses both branches; text with no word to embed searches full text only.
func (c *Client) Search(ctx context.Context, mode Mode, q store.SearchQuery) ([]store.SearchResult, error) {
	// (A hybrid search whose vector branch weighs 0 by the model's default is not embedded:
	// the store would not run that branch, so the embedder call would only cost time.)
	q.Text = store.CleanQueryText(q.Text)
	if mode != FTS && q.Embedding == nil && q.Text != "" && !c.vectorBranchOff(mode, q) {
		v, err := embedder.EmbedQuery(ctx, c.embedder, q.Text)
		if errors.Is(err, embedder.ErrEmptyText) {
			v, err = nil, nil // full text may still find it
		}
		if err != nil {
			return nil, err
		}
		q.Embedding = v
	}
	switch mode {
	case FTS:
		q.Embedding = nil
		return c.store.FTSSearch(ctx, q)
	case Vector:
		if q.Embedding == nil {
			return nil, fmt.Errorf("%w (vector search needs text with words to embed)", store.ErrEmptyQuery)
		}
		q.Text = ""
		return c.store.VectorSearch(ctx, q)
	case Hybrid, "":
		return c.store.Search(ctx, q)
	}
	return nil, &store.InvalidInputError{Field: "mode", Reason: fmt.Sprintf("%q is not hybrid, fts or vector", mode)}
}

// Link adds an edge between two memories, or re-weights the one of the same type.
func (c *Client) Link(ctx context.Context, e store.Edge) (store.Edge, error) {
	return c.store.AddEdge(ctx, e)
}

// Unlink removes an edge ("" is the default edge type).
func (c *Client) Unlink(ctx context.Context, source, target uuid.UUID, edgeType string) error {
	return c.store.RemoveEdge(ctx, source, target, edgeType)
}

// Edges lists the edges touching a memory in either direction ("" type: all).
func (c *Client) Edges(ctx context.Context, id uuid.UUID, edgeType string) ([]store.Edge, error) {
	return c.store.GetEdges(ctx, id, edgeType)
}

// Neighbors walks the graph from a memory by spreading activation.
func (c *Client) Neighbors(ctx context.Context, id uuid.UUID, depth int, edgeType string) ([]store.Neighbor, error) {
	return c.store.Neighbors(ctx, id, depth, edgeType)
}

// Domains lists every domain by id.
func (c *Client) Domains(ctx context.Context) ([]store.Domain, error) {
	return c.store.ListDomains(ctx)
}

// Domain returns one domain (store.ErrNotFound for an unknown id).
func (c *Client) Domain(ctx context.Context, id string) (store.Domain, error) {
	return c.store.GetDomain(ctx, id)
}

// UpsertDomain inserts or replaces a domain, keeping its created_at.
func (c *Client) UpsertDomain(ctx context.Context, d store.Domain) (store.Domain, error) {
	return c.store.UpsertDomain(ctx, d)
}

// DeleteDomain removes a domain; memories keep its id in their domains list.
func (c *Client) DeleteDomain(ctx context.Context, id string) error {
	return c.store.DeleteDomain(ctx, id)
}

// Classify ranks the domains with a centroid by similarity to a text, best first.
func (c *Client) Classify(ctx context.Context, text string) ([]store.Classification, error) {
	v, err := c.embedder.Embed(ctx, text)
	if err != nil {
		return nil, err
	}
	return c.store.Classify(ctx, v)
}

// Due lists memories due for review by a time (zero: now), earliest first.
func (c *Client) Due(ctx context.Context, before time.Time, limit int) ([]store.DueMemory, error) {
	return c.store.DueMemories(ctx, before, limit)
}

// Stats counts what the store holds.
func (c *Client) Stats(ctx context.Context) (store.Stats, error) { return c.store.Stats(ctx) }

// Health checks the store: a failed check is a result (unavailable, degraded), not an error.
func (c *Client) Health(ctx context.Context) (store.Health, error) { return c.store.HealthCheck(ctx) }

// Vacuum reclaims space and refreshes the planner's statistics.
func (c *Client) Vacuum(ctx context.Context) error { return c.store.Vacuum(ctx) }

// ErrNoDump is returned by Export and Import for a store that cannot dump its rows.
var ErrNoDump = errors.New("this store cannot export or import")

// Export calls fn for every row of st in dump order (store.Dumper).
func Export(ctx context.Context, st store.Store, fn func(store.Record) error) error {
	d, ok := st.(store.Dumper)
	if !ok {
		return fmt.Errorf("%w (%T)", ErrNoDump, st)
	}
	return d.Dump(ctx, fn)
}

// Import writes recs into st in one transaction, only the rows that are absent, and returns
// how many it wrote (store.Dumper).
func Import(ctx context.Context, st store.Store, recs []store.Record) (int, error) {
	d, ok := st.(store.Dumper)
	if !ok {
		return 0, fmt.Errorf("%w (%T)", ErrNoDump, st)
	}
	return d.Load(ctx, recs)
}

// vectorBranchOff reports whether a hybrid search leaves out its vector branch: no weight
// named and the model's default weight 0 (store.FusionDefaults; the registered model is the
// embedder's, checked on open).
func (c *Client) vectorBranchOff(mode Mode, q store.SearchQuery) bool {
	if mode != Hybrid && mode != "" || q.VectorWeight != nil {
		return false
	}
	_, w := store.FusionDefaults(c.embedder.ModelName())
	return w == 0
}
