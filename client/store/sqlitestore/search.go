package sqlitestore

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"zombiezen.com/go/sqlite"

	"github.com/vestige-mem/vestige/client/store"
)

// The constants of vestige_search.
const (
	rrfK          = 60   // Reciprocal Rank Fusion: 1/(k + rank), ranks from 1
	overFetch     = 3    // each branch ranks 3 × match_count candidates
	maxMatchCount = 1000 // larger pages are refused (VS006)
)

// Search is vestige_search: the FTS and vector branches, each ranking overFetch × limit
// candidates under the same filters, fused by RRF; ties by id.
func (s *Store) Search(ctx context.Context, q store.SearchQuery) ([]store.SearchResult, error) {
	if err := store.ValidateFilters(q); err != nil {
		return nil, err
	}
	res, err := s.search(ctx, q)
	return res, interpretError(ctx, err)
}

// FTSSearch is vestige_fts_search: Search with no embedding (the weights and the vector
// cut-off are ignored).
func (s *Store) FTSSearch(ctx context.Context, q store.SearchQuery) ([]store.SearchResult, error) {
	q.Embedding, q.FTSWeight, q.VectorWeight, q.MinVectorScore = nil, nil, nil, nil
	return s.Search(ctx, q)
}

// VectorSearch is vestige_vector_search: Search with no text (the weights are ignored; a lone
// branch weighs 1).
func (s *Store) VectorSearch(ctx context.Context, q store.SearchQuery) ([]store.SearchResult, error) {
	q.Text, q.FTSWeight, q.VectorWeight = "", nil, nil
	return s.Search(ctx, q)
}

// branchHit is one row of a branch: vestige_fts_ranked's or vestige_vector_ranked's
// (id, score, rank).
type branchHit struct {
	id    string
	score float64
	rank  int
}

func (s *Store) search(ctx context.Context, q store.SearchQuery) ([]store.SearchResult, error) {
	if len(q.Embedding) == 0 {
		q.Embedding = nil
	}
	if q.Text == "" && q.Embedding == nil {
		return nil, store.ErrEmptyQuery
	}
	n := q.Limit
	if n == 0 {
		n = store.DefaultLimit
	}
	if n < 1 || n > maxMatchCount {
		return nil, &store.InvalidInputError{Field: "match_count", Reason: fmt.Sprintf("%d is outside 1..%d", n, maxMatchCount)}
	}
	if r := q.MinRetrievability; r != nil && !(*r >= 0 && *r <= 1) {
		return nil, &store.InvalidInputError{Field: "min_retrievability", Reason: fmt.Sprintf("%v is outside [0, 1]", *r)}
	}
	if err := checkFusionArgs(q); err != nil {
		return nil, err
	}

	if q.Embedding != nil {
		// Before the read transaction, so that the index is at least as new as its snapshot.
		if err := s.vectors.sync(ctx.Done()); err != nil {
			return nil, err
		}
	}
	var out []store.SearchResult
	err := s.read(ctx, func(conn *sqlite.Conn) error {
		f, err := newFilter(conn, q)
		if err != nil {
			return err
		}
		w, err := s.weights(conn, q)
		if err != nil {
			return err
		}
		var fts, vec []branchHit
		if q.Text != "" && w.fts > 0 {
			// Alone, the branch's page is its first n (fusion keeps its order: rank
			// decides), so only those are asked for.
			page := overFetch * n
			if q.Embedding == nil || w.vec == 0 {
				page = n
			}
			if fts, err = ftsRanked(conn, store.CleanQueryText(q.Text), overFetch*n, page, f); err != nil {
				return err
			}
		}
		if q.Embedding != nil {
			// A branch of weight 0 is not run: it could neither add a memory nor move one.
			// Its input is still checked, so that an error does not depend on the weights.
			if w.vec == 0 {
				_, err = checkQueryVector(conn, q.Embedding)
			} else {
				vec, err = s.vectorRanked(conn, q.Embedding, overFetch*n, f)
			}
			if err != nil {
				return err
			}
		}
		if m := q.MinVectorScore; m != nil {
			vec = slices.DeleteFunc(vec, func(h branchHit) bool { return h.score < *m })
		}
		out, err = fuse(conn, fts, vec, w, n)
		return err
	})
	return out, err
}

// checkQueryVector is the vector branch's check of the query: nil and no error when no model
// is registered (no vectors are stored); the registered dimension and a non-zero query are
// required. It returns the query as a unit vector.
func checkQueryVector(conn *sqlite.Conn, q []float32) ([]float32, error) {
	registered, err := model(conn)
	if err != nil || registered == nil {
		return nil, err
	}
	if len(q) != registered.Dimension {
		return nil, &store.DimensionError{Got: len(q), Want: registered.Dimension}
	}
	uq := unit(q)
	if uq == nil {
		return nil, &store.InvalidInputError{Field: "query embedding", Reason: "is the zero vector: cosine similarity is undefined"}
	}
	return uq, nil
}

// checkFusionArgs is vestige_search's check of its fusion arguments: each weight in [0, 1],
// the cut-off in [-1, 1] (the range of a cosine similarity); NaN is outside every range.
func checkFusionArgs(q store.SearchQuery) error {
	for _, a := range []struct {
		field  string
		v      *float64
		lo, hi float64
	}{{"fts_weight", q.FTSWeight, 0, 1}, {"vector_weight", q.VectorWeight, 0, 1}, {"min_vector_score", q.MinVectorScore, -1, 1}} {
		if a.v != nil && !(*a.v >= a.lo && *a.v <= a.hi) {
			return &store.InvalidInputError{Field: a.field, Reason: fmt.Sprintf("%v is outside [%v, %v]", *a.v, a.lo, a.hi)}
		}
	}
	return nil
}

