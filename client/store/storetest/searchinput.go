package storetest

import (
	"fmt"
	"math"

	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store"
)

// testSearchQueryEmbeddingRules: a query embedding is held to the stored vectors' rules
// (store.CheckVector): a vector that cosine similarity cannot score — non-finite, zero, or of
// norm outside [store.MinVectorNorm, store.MaxVectorNorm] — is refused with ErrInvalidInput
// naming the query embedding, before any other check (its dimension included), by every
// search that uses it; a full-text search ignores it. No score is ever NaN.
func testSearchQueryEmbeddingRules(h *harness) {
	h.registerModel4()
	h.note("direction probe one", 1, 0, 0, 0)
	h.note("direction probe two", 0, 1, 0, 0)
	f32 := func(x float64) float32 { return float32(x) }
	bad := []struct {
		name string
		emb  []float32
	}{
		{"denormal", []float32{1e-45, 0, 0, 0}},
		{"below the minimum norm", []float32{1e-7, 0, 0, 0}},
		{"zero", []float32{0, 0, 0, 0}},
		{"above the maximum norm", []float32{2e6, 0, 0, 0}},
		{"NaN", []float32{f32(math.NaN()), 1, 0, 0}},
		{"infinite", []float32{f32(math.Inf(-1)), 1, 0, 0}},
		{"wrong dimension and too short", []float32{1e-45, 0}},
	}
	for _, b := range bad {
		for name, search := range map[string]func(store.SearchQuery) ([]store.SearchResult, error){
			"Search":       func(q store.SearchQuery) ([]store.SearchResult, error) { return h.s.Search(h.ctx, q) },
			"Search+text":  func(q store.SearchQuery) ([]store.SearchResult, error) { q.Text = "probe"; return h.s.Search(h.ctx, q) },
			"VectorSearch": func(q store.SearchQuery) ([]store.SearchResult, error) { return h.s.VectorSearch(h.ctx, q) },
		} {
			_, err := search(store.SearchQuery{Embedding: b.emb})
			require.ErrorIs(h, err, store.ErrInvalidInput, "%s: %s", name, b.name)
			iv, ok := errorsAs[*store.InvalidInputError](err)
			require.True(h, ok, "%s: %s: %v", name, b.name, err)
			require.Equal(h, "query embedding", iv.Field, "%s: %s", name, b.name)
		}
		rs, err := h.s.FTSSearch(h.ctx, store.SearchQuery{Text: "probe", Embedding: b.emb})
		require.NoError(h, err, "FTSSearch ignores the embedding: %s", b.name)
		require.Len(h, rs, 2)
	}
	// At the bounds, a vector is accepted and scored like any other.
	for _, emb := range [][]float32{{2e-6, 0, 0, 0}, {5e5, 0, 0, 0}} {
		rs, err := h.s.VectorSearch(h.ctx, store.SearchQuery{Embedding: emb})
		require.NoError(h, err, "%v", emb)
		require.Len(h, rs, 2)
		for _, r := range rs {
			require.False(h, math.IsNaN(*r.VectorScore), "%v: a score is a number", emb)
		}
		require.InDelta(h, 1, *rs[0].VectorScore, 1e-6, "%v: the same direction scores 1", emb)
	}
}

// testSearchEmptyFilters: an empty filter list is no filter, exactly like a missing one, on
// both backends and in SQL (vestige_filter_clause): same rows, same order, in every mode.
func testSearchEmptyFilters(h *harness) {
	h.registerModel4()
	for i := range 6 {
		h.insert(store.Memory{Content: fmt.Sprintf("empty filter probe %d", i), NodeType: "note",
			Domains: []string{"d"}, Tags: []string{"t"}, Embedding: []float32{1, float32(i) / 6, 0, 0}})
	}
	none := h.allModes("filter probe", []float32{1, 0.5, 0, 0}, store.SearchQuery{})
	for _, q := range []store.SearchQuery{
		{Domains: []string{}}, {NodeTypes: []string{}}, {Tags: []string{}},
		{Domains: []string{}, NodeTypes: []string{}, Tags: []string{}},
	} {
		got := h.allModes("filter probe", []float32{1, 0.5, 0, 0}, q)
		for mode, rs := range got {
			require.Len(h, rs, 6, "%s %+v", mode, q)
			require.Equal(h, resultIDs(none[mode]), resultIDs(rs), "%s %+v: an empty list filters nothing", mode, q)
		}
	}
}
