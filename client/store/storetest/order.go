package storetest

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store"
)

// The order every backend promises wherever one is documented: text keys (domain ids, edge
// types) bytewise, as COLLATE "C" and SQLite's BINARY compare them, never by the database's
// locale; ids by their 16 bytes (the order of their lowercase text). The values below sort
// differently under a linguistic collation such as ICU en-US (_x a A-b B e é Z) and
// bytewise (A-b B Z _x a e é), so a backend that orders by its locale fails here when its
// database has one (the Postgres suite also runs on an ICU en-US database).
var (
	orderLabels = []string{"B", "a", "_x", "é", "Z", "A-b", "e"}
	// Inserted in this order, which is neither their byte order (09, 0a, a0, f0) nor their
	// creation order.
	orderIDs = []uuid.UUID{
		uuid.MustParse("f0000000-0000-4000-8000-000000000001"),
		uuid.MustParse("0a000000-0000-4000-8000-000000000002"),
		uuid.MustParse("a0000000-0000-4000-8000-000000000003"),
		uuid.MustParse("09000000-0000-4000-8000-000000000004"),
	}
	orderT0 = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
)

func bytewise(labels []string) []string {
	out := slices.Clone(labels)
	slices.Sort(out) // Go compares strings byte by byte
	return out
}

func compareIDs(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) }

func sortedIDs(ms ...store.Memory) []uuid.UUID {
	out := memIDs(ms...)
	slices.SortFunc(out, compareIDs)
	return out
}

// compareEdges is the documented edge order: source id, target id, edge type bytewise.
func compareEdges(a, b store.Edge) int {
	return cmp.Or(compareIDs(a.SourceID, b.SourceID), compareIDs(a.TargetID, b.TargetID),
		strings.Compare(a.EdgeType, b.EdgeType))
}

func edgeKeys(es []store.Edge) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.SourceID.String() + " -[" + e.EdgeType + "]-> " + e.TargetID.String()
	}
	return out
}

// orderMemories inserts one memory per orderID, all with the same content, embedding and
// creation time, so that every score and due time ties and only the id can order them.
func (h *harness) orderMemories(content string, emb []float32) []store.Memory {
	h.Helper()
	out := make([]store.Memory, len(orderIDs))
	for i, id := range orderIDs {
		out[i] = h.insert(store.Memory{ID: id, Content: content, Embedding: emb, CreatedAt: orderT0})
	}
	return out
}

// testOrderDomains: ListDomains by id bytewise; Classify best first, equal similarities by
// domain id bytewise.
func testOrderDomains(h *harness) {
	h.registerModel4()
	tie := []float32{1, 0, 0, 0}
	for _, id := range orderLabels {
		_, err := h.s.UpsertDomain(h.ctx, store.Domain{ID: id, Label: "label " + id, Centroid: tie})
		require.NoError(h, err)
	}
	// Ids that sort first bytewise but rank by similarity: best and worst.
	_, err := h.s.UpsertDomain(h.ctx, store.Domain{ID: "~best", Centroid: []float32{1, 0.5, 0, 0}})
	require.NoError(h, err)
	_, err = h.s.UpsertDomain(h.ctx, store.Domain{ID: "0-worst", Centroid: []float32{0, 0, 1, 0}})
	require.NoError(h, err)

	list, err := h.s.ListDomains(h.ctx)
	require.NoError(h, err)
	listed := make([]string, len(list))
	for i, d := range list {
		listed[i] = d.ID
	}
	want := bytewise(append(slices.Clone(orderLabels), "~best", "0-worst"))
	require.Equal(h, want, listed, "domains are listed by id, bytewise")

	got, err := h.s.Classify(h.ctx, []float32{1, 0.5, 0, 0})
	require.NoError(h, err)
	ranked := make([]string, len(got))
	for i, c := range got {
		ranked[i] = c.DomainID
	}
	want = append(append([]string{"~best"}, bytewise(orderLabels)...), "0-worst")
	require.Equal(h, want, ranked, "best first, equal similarities by domain id bytewise")
	for _, c := range got[1 : len(got)-1] {
		require.Equal(h, got[1].Similarity, c.Similarity, "equal centroids tie exactly")
	}
}

