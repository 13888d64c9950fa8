package storetest

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/embedder"
	"github.com/vestige-mem/vestige/client/store"
)

// requireFused checks what the API defines for every row: a branch's score is set exactly
// when its rank is, ranks are 1-based, rrf = Σ 1/(60 + rank) over the branches that found the
// row, rows are ordered by rrf descending, and no embedding is returned.
func (h *harness) requireFused(rs []store.SearchResult) {
	h.Helper()
	for i, r := range rs {
		require.Equal(h, r.FTSScore == nil, r.FTSRank == nil, "row %d: fts score and rank go together", i)
		require.Equal(h, r.VectorScore == nil, r.VectorRank == nil, "row %d: vector score and rank go together", i)
		require.False(h, r.FTSRank == nil && r.VectorRank == nil, "row %d was found by some branch", i)
		want := 0.0
		if r.FTSRank != nil {
			require.GreaterOrEqual(h, *r.FTSRank, 1)
			want += 1.0 / float64(60+*r.FTSRank)
		}
		if r.VectorRank != nil {
			require.GreaterOrEqual(h, *r.VectorRank, 1)
			want += 1.0 / float64(60+*r.VectorRank)
		}
		require.InDelta(h, want, r.RRFScore, 1e-12, "row %d: rrf = Σ 1/(60 + rank)", i)
		if i > 0 {
			require.LessOrEqual(h, r.RRFScore, rs[i-1].RRFScore, "rows are ordered by rrf")
		}
		require.Nil(h, r.Memory.Embedding, "search results carry no embedding")
	}
}

// requireTextOnly: rows found by the text branch alone, ranked 1, 2, 3, ...
func (h *harness) requireTextOnly(rs []store.SearchResult) {
	h.Helper()
	h.requireFused(rs)
	for i, r := range rs {
		require.NotNil(h, r.FTSScore, "row %d", i)
		require.Equal(h, i+1, *r.FTSRank, "row %d", i)
		require.Nil(h, r.VectorScore, "row %d", i)
	}
}

func (h *harness) requireVectorOnly(rs []store.SearchResult) {
	h.Helper()
	h.requireFused(rs)
	for i, r := range rs {
		require.NotNil(h, r.VectorScore, "row %d", i)
		require.Equal(h, i+1, *r.VectorRank, "row %d", i)
		require.Nil(h, r.FTSScore, "row %d", i)
	}
}

func testSearchTextOnly(h *harness) {
	h.filler(8)
	both := h.insert(store.Memory{Content: "autovacuum tuning keeps big tables healthy", NodeType: "fact",
		Tags: []string{"postgres"}, Domains: []string{"ops"}, Metadata: map[string]any{"k": "v"}})
	one := h.note("autovacuum runs in the background")
	other := h.note("tuning shared buffers for throughput")

	for _, search := range []struct {
		name string
		fn   func(store.SearchQuery) ([]store.SearchResult, error)
	}{{"Search", func(q store.SearchQuery) ([]store.SearchResult, error) { return h.s.Search(h.ctx, q) }},
		{"FTSSearch", func(q store.SearchQuery) ([]store.SearchResult, error) { return h.s.FTSSearch(h.ctx, q) }}} {
		rs, err := search.fn(store.SearchQuery{Text: "autovacuum tuning"})
		require.NoError(h, err, search.name)
		h.requireTextOnly(rs)
		require.Len(h, rs, 3, search.name)
		require.Equal(h, both.ID, rs[0].Memory.ID, "%s: the memory holding both terms ranks first", search.name)
		sameSet(h, memIDs(both, one, other), resultIDs(rs), search.name)
		h.requireMemory(both, rs[0].Memory, false)

		// Stemming: "tuned" finds "tuning".
		rs, err = search.fn(store.SearchQuery{Text: "Tuned"})
		require.NoError(h, err, search.name)
		sameSet(h, memIDs(both, other), resultIDs(rs), search.name+" stems")

		rs, err = search.fn(store.SearchQuery{Text: "nonexistentword"})
		require.NoError(h, err, search.name)
		require.NotNil(h, rs, "no match is an empty list")
		require.Empty(h, rs)
	}
}

