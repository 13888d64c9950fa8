package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store"
)

// RunDump holds a backend's store.Dumper to the contract export and import rely on: every
// row comes out in the documented order, goes back in with its ids and times, only absent
// rows are written, and a call is all or nothing. newStore returns a fresh, empty store that
// implements store.Dumper.
func RunDump(t *testing.T, newStore func(t *testing.T) store.Store) {
	for _, c := range dumpCases {
		t.Run(c.name, func(t *testing.T) {
			c.fn(&dumpHarness{T: t, ctx: context.Background(), newStore: newStore})
		})
	}
}

var dumpCases = []struct {
	name string
	fn   func(h *dumpHarness)
}{
	{"EmptyStore", testDumpEmpty},
	{"FixtureRoundTrip", testDumpFixtureRoundTrip},
	{"APIRowsRoundTrip", testDumpAPIRows},
	{"Batches", testDumpBatches},
	{"RegistryMismatch", testDumpRegistryMismatch},
	{"AllOrNothing", testDumpAllOrNothing},
	{"InvalidRecords", testDumpInvalidRecords},
	{"FSRSParameters", testDumpFSRSParameters},
	{"CallbackError", testDumpCallbackError},
	{"DeferredLoadRefusesWhatTheTriggersWould", testDumpDeferredLoadRefusesWhatTheTriggersWould},
}

type dumpHarness struct {
	*testing.T
	ctx      context.Context
	newStore func(t *testing.T) store.Store
}

func (h *dumpHarness) fresh() (store.Store, store.Dumper) {
	h.Helper()
	s := h.newStore(h.T)
	d, ok := s.(store.Dumper)
	require.True(h, ok, "%T does not implement store.Dumper", s)
	return s, d
}

func (h *dumpHarness) dump(d store.Dumper) []store.Record {
	h.Helper()
	var out []store.Record
	require.NoError(h, d.Dump(h.ctx, func(r store.Record) error {
		out = append(out, r)
		return nil
	}))
	return out
}

// asJSON turns records into JSON values: two dumps are equal when these are.
func asJSON(t require.TestingT, recs []store.Record) []any {
	out := make([]any, len(recs))
	for i, r := range recs {
		b, err := json.Marshal(r)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, &out[i]))
	}
	return out
}

func (h *dumpHarness) requireSameRecords(want, got []store.Record, msg string) {
	h.Helper()
	require.Equal(h, asJSON(h, want), asJSON(h, got), msg)
}

var (
	dumpT0   = time.Date(2024, 5, 1, 10, 0, 0, 123456000, time.UTC)
	dumpIDs  = []uuid.UUID{uuid.MustParse("0190a1b2-0000-7000-8000-00000000000a"), uuid.MustParse("0190a1b2-0000-7000-8000-00000000000b"), uuid.MustParse("0190a1b2-0000-7000-8000-00000000000c"), uuid.MustParse("0190a1b2-0000-7000-8000-00000000000d")}
	dumpEvID = []uuid.UUID{uuid.MustParse("5f000000-0000-4000-8000-000000000001"), uuid.MustParse("5f000000-0000-4000-8000-000000000002")}
)

