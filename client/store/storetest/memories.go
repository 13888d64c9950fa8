package storetest

import (
	"errors"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store"
)

func testInit(h *harness) {
	require.NoError(h, h.s.Init(h.ctx))
	require.NoError(h, h.s.Init(h.ctx), "Init is idempotent")
	h.note("still works after Init")
}

func testHealthCheck(h *harness) {
	health, err := h.s.HealthCheck(h.ctx)
	require.NoError(h, err)
	h.requireHealthy(health)
	require.NotEmpty(h, health.Server, "the check names the database engine and its version")
	require.NotNil(h, health.Schema)
	require.Equal(h, health.Schema.Latest, health.Schema.Version, "a migrated store is at the newest schema")
	require.Contains(h, []string{"current", "built in"}, health.Schema.Functions)
	require.Nil(h, health.Model, "no model is registered yet")

	h.registerModel4()
	health, err = h.s.HealthCheck(h.ctx)
	require.NoError(h, err)
	h.requireHealthy(health)
	require.Equal(h, &sig4, health.Model, "the check reports the registered model")
}

// requireHealthy accepts a store that is healthy, or degraded for one reason only: the
// server's pgvector library is older than the minimum vestige supports (a machine that
// cannot get a fixed pgvector still runs the rest of the suite; the pgstore health tests
// check that this case is reported).
func (h *harness) requireHealthy(health store.Health) {
	h.Helper()
	if p := health.Pgvector; p != nil && health.Status == store.Degraded &&
		strings.HasPrefix(health.Reason, "pgvector "+p.Library+" is older than "+p.Minimum+",") &&
		!strings.Contains(health.Reason, "; ") {
		return
	}
	require.Equal(h, store.Healthy, health.Status, "reason: %s", health.Reason)
}

func testClose(h *harness) {
	m := h.note("written before close")
	require.NotEqual(h, uuid.Nil, m.ID)
	require.NoError(h, h.s.Close())
	require.NoError(h, h.s.Close(), "a second Close is harmless")
	_, err := h.s.Count(h.ctx)
	require.Error(h, err, "a closed store refuses work")
}

func testInsertGetRoundtrip(h *harness) {
	h.registerModel4()
	zone := time.FixedZone("UTC+5:30", 5*3600+1800)
	created := time.Date(2024, 3, 1, 12, 0, 0, 123456789, zone)
	m := store.Memory{
		ID:           uuid.New(),
		Content:      "Postgres does the work — ünïcödé ✓, \"quotes\" and 'apostrophes'",
		NodeType:     "fact",
		Tags:         []string{"db", "postgres", "ünïcödé"},
		Domains:      []string{"infra", "dev"},
		DomainScores: map[string]float64{"infra": 0.75, "dev": 0.125},
		Embedding:    []float32{0.1, -0.2, 0.3, 1e-7},
		Metadata: map[string]any{
			"source": "storetest",
			"n":      42.5,
			"int":    7,
			"flag":   true,
			"none":   nil,
			"nested": map[string]any{"list": []any{1, "x", false, nil, map[string]any{}}},
			"empty":  map[string]any{},
		},
		CreatedAt: created,
		UpdatedAt: created.Add(90*time.Minute + 999*time.Nanosecond),
	}
	got := h.insert(m)
	want := m
	want.CreatedAt = h.when(m.CreatedAt)
	want.UpdatedAt = h.when(m.UpdatedAt)
	h.requireMemory(want, got, true)

	back, err := h.s.Get(h.ctx, m.ID)
	require.NoError(h, err)
	h.requireMemory(want, back, true)

	// A memory without an embedding reads back without one.
	plain := h.note("no vector here")
	back, err = h.s.Get(h.ctx, plain.ID)
	require.NoError(h, err)
	require.Nil(h, back.Embedding)
}

