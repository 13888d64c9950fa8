package storetest

import (
	"fmt"

	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store"
)

// testSearchCandidateBound: past 2,000 matches the full-text branch ranks only the matches
// of the query's rarest terms (docs/fts-ranking.md), but never at the cost of a page: when
// those cannot fill it (few of them, or few passing the filters), every term retrieves.
func testSearchCandidateBound(h *harness) {
	const common = 2050
	for i := range common {
		tag := "even"
		if i%2 == 1 {
			tag = "odd"
		}
		h.insert(store.Memory{Content: fmt.Sprintf("plentiful note %d", i), Tags: []string{tag}})
	}
	var rare []store.Memory
	for i := range 3 {
		rare = append(rare, h.insert(store.Memory{Content: fmt.Sprintf("scarce plentiful note %d", i), Tags: []string{"even"}}))
	}

	rs, err := h.s.FTSSearch(h.ctx, store.SearchQuery{Text: "scarce plentiful", Limit: 10})
	require.NoError(h, err)
	require.Len(h, rs, 10, "the three rare matches cannot fill the page: every term retrieves")
	sameSet(h, memIDs(rare...), resultIDs(rs[:3]), "the memories holding both terms rank first")

	rs, err = h.s.FTSSearch(h.ctx, store.SearchQuery{Text: "scarce plentiful", Limit: 10, Tags: []string{"odd"}})
	require.NoError(h, err)
	require.Len(h, rs, 10, "no rare match passes the filter: the page fills from the common term")

	rs, err = h.s.FTSSearch(h.ctx, store.SearchQuery{Text: "scarce plentiful", Limit: 2})
	require.NoError(h, err)
	require.Len(h, rs, 2)
	for _, r := range rs {
		require.Contains(h, memIDs(rare...), r.Memory.ID, "a page the rare matches fill comes from them")
	}
}
