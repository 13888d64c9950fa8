package storetest

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store"
)

// The value rules (docs/value-rules.md): both backends refuse the same values, naming the
// field and the limit, write nothing when they do, and give back exactly what they accepted.

// nested returns an object nested depth levels deep (the object itself is level 1).
func nested(depth int) map[string]any {
	m := map[string]any{"leaf": json.Number("1")}
	for i := 1; i < depth; i++ {
		m = map[string]any{"n": m}
	}
	return m
}

// planes is one character of every Unicode plane in use, and of the ranges that break naive
// code (a combining mark, a right-to-left letter, an emoji with a ZWJ).
const planes = "aé中𐍈🀄𠀀𰀀\U000E0001\U000F0000\U0010FFFDa\u0301א👩\u200d💻"

func testValueRulesRefused(h *harness) {
	h.registerModel4()
	known := h.note("a known memory")
	other := h.note("another memory")
	before := h.count()
	long := strings.Repeat("x", store.MaxLabelBytes+1)
	tiny := []float32{1e-45, 0, 0, 0}
	cases := []struct {
		name, field, says string
		m                 store.Memory
	}{
		{"node type of 2,700 letters", "node_type", "more than the 256 allowed", store.Memory{Content: "ok", NodeType: strings.Repeat("q", 2700)}},
		{"tag too long", "tags[1]", "257 bytes", store.Memory{Content: "ok", Tags: []string{"fine", long}}},
		{"domain too long", "domains[0]", "more than the 256", store.Memory{Content: "ok", Domains: []string{long}}},
		{"too many tags", "tags", "65 values", store.Memory{Content: "ok", Tags: manyLabels(store.MaxLabels + 1)}},
		{"blank tag", "tags[0]", "blank", store.Memory{Content: "ok", Tags: []string{" \u3000"}}},
		{"empty tag", "tags[0]", "empty", store.Memory{Content: "ok", Tags: []string{""}}},
		{"tag with a tab", "tags[0]", "U+0009", store.Memory{Content: "ok", Tags: []string{"a\tb"}}},
		{"blank content", "content", "empty", store.Memory{Content: " \n\u3000\u00a0"}},
		{"content too long", "content", "more than the 262144", store.Memory{Content: strings.Repeat("w", store.MaxContentBytes+1)}},
		{"metadata 33 deep", "metadata", "nested more than 32", store.Memory{Content: "ok", Metadata: nested(store.MaxMetadataDepth + 1)}},
		{"metadata 1,001 deep", "metadata", "nested more than 32", store.Memory{Content: "ok", Metadata: nested(1001)}},
		{"metadata 1e400", "metadata.g", "out of range", store.Memory{Content: "ok", Metadata: map[string]any{"g": json.Number("1e400")}}},
		{"metadata 1e-400", "metadata.g", "out of range", store.Memory{Content: "ok", Metadata: map[string]any{"g": json.Number("1e-400")}}},
		{"metadata infinite", "metadata.k", "finite", store.Memory{Content: "ok", Metadata: map[string]any{"k": math.Inf(1)}}},
		{"metadata too big", "metadata", "more than the 65536", store.Memory{Content: "ok", Metadata: map[string]any{"k": strings.Repeat("z", store.MaxMetadataBytes)}}},
		{"too many domain scores", "domain_scores", "65 entries", store.Memory{Content: "ok", DomainScores: manyScores(store.MaxLabels + 1)}},
		{"embedding of norm 1e-45", "embedding", "too small", store.Memory{Content: "ok", Embedding: tiny}},
		{"embedding of norm 1e7", "embedding", "above", store.Memory{Content: "ok", Embedding: []float32{1e7, 0, 0, 0}}},
		{"embedding infinite", "embedding", "finite", store.Memory{Content: "ok", Embedding: []float32{float32(math.Inf(1)), 0, 0, 0}}},
		{"created in year 10000", "created_at", "outside the stored range", store.Memory{Content: "ok", CreatedAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}},
	}
	for _, c := range cases {
		_, err := h.s.Insert(h.ctx, c.m)
		requireRefused(h, err, c.field, c.says, "insert: "+c.name)
		upd := known
		upd.Content, upd.NodeType, upd.Tags, upd.Domains = c.m.Content, c.m.NodeType, c.m.Tags, c.m.Domains
		upd.Metadata, upd.DomainScores, upd.Embedding = c.m.Metadata, c.m.DomainScores, c.m.Embedding
		if !c.m.CreatedAt.IsZero() {
			continue // update keeps created_at
		}
		_, err = h.s.Update(h.ctx, upd)
		requireRefused(h, err, c.field, c.says, "update: "+c.name)
	}
	require.Equal(h, before, h.count(), "a refused write writes nothing")
	got, err := h.s.Get(h.ctx, known.ID)
	require.NoError(h, err)
	require.Equal(h, "a known memory", got.Content, "a refused update changes nothing")

	edgeCases := []struct {
		name, field string
		e           store.Edge
	}{
		{"self loop", "edge", store.Edge{SourceID: known.ID, TargetID: known.ID}},
		{"edge type too long", "edge_type", store.Edge{SourceID: known.ID, TargetID: other.ID, EdgeType: long}},
		{"edge type with newline", "edge_type", store.Edge{SourceID: known.ID, TargetID: other.ID, EdgeType: "a\nb"}},
	}
	for _, c := range edgeCases {
		_, err := h.s.AddEdge(h.ctx, c.e)
		requireRefused(h, err, c.field, "", c.name)
	}
	domainCases := []struct {
		name, field string
		d           store.Domain
	}{
		{"domain id too long", "domain id", store.Domain{ID: long}},
		{"domain id blank", "domain id", store.Domain{ID: "  "}},
		{"label too long", "label", store.Domain{ID: "d", Label: strings.Repeat("l", store.MaxDomainLabelBytes+1)}},
		{"top term too long", "top_terms[0]", store.Domain{ID: "d", TopTerms: []string{long}}},
		{"centroid of norm 1e-45", "centroid", store.Domain{ID: "d", Centroid: tiny}},
		{"metadata 1,001 deep", "metadata", store.Domain{ID: "d", Metadata: nested(1001)}},
	}
	for _, c := range domainCases {
		_, err := h.s.UpsertDomain(h.ctx, c.d)
		requireRefused(h, err, c.field, "", c.name)
	}
	last := store.Now()
	err = h.s.UpdateScheduling(h.ctx, store.SchedulingState{MemoryID: known.ID, Stability: 1, Difficulty: 5,
		LastReview: &last, NextReview: &last, State: 2, Reps: math.MaxInt32 + 1})
	requireRefused(h, err, "reps/lapses", "2147483647", "reps past int32")
}