// fusionWeights are the branch weights in effect.
type fusionWeights struct{ fts, vec float64 }

// weights is vestige_search's choice of weights: a weight given is used; otherwise, when
// both branches run, the registered model's store.FusionDefaults, and for a lone branch 1.
// A search in which every branch that runs weighs 0 would have no order: refused.
func (s *Store) weights(conn *sqlite.Conn, q store.SearchQuery) (fusionWeights, error) {
	w := fusionWeights{1, 1}
	if q.Text != "" && q.Embedding != nil {
		registered, err := model(conn)
		if err != nil {
			return w, err
		}
		name := ""
		if registered != nil {
			name = registered.Name
		}
		w.fts, w.vec = store.FusionDefaults(name)
	}
	if q.FTSWeight != nil {
		w.fts = *q.FTSWeight
	}
	if q.VectorWeight != nil {
		w.vec = *q.VectorWeight
	}
	if (q.Text == "" || w.fts == 0) && (q.Embedding == nil || w.vec == 0) {
		return w, &store.InvalidInputError{Field: "fts_weight", Reason: "and vector_weight give every branch that runs weight 0: the results would have no order"}
	}
	return w, nil
}

// vectorRanked is vestige_vector_ranked: no rows when no model is registered; the registered
// dimension and a non-zero query are required; then an exact cosine scan over the rows
// passing the filter. score = 1 - cosine distance; ties by id.
func (s *Store) vectorRanked(conn *sqlite.Conn, q []float32, limit int, f filter) ([]branchHit, error) {
	uq, err := checkQueryVector(conn, q)
	if err != nil || uq == nil {
		return nil, err
	}
	var allow []int64
	if f.active() {
		allow = []int64{}
		err := query(conn, `SELECT m.rid FROM memories m WHERE m.embedding IS NOT NULL`+f.clause()+` LIMIT +?8 OFFSET +?1`,
			func(stmt *sqlite.Stmt) error {
				allow = append(allow, stmt.ColumnInt64(0))
				return nil
			}, f.args(0, -1)...)
		if err != nil {
			return nil, err
		}
	}
	nearest := s.vectors.nearest(uq, limit, allow)
	hits := make([]branchHit, len(nearest))
	for i, h := range nearest {
		hits[i] = branchHit{id: h.id, score: 1 - h.dist, rank: i + 1}
	}
	return hits, nil
}

// fuse is the RRF step of vestige_search: a FULL JOIN of the branches on id, rrf =
// w.fts/(60 + fts rank) + w.vec/(60 + vector rank) (a missing rank adds 0), best first, ties
// by id, joined with the memories and cut to limit.
func fuse(conn *sqlite.Conn, fts, vec []branchHit, w fusionWeights, limit int) ([]store.SearchResult, error) {
	type fused struct {
		id  string
		rrf float64
		f   *branchHit
		v   *branchHit
	}
	byID := map[string]*fused{}
	var order []*fused
	get := func(id string) *fused {
		if e, ok := byID[id]; ok {
			return e
		}
		e := &fused{id: id}
		byID[id] = e
		order = append(order, e)
		return e
	}
	for i := range fts {
		get(fts[i].id).f = &fts[i]
	}
	for i := range vec {
		get(vec[i].id).v = &vec[i]
	}
	for _, e := range order {
		var a, b float64
		if e.f != nil {
			a = w.fts / float64(rrfK+e.f.rank)
		}
		if e.v != nil {
			b = w.vec / float64(rrfK+e.v.rank)
		}
		e.rrf = a + b
	}
	slices.SortFunc(order, func(x, y *fused) int {
		return cmp.Or(cmp.Compare(y.rrf, x.rrf), cmp.Compare(x.id, y.id))
	})

	// Only the rows of the page are read: the first limit ids, then more only for those
	// deleted since the vector index was read.
	out := make([]store.SearchResult, 0, min(limit, len(order)))
	for start := 0; start < len(order) && len(out) < limit; {
		end := min(start+limit-len(out), len(order))
		ids := make([]string, 0, end-start)
		for _, e := range order[start:end] {
			ids = append(ids, e.id)
		}
		mems, err := memoriesByID(conn, ids)
		if err != nil {
			return nil, err
		}
		for _, e := range order[start:end] {
			m, ok := mems[e.id]
			if !ok {
				continue
			}
			r := store.SearchResult{Memory: m, RRFScore: e.rrf}
			if e.f != nil {
				r.FTSScore, r.FTSRank = &e.f.score, &e.f.rank
			}
			if e.v != nil {
				r.VectorScore, r.VectorRank = &e.v.score, &e.v.rank
			}
			out = append(out, r)
		}
		start = end
	}
	return out, nil
}

// memoriesByID reads memories (without embeddings) by id.
func memoriesByID(conn *sqlite.Conn, ids []string) (map[string]store.Memory, error) {
	out := make(map[string]store.Memory, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	err := query(conn, `SELECT `+memoryColumns+` FROM memories m WHERE m.id IN (SELECT value FROM json_each(?1))`,
		func(stmt *sqlite.Stmt) error {
			m, err := scanMemory(stmt, 0)
			out[stmt.ColumnText(0)] = m
			return err
		}, ids)
	return out, err
}
