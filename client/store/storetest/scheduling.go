package storetest

import (
	"math"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store"
)

func (h *harness) requireScheduling(want store.SchedulingState, got *store.SchedulingState, what string) {
	h.Helper()
	require.NotNil(h, got, what)
	require.Equal(h, want.MemoryID, got.MemoryID, what)
	require.Equal(h, want.Stability, got.Stability, what)
	require.Equal(h, want.Difficulty, got.Difficulty, what)
	require.Equal(h, want.Retrievability, got.Retrievability, what)
	h.requireTimePtr(want.LastReview, got.LastReview, what+" last_review")
	h.requireTimePtr(want.NextReview, got.NextReview, what+" next_review")
	require.Equal(h, want.Reps, got.Reps, what)
	require.Equal(h, want.Lapses, got.Lapses, what)
	require.Equal(h, want.State, got.State, what)
	require.Equal(h, want.Step, got.Step, what)
}

func testSchedulingRoundtrip(h *harness) {
	m := h.note("a card to schedule")
	got, err := h.s.GetScheduling(h.ctx, m.ID)
	require.NoError(h, err)
	require.Nil(h, got, "a memory never reviewed is a new card: no scheduling")

	last := time.Date(2024, 2, 29, 10, 11, 12, 131415161, time.FixedZone("CET", 3600))
	next := last.Add(10*time.Minute + 7)
	learning := store.SchedulingState{MemoryID: m.ID, Stability: 2.3065, Difficulty: 2.118103970459016,
		Retrievability: 1, LastReview: &last, NextReview: &next, Reps: 1, Lapses: 0, State: 1, Step: ptr(1)}
	require.NoError(h, h.s.UpdateScheduling(h.ctx, learning))
	got, err = h.s.GetScheduling(h.ctx, m.ID)
	require.NoError(h, err)
	h.requireScheduling(learning, got, "learning")

	// The upsert replaces the row; review state has no step.
	next2 := last.Add(9 * 24 * time.Hour)
	review := store.SchedulingState{MemoryID: m.ID, Stability: 8.2956, Difficulty: 6.5,
		Retrievability: 0.8712345678901234, LastReview: &next, NextReview: &next2, Reps: 2, Lapses: 1, State: 2}
	require.NoError(h, h.s.UpdateScheduling(h.ctx, review))
	got, err = h.s.GetScheduling(h.ctx, m.ID)
	require.NoError(h, err)
	h.requireScheduling(review, got, "review")

	// A raw upsert is not a review: no review event is written.
	st, err := h.s.Stats(h.ctx)
	require.NoError(h, err)
	require.Equal(h, int64(0), st.ReviewEvents)

	// Times outside [MinTime, MaxTime] could be stored but never exported: refused, naming
	// the field, and the row is unchanged.
	past, beyond := store.MinTime.Add(-time.Microsecond), store.MaxTime.Add(time.Microsecond)
	for _, tc := range []struct {
		field      string
		last, next *time.Time
	}{
		{"next_review", &next, &beyond},
		{"last_review", &beyond, nil},
		{"last_review", &past, &next},
	} {
		bad := review
		bad.LastReview, bad.NextReview = tc.last, tc.next
		err := h.s.UpdateScheduling(h.ctx, bad)
		require.ErrorIs(h, err, store.ErrInvalidInput, tc.field)
		ie, ok := errorsAs[*store.InvalidInputError](err)
		require.True(h, ok, "%v is an *InvalidInputError", err)
		require.Equal(h, tc.field, ie.Field)
	}
	got, err = h.s.GetScheduling(h.ctx, m.ID)
	require.NoError(h, err)
	h.requireScheduling(review, got, "refused upserts change nothing")
	edge := review
	edge.LastReview, edge.NextReview = &store.MinTime, &store.MaxTime
	require.NoError(h, h.s.UpdateScheduling(h.ctx, edge), "the bounds themselves are stored")
	got, err = h.s.GetScheduling(h.ctx, m.ID)
	require.NoError(h, err)
	h.requireScheduling(edge, got, "at the bounds")
}

