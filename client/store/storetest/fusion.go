package storetest

import (
	"math"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/embedder"
	"github.com/vestige-mem/vestige/client/store"
)

// requireWeighted is requireFused with branch weights: rrf = wf/(60 + fts rank) +
// wv/(60 + vector rank), rows ordered by rrf.
func (h *harness) requireWeighted(rs []store.SearchResult, wf, wv float64) {
	h.Helper()
	for i, r := range rs {
		want := 0.0
		if r.FTSRank != nil {
			want += wf / float64(60+*r.FTSRank)
		}
		if r.VectorRank != nil {
			want += wv / float64(60+*r.VectorRank)
		}
		require.InDelta(h, want, r.RRFScore, 1e-12, "row %d: rrf = wf/(60 + fts rank) + wv/(60 + vector rank)", i)
		if i > 0 {
			require.LessOrEqual(h, r.RRFScore, rs[i-1].RRFScore, "rows are ordered by rrf")
		}
	}
}

// fusionCorpus is testSearchHybrid's: one memory first in both branches, one found only by
// text, one only by vector.
func (h *harness) fusionCorpus() (q []float32, top, vecOnly, textOnly store.Memory) {
	h.registerModel4()
	h.filler(6)
	top = h.note("pgvector hnsw index tuning", 1, 0, 0, 0)
	h.note("pgvector install notes", 0.8, 0.6, 0, 0)
	h.note("hnsw graph theory", 0, 1, 0, 0)
	vecOnly = h.note("gardening in winter", 0.2, 0, 1, 0)
	textOnly = h.note("pgvector without any vector")
	return []float32{1, 0, 0, 0}, top, vecOnly, textOnly
}

// testSearchWeights: explicit weights scale each branch's term of the fusion; a branch of
// weight 0 is not run (its scores are NULL and it adds no memory); weights are ignored by
// the single-branch searches.
func testSearchWeights(h *harness) {
	q, top, vecOnly, textOnly := h.fusionCorpus()
	search := func(wf, wv *float64) []store.SearchResult {
		h.Helper()
		rs, err := h.s.Search(h.ctx, store.SearchQuery{Text: "pgvector hnsw", Embedding: q, FTSWeight: wf, VectorWeight: wv})
		require.NoError(h, err)
		return rs
	}
	for _, w := range []struct{ f, v float64 }{{1, 1}, {0.5, 0.25}, {0.1, 1}, {1, 0.001}} {
		rs := search(&w.f, &w.v)
		h.requireWeighted(rs, w.f, w.v)
		require.Equal(h, top.ID, rs[0].Memory.ID, "first in both branches, first fused (%v)", w)
		require.InDelta(h, (w.f+w.v)/61, rs[0].RRFScore, 1e-12)
		require.Contains(h, resultIDs(rs), vecOnly.ID)
		require.Contains(h, resultIDs(rs), textOnly.ID)
	}
	// A heavy vector branch puts the vector-only memory above the text-only one, a heavy
	// text branch the other way round.
	pos := func(rs []store.SearchResult, id uuid.UUID) int {
		for i, r := range rs {
			if r.Memory.ID == id {
				return i
			}
		}
		return math.MaxInt
	}
	rs := search(ptr(0.01), ptr(1.0))
	require.Less(h, pos(rs, vecOnly.ID), pos(rs, textOnly.ID))
	rs = search(ptr(1.0), ptr(0.01))
	require.Less(h, pos(rs, textOnly.ID), pos(rs, vecOnly.ID))

	rs = search(ptr(1.0), ptr(0.0))
	h.requireTextOnly(rs)
	want, err := h.s.FTSSearch(h.ctx, store.SearchQuery{Text: "pgvector hnsw"})
	require.NoError(h, err)
	require.Equal(h, resultIDs(want), resultIDs(rs), "vector weight 0: full text alone")

	rs = search(ptr(0.0), ptr(0.5))
	h.requireWeighted(rs, 0, 0.5)
	for _, r := range rs {
		require.Nil(h, r.FTSScore, "text weight 0: the text branch does not run")
	}
	want, err = h.s.VectorSearch(h.ctx, store.SearchQuery{Embedding: q})
	require.NoError(h, err)
	require.Equal(h, resultIDs(want), resultIDs(rs), "text weight 0: the vector branch alone")

	// The single-branch searches ignore the weights: a lone branch weighs 1.
	zero := ptr(0.0)
	rs, err = h.s.FTSSearch(h.ctx, store.SearchQuery{Text: "pgvector", FTSWeight: zero, VectorWeight: zero})
	require.NoError(h, err)
	h.requireTextOnly(rs)
	rs, err = h.s.VectorSearch(h.ctx, store.SearchQuery{Embedding: q, FTSWeight: zero, VectorWeight: zero})
	require.NoError(h, err)
	h.requireVectorOnly(rs)
	// Search with one input: the named weight of that branch applies, the default is 1.
	rs, err = h.s.Search(h.ctx, store.SearchQuery{Text: "pgvector", FTSWeight: ptr(0.5)})
	require.NoError(h, err)
	h.requireWeighted(rs, 0.5, 0)
	rs, err = h.s.Search(h.ctx, store.SearchQuery{Embedding: q})
	require.NoError(h, err)
	h.requireWeighted(rs, 0, 1)
}