func testInsertDefaults(h *harness) {
	before := store.Now()
	got := h.insert(store.Memory{Content: "defaults, please"})
	after := store.Now()

	require.NotEqual(h, uuid.Nil, got.ID, "a zero id gets a new UUID")
	require.Equal(h, store.DefaultNodeType, got.NodeType)
	require.NotNil(h, got.Tags)
	require.Empty(h, got.Tags)
	require.NotNil(h, got.Domains)
	require.Empty(h, got.Domains)
	require.NotNil(h, got.DomainScores)
	require.Empty(h, got.DomainScores)
	require.NotNil(h, got.Metadata)
	require.Empty(h, got.Metadata)
	require.Nil(h, got.Embedding)
	for what, ts := range map[string]time.Time{"created_at": got.CreatedAt, "updated_at": got.UpdatedAt} {
		require.Falsef(h, ts.Before(h.when(before)) || ts.After(after), "%s %s is now (%s..%s)", what, ts, before, after)
		require.Equal(h, time.UTC, ts.Location())
	}

	back, err := h.s.Get(h.ctx, got.ID)
	require.NoError(h, err)
	h.requireMemory(got, back, true)

	other := h.note("defaults, again")
	require.NotEqual(h, got.ID, other.ID, "every memory gets its own id")
}

func testInsertConflict(h *harness) {
	first := h.note("the original")
	_, err := h.s.Insert(h.ctx, store.Memory{ID: first.ID, Content: "an impostor"})
	require.ErrorIs(h, err, store.ErrConflict)
	back, err := h.s.Get(h.ctx, first.ID)
	require.NoError(h, err)
	require.Equal(h, "the original", back.Content, "a refused insert changes nothing")
	n, err := h.s.Count(h.ctx)
	require.NoError(h, err)
	require.Equal(h, int64(1), n)
}

func testUpdate(h *harness) {
	h.registerModel4()
	t0 := time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC)
	orig := h.insert(store.Memory{Content: "zeppelin original wording", Tags: []string{"old"},
		Embedding: []float32{1, 0, 0, 0}, Metadata: map[string]any{"v": 1.0}, CreatedAt: t0, UpdatedAt: t0})

	m := orig
	m.Content = "dirigible revised wording"
	m.NodeType = "insight"
	m.Tags = []string{"new", "tags"}
	m.Domains = []string{"air"}
	m.DomainScores = map[string]float64{"air": 0.5}
	m.Metadata = map[string]any{"v": 2.0, "why": "revised"}
	m.Embedding = []float32{0, 1, 0, 0}
	m.CreatedAt = t0.Add(365 * 24 * time.Hour) // ignored: created_at is kept
	before := store.Now()
	up, err := h.s.Update(h.ctx, m)
	require.NoError(h, err)
	after := store.Now()

	h.requireTime(t0, up.CreatedAt, "created_at is kept")
	require.False(h, up.UpdatedAt.Before(h.when(before)) || up.UpdatedAt.After(after),
		"updated_at %s becomes now (%s..%s) when the given one is not later", up.UpdatedAt, before, after)
	want := m
	want.CreatedAt, want.UpdatedAt = t0, up.UpdatedAt
	h.requireMemory(want, up, true)
	back, err := h.s.Get(h.ctx, m.ID)
	require.NoError(h, err)
	h.requireMemory(want, back, true)

	// A later updated_at (an import, a sync) is kept as given.
	later := up.UpdatedAt.Add(36*time.Hour + 1234*time.Nanosecond)
	m2 := back
	m2.UpdatedAt = later
	up2, err := h.s.Update(h.ctx, m2)
	require.NoError(h, err)
	h.requireTime(later, up2.UpdatedAt, "a later updated_at is kept")
	back, err = h.s.Get(h.ctx, m.ID)
	require.NoError(h, err)
	h.requireTime(later, back.UpdatedAt, "a later updated_at is stored")

	// Search follows the new text and vector.
	rs, err := h.s.FTSSearch(h.ctx, store.SearchQuery{Text: "zeppelin"})
	require.NoError(h, err)
	require.Empty(h, rs, "the old wording is gone from the index")
	rs, err = h.s.FTSSearch(h.ctx, store.SearchQuery{Text: "dirigible"})
	require.NoError(h, err)
	require.Equal(h, []uuid.UUID{m.ID}, resultIDs(rs))
	rs, err = h.s.VectorSearch(h.ctx, store.SearchQuery{Embedding: []float32{0, 1, 0, 0}})
	require.NoError(h, err)
	require.Len(h, rs, 1)
	require.InDelta(h, 1.0, *rs[0].VectorScore, 1e-6)

	// Update replaces every field: no embedding means the embedding is removed.
	m3 := back
	m3.Embedding = nil
	_, err = h.s.Update(h.ctx, m3)
	require.NoError(h, err)
	back, err = h.s.Get(h.ctx, m.ID)
	require.NoError(h, err)
	require.Nil(h, back.Embedding)
	st, err := h.s.Stats(h.ctx)
	require.NoError(h, err)
	require.Equal(h, int64(0), st.WithEmbeddings)
}

