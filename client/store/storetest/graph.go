package storetest

import (
	"math"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store"
)

func (h *harness) edge(src, dst store.Memory, typ string, w float64) store.Edge {
	h.Helper()
	e, err := h.s.AddEdge(h.ctx, store.Edge{SourceID: src.ID, TargetID: dst.ID, EdgeType: typ, Weight: w})
	require.NoError(h, err)
	return e
}

type hop struct {
	m          store.Memory
	activation float64
	hops       int
}

func (h *harness) requireNeighbors(want []hop, got []store.Neighbor, what string) {
	h.Helper()
	wantIDs := make([]uuid.UUID, len(want))
	for i, w := range want {
		wantIDs[i] = w.m.ID
	}
	require.Equal(h, wantIDs, neighborIDs(got), "%s: order by activation desc, hops, id", what)
	for i, w := range want {
		require.InDelta(h, w.activation, got[i].Activation, 1e-9, "%s: activation of %s", what, w.m.Content)
		require.Equal(h, w.hops, got[i].Hops, "%s: hops of %s", what, w.m.Content)
		h.requireMemory(w.m, got[i].Memory, false)
	}
}

// testNeighbors: spreading activation is the best path's product of weights × 0.7 per hop,
// over edges in both directions, not the shortest path.
func testNeighbors(h *harness) {
	a := h.note("node A")
	b := h.note("node B")
	c := h.note("node C")
	d := h.note("node D")
	e := h.note("node E")
	g := h.note("node G")
	h.note("node F, isolated")
	h.edge(a, b, "", 0.8)
	h.edge(b, c, "", 1.0)
	h.edge(d, a, "", 0.5) // walked against its direction from A
	h.edge(a, e, "", 0.1) // direct, but weaker than A → B → E
	h.edge(b, e, "", 0.9)
	h.edge(a, g, "x", 0.9)

	cases := []struct {
		name     string
		from     store.Memory
		depth    int
		edgeType string
		want     []hop
	}{
		{"depth 0", a, 0, "", []hop{{a, 1, 0}}},
		{"depth 1", a, 1, "", []hop{{a, 1, 0}, {g, 0.63, 1}, {b, 0.56, 1}, {d, 0.35, 1}, {e, 0.07, 1}}},
		{"depth 2", a, 2, "", []hop{{a, 1, 0}, {g, 0.63, 1}, {b, 0.56, 1}, {c, 0.392, 2}, {e, 0.3528, 2}, {d, 0.35, 1}}},
		{"depth 10 reaches no more", a, 10, "", []hop{{a, 1, 0}, {g, 0.63, 1}, {b, 0.56, 1}, {c, 0.392, 2}, {e, 0.3528, 2}, {d, 0.35, 1}}},
		{"type x only", a, 3, "x", []hop{{a, 1, 0}, {g, 0.63, 1}}},
		{"type related only", a, 2, store.DefaultEdgeType, []hop{{a, 1, 0}, {b, 0.56, 1}, {c, 0.392, 2}, {e, 0.3528, 2}, {d, 0.35, 1}}},
		{"type without edges", a, 2, "nothing", []hop{{a, 1, 0}}},
		{"from C, both directions", c, 3, "", []hop{{c, 1, 0}, {b, 0.7, 1}, {e, 0.441, 2}, {a, 0.392, 2}, {g, 0.24696, 3}, {d, 0.1372, 3}}},
	}
	for _, tc := range cases {
		got, err := h.s.Neighbors(h.ctx, tc.from.ID, tc.depth, tc.edgeType)
		require.NoError(h, err, tc.name)
		h.requireNeighbors(tc.want, got, tc.name)
	}
}