// testOrderEdges: GetEdges lists by source id, target id, edge type (bytewise), whatever the
// creation order; so does a dump.
func testOrderEdges(h *harness) {
	ms := h.orderMemories("edge ordering probe", nil)
	m0, m1, m2, m3 := ms[0], ms[1], ms[2], ms[3]
	// Created in an order that matches neither the key order nor the insertion order.
	specs := []struct {
		src, dst store.Memory
		typ      string
		after    time.Duration
	}{
		{m0, m1, "B", time.Hour},
		{m1, m0, "a", 0},
		{m2, m0, "_x", 5 * time.Hour},
		{m0, m1, "é", 2 * time.Hour},
		{m0, m1, "Z", 3 * time.Hour},
		{m3, m0, "related", 4 * time.Hour},
		{m0, m3, "A-b", 6 * time.Hour},
		{m0, m1, "e", 7 * time.Hour},
		{m2, m3, "not touching m0", 8 * time.Hour},
	}
	var all []store.Edge
	for _, sp := range specs {
		e, err := h.s.AddEdge(h.ctx, store.Edge{SourceID: sp.src.ID, TargetID: sp.dst.ID, EdgeType: sp.typ,
			Weight: 0.5, CreatedAt: orderT0.Add(sp.after)})
		require.NoError(h, err)
		all = append(all, e)
	}
	touching := func(m store.Memory, typ string) []store.Edge {
		var out []store.Edge
		for _, e := range all {
			if (e.SourceID == m.ID || e.TargetID == m.ID) && (typ == "" || e.EdgeType == typ) {
				out = append(out, e)
			}
		}
		slices.SortFunc(out, compareEdges)
		return out
	}
	for _, tc := range []struct {
		name string
		node store.Memory
		typ  string
	}{
		{"m0, all types", m0, ""},
		{"m1, all types", m1, ""},
		{"m3, all types", m3, ""},
		{"m0, one type", m0, "é"},
	} {
		got, err := h.s.GetEdges(h.ctx, tc.node.ID, tc.typ)
		require.NoError(h, err, tc.name)
		require.Equal(h, edgeKeys(touching(tc.node, tc.typ)), edgeKeys(got),
			"%s: edges by source id, target id, edge type bytewise", tc.name)
	}

	d, ok := h.s.(store.Dumper)
	if !ok {
		return
	}
	var dumped []store.Edge
	require.NoError(h, d.Dump(h.ctx, func(r store.Record) error {
		if r.Type == store.RecordEdge {
			dumped = append(dumped, *r.Edge)
		}
		return nil
	}))
	want := slices.Clone(all)
	slices.SortFunc(want, compareEdges)
	require.Equal(h, edgeKeys(want), edgeKeys(dumped), "a dump lists edges in the same order")
}

// testOrderTies: where scores tie, search, neighbors and due lists order by id (its bytes),
// not by insertion or storage order.
func testOrderTies(h *harness) {
	h.registerModel4()
	h.filler(3)
	ms := h.orderMemories("ordering tie probe", []float32{0.5, 0.5, 0.5, 0.5})
	byID := sortedIDs(ms...)
	q := store.SearchQuery{Text: "ordering tie probe", Embedding: []float32{0.5, 0.5, 0.5, 0.5}, Limit: 10}

	text := q
	text.Embedding = nil
	got, err := h.s.FTSSearch(h.ctx, text)
	require.NoError(h, err)
	require.Equal(h, byID, resultIDs(got), "text search: equal scores by id")

	vec := q
	vec.Text = ""
	got, err = h.s.VectorSearch(h.ctx, vec)
	require.NoError(h, err)
	require.Equal(h, byID, resultIDs(got)[:len(byID)], "vector search: equal scores by id")

	got, err = h.s.Search(h.ctx, q)
	require.NoError(h, err)
	require.Equal(h, byID, resultIDs(got)[:len(byID)], "hybrid search: equal scores by id")

	// A star around a hub: equal weights give equal activations, ordered by id; a node at
	// two hops with the same activation as one at one hop comes after it (hops, then id).
	hub := h.note("hub")
	far := h.insert(store.Memory{ID: uuid.MustParse("00000000-0000-4000-8000-0000000000ff"), Content: "far"})
	for _, m := range ms {
		h.edge(hub, m, "", 0.7)
	}
	mid := h.note("mid")
	h.edge(hub, mid, "", 1)
	h.edge(mid, far, "", 1) // 1 × 1 × 0.7 × 0.7: exactly the hop-1 nodes' 1 × 0.7 × 0.7
	ns, err := h.s.Neighbors(h.ctx, hub.ID, 2, "")
	require.NoError(h, err)
	require.Equal(h, append([]uuid.UUID{hub.ID, mid.ID}, append(byID, far.ID)...), neighborIDs(ns),
		"neighbors: activation desc, hops, id")
	require.Equal(h, ns[2].Activation, ns[len(ns)-1].Activation, "the hop-2 node ties the hop-1 ones")

	// New cards and a reviewed card all due at the same instant: by id, across both kinds.
	due, err := h.s.DueMemories(h.ctx, orderT0, 10)
	require.NoError(h, err)
	require.Equal(h, byID, dueIDs(due), "due: equal due times by id")
	last := orderT0.Add(-time.Hour)
	early := h.insert(store.Memory{ID: uuid.MustParse("80000000-0000-4000-8000-000000000005"), Content: "reviewed",
		CreatedAt: orderT0.Add(-2 * time.Hour)})
	require.NoError(h, h.s.UpdateScheduling(h.ctx, store.SchedulingState{MemoryID: early.ID, Stability: 1,
		Difficulty: 5, Retrievability: 0.9, LastReview: &last, NextReview: &orderT0, Reps: 1, State: 2}))
	due, err = h.s.DueMemories(h.ctx, orderT0, 10)
	require.NoError(h, err)
	require.Equal(h, sortedIDs(append(ms, early)...), dueIDs(due), "due: a reviewed card ties new cards by id")
}
