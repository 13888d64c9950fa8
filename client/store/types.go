// Package store defines what every vestige backend provides: the value types, the Store
// interface, and the sentinel errors that each backend maps its own failures to.
//
// The Postgres backend (pgstore) calls the SQL API; the SQLite backend (sqlitestore) ports it
// to Go; the conformance suite (storetest) holds both to the same behaviour.
package store

import (
	"time"

	"github.com/google/uuid"
)

// Memory is one note of an agent's long-term memory.
type Memory struct {
	ID           uuid.UUID          `json:"id"`
	Content      string             `json:"content"`
	NodeType     string             `json:"node_type"`
	Tags         []string           `json:"tags"`
	Domains      []string           `json:"domains"`
	DomainScores map[string]float64 `json:"domain_scores"`
	// Embedding is optional; when set its length must be the registered model's dimension.
	Embedding []float32      `json:"embedding,omitempty"`
	Metadata  map[string]any `json:"metadata"`
	CreatedAt time.Time      `json:"created_at"`
	UpdatedAt time.Time      `json:"updated_at"`
}

// DefaultNodeType is the node type of a memory written without one.
const DefaultNodeType = "general"

// SchedulingState is a memory's FSRS state. A memory that was never reviewed has none (it is
// a new card: retrievability 1, due from its creation time).
type SchedulingState struct {
	MemoryID   uuid.UUID `json:"memory_id"`
	Stability  float64   `json:"stability"`
	Difficulty float64   `json:"difficulty"`
	// Retrievability is R just before the last review; the live value is
	// Store.Retrievability.
	Retrievability float64    `json:"retrievability"`
	LastReview     *time.Time `json:"last_review"`
	NextReview     *time.Time `json:"next_review"`
	Reps           int        `json:"reps"`
	Lapses         int        `json:"lapses"`
	// State is 1 learning, 2 review, 3 relearning; Step the (re)learning step, nil in review.
	State int  `json:"state"`
	Step  *int `json:"step"`
}

// SearchQuery asks for memories by text, by embedding, or both (hybrid, fused by RRF).
type SearchQuery struct {
	Text      string    `json:"text,omitempty"`
	Embedding []float32 `json:"embedding,omitempty"`
	// Limit is the page size; 0 means DefaultLimit.
	Limit     int      `json:"limit,omitempty"`
	Domains   []string `json:"domains,omitempty"`    // any of these domains
	NodeTypes []string `json:"node_types,omitempty"` // one of these node types
	Tags      []string `json:"tags,omitempty"`       // any of these tags
	// MinRetrievability keeps memories whose live retrievability is at least this (new
	// memories count as 1).
	MinRetrievability *float64 `json:"min_retrievability,omitempty"`
	// FTSWeight and VectorWeight weigh the branches in the fusion, each in [0, 1]: rrf =
	// FTSWeight/(60 + fts rank) + VectorWeight/(60 + vector rank). Nil is the default:
	// FusionDefaults of the registered model when both branches run, 1 for a lone branch.
	FTSWeight    *float64 `json:"fts_weight,omitempty"`
	VectorWeight *float64 `json:"vector_weight,omitempty"`
	// MinVectorScore, in [-1, 1], drops the vector branch's candidates whose score (cosine
	// similarity) is below it, so that memories that are merely nearest are not returned.
	// The full-text branch needs no cut-off: it only finds memories that match a term.
	MinVectorScore *float64 `json:"min_vector_score,omitempty"`
}

// DefaultLimit is the page size of a search that names none.
const DefaultLimit = 10

// SearchResult is a memory found by a search with its scores. Scores and ranks of a branch
// that did not find the memory are nil. The memory's embedding is not returned.
type SearchResult struct {
	Memory      Memory   `json:"memory"`
	RRFScore    float64  `json:"rrf_score"`
	FTSScore    *float64 `json:"fts_score"`
	VectorScore *float64 `json:"vector_score"`
	FTSRank     *int     `json:"fts_rank"`
	VectorRank  *int     `json:"vector_rank"`
}

