package sqlitestore

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"zombiezen.com/go/sqlite"

	"github.com/vestige-mem/vestige/client/store"
)

// referenceHit is one row of the reference ranking.
type referenceHit struct {
	id    string
	score float64
}

// referenceRanking is the full-text rule of docs/fts-ranking.md written out plainly, with none
// of fts.go's shortcuts (postings read once, rows read for the best candidates only, a lone
// branch asking only for its page): every memory holding a term is scored from all of its
// occurrences, the retrieval rule picks the candidates for a branch asked for limit, the
// filters apply to every candidate, and the whole ranking is sorted (best first, ties by
// id). The store's page of n must be its first n, to the bit. It returns the ranking for
// each limit: bounded (the rarest terms retrieve), unless fewer than limit of those pass the
// filters; then all (every term retrieves).
func referenceRanking(t *testing.T, conn *sqlite.Conn, text string, f filter) func(limit int) []referenceHit {
	t.Helper()
	terms, err := stems(conn, ftsQueryText(store.CleanQueryText(text)))
	require.NoError(t, err)
	var n int64
	_, err = queryOne(conn, `SELECT count(*) FROM memories`, func(stmt *sqlite.Stmt) error { n = stmt.ColumnInt64(0); return nil })
	require.NoError(t, err)
	tf := make([]map[int64]float64, len(terms)) // term → memory → weighted occurrences
	for i, term := range terms {
		tf[i] = map[int64]float64{}
		require.NoError(t, query(conn, `SELECT doc, col FROM memories_fts_instances WHERE term = ?1 ORDER BY doc, col, "offset"`,
			func(stmt *sqlite.Stmt) error {
				tf[i][stmt.ColumnInt64(0)] += 1.0 / (1.0 / columnWeight(stmt.ColumnText(1)))
				return nil
			}, term))
		n = max(n, int64(len(tf[i])))
	}
	idf := func(i int) float64 {
		df := float64(len(tf[i]))
		return max(math.Log((float64(n)-df+0.5)/(df+0.5)), 1e-6)
	}
	pass := map[int64]string{} // rid → id, of every memory passing the filters
	require.NoError(t, query(conn, `SELECT m.rid, m.id FROM memories m WHERE true`+f.clause()+` LIMIT +?8`,
		func(stmt *sqlite.Stmt) error { pass[stmt.ColumnInt64(0)] = stmt.ColumnText(1); return nil }, f.args(nil, -1)...))

	rank := func(retrieving []int) []referenceHit {
		var out []referenceHit
		seen := map[int64]bool{}
		for _, r := range retrieving {
			for rid := range tf[r] {
				id, ok := pass[rid]
				if !ok || seen[rid] {
					continue
				}
				seen[rid] = true
				var score float64
				for i := range terms {
					if w, ok := tf[i][rid]; ok {
						x := float64(float32(w))
						score += idf(i) * x * (1.2 + 1) / (x + 1.2)
					}
				}
				out = append(out, referenceHit{id, score})
			}
		}
		slices.SortFunc(out, func(a, b referenceHit) int { return cmp.Or(cmp.Compare(b.score, a.score), strings.Compare(a.id, b.id)) })
		return out
	}
	var matched []int
	for i := range terms {
		if len(tf[i]) > 0 {
			matched = append(matched, i)
		}
	}
	byDF := slices.Clone(matched)
	slices.SortStableFunc(byDF, func(a, b int) int { return cmp.Compare(len(tf[a]), len(tf[b])) })
	var retrieving []int
	total := 0
	for _, i := range byDF {
		if len(retrieving) > 0 && total+len(tf[i]) > 2000 {
			break
		}
		retrieving = append(retrieving, i)
		total += len(tf[i])
	}
	bounded, all := rank(retrieving), rank(matched)
	return func(limit int) []referenceHit {
		if len(bounded) < limit {
			return all
		}
		return bounded
	}
}

