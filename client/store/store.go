package store

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// Store is a vestige backend. Every method takes a context first and returns an error last;
// failures match the sentinels of errors.go with errors.Is / errors.As.
//
// Every list has one order, the same on every backend and whatever a database's collation
// (docs/sql-api.md, "Order"): text keys (domain ids, edge types) compare bytewise (Go's
// string order, Postgres' COLLATE "C", SQLite's BINARY), ids by their 16 bytes (the order of
// their lowercase text), and ties in a ranking go by id ascending.
type Store interface {
	// Init prepares the store for use (schema at the newest version).
	Init(ctx context.Context) error
	HealthCheck(ctx context.Context) (Health, error)
	Close() error

	// EnsureModel registers sig when no model is registered yet and otherwise checks that
	// it is the registered one (*EmbeddingMismatchError when not). Model returns the
	// registered model, or nil.
	EnsureModel(ctx context.Context, sig ModelSignature) error
	Model(ctx context.Context) (*ModelSignature, error)

	// Insert stores m and returns it as stored: a zero ID gets a new UUID, zero times get
	// now, empty node type gets DefaultNodeType, nil slices and maps become empty.
	Insert(ctx context.Context, m Memory) (Memory, error)
	// Get returns ErrNotFound for an unknown id.
	Get(ctx context.Context, id uuid.UUID) (Memory, error)
	// Update replaces the memory's fields (keeping created_at) and sets updated_at to now
	// unless m.UpdatedAt is later than the stored one.
	Update(ctx context.Context, m Memory) (Memory, error)
	Delete(ctx context.Context, id uuid.UUID) error

	// Search is hybrid: FTS and vector ranks fused by RRF, best first, equal scores by id.
	// Text alone or embedding alone searches one branch; neither is ErrEmptyQuery.
	Search(ctx context.Context, q SearchQuery) ([]SearchResult, error)
	// FTSSearch and VectorSearch use only q.Text or only q.Embedding, with q's filters;
	// best first, equal scores by id.
	FTSSearch(ctx context.Context, q SearchQuery) ([]SearchResult, error)
	VectorSearch(ctx context.Context, q SearchQuery) ([]SearchResult, error)

	// GetScheduling returns nil for a memory that was never reviewed, ErrNotFound for an
	// unknown memory.
	GetScheduling(ctx context.Context, memoryID uuid.UUID) (*SchedulingState, error)
	// UpdateScheduling is a validated raw upsert of the scheduling row; it writes no
	// review event.
	UpdateScheduling(ctx context.Context, s SchedulingState) error
	// DueMemories lists memories due by before (new cards included), earliest first,
	// equal due times by id.
	DueMemories(ctx context.Context, before time.Time, limit int) ([]DueMemory, error)
	// Retrievability is the live FSRS retrievability at a time (1 for a new card).
	Retrievability(ctx context.Context, memoryID uuid.UUID, at time.Time) (float64, error)
	// Review rates a memory (1 again, 2 hard, 3 good, 4 easy) at a time (zero: now) with
	// FSRS-6, writes its new scheduling state and appends a review event, atomically.
	// ErrReviewBeforeLast for a time before the last review.
	Review(ctx context.Context, memoryID uuid.UUID, rating int, at time.Time) (SchedulingState, error)

	// AddEdge inserts or updates (weight) an edge.
	AddEdge(ctx context.Context, e Edge) (Edge, error)
	// GetEdges lists edges touching nodeID in either direction; edgeType "" means all.
	// Ordered by source id, target id, then edge type bytewise (the edge's key, as in a
	// dump), not by creation time.
	GetEdges(ctx context.Context, nodeID uuid.UUID, edgeType string) ([]Edge, error)
	RemoveEdge(ctx context.Context, source, target uuid.UUID, edgeType string) error
	// Neighbors walks the graph by spreading activation (start node first, 1.0, hops 0),
	// ordered by activation descending, hops, then id.
	Neighbors(ctx context.Context, nodeID uuid.UUID, depth int, edgeType string) ([]Neighbor, error)

	// ListDomains lists every domain by id, bytewise.
	ListDomains(ctx context.Context) ([]Domain, error)
	GetDomain(ctx context.Context, id string) (Domain, error)
	UpsertDomain(ctx context.Context, d Domain) (Domain, error)
	DeleteDomain(ctx context.Context, id string) error
	// Classify ranks domains with a centroid by cosine similarity to embedding, best first,
	// equal similarities by domain id bytewise. An embedding CheckVector refuses (not
	// finite, norm outside [MinVectorNorm, MaxVectorNorm]) or an empty one is
	// ErrInvalidInput naming "embedding".
	Classify(ctx context.Context, embedding []float32) ([]Classification, error)

	Count(ctx context.Context) (int64, error)
	Stats(ctx context.Context) (Stats, error)
	Vacuum(ctx context.Context) error
}
