package storetest

import (
	"fmt"
	"strings"

	"github.com/google/uuid"
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

// testSearchQueryTextBound: the same query text bound on both backends and in SQL
// (store.MaxQueryTextChars, vestige_fts_terms): the first 100,000 characters count, in
// characters rather than bytes, and a word past 32 KiB (where the Postgres client once cut)
// still finds its memory.
func testSearchQueryTextBound(h *harness) {
	h.filler(4)
	target := h.note("zyzzyva beetles")
	// 'é' is two bytes in UTF-8: a rule in bytes would end the text earlier than one in
	// characters.
	const unit = "lorem café ipsum " // 17 characters, 18 bytes
	pad := func(chars int) string {
		return strings.Repeat(unit, chars/len([]rune(unit))) + strings.Repeat(" ", chars%len([]rune(unit)))
	}
	cases := []struct {
		name  string
		text  string
		found bool
	}{
		{"past 32 KiB", pad(40<<10) + "zyzzyva", true},
		{"ending at the last character counted", pad(store.MaxQueryTextChars-len("zyzzyva")) + "zyzzyva", true},
		{"starting past the last character counted", pad(store.MaxQueryTextChars) + " zyzzyva", false},
	}
	for _, c := range cases {
		require.Greater(h, len(c.text), 32<<10, c.name)
		for name, search := range map[string]func(store.SearchQuery) ([]store.SearchResult, error){
			"Search":    func(q store.SearchQuery) ([]store.SearchResult, error) { return h.s.Search(h.ctx, q) },
			"FTSSearch": func(q store.SearchQuery) ([]store.SearchResult, error) { return h.s.FTSSearch(h.ctx, q) },
		} {
			rs, err := search(store.SearchQuery{Text: c.text})
			require.NoError(h, err, "%s: %s", name, c.name)
			if c.found {
				require.Equal(h, []uuid.UUID{target.ID}, resultIDs(rs), "%s: %s", name, c.name)
			} else {
				require.Empty(h, rs, "%s: %s", name, c.name)
			}
		}
	}
}
