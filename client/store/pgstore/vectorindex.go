package pgstore

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// vectorIndex is the HNSW index the registry builds (sql/functions/020_ensure_embedding_model.sql)
// and re-embed rebuilds; its parameters must stay those of the registry.
const (
	vectorIndex    = "idx_memories_embedding_hnsw"
	maxHNSWDims    = 2000 // pgvector indexes vectors of at most this many dimensions
	indexBuildMem  = "'512MB'"
	hnswDefinition = `USING hnsw (%s vector_cosine_ops) WITH (m = 16, ef_construction = 64)`
)

// VectorIndexState reports whether the HNSW index exists and is valid, and whether the
// registered model wants one (dimension within pgvector's HNSW limit). A copy that dropped
// the index and was killed before rebuilding leaves wanted && !present.
func (s *Store) VectorIndexState(ctx context.Context) (present, wanted bool, err error) {
	err = s.with(ctx, "vector index", func(c *pgxpool.Conn) error {
		present, wanted, err = indexState(ctx, c.Conn(), vectorIndex)
		return err
	})
	return present, wanted, err
}

func indexState(ctx context.Context, c *pgx.Conn, name string) (present, wanted bool, err error) {
	err = c.QueryRow(ctx, `SELECT
			EXISTS (SELECT 1 FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid
			         WHERE x.relname = $1 AND x.relnamespace = current_schema()::regnamespace AND i.indisvalid),
			COALESCE((SELECT dimension <= $2 FROM embedding_model WHERE id = 1), false)`,
		name, maxHNSWDims).Scan(&present, &wanted)
	return present, wanted, err
}

// DropVectorIndex drops the HNSW index before a bulk load: a live index takes rows at a
// few hundred a second, a build after the load indexes them all in seconds. Searches keep
// working meanwhile (by an exact scan). BuildVectorIndex puts it back.
func (s *Store) DropVectorIndex(ctx context.Context) error {
	return s.with(ctx, "drop vector index", func(c *pgxpool.Conn) error {
		_, err := c.Exec(ctx, `DROP INDEX IF EXISTS `+pgx.Identifier{vectorIndex}.Sanitize())
		return err
	})
}

// BuildVectorIndex builds the HNSW index when the registered model wants one and it is
// missing (or left invalid by a build that was interrupted). It runs outside any
// transaction; concurrently it does not block writers (CREATE INDEX CONCURRENTLY), which
// costs a second pass over the table. It reports whether it built.
func (s *Store) BuildVectorIndex(ctx context.Context, concurrently bool) (bool, error) {
	built := false
	err := s.with(ctx, "build vector index", func(c *pgxpool.Conn) error {
		var err error
		built, err = buildIndex(ctx, c.Conn(), vectorIndex, "embedding", concurrently)
		return err
	})
	return built, err
}

// buildIndex builds an HNSW index named name on column unless a valid one exists.
func buildIndex(ctx context.Context, c *pgx.Conn, name, column string, concurrently bool) (bool, error) {
	present, _, err := indexState(ctx, c, name)
	if err != nil || present {
		return false, err
	}
	// An interrupted CONCURRENTLY build leaves an invalid index of that name behind.
	if _, err := c.Exec(ctx, `DROP INDEX IF EXISTS `+pgx.Identifier{name}.Sanitize()); err != nil {
		return false, err
	}
	// The build is the one step that needs much memory (DESIGN.md §8): raise it for this
	// session only, and put it back so that a pooled connection returns as it came.
	if _, err := c.Exec(ctx, `SET maintenance_work_mem = `+indexBuildMem); err != nil {
		return false, err
	}
	defer func() { _, _ = c.Exec(context.WithoutCancel(ctx), `RESET maintenance_work_mem`) }()
	how := "INDEX"
	if concurrently {
		how = "INDEX CONCURRENTLY"
	}
	_, err = c.Exec(ctx, fmt.Sprintf(`CREATE %s %s ON memories `+hnswDefinition, how,
		pgx.Identifier{name}.Sanitize(), pgx.Identifier{column}.Sanitize()))
	if err != nil {
		return false, fmt.Errorf("build %s: %w", name, err)
	}
	return true, nil
}