func testDelete(h *harness) {
	a := h.note("ephemeral albatross")
	b := h.note("lasting buffalo")
	_, err := h.s.AddEdge(h.ctx, store.Edge{SourceID: a.ID, TargetID: b.ID, Weight: 0.5})
	require.NoError(h, err)
	now := store.Now()
	require.NoError(h, h.s.UpdateScheduling(h.ctx, store.SchedulingState{MemoryID: a.ID, Stability: 1,
		Difficulty: 5, Retrievability: 1, LastReview: &now, NextReview: &now, Reps: 1, State: 2}))

	require.NoError(h, h.s.Delete(h.ctx, a.ID))
	_, err = h.s.Get(h.ctx, a.ID)
	require.ErrorIs(h, err, store.ErrNotFound)
	require.ErrorIs(h, h.s.Delete(h.ctx, a.ID), store.ErrNotFound, "deleting twice")
	_, err = h.s.GetScheduling(h.ctx, a.ID)
	require.ErrorIs(h, err, store.ErrNotFound, "its scheduling went with it")
	edges, err := h.s.GetEdges(h.ctx, b.ID, "")
	require.NoError(h, err)
	require.Empty(h, edges, "its edges went with it")
	rs, err := h.s.FTSSearch(h.ctx, store.SearchQuery{Text: "albatross"})
	require.NoError(h, err)
	require.Empty(h, rs)
	n, err := h.s.Count(h.ctx)
	require.NoError(h, err)
	require.Equal(h, int64(1), n)
}

func testNotFound(h *harness) {
	known := h.note("a known memory")
	unknown := uuid.New()
	now := store.Now()
	cases := []struct {
		name string
		call func() error
	}{
		{"Get", func() error { _, err := h.s.Get(h.ctx, unknown); return err }},
		{"Update", func() error {
			_, err := h.s.Update(h.ctx, store.Memory{ID: unknown, Content: "x"})
			return err
		}},
		{"Delete", func() error { return h.s.Delete(h.ctx, unknown) }},
		{"GetScheduling", func() error { _, err := h.s.GetScheduling(h.ctx, unknown); return err }},
		{"UpdateScheduling", func() error {
			return h.s.UpdateScheduling(h.ctx, store.SchedulingState{MemoryID: unknown, Stability: 1,
				Difficulty: 5, Retrievability: 1, LastReview: &now, NextReview: &now, Reps: 1, State: 2})
		}},
		{"Retrievability", func() error { _, err := h.s.Retrievability(h.ctx, unknown, now); return err }},
		{"Neighbors", func() error { _, err := h.s.Neighbors(h.ctx, unknown, 2, ""); return err }},
		{"AddEdge to unknown", func() error {
			_, err := h.s.AddEdge(h.ctx, store.Edge{SourceID: known.ID, TargetID: unknown, Weight: 0.5})
			return err
		}},
		{"AddEdge from unknown", func() error {
			_, err := h.s.AddEdge(h.ctx, store.Edge{SourceID: unknown, TargetID: known.ID, Weight: 0.5})
			return err
		}},
		{"RemoveEdge", func() error { return h.s.RemoveEdge(h.ctx, known.ID, unknown, "") }},
		{"GetDomain", func() error { _, err := h.s.GetDomain(h.ctx, "no-such-domain"); return err }},
		{"DeleteDomain", func() error { return h.s.DeleteDomain(h.ctx, "no-such-domain") }},
	}
	for _, c := range cases {
		require.ErrorIs(h, c.call(), store.ErrNotFound, c.name)
	}
	n, err := h.s.Count(h.ctx)
	require.NoError(h, err)
	require.Equal(h, int64(1), n, "nothing was written")
	edges, err := h.s.GetEdges(h.ctx, known.ID, "")
	require.NoError(h, err)
	require.Empty(h, edges)
}