// testSearchLongQuestion: retrieval is on any term, so a question in natural language finds
// the memory that shares its important words (no all-terms AND gate).
func testSearchLongQuestion(h *harness) {
	h.filler(10)
	target := h.note("Ingress returns 502 when the upstream pod restarts during a rollout")
	h.note("The pod scheduler prefers nodes with free memory")
	h.note("Rollout strategy notes for blue green deployments")
	rs, err := h.s.Search(h.ctx, store.SearchQuery{Text: "Why does my ingress keep returning a 502 error after every rollout?"})
	require.NoError(h, err)
	require.NotEmpty(h, rs)
	require.Equal(h, target.ID, rs[0].Memory.ID)
	h.requireTextOnly(rs)
}

func testSearchVectorOnly(h *harness) {
	h.registerModel4()
	q := []float32{1, 0, 0, 0}
	a := h.note("exact direction", 1, 0, 0, 0)
	b := h.note("close direction", 0.9, 0.1, 0, 0)
	c := h.note("diagonal direction", 0.5, 0.5, 0, 0)
	d := h.note("orthogonal direction", 0, 0, 1, 0)
	e := h.note("opposite direction", -1, 0.1, 0, 0)
	h.note("no vector at all")
	order := []store.Memory{a, b, c, d, e}

	for name, search := range map[string]func(store.SearchQuery) ([]store.SearchResult, error){
		"Search":       func(q store.SearchQuery) ([]store.SearchResult, error) { return h.s.Search(h.ctx, q) },
		"VectorSearch": func(q store.SearchQuery) ([]store.SearchResult, error) { return h.s.VectorSearch(h.ctx, q) },
	} {
		rs, err := search(store.SearchQuery{Embedding: q})
		require.NoError(h, err, name)
		h.requireVectorOnly(rs)
		require.Equal(h, memIDs(order...), resultIDs(rs), "%s: by cosine similarity; memories without a vector are not found", name)
		for i, r := range rs {
			require.InDelta(h, cosine(q, order[i].Embedding), *r.VectorScore, 1e-5, "%s: vector_score = cosine similarity", name)
		}
		h.requireMemory(a, rs[0].Memory, false)

		rs, err = search(store.SearchQuery{Embedding: q, Limit: 2})
		require.NoError(h, err, name)
		require.Equal(h, memIDs(a, b), resultIDs(rs), name)
	}
}

func testSearchHybrid(h *harness) {
	h.registerModel4()
	h.filler(6)
	q := []float32{1, 0, 0, 0}
	top := h.note("pgvector hnsw index tuning", 1, 0, 0, 0)
	h.note("pgvector install notes", 0.8, 0.6, 0, 0)
	h.note("hnsw graph theory", 0, 1, 0, 0)
	vecOnly := h.note("gardening in winter", 0.2, 0, 1, 0)
	textOnly := h.note("pgvector without any vector")

	rs, err := h.s.Search(h.ctx, store.SearchQuery{Text: "pgvector hnsw", Embedding: q})
	require.NoError(h, err)
	h.requireFused(rs)
	require.Equal(h, top.ID, rs[0].Memory.ID, "first in both branches, first fused")
	require.NotNil(h, rs[0].FTSScore)
	require.NotNil(h, rs[0].VectorScore)
	require.Equal(h, 1, *rs[0].FTSRank)
	require.Equal(h, 1, *rs[0].VectorRank)
	require.GreaterOrEqual(h, rs[0].RRFScore, 2.0/61-1e-12)
	require.InDelta(h, 2.0/61, rs[0].RRFScore, 1e-12)

	byID := map[uuid.UUID]store.SearchResult{}
	for _, r := range rs {
		byID[r.Memory.ID] = r
	}
	require.Contains(h, byID, vecOnly.ID, "the vector branch alone finds it")
	require.Nil(h, byID[vecOnly.ID].FTSScore)
	require.NotNil(h, byID[vecOnly.ID].VectorScore)
	require.Contains(h, byID, textOnly.ID, "the text branch alone finds it")
	require.Nil(h, byID[textOnly.ID].VectorScore)
	require.NotNil(h, byID[textOnly.ID].FTSScore)

	// Both branches over-fetch, then the page is cut to the limit.
	rs, err = h.s.Search(h.ctx, store.SearchQuery{Text: "pgvector hnsw", Embedding: q, Limit: 1})
	require.NoError(h, err)
	require.Equal(h, []uuid.UUID{top.ID}, resultIDs(rs))
}