// Edge links two memories; the graph walk follows edges in both directions.
type Edge struct {
	SourceID uuid.UUID `json:"source_id"`
	TargetID uuid.UUID `json:"target_id"`
	EdgeType string    `json:"edge_type"`
	// Weight is in [0, 1]: activation multiplies weights along a path.
	Weight    float64   `json:"weight"`
	CreatedAt time.Time `json:"created_at"`
}

// DefaultEdgeType is the type of an edge written without one.
const DefaultEdgeType = "related"

// Neighbor is a memory reached by spreading activation from a start memory.
type Neighbor struct {
	Memory     Memory  `json:"memory"`
	Activation float64 `json:"activation"`
	Hops       int     `json:"hops"`
}

// Domain is a cluster of memories with a centroid embedding.
type Domain struct {
	ID          string         `json:"id"`
	Label       string         `json:"label"`
	Centroid    []float32      `json:"centroid,omitempty"`
	TopTerms    []string       `json:"top_terms"`
	MemoryCount int            `json:"memory_count"`
	CreatedAt   time.Time      `json:"created_at"`
	Metadata    map[string]any `json:"metadata"`
}

// Classification is a domain's cosine similarity to an embedding.
type Classification struct {
	DomainID   string  `json:"domain_id"`
	Similarity float64 `json:"similarity"`
}

// DueMemory is a memory due for review; Scheduling is nil for a new card.
type DueMemory struct {
	Memory     Memory           `json:"memory"`
	Scheduling *SchedulingState `json:"scheduling"`
	DueAt      time.Time        `json:"due_at"`
}

// Stats counts what the store holds.
type Stats struct {
	Memories       int64  `json:"memories"`
	WithEmbeddings int64  `json:"with_embeddings"`
	Edges          int64  `json:"edges"`
	Domains        int64  `json:"domains"`
	ReviewEvents   int64  `json:"review_events"`
	ModelName      string `json:"model_name,omitempty"`
	ModelDimension int    `json:"model_dimension,omitempty"`
}

// HealthStatus is the outcome of a health check.
type HealthStatus string

const (
	Healthy     HealthStatus = "healthy"
	Degraded    HealthStatus = "degraded"
	Unavailable HealthStatus = "unavailable"
)

// Health is a health check's result; Reason says why when not healthy. The other fields
// describe what the check saw (empty when it could not see it, e.g. when unavailable).
type Health struct {
	Status HealthStatus `json:"status"`
	Reason string       `json:"reason,omitempty"`
	// Server is the database engine and its version: "PostgreSQL 15.18 (Debian ...)",
	// "SQLite 3.46.1".
	Server   string          `json:"server,omitempty"`
	Pgvector *PgvectorHealth `json:"pgvector,omitempty"`
	Schema   *SchemaHealth   `json:"schema,omitempty"`
	// Model is the registered embedding model (nil when none is registered yet).
	Model *ModelSignature `json:"model,omitempty"`
}

// PgvectorHealth is the pgvector seen by a Postgres health check. Library is the version
// of the installed files (pg_available_extensions.default_version), which is the code new
// connections run; Extension is the version the database's extension objects were created
// or last updated at (pg_extension.extversion), which lags until ALTER EXTENSION vector
// UPDATE. Minimum is the oldest library vestige supports.
type PgvectorHealth struct {
	Extension string `json:"extension"`
	Library   string `json:"library"`
	Minimum   string `json:"minimum"`
}

// SchemaHealth is the schema and SQL API state: Functions is "current", "stale", "not
// installed" (Postgres) or "built in" (SQLite).
type SchemaHealth struct {
	Version   int32  `json:"version"`
	Latest    int32  `json:"latest"`
	Functions string `json:"functions"`
}

// ModelSignature identifies an embedding model: vectors of two models never mix.
type ModelSignature struct {
	Name      string `json:"name"`
	Dimension int    `json:"dimension"`
	Hash      string `json:"hash"`
}
