package sqlitestore_test

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store"
)

// The full-text branch reads memories' rows only for its best candidates, in batches down the
// scores (fts.go, topHits). Whatever the page size and filters, a page must be the start of
// the complete ranking, ties included (equal scores by id), and as full as the matches that
// pass the filters allow. The corpus has large groups of equal scores, so that ties straddle
// every batch boundary.
func TestFTSPageIsThePrefixOfTheRanking(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	type mem struct {
		words       []string
		domain, tag string
		id          uuid.UUID
	}
	var mems []mem
	var recs []store.Record
	now := time.Now().UTC().Truncate(time.Microsecond)
	for i := range 300 {
		words := slices.Repeat([]string{"alpha"}, i%4+1)
		if i%5 == 0 {
			words = append(words, "beta")
		}
		if i%4 == 3 {
			words = []string{"unrelated", "words"}
		}
		m := mem{words: words, domain: fmt.Sprintf("d%d", i%6), tag: fmt.Sprintf("t%d", i%3), id: uuid.New()}
		mems = append(mems, m)
		recs = append(recs, store.Record{Type: store.RecordMemory, Memory: &store.Memory{
			ID: m.id, Content: strings.Join(words, " "), NodeType: store.DefaultNodeType, Tags: []string{m.tag},
			Domains: []string{m.domain}, DomainScores: map[string]float64{}, Metadata: map[string]any{},
			CreatedAt: now, UpdatedAt: now}})
	}
	_, err := s.Load(ctx, recs)
	require.NoError(t, err)

	filters := []struct {
		name          string
		domains, tags []string
	}{
		{"none", nil, nil},
		{"domain", []string{"d2"}, nil},
		{"tag", nil, []string{"t1"}},
		{"domain and tag", []string{"d1", "d4"}, []string{"t0"}},
	}
	for _, text := range []string{"alpha", "alpha beta", "beta gamma"} {
		for _, f := range filters {
			t.Run(text+"/"+f.name, func(t *testing.T) {
				want := 0
				for _, m := range mems {
					holds := slices.ContainsFunc(strings.Fields(text), func(w string) bool { return slices.Contains(m.words, w) })
					if holds && (f.domains == nil || slices.Contains(f.domains, m.domain)) && (f.tags == nil || slices.Contains(f.tags, m.tag)) {
						want++
					}
				}
				q := store.SearchQuery{Text: text, Domains: f.domains, Tags: f.tags, Limit: 300}
				all, err := s.FTSSearch(ctx, q)
				require.NoError(t, err)
				require.Len(t, all, want, "every match that passes the filters")
				require.True(t, slices.IsSortedFunc(all, func(a, b store.SearchResult) int {
					return cmp.Or(cmp.Compare(*b.FTSScore, *a.FTSScore), strings.Compare(a.Memory.ID.String(), b.Memory.ID.String()))
				}), "best first, equal scores by id")
				for _, limit := range []int{1, 3, 7, 10, 40} {
					q.Limit = limit
					page, err := s.FTSSearch(ctx, q)
					require.NoError(t, err)
					require.Len(t, page, min(limit, len(all)), "limit %d", limit)
					for i := range page {
						require.Equal(t, all[i].Memory.ID, page[i].Memory.ID, "limit %d, rank %d", limit, i+1)
						require.Equal(t, *all[i].FTSScore, *page[i].FTSScore, "limit %d, rank %d", limit, i+1)
					}
				}
			})
		}
	}
}
