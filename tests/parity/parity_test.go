//go:build heavy

// Package parity_test proves that the SQLite backend (Go ports of the SQL functions) and the
// Postgres backend (the SQL functions themselves) rank alike on a fixed corpus: 300 memories,
// 40 queries, top 5 (testdata/, a copy of shared/testdata/parity). The corpus is data-heavy, so
// it runs in the non-race pass of `make test` (build tag heavy, DESIGN.md §7):
// go test -tags heavy -run Heavy ./tests/parity/
//
// Vector ranking is the same computation on both sides (exact cosine at this size), so it
// must agree almost always. Full-text ranking agrees on the rule (docs/fts-ranking.md) but not
// to the bit: Postgres' snowball stemmer and parser are not FTS5's porter and unicode61, and
// FTS5's bm25 normalises by memory length where the Postgres score does not. So text and
// hybrid are held to agreement thresholds, not to identity.
package parity_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/embedder"
	"github.com/vestige-mem/vestige/client/store"
	"github.com/vestige-mem/vestige/client/store/pgstore"
	"github.com/vestige-mem/vestige/client/store/sqlitestore"
	"github.com/vestige-mem/vestige/tests/testdb"
)

const topK = 5

// The agreement the issue asks for.
const (
	minVectorSameTop5 = 0.95 // share of vector queries with the same top-5 ids, in order
	minSameTop1       = 0.80 // share of text (and of hybrid) queries with the same first id
	minMeanShared     = 3.5  // mean size of the intersection of the two top-5 sets
)

func TestHeavyParity(t *testing.T) {
	ctx := context.Background()
	mems, queries := loadCorpus(t)
	emb, err := embedder.FromName(ctx, embedder.DefaultModel, embedder.Options{})
	require.NoError(t, err)

	lite, err := sqlitestore.Open(ctx, filepath.Join(t.TempDir(), "parity.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = lite.Close() })
	pg, err := pgstore.Open(ctx, pgstore.Options{URL: testdb.New(t)})
	require.NoError(t, err)
	t.Cleanup(func() { _ = pg.Close() })
	load(t, lite, emb, mems)
	load(t, pg, emb, mems)

	domainSize := map[string]int{}
	for _, m := range mems {
		for _, d := range m.Domains {
			domainSize[d]++
		}
	}
	type tally struct {
		n, sameTop1, sameTop5 int
		shared                float64
	}
	tallies := map[string]*tally{"text": {}, "vector": {}, "hybrid": {}}
	for _, q := range queries {
		sq := store.SearchQuery{Limit: topK}
		if q.DomainFilter != "" {
			sq.Domains = []string{q.DomainFilter}
		}
		if q.Mode != "text" {
			v, err := emb.Embed(ctx, q.Text)
			require.NoError(t, err)
			sq.Embedding = v
		}
		if q.Mode != "vector" {
			sq.Text = q.Text
		}
		a := search(t, lite, q.Mode, sq)
		b := search(t, pg, q.Mode, sq)

		tl := tallies[q.Mode]
		require.NotNil(t, tl, "query %d: unknown mode %q", q.ID, q.Mode)
		tl.n++
		shared := overlap(a, b)
		// Slots that both pages leave empty agree too: two identical pages of 2 results (all
		// that match) are as alike as two identical pages of 5.
		tl.shared += float64(shared + topK - max(len(a), len(b)))
		if len(a) == 0 && len(b) == 0 || len(a) > 0 && len(b) > 0 && a[0].Memory.ID == b[0].Memory.ID {
			tl.sameTop1++
		}
		if sameOrder(a, b) {
			tl.sameTop5++
		}
		t.Logf("q%02d %-6s %-6s %-8q %-40q shared %d/%d\n    sqlite   %s\n    postgres %s",
			q.ID, q.Mode, q.Class, q.DomainFilter, q.Text, shared, max(len(a), len(b)), show(a), show(b))

		if q.DomainFilter != "" {
			for _, r := range append(append([]store.SearchResult{}, a...), b...) {
				require.Contains(t, r.Memory.Domains, q.DomainFilter, "query %d: filter not applied", q.ID)
			}
			require.Equal(t, len(b), len(a), "query %d: page sizes differ", q.ID)
			if q.Mode != "text" { // every memory has a vector, so a vector page is full
				require.Len(t, a, min(topK, domainSize[q.DomainFilter]), "query %d: short page", q.ID)
			}
		}
	}

	for _, mode := range []string{"vector", "text", "hybrid"} {
		tl := tallies[mode]
		t.Logf("%-6s %2d queries: same top-5 %d, same top-1 %d, mean shared top-5 %.2f",
			mode, tl.n, tl.sameTop5, tl.sameTop1, tl.shared/float64(tl.n))
	}
	v, tx, hy := tallies["vector"], tallies["text"], tallies["hybrid"]
	require.GreaterOrEqual(t, float64(v.sameTop5)/float64(v.n), minVectorSameTop5, "vector: same top 5")
	for name, tl := range map[string]*tally{"text": tx, "hybrid": hy} {
		require.GreaterOrEqual(t, float64(tl.sameTop1)/float64(tl.n), minSameTop1, "%s: same top 1", name)
		require.GreaterOrEqual(t, tl.shared/float64(tl.n), minMeanShared, "%s: mean shared top 5", name)
	}
}

func search(t *testing.T, s store.Store, mode string, q store.SearchQuery) []store.SearchResult {
	t.Helper()
	ctx := context.Background()
	var res []store.SearchResult
	var err error
	switch mode {
	case "text":
		res, err = s.FTSSearch(ctx, q)
	case "vector":
		res, err = s.VectorSearch(ctx, q)
	default:
		// Both branches at equal weight: the hash model's default (full text only) would make
		// this the text mode again, and the point is that the fusion agrees.
		one := 1.0
		q.FTSWeight, q.VectorWeight = &one, &one
		res, err = s.Search(ctx, q)
	}
	require.NoError(t, err)
	return res
}

func overlap(a, b []store.SearchResult) int {
	in := map[uuid.UUID]bool{}
	for _, r := range a {
		in[r.Memory.ID] = true
	}
	n := 0
	for _, r := range b {
		if in[r.Memory.ID] {
			n++
		}
	}
	return n
}

func sameOrder(a, b []store.SearchResult) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Memory.ID != b[i].Memory.ID {
			return false
		}
	}
	return true
}

// show lists results by the last digits of their ids (the corpus numbers them).
func show(rs []store.SearchResult) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		s := r.Memory.ID.String()
		parts[i] = strings.TrimLeft(s[len(s)-4:], "0")
	}
	return fmt.Sprintf("[%s]", strings.Join(parts, " "))
}