// dumpFixture is one row of every kind, in dump order, with values chosen to catch a wrong
// order: text keys that sort differently by locale, and memories with equal created_at.
func dumpFixture() []store.Record {
	at := func(d time.Duration) time.Time { return dumpT0.Add(d) }
	ptrT := func(d time.Duration) *time.Time { v := at(d); return &v }
	weights := []float64{0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796,
		1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542}
	mem := func(i int, created time.Duration, content string, emb []float32) *store.Memory {
		return &store.Memory{ID: dumpIDs[i], Content: content, NodeType: "fact", Tags: []string{"t" + content[:1]},
			Domains: []string{}, DomainScores: map[string]float64{}, Embedding: emb, Metadata: map[string]any{},
			CreatedAt: at(created), UpdatedAt: at(created + time.Minute)}
	}
	m0 := mem(0, 3*time.Hour, "third by time", []float32{0, 0, 1, 0})
	m0.Domains, m0.DomainScores = []string{"alpha"}, map[string]float64{"alpha": 0.75}
	m0.Metadata = map[string]any{"n": 42.5, "int": 7.0, "ok": true, "none": nil,
		"nested": map[string]any{"list": []any{1.0, "x", false}}}
	step0 := 0
	return []store.Record{
		{Type: store.RecordEmbeddingModel, Model: &store.RegisteredModel{Name: sig4.Name, Dimension: sig4.Dimension,
			Hash: sig4.Hash, CreatedAt: at(0)}},
		{Type: store.RecordFSRSParameters, FSRSParameters: &store.FSRSParameters{Weights: weights,
			DesiredRetention: 0.85, LearningStepsSecs: []int{60, 600}, RelearningStepsSecs: []int{600},
			MaximumIntervalDays: 36500, UpdatedAt: at(time.Second)}},
		{Type: store.RecordDomain, Domain: &store.Domain{ID: "Zeta", Label: "Upper case sorts first bytewise",
			TopTerms: []string{}, Metadata: map[string]any{}, CreatedAt: at(2 * time.Second)}},
		{Type: store.RecordDomain, Domain: &store.Domain{ID: "alpha", Label: "Alpha", Centroid: []float32{1, 0, 0, 0},
			TopTerms: []string{"postgres", "sql"}, MemoryCount: 1, Metadata: map[string]any{"k": "v"},
			CreatedAt: at(3 * time.Second)}},
		{Type: store.RecordDomain, Domain: &store.Domain{ID: "beta", Label: "Beta", TopTerms: []string{},
			Metadata: map[string]any{}, CreatedAt: at(time.Second)}},
		{Type: store.RecordMemory, Memory: mem(3, time.Hour, "first by time", []float32{1, 0, 0, 0.5})},
		{Type: store.RecordMemory, Memory: mem(1, 2*time.Hour, "tie, smaller id", nil)},
		{Type: store.RecordMemory, Memory: mem(2, 2*time.Hour, "tie, larger id", []float32{0, 1, 0, 0})},
		{Type: store.RecordMemory, Memory: m0},
		{Type: store.RecordScheduling, Scheduling: &store.SchedulingState{MemoryID: dumpIDs[0], Stability: 3.5,
			Difficulty: 5.25, Retrievability: 0.9, LastReview: ptrT(4 * time.Hour), NextReview: ptrT(76 * time.Hour),
			Reps: 2, Lapses: 0, State: 2}},
		{Type: store.RecordScheduling, Scheduling: &store.SchedulingState{MemoryID: dumpIDs[2], Stability: 0.2,
			Difficulty: 6, Retrievability: 1, LastReview: ptrT(5 * time.Hour), NextReview: ptrT(5*time.Hour + time.Minute),
			Reps: 1, State: 1, Step: &step0}},
		{Type: store.RecordEdge, Edge: &store.Edge{SourceID: dumpIDs[0], TargetID: dumpIDs[1], EdgeType: "Causes",
			Weight: 1, CreatedAt: at(6 * time.Hour)}},
		{Type: store.RecordEdge, Edge: &store.Edge{SourceID: dumpIDs[0], TargetID: dumpIDs[1], EdgeType: "related",
			Weight: 0.5, CreatedAt: at(7 * time.Hour)}},
		{Type: store.RecordEdge, Edge: &store.Edge{SourceID: dumpIDs[2], TargetID: dumpIDs[0], EdgeType: "related",
			Weight: 0.25, CreatedAt: at(5 * time.Hour)}},
		{Type: store.RecordReviewEvent, ReviewEvent: &store.ReviewEvent{ID: dumpEvID[1], MemoryID: dumpIDs[0],
			ReviewedAt: at(3 * time.Hour), Rating: 3, PriorState: map[string]any{},
			NewState: map[string]any{"state": 1.0, "step": 1.0, "stability": 2.3065}}},
		{Type: store.RecordReviewEvent, ReviewEvent: &store.ReviewEvent{ID: dumpEvID[0], MemoryID: dumpIDs[0],
			ReviewedAt: at(4 * time.Hour), Rating: 4, PriorState: map[string]any{"state": 1.0, "step": 1.0},
			NewState: map[string]any{"state": 2.0, "step": nil, "last_review": "2024-05-01T14:00:00.123456+00:00"}}},
	}
}

func reversed(recs []store.Record) []store.Record {
	out := slices.Clone(recs)
	slices.Reverse(out)
	return out
}

func testDumpEmpty(h *dumpHarness) {
	_, d := h.fresh()
	recs := h.dump(d)
	require.Len(h, recs, 1, "a new store holds only its FSRS parameters")
	require.Equal(h, store.RecordFSRSParameters, recs[0].Type)
	require.True(h, recs[0].FSRSParameters.IsDefault(), "a new store's parameters are the defaults")
	require.Equal(h, time.UTC, recs[0].FSRSParameters.UpdatedAt.Location())
}