func testSearchEmptyQuery(h *harness) {
	h.registerModel4()
	h.note("something to find", 1, 0, 0, 0)
	cases := []struct {
		name string
		call func() error
	}{
		{"Search with nothing", func() error { _, err := h.s.Search(h.ctx, store.SearchQuery{}); return err }},
		{"Search with only filters", func() error {
			_, err := h.s.Search(h.ctx, store.SearchQuery{Limit: 3, Domains: []string{"a"}, Tags: []string{"t"}})
			return err
		}},
		{"FTSSearch without text", func() error {
			_, err := h.s.FTSSearch(h.ctx, store.SearchQuery{Embedding: []float32{1, 0, 0, 0}})
			return err
		}},
		{"VectorSearch without embedding", func() error {
			_, err := h.s.VectorSearch(h.ctx, store.SearchQuery{Text: "something"})
			return err
		}},
	}
	for _, c := range cases {
		require.ErrorIs(h, c.call(), store.ErrEmptyQuery, c.name)
	}

	// Text without a searchable term is not missing: that branch just finds nothing.
	for _, text := range []string{"?!", "...", "*"} {
		rs, err := h.s.Search(h.ctx, store.SearchQuery{Text: text})
		require.NoError(h, err, "%q", text)
		require.Empty(h, rs, "%q", text)
		rs, err = h.s.FTSSearch(h.ctx, store.SearchQuery{Text: text})
		require.NoError(h, err, "%q", text)
		require.Empty(h, rs, "%q", text)
		rs, err = h.s.Search(h.ctx, store.SearchQuery{Text: text, Embedding: []float32{1, 0, 0, 0}})
		require.NoError(h, err, "%q", text)
		require.Len(h, rs, 1, "%q with an embedding: the vector branch still answers", text)
	}
}

func testSearchDefaultLimit(h *harness) {
	h.registerModel4()
	for i := range 15 {
		h.note(fmt.Sprintf("alpha note number %d", i), 1, float32(i)/15, 0.5, 0)
	}
	for _, c := range []struct {
		limit, want int
	}{{0, store.DefaultLimit}, {3, 3}, {15, 15}, {20, 15}} {
		rs, err := h.s.Search(h.ctx, store.SearchQuery{Text: "alpha", Limit: c.limit})
		require.NoError(h, err)
		require.Len(h, rs, c.want, "Search limit %d", c.limit)
		rs, err = h.s.FTSSearch(h.ctx, store.SearchQuery{Text: "alpha", Limit: c.limit})
		require.NoError(h, err)
		require.Len(h, rs, c.want, "FTSSearch limit %d", c.limit)
		rs, err = h.s.VectorSearch(h.ctx, store.SearchQuery{Embedding: []float32{1, 0, 0, 0}, Limit: c.limit})
		require.NoError(h, err)
		require.Len(h, rs, c.want, "VectorSearch limit %d", c.limit)
		rs, err = h.s.Search(h.ctx, store.SearchQuery{Text: "alpha", Embedding: []float32{1, 0, 0, 0}, Limit: c.limit})
		require.NoError(h, err)
		require.Len(h, rs, c.want, "hybrid limit %d", c.limit)
	}
}