// testSearchFusionDefaults: with no weight named, a hybrid search uses the registered model's
// store.FusionDefaults: for a hash embedder the vector branch weighs 0, so the default search
// is full text alone; for any other model both branches weigh 1 (testSearchHybrid).
func testSearchFusionDefaults(h *harness) {
	e, err := embedder.FromName(h.ctx, "hash-64", embedder.Options{})
	require.NoError(h, err)
	require.NoError(h, h.s.EnsureModel(h.ctx, store.ModelSignature{Name: e.ModelName(), Dimension: e.Dimension(), Hash: e.ModelHash()}))
	for _, c := range []string{"autovacuum tuning for large tables", "tables and chairs", "vacuum cleaners",
		"tuning a guitar", "large language models"} {
		v, err := e.Embed(h.ctx, c)
		require.NoError(h, err)
		h.insert(store.Memory{Content: c, Embedding: v})
	}
	query := "tuning large tables"
	qv, err := e.Embed(h.ctx, query)
	require.NoError(h, err)
	fts, err := h.s.FTSSearch(h.ctx, store.SearchQuery{Text: query})
	require.NoError(h, err)
	rs, err := h.s.Search(h.ctx, store.SearchQuery{Text: query, Embedding: qv})
	require.NoError(h, err)
	require.Equal(h, fts, rs, "hash embedder: the default search is full text alone, scores included")

	rs, err = h.s.Search(h.ctx, store.SearchQuery{Text: query, Embedding: qv, VectorWeight: ptr(1.0)})
	require.NoError(h, err)
	h.requireFused(rs)
	require.Len(h, rs, 5, "a named vector weight runs the branch, which finds every memory")

	// An embedding the vector branch would refuse is refused even when the branch does not run.
	_, err = h.s.Search(h.ctx, store.SearchQuery{Text: query, Embedding: []float32{1, 0, 0}})
	var dim *store.DimensionError
	require.ErrorAs(h, err, &dim)
}