func testDumpFixtureRoundTrip(h *dumpHarness) {
	s, d := h.fresh()
	want := dumpFixture()
	n, err := d.Load(h.ctx, reversed(want))
	require.NoError(h, err)
	require.Equal(h, len(want), n, "every row of a new store is written (the parameters replace the defaults)")
	got := h.dump(d)
	h.requireSameRecords(want, got, "the dump is in the documented order, with every value kept")

	n, err = d.Load(h.ctx, want)
	require.NoError(h, err)
	require.Zero(h, n, "a second load writes nothing")
	h.requireSameRecords(want, h.dump(d), "a second load changes nothing")

	// The loaded rows are live rows, not just text: search, graph and scheduling see them.
	res, err := s.Search(h.ctx, store.SearchQuery{Embedding: []float32{1, 0, 0, 0.5}, Limit: 1})
	require.NoError(h, err)
	require.Equal(h, []uuid.UUID{dumpIDs[3]}, resultIDs(res))
	res, err = s.FTSSearch(h.ctx, store.SearchQuery{Text: "larger"})
	require.NoError(h, err)
	require.Equal(h, []uuid.UUID{dumpIDs[2]}, resultIDs(res))
	edges, err := s.GetEdges(h.ctx, dumpIDs[1], "")
	require.NoError(h, err)
	require.Len(h, edges, 2)
	st, err := s.GetScheduling(h.ctx, dumpIDs[0])
	require.NoError(h, err)
	require.NotNil(h, st)
	require.Equal(h, 2, st.State)
	stats, err := s.Stats(h.ctx)
	require.NoError(h, err)
	require.Equal(h, store.Stats{Memories: 4, WithEmbeddings: 3, Edges: 3, Domains: 3, ReviewEvents: 2,
		ModelName: sig4.Name, ModelDimension: 4}, stats)
	model, err := s.Model(h.ctx)
	require.NoError(h, err)
	require.Equal(h, &sig4, model)
	// The store accepts new vectors under the loaded model.
	h2 := &harness{T: h.T, s: s, ctx: h.ctx, prec: time.Microsecond}
	h2.note("after load", 0.5, 0.5, 0, 0)
}

func testDumpAPIRows(h *dumpHarness) {
	a, da := h.fresh()
	ha := &harness{T: h.T, s: a, ctx: h.ctx, prec: time.Microsecond}
	ha.registerModel4()
	m1 := ha.note("written through the API", 1, 2, 3, 4)
	m2 := ha.insert(store.Memory{Content: "with everything", NodeType: "decision", Tags: []string{"b", "a"},
		Domains: []string{"d"}, DomainScores: map[string]float64{"d": 0.5}, Metadata: map[string]any{"x": []any{"y"}}})
	_, err := a.AddEdge(h.ctx, store.Edge{SourceID: m1.ID, TargetID: m2.ID, Weight: 0.75})
	require.NoError(h, err)
	_, err = a.UpsertDomain(h.ctx, store.Domain{ID: "d", Label: "D", Centroid: []float32{0, 0, 1, 0}})
	require.NoError(h, err)
	last := store.Now()
	next := last.Add(72 * time.Hour)
	require.NoError(h, a.UpdateScheduling(h.ctx, store.SchedulingState{MemoryID: m1.ID, Stability: 3,
		Difficulty: 5, Retrievability: 0.95, LastReview: &last, NextReview: &next, Reps: 1, State: 2}))
	want := h.dump(da)

	_, db := h.fresh()
	n, err := db.Load(h.ctx, want)
	require.NoError(h, err)
	// The default parameters are written again only when their updated_at differs.
	require.Contains(h, []int{len(want) - 1, len(want)}, n, "every row")
	h.requireSameRecords(want, h.dump(db), "a dump loaded into a new store dumps the same")
}

func testDumpBatches(h *dumpHarness) {
	_, d := h.fresh()
	want := dumpFixture()
	total := 0
	for batch := range slices.Chunk(want, 3) {
		n, err := d.Load(h.ctx, batch)
		require.NoError(h, err, "a row may refer to rows of an earlier call")
		total += n
	}
	require.Equal(h, len(want), total)
	h.requireSameRecords(want, h.dump(d), "loading in batches is loading at once")
}