// testSearchFilters: filters apply in both branches, only matching rows come back, and a
// page is full: min(limit, rows passing).
func testSearchFilters(h *harness) {
	h.registerModel4()
	var all []store.Memory
	for i := range 30 {
		m := store.Memory{Content: fmt.Sprintf("shared corpus item %d", i), NodeType: "note",
			Domains: []string{"b"}, Tags: []string{"t2"},
			Embedding: []float32{1, float32(i) / 30, float32(i%7) / 7, 0.1}}
		if i%3 == 0 {
			m.Domains = []string{"a"}
		}
		if i%6 == 0 {
			m.Domains = []string{"a", "c"}
		}
		if i%5 == 0 {
			m.NodeType = "fact"
		}
		if i%4 == 0 {
			m.Tags = []string{"t1", "t3"}
		}
		all = append(all, h.insert(m))
	}
	has := func(list []string, v string) bool {
		for _, x := range list {
			if x == v {
				return true
			}
		}
		return false
	}
	filters := []struct {
		name string
		q    store.SearchQuery
		pass func(store.Memory) bool
	}{
		{"domain a", store.SearchQuery{Domains: []string{"a"}}, func(m store.Memory) bool { return has(m.Domains, "a") }},
		{"domain c or unknown", store.SearchQuery{Domains: []string{"c", "zzz"}}, func(m store.Memory) bool { return has(m.Domains, "c") }},
		{"node type fact", store.SearchQuery{NodeTypes: []string{"fact"}}, func(m store.Memory) bool { return m.NodeType == "fact" }},
		{"node type fact or note", store.SearchQuery{NodeTypes: []string{"fact", "note"}}, func(store.Memory) bool { return true }},
		{"tag t1", store.SearchQuery{Tags: []string{"t1"}}, func(m store.Memory) bool { return has(m.Tags, "t1") }},
		{"tag t3 or t9", store.SearchQuery{Tags: []string{"t9", "t3"}}, func(m store.Memory) bool { return has(m.Tags, "t3") }},
		{"domain a and tag t1", store.SearchQuery{Domains: []string{"a"}, Tags: []string{"t1"}},
			func(m store.Memory) bool { return has(m.Domains, "a") && has(m.Tags, "t1") }},
		{"domain b and node type fact", store.SearchQuery{Domains: []string{"b"}, NodeTypes: []string{"fact"}},
			func(m store.Memory) bool { return has(m.Domains, "b") && m.NodeType == "fact" }},
		{"nothing passes", store.SearchQuery{Domains: []string{"zzz"}}, func(store.Memory) bool { return false }},
	}
	modes := []struct {
		name string
		fn   func(store.SearchQuery) ([]store.SearchResult, error)
	}{
		{"text", func(q store.SearchQuery) ([]store.SearchResult, error) {
			q.Text = "shared corpus"
			return h.s.Search(h.ctx, q)
		}},
		{"fts", func(q store.SearchQuery) ([]store.SearchResult, error) {
			q.Text = "corpus"
			return h.s.FTSSearch(h.ctx, q)
		}},
		{"vector", func(q store.SearchQuery) ([]store.SearchResult, error) {
			q.Embedding = []float32{1, 0.5, 0.2, 0.1}
			return h.s.VectorSearch(h.ctx, q)
		}},
		{"hybrid", func(q store.SearchQuery) ([]store.SearchResult, error) {
			q.Text, q.Embedding = "shared corpus", []float32{0.2, 1, 0, 0}
			return h.s.Search(h.ctx, q)
		}},
	}
	for _, f := range filters {
		var passing []uuid.UUID
		for _, m := range all {
			if f.pass(m) {
				passing = append(passing, m.ID)
			}
		}
		for _, mode := range modes {
			name := f.name + " / " + mode.name
			for _, limit := range []int{4, 50} {
				q := f.q
				q.Limit = limit
				rs, err := mode.fn(q)
				require.NoError(h, err, name)
				h.requireFused(rs)
				require.Len(h, rs, min(limit, len(passing)), "%s, limit %d: a full page", name, limit)
				for _, r := range rs {
					require.True(h, f.pass(r.Memory), "%s: %s passes the filter", name, r.Memory.Content)
				}
				if limit >= len(passing) {
					sameSet(h, passing, resultIDs(rs), name+": every passing row")
				}
			}
		}
	}
}