func testEdges(h *harness) {
	a := h.note("edge end A")
	b := h.note("edge end B")
	c := h.note("edge end C")

	created := time.Date(2024, 5, 6, 7, 8, 9, 987654321, time.UTC)
	ab, err := h.s.AddEdge(h.ctx, store.Edge{SourceID: a.ID, TargetID: b.ID, Weight: 0.5, CreatedAt: created})
	require.NoError(h, err)
	require.Equal(h, store.DefaultEdgeType, ab.EdgeType, "an edge without a type is related")
	h.requireTime(created, ab.CreatedAt, "edge created_at")
	require.Equal(h, 0.5, ab.Weight)

	before := store.Now()
	abx := h.edge(a, b, "x", 1)
	require.False(h, abx.CreatedAt.Before(h.when(before)), "a zero created_at becomes now")
	ca := h.edge(c, a, "", 0)

	// Adding it again updates the weight and keeps created_at.
	again, err := h.s.AddEdge(h.ctx, store.Edge{SourceID: a.ID, TargetID: b.ID, Weight: 0.75})
	require.NoError(h, err)
	require.Equal(h, 0.75, again.Weight)
	h.requireTime(created, again.CreatedAt, "created_at is kept on update")
	ab.Weight = 0.75

	type key struct {
		src, dst uuid.UUID
		typ      string
	}
	keyOf := func(e store.Edge) key { return key{e.SourceID, e.TargetID, e.EdgeType} }
	requireEdges := func(want []store.Edge, got []store.Edge, what string) {
		h.Helper()
		require.Len(h, got, len(want), what)
		byKey := map[key]store.Edge{}
		for _, e := range got {
			byKey[keyOf(e)] = e
		}
		for _, w := range want {
			g, ok := byKey[keyOf(w)]
			require.True(h, ok, "%s: edge %s -[%s]-> %s", what, w.SourceID, w.EdgeType, w.TargetID)
			require.Equal(h, w.Weight, g.Weight, what)
			h.requireTime(w.CreatedAt, g.CreatedAt, what)
		}
	}
	for _, tc := range []struct {
		name string
		node store.Memory
		typ  string
		want []store.Edge
	}{
		{"A, all types", a, "", []store.Edge{ab, abx, ca}},
		{"B, as target", b, "", []store.Edge{ab, abx}},
		{"A, type x", a, "x", []store.Edge{abx}},
		{"A, related", a, store.DefaultEdgeType, []store.Edge{ab, ca}},
		{"C", c, "", []store.Edge{ca}},
		{"unknown node", store.Memory{ID: uuid.New()}, "", nil},
	} {
		got, err := h.s.GetEdges(h.ctx, tc.node.ID, tc.typ)
		require.NoError(h, err, tc.name)
		require.NotNil(h, got, "%s: no edges is an empty list", tc.name)
		requireEdges(tc.want, got, tc.name)
	}

	// Removal is by exact (source, target, type); "" is the default type.
	require.ErrorIs(h, h.s.RemoveEdge(h.ctx, b.ID, a.ID, "x"), store.ErrNotFound, "the reverse edge does not exist")
	require.NoError(h, h.s.RemoveEdge(h.ctx, a.ID, b.ID, "x"))
	require.ErrorIs(h, h.s.RemoveEdge(h.ctx, a.ID, b.ID, "x"), store.ErrNotFound, "removing twice")
	require.NoError(h, h.s.RemoveEdge(h.ctx, a.ID, b.ID, ""))
	got, err := h.s.GetEdges(h.ctx, a.ID, "")
	require.NoError(h, err)
	requireEdges([]store.Edge{ca}, got, "after removals")
	st, err := h.s.Stats(h.ctx)
	require.NoError(h, err)
	require.Equal(h, int64(1), st.Edges)
}

func testClassify(h *harness) {
	h.registerModel4()
	for _, d := range []store.Domain{
		{ID: "x-axis", Label: "X", Centroid: []float32{1, 0, 0, 0}},
		{ID: "y-axis", Label: "Y", Centroid: []float32{0, 1, 0, 0}},
		{ID: "diagonal", Label: "D", Centroid: []float32{0.7, 0.7, 0, 0}},
		{ID: "opposite", Label: "O", Centroid: []float32{-1, 0, 0, 0}},
		{ID: "no-centroid", Label: "N"},
	} {
		_, err := h.s.UpsertDomain(h.ctx, d)
		require.NoError(h, err)
	}
	q := []float32{1, 0.1, 0, 0}
	got, err := h.s.Classify(h.ctx, q)
	require.NoError(h, err)
	want := []struct {
		id       string
		centroid []float32
	}{{"x-axis", []float32{1, 0, 0, 0}}, {"diagonal", []float32{0.7, 0.7, 0, 0}},
		{"y-axis", []float32{0, 1, 0, 0}}, {"opposite", []float32{-1, 0, 0, 0}}}
	require.Len(h, got, len(want), "every domain with a centroid, and only those")
	for i, w := range want {
		require.Equal(h, w.id, got[i].DomainID, "nearest centroid first")
		require.InDelta(h, cosine(q, w.centroid), got[i].Similarity, 1e-5)
	}
}