// The store's full-text pages are the reference ranking's first n: on a corpus past the
// 2,000-match bound, where the rarest term's matches (15) fill a page of 10 but not the
// branch's 3 × 10, so that every term retrieves and memories without the rare term (holding
// the common ones many times) outrank the rare term's weakest matches; with and without
// filters, through FTSSearch and through Search, for page sizes whose 3 × n falls on either
// side of those 15.
func TestFTSPagesAreTheRule(t *testing.T) {
	ctx := context.Background()
	s := openInternal(t)
	now := time.Now().UTC().Truncate(time.Microsecond)
	var recs []store.Record
	add := func(content string, tags ...string) {
		recs = append(recs, store.Record{Type: store.RecordMemory, Memory: &store.Memory{
			ID: uuid.New(), Content: content, NodeType: store.DefaultNodeType, Tags: append([]string{}, tags...),
			Domains: []string{}, DomainScores: map[string]float64{}, Metadata: map[string]any{}, CreatedAt: now, UpdatedAt: now}})
	}
	common := strings.Fields("plentiful copious abundant ample profuse")
	for i := range 2000 {
		// 1 to 20 repetitions of the common terms, in a rotating order.
		words := slices.Repeat(slices.Concat(common[i%5:], common[:i%5]), i%20+1)
		add(strings.Join(words, " "), fmt.Sprintf("t%d", i%3))
	}
	for i := range 15 {
		// The rare term: in the content (strong) or only in a tag (weak).
		if i%2 == 0 {
			add(fmt.Sprintf("scarce note %d", i), fmt.Sprintf("t%d", i%3))
		} else {
			add(fmt.Sprintf("note %d", i), "scarce", fmt.Sprintf("t%d", i%3))
		}
	}
	for i := range 2500 {
		add(fmt.Sprintf("unrelated filler %d", i), "filler")
	}
	_, err := s.Load(ctx, recs)
	require.NoError(t, err)

	texts := []string{
		"scarce plentiful copious abundant ample profuse", // rarest 15, then 2,000 each: the bound
		"plentiful scarce",
		"copious",    // one term of 2,000 matches: it alone retrieves
		"note ample", // 15 + 2,000
	}
	filters := []struct {
		name string
		tags []string
	}{{"no filter", nil}, {"tag t1", []string{"t1"}}, {"tags t0 t2", []string{"t0", "t2"}}}
	for _, text := range texts {
		for _, fl := range filters {
			var ranking func(int) []referenceHit
			require.NoError(t, s.read(ctx, func(conn *sqlite.Conn) error {
				f, err := newFilter(conn, store.SearchQuery{Tags: fl.tags})
				require.NoError(t, err)
				ranking = referenceRanking(t, conn, text, f)
				return nil
			}))
			for _, n := range []int{1, 4, 5, 6, 10, 30} {
				t.Run(fmt.Sprintf("%s/%s/%d", text, fl.name, n), func(t *testing.T) {
					want := ranking(overFetch * n)
					want = want[:min(n, len(want))]
					q := store.SearchQuery{Text: text, Tags: fl.tags, Limit: n}
					for name, search := range map[string]func(context.Context, store.SearchQuery) ([]store.SearchResult, error){
						"FTSSearch": s.FTSSearch, "Search": s.Search,
					} {
						got, err := search(ctx, q)
						require.NoError(t, err, name)
						require.Len(t, got, len(want), name)
						for i := range got {
							require.Equal(t, want[i].id, got[i].Memory.ID.String(), "%s: rank %d", name, i+1)
							require.Equal(t, math.Float64bits(want[i].score), math.Float64bits(*got[i].FTSScore), "%s: rank %d", name, i+1)
						}
					}
				})
			}
		}
	}

	// The corpus does what it is for: for the first text, with a page of 10, every term
	// retrieves (15 rare matches < 30) and a memory without the rare term enters the page,
	// which it would not if the rule counted to the page's 10.
	require.NoError(t, s.read(ctx, func(conn *sqlite.Conn) error {
		f, err := newFilter(conn, store.SearchQuery{})
		require.NoError(t, err)
		ranking := referenceRanking(t, conn, texts[0], f)
		page, counted := ranking(30)[:10], ranking(10)[:10]
		require.NotEqual(t, page, counted, "counting to the page instead of 3 × the page changes it")
		return nil
	}))
}