// testSearchMinRetrievability: new memories count as retrievability 1; a memory reviewed long
// ago with a small stability has a low live R and is filtered out.
func testSearchMinRetrievability(h *harness) {
	h.registerModel4()
	fresh1 := h.note("retention probe fresh one", 1, 0, 0, 0)
	fresh2 := h.note("retention probe fresh two", 1, 0.1, 0, 0)
	stale := h.note("retention probe stale", 1, 0.2, 0, 0)
	long := store.Now().Add(-400 * 24 * time.Hour)
	next := long.Add(24 * time.Hour)
	require.NoError(h, h.s.UpdateScheduling(h.ctx, store.SchedulingState{MemoryID: stale.ID, Stability: 0.5,
		Difficulty: 5, Retrievability: 0.9, LastReview: &long, NextReview: &next, Reps: 3, State: 2}))
	r, err := h.s.Retrievability(h.ctx, stale.ID, store.Now())
	require.NoError(h, err)
	require.Less(h, r, 0.5)

	q := []float32{1, 0, 0, 0}
	for _, c := range []struct {
		min  *float64
		want []uuid.UUID
	}{
		{nil, memIDs(fresh1, fresh2, stale)},
		{ptr(0.0), memIDs(fresh1, fresh2, stale)},
		{ptr(0.5), memIDs(fresh1, fresh2)},
		{ptr(1.0), memIDs(fresh1, fresh2)},
	} {
		for name, rs := range h.allModes("retention probe", q, store.SearchQuery{MinRetrievability: c.min}) {
			sameSet(h, c.want, resultIDs(rs), fmt.Sprintf("%s, min %v", name, c.min))
		}
	}
}

// allModes runs one query through every search method that can answer it.
func (h *harness) allModes(text string, emb []float32, q store.SearchQuery) map[string][]store.SearchResult {
	h.Helper()
	out := map[string][]store.SearchResult{}
	var err error
	qt := q
	qt.Text = text
	out["text"], err = h.s.Search(h.ctx, qt)
	require.NoError(h, err)
	out["fts"], err = h.s.FTSSearch(h.ctx, qt)
	require.NoError(h, err)
	qv := q
	qv.Embedding = emb
	out["vector"], err = h.s.VectorSearch(h.ctx, qv)
	require.NoError(h, err)
	qh := qv
	qh.Text = text
	out["hybrid"], err = h.s.Search(h.ctx, qh)
	require.NoError(h, err)
	for _, rs := range out {
		h.requireFused(rs)
	}
	return out
}

// hostileTexts are what users type and query parsers choke on: tsquery and FTS5 syntax,
// unbalanced quotes and parentheses, SQL, bytes Postgres cannot carry.
var hostileTexts = []string{
	`'`, `''`, `"`, `"unterminated`, `it's`, `don't stop`, `a-b-c`, `-leading`, `trailing-`,
	`&|!():*<->`, `foo & | bar`, `!!!`, `:*`, `<->`, `<2>`, `a <-> b`, `(((`, `)))`, `(unbalanced`,
	`\`, `\\'`, `'; DROP TABLE memories; --`, `NOT`, `AND OR NOT`, `NEAR(a b)`, `col:term`,
	`^start`, `term*`, `+plus`, `{braces}`, `[brackets]`, `%_%`, "nul\x00byte", "bad\xffutf8",
	"\xc3\x28", "tab\tnew\nline", `🦀 émoji ünïcödé`, `ＦＵＬＬＷＩＤＴＨ`, `1e309`, `$1`, `?`, `'':*`,
}

func testSearchHostileText(h *harness) {
	h.filler(6)
	target := h.note("vacuum tuning for postgres")
	for _, text := range hostileTexts {
		_, err := h.s.Search(h.ctx, store.SearchQuery{Text: text})
		require.NoError(h, err, "Search %q", text)
		_, err = h.s.FTSSearch(h.ctx, store.SearchQuery{Text: text})
		require.NoError(h, err, "FTSSearch %q", text)
	}
	// Hostile text around a real word still finds it.
	for _, text := range []string{`vacuum's`, `"vacuum`, `(vacuum`, `vacuum:*`, `!vacuum`, `vacuum & | ! ( ) : * <->`,
		`vacuum-tuning`, "vacuum\x00tuning", "vacuum\xfftuning", `'vacuum'`, `NEAR(vacuum)`} {
		rs, err := h.s.Search(h.ctx, store.SearchQuery{Text: text})
		require.NoError(h, err, "%q", text)
		require.NotEmpty(h, rs, "%q finds the memory", text)
		require.Equal(h, target.ID, rs[0].Memory.ID, "%q", text)
	}
	// Filter values are compared, not searched: one Postgres could not hold is refused, the
	// same way on both backends, naming the filter.
	for _, q := range []store.SearchQuery{
		{Text: "vacuum", Domains: []string{"dev\x00"}},
		{Text: "vacuum", NodeTypes: []string{"\xff"}},
		{Text: "vacuum", Tags: []string{"ok", "bad\x00"}},
	} {
		_, err := h.s.Search(h.ctx, q)
		require.ErrorIs(h, err, store.ErrInvalidInput, "%+v", q)
		require.Contains(h, err.Error(), "filter")
	}
}