func testDumpRegistryMismatch(h *dumpHarness) {
	s, d := h.fresh()
	other := store.ModelSignature{Name: "other-8", Dimension: 8, Hash: "other-8-v1"}
	require.NoError(h, s.EnsureModel(h.ctx, other))
	_, err := d.Load(h.ctx, dumpFixture())
	var mm *store.EmbeddingMismatchError
	require.ErrorAs(h, err, &mm)
	require.Equal(h, other, mm.Registered)
	require.Equal(h, sig4, mm.Requested)
	require.ErrorIs(h, err, store.ErrEmbeddingMismatch)
	stats, err := s.Stats(h.ctx)
	require.NoError(h, err)
	require.Equal(h, store.Stats{ModelName: "other-8", ModelDimension: 8}, stats, "nothing of the call is written")
}

func testDumpAllOrNothing(h *dumpHarness) {
	s, d := h.fresh()
	fx := dumpFixture()
	bad := store.Record{Type: store.RecordEdge, Edge: &store.Edge{SourceID: dumpIDs[1], TargetID: uuid.New(),
		EdgeType: "related", Weight: 1, CreatedAt: dumpT0}}
	_, err := d.Load(h.ctx, append(slices.Clone(fx[:8]), bad))
	require.ErrorIs(h, err, store.ErrNotFound, "an edge to a memory that is not there")
	require.Contains(h, err.Error(), "edge "+dumpIDs[1].String(), "the error names the row")
	n, err := s.Count(h.ctx)
	require.NoError(h, err)
	require.Zero(h, n, "nothing of the failed call is written")
	model, err := s.Model(h.ctx)
	require.NoError(h, err)
	require.Nil(h, model, "not even the registry")
}

func testDumpInvalidRecords(h *dumpHarness) {
	s, d := h.fresh()
	fx := dumpFixture()
	noID := *fx[5].Memory
	noID.ID = uuid.Nil
	noTime := *fx[6].Memory
	noTime.CreatedAt = time.Time{}
	badWeight := *fx[11].Edge
	badWeight.Weight = 2
	badRating := *fx[14].ReviewEvent
	badRating.Rating = 5
	for name, rec := range map[string]store.Record{
		"memory without id":   {Type: store.RecordMemory, Memory: &noID},
		"memory without time": {Type: store.RecordMemory, Memory: &noTime},
		"type without row":    {Type: store.RecordMemory},
		"edge weight above 1": {Type: store.RecordEdge, Edge: &badWeight},
		"rating 5":            {Type: store.RecordReviewEvent, ReviewEvent: &badRating},
	} {
		_, err := d.Load(h.ctx, append(slices.Clone(fx), rec))
		require.ErrorIs(h, err, store.ErrInvalidInput, name)
	}
	n, err := s.Count(h.ctx)
	require.NoError(h, err)
	require.Zero(h, n)
}

func testDumpFSRSParameters(h *dumpHarness) {
	_, d := h.fresh()
	fx := dumpFixture()
	tuned := fx[1]
	n, err := d.Load(h.ctx, []store.Record{tuned})
	require.NoError(h, err)
	require.Equal(h, 1, n, "a store with default parameters takes the imported ones")

	same := *tuned.FSRSParameters
	same.UpdatedAt = same.UpdatedAt.Add(time.Hour)
	n, err = d.Load(h.ctx, []store.Record{{Type: store.RecordFSRSParameters, FSRSParameters: &same}})
	require.NoError(h, err)
	require.Zero(h, n, "equal values: nothing to write")

	other := *tuned.FSRSParameters
	other.DesiredRetention = 0.8
	_, err = d.Load(h.ctx, []store.Record{{Type: store.RecordFSRSParameters, FSRSParameters: &other}})
	require.ErrorIs(h, err, store.ErrConflict, "tuned parameters are never overwritten")
	h.requireSameRecords(fx[1:2], h.dump(d), "the store keeps its parameters")
}

func testDumpCallbackError(h *dumpHarness) {
	_, d := h.fresh()
	_, err := d.Load(h.ctx, dumpFixture())
	require.NoError(h, err)
	stop := errors.New("stop here")
	calls := 0
	err = d.Dump(h.ctx, func(store.Record) error {
		calls++
		if calls == 3 {
			return stop
		}
		return nil
	})
	require.ErrorIs(h, err, stop)
	require.Equal(h, 3, calls, "the dump stops at the callback's error")
}
