// Package storetest is the conformance suite of vestige's backends: Run calls every method
// of store.Store and holds the results to the behaviour the SQL API defines (the COMMENTs of
// sql/functions and docs/sql-api.md), so that the Postgres backend, which calls that API, and
// the SQLite backend, which ports it to Go, cannot drift apart.
//
// The suite asserts ids, order, counts and the scores the API defines exactly (RRF, cosine,
// activation, retrievability), never raw full-text scores, whose scale differs between
// ts_rank_cd and FTS5. Where backends may truly differ, the suite asks the store through an
// optional interface (TimePrecision) instead of skipping.
package storetest

import (
	"context"
	"encoding/json"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store"
)

// TimePrecision is implemented by a backend that keeps times more coarsely than the
// microsecond both backends are designed to keep. Without it the suite expects microseconds.
type TimePrecision interface {
	TimePrecision() time.Duration
}

// Run runs the suite; each subtest gets a fresh, empty store from newStore, which should
// close it when the test ends (t.Cleanup).
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newStore(t)
			h := &harness{T: t, s: s, ctx: context.Background(), prec: time.Microsecond}
			if tp, ok := s.(TimePrecision); ok {
				h.prec = tp.TimePrecision()
			}
			c.fn(h)
		})
	}
}

type testCase struct {
	name string
	fn   func(h *harness)
}

var cases = []testCase{
	{"Init", testInit},
	{"HealthCheck", testHealthCheck},
	{"Close", testClose},
	{"InsertGetRoundtrip", testInsertGetRoundtrip},
	{"InsertDefaults", testInsertDefaults},
	{"InsertConflict", testInsertConflict},
	{"Update", testUpdate},
	{"Delete", testDelete},
	{"NotFound", testNotFound},
	{"InvalidInputNamesField", testInvalidInputNamesField},
	{"InvalidArguments", testInvalidArguments},
	{"EnsureModel", testEnsureModel},
	{"EmbeddingBeforeModel", testEmbeddingBeforeModel},
	{"WrongDimension", testWrongDimension},
	{"SearchTextOnly", testSearchTextOnly},
	{"SearchLongQuestion", testSearchLongQuestion},
	{"SearchVectorOnly", testSearchVectorOnly},
	{"SearchHybrid", testSearchHybrid},
	{"SearchEmptyQuery", testSearchEmptyQuery},
	{"SearchDefaultLimit", testSearchDefaultLimit},
	{"SearchFilters", testSearchFilters},
	{"SearchMinRetrievability", testSearchMinRetrievability},
	{"SearchHostileText", testSearchHostileText},
	{"SearchLongText", testSearchLongText},
	{"SearchCandidateBound", testSearchCandidateBound},
	{"SearchQueryTextBound", testSearchQueryTextBound},
	{"SearchQueryEmbeddingRules", testSearchQueryEmbeddingRules},
	{"SearchEmptyFilters", testSearchEmptyFilters},
	{"SearchWithHashEmbedder", testSearchWithHashEmbedder},
	{"SearchTokens", testSearchTokens},
	{"SearchWeights", testSearchWeights},
	{"SearchFusionDefaults", testSearchFusionDefaults},
	{"SearchMinVectorScore", testSearchMinVectorScore},
	{"SearchFusionArguments", testSearchFusionArguments},
	{"Neighbors", testNeighbors},
	{"Edges", testEdges},
	{"Classify", testClassify},
	{"ClassifyRefusesVector", testClassifyRefusesVector},
	{"Domains", testDomains},
	{"SchedulingRoundtrip", testSchedulingRoundtrip},
	{"DueMemories", testDueMemories},
	{"DueMostlyReviewed", testDueMostlyReviewed},
	{"Retrievability", testRetrievability},
	{"Review", testReview},
	{"ReviewFollows", testReviewFollows},
	{"ReviewTimeBounds", testReviewTimeBounds},
	{"ReviewConcurrentNow", testReviewConcurrentNow},
	{"CountStatsVacuum", testCountStatsVacuum},
	{"ConcurrentWriters", testConcurrentWriters},
	{"ValueRulesRefused", testValueRulesRefused},
	{"ValueRulesExact", testValueRulesExact},
	{"OrderDomains", testOrderDomains},
	{"OrderEdges", testOrderEdges},
	{"OrderTies", testOrderTies},
}

// harness carries what every subtest needs; its helpers fail the test on any error.
type harness struct {
	*testing.T
	s    store.Store
	ctx  context.Context
	prec time.Duration
}

// sig4 is a 4-dimensional model: small enough to hand-make vectors whose cosines are known.
var sig4 = store.ModelSignature{Name: "storetest-4", Dimension: 4, Hash: "storetest-4-v1"}

func (h *harness) registerModel4() {
	h.Helper()
	require.NoError(h, h.s.EnsureModel(h.ctx, sig4))
}

func (h *harness) insert(m store.Memory) store.Memory {
	h.Helper()
	got, err := h.s.Insert(h.ctx, m)
	require.NoError(h, err)
	return got
}