// testSearchLongText: a query of more than a megabyte (an agent pasting a document) raises
// nothing, and its first words still find their memory. (Its distinct words are kept to a few
// thousand: the full-text branch costs time per distinct term, and this runs under -race.)
func testSearchLongText(h *harness) {
	h.filler(6)
	target := h.note("zyzzyva beetles of the rainforest")
	var b strings.Builder
	b.WriteString("zyzzyva ")
	for i := 0; b.Len() < 8<<10; i++ {
		fmt.Fprintf(&b, "tok%dx ", i)
	}
	for b.Len() < 1100<<10 {
		b.WriteString("lorem ipsum dolor sit amet ")
	}
	for name, search := range map[string]func(store.SearchQuery) ([]store.SearchResult, error){
		"Search":    func(q store.SearchQuery) ([]store.SearchResult, error) { return h.s.Search(h.ctx, q) },
		"FTSSearch": func(q store.SearchQuery) ([]store.SearchResult, error) { return h.s.FTSSearch(h.ctx, q) },
	} {
		rs, err := search(store.SearchQuery{Text: b.String()})
		require.NoError(h, err, name)
		require.Equal(h, []uuid.UUID{target.ID}, resultIDs(rs), name)
	}
}

// testSearchWithHashEmbedder: the workflow a client runs, with the built-in embedder.
func testSearchWithHashEmbedder(h *harness) {
	e, err := embedder.FromName(h.ctx, "hash-64", embedder.Options{})
	require.NoError(h, err)
	sig := store.ModelSignature{Name: e.ModelName(), Dimension: e.Dimension(), Hash: e.ModelHash()}
	require.NoError(h, h.s.EnsureModel(h.ctx, sig))
	contents := []string{
		"autovacuum tuning for large tables",
		"the rust borrow checker rejects aliasing mutable references",
		"kubernetes ingress timeouts behind a load balancer",
		"tomatoes need six hours of sunlight",
		"sourdough starter feeding schedule",
	}
	vecs, err := e.EmbedBatch(h.ctx, contents)
	require.NoError(h, err)
	var mems []store.Memory
	for i, c := range contents {
		mems = append(mems, h.insert(store.Memory{Content: c, Embedding: vecs[i]}))
	}
	back, err := h.s.Get(h.ctx, mems[1].ID)
	require.NoError(h, err)
	require.Equal(h, vecs[1], back.Embedding, "a real embedding round-trips exactly")

	for i, query := range []string{"tuning autovacuum on large tables", "rust borrow checker", "ingress timeouts"} {
		qv, err := e.Embed(h.ctx, query)
		require.NoError(h, err)
		// Both branches: the hash embedder's default vector weight is 0 (store.FusionDefaults).
		rs, err := h.s.Search(h.ctx, store.SearchQuery{Text: query, Embedding: qv, Limit: 3, VectorWeight: ptr(1.0)})
		require.NoError(h, err)
		h.requireFused(rs)
		require.NotEmpty(h, rs)
		require.Equal(h, mems[i].ID, rs[0].Memory.ID, "%q", query)
		require.NotNil(h, rs[0].FTSScore, "%q", query)
		require.NotNil(h, rs[0].VectorScore, "%q", query)
		// The default search: full text alone.
		rs, err = h.s.Search(h.ctx, store.SearchQuery{Text: query, Embedding: qv, Limit: 3})
		require.NoError(h, err)
		h.requireTextOnly(rs)
		require.Equal(h, mems[i].ID, rs[0].Memory.ID, "%q", query)
	}
}

// errorsAs is errors.As with a fresh target, for brevity in tables.
func errorsAs[T error](err error) (T, bool) {
	var target T
	ok := errors.As(err, &target)
	return target, ok
}