func testValueRulesExact(h *harness) {
	h.registerModel4()
	label := strings.Repeat("é", store.MaxLabelBytes/2) // 256 bytes
	tags := manyLabels(store.MaxLabels)
	tags[0] = label
	tags[1] = planes
	tags[2] = "a,b"
	meta := map[string]any{
		"n":       json.Number("9007199254740993"),
		"neg":     json.Number("-123456789012345678901234567890"),
		"sci":     json.Number("1e2"),
		"scale":   json.Number("1.50"),
		"small":   json.Number("1e-300"),
		"big":     json.Number("1.7976931348623157e308"),
		"f":       0.1,
		"text":    planes + "\u2028\"\\</>&",
		"deep":    nested(store.MaxMetadataDepth - 1),
		"list":    []any{json.Number("0"), json.Number("-0"), true, nil, "x"},
		planes:    "key from every plane",
		"escapes": "\b\f\n\r\t\u0001\u001f",
		// 48 KB as Postgres prints it (3 bytes each), 96 KB if escaped as JSON for JavaScript:
		// both backends must measure the first.
		"seps": strings.Repeat("\u2028\u2029", 8000),
	}
	in := store.Memory{
		Content:      strings.Repeat(planes, store.MaxContentBytes/len(planes)),
		NodeType:     label,
		Tags:         tags,
		Domains:      []string{planes, "x y"},
		DomainScores: map[string]float64{planes: 0.25, "tiny": 1e-300},
		Metadata:     meta,
		Embedding:    []float32{2e-6, 0, 0, 0},
	}
	m := h.insert(in)
	got, err := h.s.Get(h.ctx, m.ID)
	require.NoError(h, err)
	require.Equal(h, in.Content, got.Content)
	require.Equal(h, in.NodeType, got.NodeType)
	require.Equal(h, in.Tags, got.Tags)
	require.Equal(h, in.Domains, got.Domains)
	require.Equal(h, in.DomainScores, got.DomainScores)
	require.Equal(h, json.Number("9007199254740993"), got.Metadata["n"], "integers past 2^53 come back exactly")
	require.Equal(h, json.Number("-123456789012345678901234567890"), got.Metadata["neg"])
	require.Equal(h, json.Number("100"), got.Metadata["sci"], "numbers in Postgres' plain form")
	require.Equal(h, json.Number("1.50"), got.Metadata["scale"], "the scale is kept")
	require.Equal(h, json.Number("0.1"), got.Metadata["f"])
	require.Equal(h, []any{json.Number("0"), json.Number("0"), true, nil, "x"}, got.Metadata["list"])
	require.Equal(h, meta["text"], got.Metadata["text"])
	require.Equal(h, meta["escapes"], got.Metadata["escapes"])
	require.Equal(h, "key from every plane", got.Metadata[planes])
	want, err := store.CanonicalJSON(meta)
	require.NoError(h, err)
	require.Equal(h, want, any(got.Metadata), "the whole object, canonical numbers")
	require.Len(h, got.Embedding, 4)

	// A label of exactly the limit, a domain at every limit, an edge type with a comma.
	other := h.note("other")
	_, err = h.s.AddEdge(h.ctx, store.Edge{SourceID: m.ID, TargetID: other.ID, EdgeType: label})
	require.NoError(h, err)
	d, err := h.s.UpsertDomain(h.ctx, store.Domain{ID: label, Label: strings.Repeat("L", store.MaxDomainLabelBytes),
		TopTerms: manyLabels(store.MaxTopTerms), Metadata: map[string]any{"n": json.Number("9007199254740993")}})
	require.NoError(h, err)
	gd, err := h.s.GetDomain(h.ctx, d.ID)
	require.NoError(h, err)
	require.Equal(h, json.Number("9007199254740993"), gd.Metadata["n"])

	// The nil UUID is never an id: Get and Delete of it find nothing.
	_, err = h.s.Get(h.ctx, uuid.Nil)
	require.ErrorIs(h, err, store.ErrNotFound)
}

func requireRefused(h *harness, err error, field, says, what string) {
	h.Helper()
	require.ErrorIs(h, err, store.ErrInvalidInput, what)
	var bad *store.InvalidInputError
	require.True(h, errors.As(err, &bad), "%s: %v is not an *InvalidInputError", what, err)
	require.Equal(h, field, bad.Field, "%s: %v", what, err)
	require.Contains(h, bad.Reason, says, what)
}

func manyLabels(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "label-" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + string(rune('0'+i/26))
	}
	return out
}

func manyScores(n int) map[string]float64 {
	out := map[string]float64{}
	for _, l := range manyLabels(n) {
		out[l] = 0.5
	}
	return out
}

func (h *harness) count() int {
	h.Helper()
	n, err := h.s.Count(h.ctx)
	require.NoError(h, err)
	return int(n)
}