// testInvalidInputNamesField: what Postgres could not store exactly (NUL, invalid UTF-8) or
// what the graph and the scheduler could not use is refused, naming the field, and nothing
// is written.
func testInvalidInputNamesField(h *harness) {
	known := h.note("a known memory")
	other := h.note("another memory")
	now := store.Now()
	cases := []struct {
		name, field string
		call        func() error
	}{
		{"content with NUL", "content", func() error { _, err := h.s.Insert(h.ctx, store.Memory{Content: "a\x00b"}); return err }},
		{"content not UTF-8", "content", func() error { _, err := h.s.Insert(h.ctx, store.Memory{Content: "caf\xe9"}); return err }},
		{"empty content", "content", func() error { _, err := h.s.Insert(h.ctx, store.Memory{Content: "  "}); return err }},
		{"tag with NUL", "tags", func() error {
			_, err := h.s.Insert(h.ctx, store.Memory{Content: "ok", Tags: []string{"fine", "b\x00d"}})
			return err
		}},
		{"tag not UTF-8", "tags", func() error {
			_, err := h.s.Insert(h.ctx, store.Memory{Content: "ok", Tags: []string{"\xc3\x28"}})
			return err
		}},
		{"metadata with NUL", "metadata", func() error {
			_, err := h.s.Insert(h.ctx, store.Memory{Content: "ok", Metadata: map[string]any{"k": "v\x00"}})
			return err
		}},
		{"metadata not finite", "metadata", func() error {
			_, err := h.s.Insert(h.ctx, store.Memory{Content: "ok", Metadata: map[string]any{"k": math.Inf(1)}})
			return err
		}},
		{"update content with NUL", "content", func() error {
			m := known
			m.Content = "x\x00y"
			_, err := h.s.Update(h.ctx, m)
			return err
		}},
		{"edge weight 1.5", "weight", func() error {
			_, err := h.s.AddEdge(h.ctx, store.Edge{SourceID: known.ID, TargetID: other.ID, Weight: 1.5})
			return err
		}},
		{"edge weight negative", "weight", func() error {
			_, err := h.s.AddEdge(h.ctx, store.Edge{SourceID: known.ID, TargetID: other.ID, Weight: -0.1})
			return err
		}},
		{"edge weight NaN", "weight", func() error {
			_, err := h.s.AddEdge(h.ctx, store.Edge{SourceID: known.ID, TargetID: other.ID, Weight: math.NaN()})
			return err
		}},
		{"self edge", "edge", func() error {
			_, err := h.s.AddEdge(h.ctx, store.Edge{SourceID: known.ID, TargetID: known.ID, Weight: 0.5})
			return err
		}},
		{"empty domain id", "id", func() error { _, err := h.s.UpsertDomain(h.ctx, store.Domain{Label: "x"}); return err }},
		{"domain label with NUL", "label", func() error {
			_, err := h.s.UpsertDomain(h.ctx, store.Domain{ID: "d", Label: "a\x00"})
			return err
		}},
		{"scheduling state 0", "state", func() error {
			return h.s.UpdateScheduling(h.ctx, store.SchedulingState{MemoryID: known.ID, Stability: 1,
				Difficulty: 5, Retrievability: 1, LastReview: &now, NextReview: &now, State: 0})
		}},
		{"scheduling retrievability 1.5", "retrievability", func() error {
			return h.s.UpdateScheduling(h.ctx, store.SchedulingState{MemoryID: known.ID, Stability: 1,
				Difficulty: 5, Retrievability: 1.5, LastReview: &now, NextReview: &now, State: 2})
		}},
		{"scheduling step in review", "step", func() error {
			return h.s.UpdateScheduling(h.ctx, store.SchedulingState{MemoryID: known.ID, Stability: 1,
				Difficulty: 5, Retrievability: 1, LastReview: &now, NextReview: &now, State: 2, Step: ptr(0)})
		}},
	}
	for _, c := range cases {
		err := c.call()
		require.ErrorIs(h, err, store.ErrInvalidInput, c.name)
		var iie *store.InvalidInputError
		require.True(h, errors.As(err, &iie), "%s: %v is an *InvalidInputError", c.name, err)
		require.Contains(h, iie.Field, c.field, "%s names the field", c.name)
	}

	n, err := h.s.Count(h.ctx)
	require.NoError(h, err)
	require.Equal(h, int64(2), n, "nothing was written")
	back, err := h.s.Get(h.ctx, known.ID)
	require.NoError(h, err)
	require.Equal(h, known.Content, back.Content)
	edges, err := h.s.GetEdges(h.ctx, known.ID, "")
	require.NoError(h, err)
	require.Empty(h, edges)
	sch, err := h.s.GetScheduling(h.ctx, known.ID)
	require.NoError(h, err)
	require.Nil(h, sch)
	domains, err := h.s.ListDomains(h.ctx)
	require.NoError(h, err)
	require.Empty(h, domains)
}