func testDomains(h *harness) {
	h.registerModel4()
	list, err := h.s.ListDomains(h.ctx)
	require.NoError(h, err)
	require.NotNil(h, list)
	require.Empty(h, list)

	created := time.Date(2023, 12, 31, 23, 59, 59, 999999999, time.UTC)
	rust := store.Domain{ID: "rust", Label: "Rust programming", Centroid: []float32{0.5, 0.25, -0.125, 1},
		TopTerms: []string{"borrow", "trait", "lifetime"}, MemoryCount: 12, CreatedAt: created,
		Metadata: map[string]any{"color": "orange", "weight": 2.5, "tags": []any{"a", "b"}}}
	got, err := h.s.UpsertDomain(h.ctx, rust)
	require.NoError(h, err)
	want := rust
	want.CreatedAt = h.when(created)
	requireDomain := func(want, got store.Domain, what string) {
		h.Helper()
		require.Equal(h, want.ID, got.ID, what)
		require.Equal(h, want.Label, got.Label, what)
		if len(want.Centroid) == 0 {
			require.Nil(h, got.Centroid, what)
		} else {
			require.Equal(h, want.Centroid, got.Centroid, what)
		}
		require.Equal(h, nonNil(want.TopTerms), got.TopTerms, what)
		require.Equal(h, want.MemoryCount, got.MemoryCount, what)
		h.requireTime(want.CreatedAt, got.CreatedAt, what+" created_at")
		require.NotNil(h, got.Metadata, what)
		requireSameJSON(h, want.Metadata, got.Metadata, what)
	}
	requireDomain(want, got, "upsert returns the stored domain")
	back, err := h.s.GetDomain(h.ctx, "rust")
	require.NoError(h, err)
	requireDomain(want, back, "get")

	before := store.Now()
	bare, err := h.s.UpsertDomain(h.ctx, store.Domain{ID: "another", Label: ""})
	require.NoError(h, err)
	require.NotNil(h, bare.TopTerms)
	require.NotNil(h, bare.Metadata)
	require.Nil(h, bare.Centroid)
	require.False(h, bare.CreatedAt.Before(h.when(before)), "a zero created_at becomes now")

	// Upsert again replaces the fields and keeps created_at.
	rust2 := store.Domain{ID: "rust", Label: "Rust", TopTerms: []string{"cargo"}, MemoryCount: 13,
		Metadata: map[string]any{"color": "red"}}
	got, err = h.s.UpsertDomain(h.ctx, rust2)
	require.NoError(h, err)
	want2 := rust2
	want2.CreatedAt = want.CreatedAt
	requireDomain(want2, got, "second upsert")
	back, err = h.s.GetDomain(h.ctx, "rust")
	require.NoError(h, err)
	requireDomain(want2, back, "get after second upsert")

	list, err = h.s.ListDomains(h.ctx)
	require.NoError(h, err)
	require.Len(h, list, 2)
	require.Equal(h, "another", list[0].ID, "listed by id")
	requireDomain(want2, list[1], "listed")

	require.NoError(h, h.s.DeleteDomain(h.ctx, "rust"))
	_, err = h.s.GetDomain(h.ctx, "rust")
	require.ErrorIs(h, err, store.ErrNotFound)
	require.ErrorIs(h, h.s.DeleteDomain(h.ctx, "rust"), store.ErrNotFound)
	st, err := h.s.Stats(h.ctx)
	require.NoError(h, err)
	require.Equal(h, int64(1), st.Domains)
}

// testClassifyRefusesVector: the query vector obeys the rule of stored vectors
// (store.CheckVector): finite, with a norm in [MinVectorNorm, MaxVectorNorm]. Past it the
// cosine is NaN (pgvector's float32 sums underflow) or meaningless; refused with
// ErrInvalidInput naming the embedding, on both backends, before the dimension is checked.
func testClassifyRefusesVector(h *harness) {
	h.registerModel4()
	_, err := h.s.UpsertDomain(h.ctx, store.Domain{ID: "x-axis", Centroid: []float32{1, 0, 0, 0}})
	require.NoError(h, err)
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	for _, tc := range []struct {
		name string
		v    []float32
	}{
		{"NaN", []float32{1, nan, 0, 0}},
		{"infinity", []float32{inf, 0, 0, 0}},
		{"zero", []float32{0, 0, 0, 0}},
		{"denormal, norm far below the minimum", []float32{1e-45, 0, 0, 0}},
		{"just below the minimum norm", []float32{store.MinVectorNorm / 2, 0, 0, 0}},
		{"just above the maximum norm", []float32{store.MaxVectorNorm * 2, 0, 0, 0}},
		{"too small and of another dimension", []float32{1e-30, 0}},
	} {
		_, err := h.s.Classify(h.ctx, tc.v)
		require.ErrorIs(h, err, store.ErrInvalidInput, tc.name)
		var ie *store.InvalidInputError
		require.ErrorAs(h, err, &ie, tc.name)
		require.Equal(h, "embedding", ie.Field, tc.name)
	}
	for _, v := range [][]float32{{store.MinVectorNorm * 2, 0, 0, 0}, {store.MaxVectorNorm / 2, 0, 0, 0}} {
		got, err := h.s.Classify(h.ctx, v)
		require.NoError(h, err, "a norm inside the bounds: %g", v[0])
		require.Len(h, got, 1)
		require.InDelta(h, 1, got[0].Similarity, 1e-6)
	}
}