// testSearchMinVectorScore: the cut-off drops the vector branch's candidates whose cosine
// similarity is below it, in Search and VectorSearch; full-text candidates are kept.
func testSearchMinVectorScore(h *harness) {
	q, top, vecOnly, textOnly := h.fusionCorpus()
	// Cosines with q: top 1, "pgvector install notes" 0.8, "hnsw graph theory" 0,
	// vecOnly 0.2/√1.04 ≈ 0.196.
	for _, c := range []struct {
		min  *float64
		want int // vector rows kept
	}{{nil, 4}, {ptr(-1.0), 4}, {ptr(0.1), 3}, {ptr(0.5), 2}, {ptr(0.9), 1}, {ptr(1.0), 0}} {
		rs, err := h.s.VectorSearch(h.ctx, store.SearchQuery{Embedding: q, MinVectorScore: c.min})
		require.NoError(h, err)
		h.requireVectorOnly(rs)
		if c.want == 0 {
			// Exactly 1 may come out a hair below 1 in float arithmetic: at most the exact match.
			require.LessOrEqual(h, len(rs), 1)
			continue
		}
		require.Len(h, rs, c.want, "min %v", c.min)
		for _, r := range rs {
			if c.min != nil {
				require.GreaterOrEqual(h, *r.VectorScore, *c.min)
			}
		}
	}
	rs, err := h.s.Search(h.ctx, store.SearchQuery{Text: "pgvector hnsw", Embedding: q, MinVectorScore: ptr(0.5)})
	require.NoError(h, err)
	h.requireFused(rs)
	ids := resultIDs(rs)
	require.Equal(h, top.ID, ids[0])
	require.Contains(h, ids, textOnly.ID, "full-text candidates are not cut")
	require.NotContains(h, ids, vecOnly.ID, "a vector candidate below the cut-off is dropped")
	for _, r := range rs {
		if r.VectorScore != nil {
			require.GreaterOrEqual(h, *r.VectorScore, 0.5)
		}
	}
}

// testSearchFusionArguments: weights outside [0, 1], a cut-off outside [-1, 1] (NaN
// included), and a search whose running branches all weigh 0 are refused, naming the field.
func testSearchFusionArguments(h *harness) {
	h.registerModel4()
	h.note("something to find", 1, 0, 0, 0)
	q := []float32{1, 0, 0, 0}
	nan := math.NaN()
	cases := []struct {
		name  string
		query store.SearchQuery
		field string
	}{
		{"fts weight above 1", store.SearchQuery{Text: "x", Embedding: q, FTSWeight: ptr(1.5)}, "fts_weight"},
		{"fts weight negative", store.SearchQuery{Text: "x", FTSWeight: ptr(-0.1)}, "fts_weight"},
		{"vector weight NaN", store.SearchQuery{Text: "x", Embedding: q, VectorWeight: &nan}, "vector_weight"},
		{"vector weight infinite", store.SearchQuery{Embedding: q, VectorWeight: ptr(math.Inf(1))}, "vector_weight"},
		{"cut-off above 1", store.SearchQuery{Embedding: q, MinVectorScore: ptr(1.01)}, "min_vector_score"},
		{"cut-off below -1", store.SearchQuery{Text: "x", MinVectorScore: ptr(-2.0)}, "min_vector_score"},
		{"cut-off NaN", store.SearchQuery{Embedding: q, MinVectorScore: &nan}, "min_vector_score"},
		{"both weights 0", store.SearchQuery{Text: "x", Embedding: q, FTSWeight: ptr(0.0), VectorWeight: ptr(0.0)}, "fts_weight"},
		{"lone text branch of weight 0", store.SearchQuery{Text: "x", FTSWeight: ptr(0.0)}, "fts_weight"},
		{"lone vector branch of weight 0", store.SearchQuery{Embedding: q, VectorWeight: ptr(0.0)}, "fts_weight"},
	}
	for _, c := range cases {
		_, err := h.s.Search(h.ctx, c.query)
		var inv *store.InvalidInputError
		require.ErrorAs(h, err, &inv, c.name)
		require.Equal(h, c.field, inv.Field, "%s: %v", c.name, err)
	}
	_, err := h.s.VectorSearch(h.ctx, store.SearchQuery{Embedding: q, MinVectorScore: &nan})
	var inv *store.InvalidInputError
	require.ErrorAs(h, err, &inv)
	require.Equal(h, "min_vector_score", inv.Field)
}