// testInvalidArguments: arguments out of the ranges the SQL API accepts (VS006 there).
func testInvalidArguments(h *harness) {
	h.registerModel4()
	a := h.note("argument checks", 1, 0, 0, 0)
	cases := []struct {
		name string
		call func() error
	}{
		{"search limit -1", func() error {
			_, err := h.s.Search(h.ctx, store.SearchQuery{Text: "argument", Limit: -1})
			return err
		}},
		{"search limit 1001", func() error {
			_, err := h.s.Search(h.ctx, store.SearchQuery{Text: "argument", Limit: 1001})
			return err
		}},
		{"fts limit 1001", func() error {
			_, err := h.s.FTSSearch(h.ctx, store.SearchQuery{Text: "argument", Limit: 1001})
			return err
		}},
		{"min retrievability 1.5", func() error {
			_, err := h.s.Search(h.ctx, store.SearchQuery{Text: "argument", MinRetrievability: ptr(1.5)})
			return err
		}},
		{"min retrievability -0.1", func() error {
			_, err := h.s.VectorSearch(h.ctx, store.SearchQuery{Embedding: []float32{1, 0, 0, 0}, MinRetrievability: ptr(-0.1)})
			return err
		}},
		{"zero query vector", func() error {
			_, err := h.s.VectorSearch(h.ctx, store.SearchQuery{Embedding: []float32{0, 0, 0, 0}})
			return err
		}},
		{"neighbors depth -1", func() error { _, err := h.s.Neighbors(h.ctx, a.ID, -1, ""); return err }},
		{"neighbors depth 11", func() error { _, err := h.s.Neighbors(h.ctx, a.ID, 11, ""); return err }},
		{"classify zero vector", func() error { _, err := h.s.Classify(h.ctx, []float32{0, 0, 0, 0}); return err }},
		{"classify no vector", func() error { _, err := h.s.Classify(h.ctx, nil); return err }},
		{"model without name", func() error {
			return h.s.EnsureModel(h.ctx, store.ModelSignature{Dimension: 4, Hash: "h"})
		}},
		{"model without hash", func() error {
			return h.s.EnsureModel(h.ctx, store.ModelSignature{Name: "m", Dimension: 4})
		}},
		{"model dimension 0", func() error {
			return h.s.EnsureModel(h.ctx, store.ModelSignature{Name: "m", Dimension: 0, Hash: "h"})
		}},
		{"due limit -1", func() error { _, err := h.s.DueMemories(h.ctx, store.Now(), -1); return err }},
	}
	for _, c := range cases {
		require.ErrorIs(h, c.call(), store.ErrInvalidInput, c.name)
	}
	m, err := h.s.Model(h.ctx)
	require.NoError(h, err)
	require.Equal(h, sig4, *m, "a refused registration changes nothing")
}

func testConcurrentWriters(h *harness) {
	const writers, each = 4, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var prev uuid.UUID
			for i := range each {
				m, err := h.s.Insert(h.ctx, store.Memory{Content: "concurrent note", Tags: []string{string(rune('a' + w))}})
				if err != nil {
					errs <- err
					continue
				}
				if i > 0 {
					if _, err := h.s.AddEdge(h.ctx, store.Edge{SourceID: prev, TargetID: m.ID, Weight: 0.5}); err != nil {
						errs <- err
					}
				}
				if _, err := h.s.Search(h.ctx, store.SearchQuery{Text: "concurrent", Limit: 5}); err != nil {
					errs <- err
				}
				prev = m.ID
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(h, err)
	}
	n, err := h.s.Count(h.ctx)
	require.NoError(h, err)
	require.Equal(h, int64(writers*each), n)
	st, err := h.s.Stats(h.ctx)
	require.NoError(h, err)
	require.Equal(h, int64(writers*(each-1)), st.Edges)
}