// note inserts a memory with content and, when given, an embedding.
func (h *harness) note(content string, emb ...float32) store.Memory {
	h.Helper()
	m := store.Memory{Content: content}
	if len(emb) > 0 {
		m.Embedding = emb
	}
	return h.insert(m)
}

// filler adds memories that share no word with the tests' queries, so that the idf of a
// query term held by a few memories is well above zero (as in any real corpus).
func (h *harness) filler(n int) {
	h.Helper()
	words := []string{"gardening", "tomatoes", "sunlight", "compost", "watering", "seedlings",
		"pruning", "orchard", "harvest", "mulch"}
	for i := range n {
		h.note(words[i%len(words)] + " " + words[(i+3)%len(words)] + " season")
	}
}

// when is a time as the store keeps it.
func (h *harness) when(t time.Time) time.Time {
	return store.Truncate(t).Truncate(h.prec)
}

func (h *harness) requireTime(want, got time.Time, what string) {
	h.Helper()
	require.Truef(h, h.when(want).Equal(got), "%s: want %s, got %s", what, h.when(want), got)
	require.Equalf(h, time.UTC, got.Location(), "%s is in UTC", what)
}

func (h *harness) requireTimePtr(want, got *time.Time, what string) {
	h.Helper()
	if want == nil {
		require.Nilf(h, got, "%s", what)
		return
	}
	require.NotNilf(h, got, "%s", what)
	h.requireTime(*want, *got, what)
}

// requireMemory compares every field; embeddings only when withEmbedding (search results and
// neighbors do not carry them).
func (h *harness) requireMemory(want, got store.Memory, withEmbedding bool) {
	h.Helper()
	require.Equal(h, want.ID, got.ID, "id")
	require.Equal(h, want.Content, got.Content, "content")
	require.Equal(h, want.NodeType, got.NodeType, "node_type")
	require.Equal(h, nonNil(want.Tags), got.Tags, "tags")
	require.NotNil(h, got.Tags, "tags are never nil")
	require.Equal(h, nonNil(want.Domains), got.Domains, "domains")
	require.NotNil(h, got.Domains, "domains are never nil")
	require.NotNil(h, got.DomainScores, "domain_scores are never nil")
	require.Equal(h, len(want.DomainScores), len(got.DomainScores), "domain_scores")
	for k, v := range want.DomainScores {
		require.Equal(h, v, got.DomainScores[k], "domain_scores[%s]", k)
	}
	require.NotNil(h, got.Metadata, "metadata is never nil")
	requireSameJSON(h, want.Metadata, got.Metadata, "metadata")
	h.requireTime(want.CreatedAt, got.CreatedAt, "created_at")
	h.requireTime(want.UpdatedAt, got.UpdatedAt, "updated_at")
	if withEmbedding {
		if len(want.Embedding) == 0 {
			require.Nil(h, got.Embedding, "embedding")
		} else {
			require.Equal(h, want.Embedding, got.Embedding, "embedding")
		}
	} else {
		require.Nil(h, got.Embedding, "search results and neighbors carry no embedding")
	}
}

func nonNil(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

// requireSameJSON compares JSON-like values as JSON documents, so that 42 and 42.0 (or key
// order) do not matter but every value does.
func requireSameJSON(t require.TestingT, want, got any, what string) {
	if want == nil {
		want = map[string]any{}
	}
	w, err := json.Marshal(want)
	require.NoError(t, err)
	g, err := json.Marshal(got)
	require.NoError(t, err)
	require.JSONEq(t, string(w), string(g), what)
}

func ids[T any](rows []T, id func(T) uuid.UUID) []uuid.UUID {
	out := make([]uuid.UUID, len(rows))
	for i, r := range rows {
		out[i] = id(r)
	}
	return out
}

func resultIDs(rs []store.SearchResult) []uuid.UUID {
	return ids(rs, func(r store.SearchResult) uuid.UUID { return r.Memory.ID })
}

func neighborIDs(ns []store.Neighbor) []uuid.UUID {
	return ids(ns, func(n store.Neighbor) uuid.UUID { return n.Memory.ID })
}

func dueIDs(ds []store.DueMemory) []uuid.UUID {
	return ids(ds, func(d store.DueMemory) uuid.UUID { return d.Memory.ID })
}

func memIDs(ms ...store.Memory) []uuid.UUID {
	return ids(ms, func(m store.Memory) uuid.UUID { return m.ID })
}

// sameSet compares id lists ignoring order.
func sameSet(t require.TestingT, want, got []uuid.UUID, msg string) {
	w := append([]uuid.UUID{}, want...)
	g := append([]uuid.UUID{}, got...)
	cmp := func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) }
	slices.SortFunc(w, cmp)
	slices.SortFunc(g, cmp)
	require.Equal(t, w, g, msg)
}

// cosine in float64, for the scores the vector branch must report.
func cosine(a, b []float32) float64 {
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	return dot / math.Sqrt(na*nb)
}

func ptr[T any](v T) *T { return &v }