// testDueMemories: new cards are due from their creation time, reviewed ones at
// next_review; earliest first; the limit cuts the list.
func testDueMemories(h *harness) {
	t0 := time.Date(2024, 1, 10, 9, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	a := h.insert(store.Memory{Content: "due A, new", CreatedAt: at(0)})
	// Inserted out of order: the creation time counts, not the insertion order.
	d := h.insert(store.Memory{Content: "due D, new", CreatedAt: at(3 * time.Hour)})
	b := h.insert(store.Memory{Content: "due B, reviewed, due later", CreatedAt: at(time.Hour)})
	c := h.insert(store.Memory{Content: "due C, reviewed, overdue", CreatedAt: at(2 * time.Hour)})
	cLast, cNext := at(-48*time.Hour), at(-time.Hour)
	bLast, bNext := at(90*time.Minute), at(10*24*time.Hour)
	cState := store.SchedulingState{MemoryID: c.ID, Stability: 1, Difficulty: 5, Retrievability: 0.9,
		LastReview: &cLast, NextReview: &cNext, Reps: 1, State: 2}
	require.NoError(h, h.s.UpdateScheduling(h.ctx, cState))
	require.NoError(h, h.s.UpdateScheduling(h.ctx, store.SchedulingState{MemoryID: b.ID, Stability: 10,
		Difficulty: 5, Retrievability: 0.9, LastReview: &bLast, NextReview: &bNext, Reps: 1, State: 2}))

	for _, tc := range []struct {
		name   string
		before time.Time
		limit  int
		want   []store.Memory
	}{
		{"all due", at(5 * time.Hour), 10, []store.Memory{c, a, d}},
		{"limit 2", at(5 * time.Hour), 2, []store.Memory{c, a}},
		{"limit 0 is the default", at(5 * time.Hour), 0, []store.Memory{c, a, d}},
		{"before D's creation", at(30 * time.Minute), 10, []store.Memory{c, a}},
		{"exactly at A's creation", at(0), 10, []store.Memory{c, a}},
		{"before everything", at(-2 * time.Hour), 10, nil},
		{"B due too", at(11 * 24 * time.Hour), 10, []store.Memory{c, a, d, b}},
	} {
		got, err := h.s.DueMemories(h.ctx, tc.before, tc.limit)
		require.NoError(h, err, tc.name)
		require.NotNil(h, got, tc.name)
		require.Equal(h, memIDs(tc.want...), dueIDs(got), tc.name)
		for _, due := range got {
			switch due.Memory.ID {
			case c.ID:
				h.requireScheduling(cState, due.Scheduling, tc.name+": the overdue card carries its scheduling")
				h.requireTime(cNext, due.DueAt, tc.name+": due at next_review")
			case b.ID:
				require.NotNil(h, due.Scheduling)
				h.requireTime(bNext, due.DueAt, tc.name+": due at next_review")
			default:
				require.Nil(h, due.Scheduling, "%s: a new card has no scheduling", tc.name)
				h.requireTime(due.Memory.CreatedAt, due.DueAt, tc.name+": a new card is due from its creation")
			}
			if due.Memory.ID == a.ID {
				h.requireMemory(a, due.Memory, false)
			}
		}
	}

	// With more new cards than the default page, limit 0 returns exactly DefaultLimit.
	for i := range store.DefaultLimit {
		h.insert(store.Memory{Content: "filler card", CreatedAt: at(time.Duration(i) * time.Minute)})
	}
	got, err := h.s.DueMemories(h.ctx, at(5*time.Hour), 0)
	require.NoError(h, err)
	require.Len(h, got, store.DefaultLimit)
	require.Equal(h, c.ID, got[0].Memory.ID)
}

func testRetrievability(h *harness) {
	fresh := h.note("never reviewed")
	r, err := h.s.Retrievability(h.ctx, fresh.ID, store.Now())
	require.NoError(h, err)
	require.Equal(h, 1.0, r, "a new card has retrievability 1")

	m := h.note("reviewed once")
	last := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	next := last.Add(3 * 24 * time.Hour)
	const stability = 3.0
	require.NoError(h, h.s.UpdateScheduling(h.ctx, store.SchedulingState{MemoryID: m.ID, Stability: stability,
		Difficulty: 5, Retrievability: 0.9, LastReview: &last, NextReview: &next, Reps: 2, State: 2}))

	// FSRS-6 with the default decay w20: R(t, S) = (1 + f·t/S)^(−w20), f = 0.9^(−1/w20) − 1,
	// so R is 1 at the review and exactly 0.9 when t = S.
	const decay = 0.1542
	f := math.Pow(0.9, -1/decay) - 1
	curve := func(days float64) float64 { return math.Pow(1+f*days/stability, -decay) }
	prev := 1.0
	for _, days := range []float64{0, 0.5, 1, stability, 10, 100, 1000} {
		at := last.Add(time.Duration(days * 24 * float64(time.Hour)))
		r, err := h.s.Retrievability(h.ctx, m.ID, at)
		require.NoError(h, err)
		require.InDelta(h, curve(days), r, 1e-9, "R after %v days", days)
		require.LessOrEqual(h, r, prev, "R decays")
		prev = r
	}
	r, err = h.s.Retrievability(h.ctx, m.ID, last.Add(stability*24*time.Hour))
	require.NoError(h, err)
	require.InDelta(h, 0.9, r, 1e-9, "R(S, S) = 0.9")
	r, err = h.s.Retrievability(h.ctx, m.ID, last.Add(-time.Hour))
	require.NoError(h, err)
	require.Equal(h, 1.0, r, "before the last review R is 1")
}

func testEnsureModel(h *harness) {
	m, err := h.s.Model(h.ctx)
	require.NoError(h, err)
	require.Nil(h, m, "no model registered yet")

	require.NoError(h, h.s.EnsureModel(h.ctx, sig4), "first registration")
	m, err = h.s.Model(h.ctx)
	require.NoError(h, err)
	require.Equal(h, sig4, *m)
	require.NoError(h, h.s.EnsureModel(h.ctx, sig4), "the same model again")

	for _, other := range []store.ModelSignature{
		{Name: sig4.Name, Dimension: sig4.Dimension, Hash: "another-hash"},
		{Name: sig4.Name, Dimension: 8, Hash: sig4.Hash},
		{Name: "another-model", Dimension: sig4.Dimension, Hash: sig4.Hash},
	} {
		err := h.s.EnsureModel(h.ctx, other)
		require.ErrorIs(h, err, store.ErrEmbeddingMismatch, "%+v", other)
		mm, ok := errorsAs[*store.EmbeddingMismatchError](err)
		require.True(h, ok, "%v is an *EmbeddingMismatchError", err)
		require.Equal(h, sig4, mm.Registered, "names the registered model")
		require.Equal(h, other, mm.Requested, "names the requested model")
	}
	m, err = h.s.Model(h.ctx)
	require.NoError(h, err)
	require.Equal(h, sig4, *m, "a mismatch changes nothing")

	st, err := h.s.Stats(h.ctx)
	require.NoError(h, err)
	require.Equal(h, sig4.Name, st.ModelName)
	require.Equal(h, sig4.Dimension, st.ModelDimension)

	// Vectors written under the model are searchable.
	x := h.note("under the model", 0, 0, 0, 1)
	rs, err := h.s.VectorSearch(h.ctx, store.SearchQuery{Embedding: []float32{0, 0, 0, 1}})
	require.NoError(h, err)
	require.Equal(h, []uuid.UUID{x.ID}, resultIDs(rs))
}

func testEmbeddingBeforeModel(h *harness) {
	_, err := h.s.Insert(h.ctx, store.Memory{Content: "too early", Embedding: []float32{1, 0, 0, 0}})
	require.ErrorIs(h, err, store.ErrNoModel)
	n, err := h.s.Count(h.ctx)
	require.NoError(h, err)
	require.Equal(h, int64(0), n, "nothing was written")

	m := h.note("no vector yet")
	m.Embedding = []float32{1, 0, 0, 0}
	_, err = h.s.Update(h.ctx, m)
	require.ErrorIs(h, err, store.ErrNoModel)
	back, err := h.s.Get(h.ctx, m.ID)
	require.NoError(h, err)
	require.Nil(h, back.Embedding, "the refused update changed nothing")

	h.registerModel4()
	_, err = h.s.Update(h.ctx, m)
	require.NoError(h, err, "after registration the same write passes")
}

func testWrongDimension(h *harness) {
	h.registerModel4()
	requireDim := func(err error, got int, what string) {
		h.Helper()
		require.ErrorIs(h, err, store.ErrDimension, what)
		de, ok := errorsAs[*store.DimensionError](err)
		require.True(h, ok, "%s: %v is a *DimensionError", what, err)
		require.Equal(h, got, de.Got, what)
		require.Equal(h, sig4.Dimension, de.Want, what)
	}
	_, err := h.s.Insert(h.ctx, store.Memory{Content: "three dims", Embedding: []float32{1, 0, 0}})
	requireDim(err, 3, "Insert")
	n, err := h.s.Count(h.ctx)
	require.NoError(h, err)
	require.Equal(h, int64(0), n, "nothing was written")

	m := h.note("four dims", 1, 0, 0, 0)
	m.Embedding = []float32{1, 0, 0, 0, 0}
	_, err = h.s.Update(h.ctx, m)
	requireDim(err, 5, "Update")
	back, err := h.s.Get(h.ctx, m.ID)
	require.NoError(h, err)
	require.Equal(h, []float32{1, 0, 0, 0}, back.Embedding, "the refused update changed nothing")

	_, err = h.s.Search(h.ctx, store.SearchQuery{Text: "dims", Embedding: []float32{1, 0, 0}})
	requireDim(err, 3, "Search")
	_, err = h.s.VectorSearch(h.ctx, store.SearchQuery{Embedding: []float32{1, 0}})
	requireDim(err, 2, "VectorSearch")
	_, err = h.s.Classify(h.ctx, []float32{1, 0, 0, 0, 0, 0})
	requireDim(err, 6, "Classify")
}

func testCountStatsVacuum(h *harness) {
	st, err := h.s.Stats(h.ctx)
	require.NoError(h, err)
	require.Equal(h, store.Stats{}, st, "an empty store")

	h.registerModel4()
	a := h.note("counted with vector", 1, 0, 0, 0)
	b := h.note("counted with another vector", 0, 1, 0, 0)
	c := h.note("counted without")
	h.edge(a, b, "", 0.5)
	h.edge(b, c, "", 0.5)
	_, err = h.s.UpsertDomain(h.ctx, store.Domain{ID: "d", Label: "D"})
	require.NoError(h, err)

	n, err := h.s.Count(h.ctx)
	require.NoError(h, err)
	require.Equal(h, int64(3), n)
	st, err = h.s.Stats(h.ctx)
	require.NoError(h, err)
	require.Equal(h, store.Stats{Memories: 3, WithEmbeddings: 2, Edges: 2, Domains: 1, ReviewEvents: 0,
		ModelName: sig4.Name, ModelDimension: sig4.Dimension}, st)

	require.NoError(h, h.s.Delete(h.ctx, c.ID))
	require.NoError(h, h.s.Vacuum(h.ctx))
	n, err = h.s.Count(h.ctx)
	require.NoError(h, err)
	require.Equal(h, int64(2), n, "vacuum keeps every live row")
	rs, err := h.s.VectorSearch(h.ctx, store.SearchQuery{Embedding: []float32{1, 0, 0, 0}})
	require.NoError(h, err)
	require.Equal(h, memIDs(a, b), resultIDs(rs), "search works after vacuum")
	health, err := h.s.HealthCheck(h.ctx)
	require.NoError(h, err)
	h.requireHealthy(health)
}
