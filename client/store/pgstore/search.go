package pgstore

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/vestige-mem/vestige/client/store"
)

// searchColumns are the output columns shared by vestige_search, vestige_fts_search and
// vestige_vector_search.
const searchColumns = `r.id, r.content, r.node_type, r.tags, r.domains, r.domain_scores, r.metadata,
	r.created_at, r.updated_at, r.rrf_score, r.fts_score, r.vector_score, r.fts_rank, r.vector_rank`

// filters are the SQL API's filter arguments, numbered from $n on, in the order every
// search function takes them after match_count.
func filters(n int) string {
	return fmt.Sprintf(`domain_filter => $%d::text[], node_type_filter => $%d::text[],
		tag_filter => $%d::text[], min_retrievability => $%d::float8`, n, n+1, n+2, n+3)
}

// filterArgs are the values for filters. An empty list is no filter, as NULL is: the SQL
// API holds that rule itself (vestige_filter_clause), so lists go as they are.
func filterArgs(q store.SearchQuery) []any {
	return []any{q.Domains, q.NodeTypes, q.Tags, q.MinRetrievability}
}

func limit(n int) int {
	if n == 0 {
		return store.DefaultLimit
	}
	return n // the SQL API refuses what is out of range (VS006)
}

// queryText is user text made safe to send: cleaned, and cut to the store.MaxQueryTextChars
// characters the SQL API reads (vestige_fts_terms), so that no more is sent than is used.
func queryText(s string) string {
	s = store.CleanQueryText(s)
	n := 0
	for i := range s {
		if n == store.MaxQueryTextChars {
			return s[:i]
		}
		n++
	}
	return s
}

var (
	searchSQL = `SELECT ` + searchColumns + ` FROM vestige_search(query_text => $1::text,
		query_embedding => $2::vector, match_count => $3::integer, ` + filters(4) + `,
		fts_weight => $8::float8, vector_weight => $9::float8, min_vector_score => $10::float8) r`
	ftsSearchSQL = `SELECT ` + searchColumns + ` FROM vestige_fts_search(query_text => $1::text,
		match_count => $2::integer, ` + filters(3) + `) r`
	// vestige_vector_search with the cut-off, which only vestige_search takes.
	vectorSearchSQL = `SELECT ` + searchColumns + ` FROM vestige_search(query_text => NULL::text,
		query_embedding => $1::vector, match_count => $2::integer, ` + filters(3) + `,
		min_vector_score => $7::float8) r`
)

// Search is hybrid search: vestige_search.
func (s *Store) Search(ctx context.Context, q store.SearchQuery) ([]store.SearchResult, error) {
	if err := store.ValidateFilters(q); err != nil {
		return nil, err
	}
	args := append([]any{queryText(q.Text), vectorArg(q.Embedding), limit(q.Limit)}, filterArgs(q)...)
	args = append(args, q.FTSWeight, q.VectorWeight, q.MinVectorScore)
	return s.search(ctx, "search", searchSQL, args)
}

// FTSSearch is full-text search only: vestige_fts_search. An embedding, the weights and the
// vector cut-off are ignored, not checked (as on SQLite).
func (s *Store) FTSSearch(ctx context.Context, q store.SearchQuery) ([]store.SearchResult, error) {
	q.Embedding = nil
	if err := store.ValidateFilters(q); err != nil {
		return nil, err
	}
	args := append([]any{queryText(q.Text), limit(q.Limit)}, filterArgs(q)...)
	return s.search(ctx, "fts search", ftsSearchSQL, args)
}

// VectorSearch is vector search only: vestige_vector_search, with the cut-off
// (MinVectorScore); the weights are ignored (a lone branch weighs 1).
func (s *Store) VectorSearch(ctx context.Context, q store.SearchQuery) ([]store.SearchResult, error) {
	if err := store.ValidateFilters(q); err != nil {
		return nil, err
	}
	args := append([]any{vectorArg(q.Embedding), limit(q.Limit)}, filterArgs(q)...)
	args = append(args, q.MinVectorScore)
	return s.search(ctx, "vector search", vectorSearchSQL, args)
}

func (s *Store) search(ctx context.Context, op, sql string, args []any) ([]store.SearchResult, error) {
	var out []store.SearchResult
	err := s.read(ctx, op, func(c *pgxpool.Conn) error {
		rows, err := c.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.SearchResult, error) {
			var d memoryDest
			var r store.SearchResult
			err := row.Scan(append(d.targets(), &r.RRFScore, &r.FTSScore, &r.VectorScore, &r.FTSRank, &r.VectorRank)...)
			r.Memory = d.memory()
			return r, err
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return nonNil(out), nil
}

// nonNil makes "no rows" an empty slice, so that JSON shows [] rather than null.
func nonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

// Classify ranks the domains' centroids by cosine similarity: vestige_classify.
func (s *Store) Classify(ctx context.Context, embedding []float32) ([]store.Classification, error) {
	// pgvector refuses NaN and infinities with a raw data exception: say which value is wrong.
	if err := store.CheckVector("embedding", embedding); err != nil {
		return nil, fmt.Errorf("pgstore classify: %w", err)
	}
	var out []store.Classification
	err := s.read(ctx, "classify", func(c *pgxpool.Conn) error {
		rows, err := c.Query(ctx, `SELECT r.domain_id, r.similarity FROM vestige_classify(embedding => $1::vector) r`,
			vectorArg(embedding))
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, pgx.RowToStructByPos[store.Classification])
		return err
	})
	if err != nil {
		return nil, err
	}
	return nonNil(out), nil
}
