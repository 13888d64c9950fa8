package storetest

import (
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store"
)

// testSearchTokens: both backends cut text into the same tokens (docs/fts-ranking.md,
// "Tokens"), so every query below finds the same memories on each. Before migration 004,
// Postgres kept an e-mail address or URL whole (alice found nothing) and made one lexeme of
// a Chinese sentence; SQLite did not find decomposed (NFD) text even by the identical query.
func testSearchTokens(h *harness) {
	h.filler(8)
	email := h.note("Contact alice@example.com about invoices")
	url := h.note("Docs at https://docs.example.org/guide/setup-steps?lang=en")
	hyphen := h.note("A state-of-the-art, well-known compressor")
	bench := h.note("Run BENCH-100821 finished overnight")
	composed := h.note("R\u00e9sum\u00e9 notes")     // NFC
	decomposed := h.note("Re\u0301sume\u0301 draft") // NFD
	chinese := h.note("我们今天下午开会讨论预算")
	japanese := h.note("明日は東京で会議があります")

	for _, c := range []struct {
		query string
		want  []store.Memory
	}{
		{"alice", []store.Memory{email}},
		{"alice@example.com", []store.Memory{email, url}}, // example is in the URL too
		{"invoices", []store.Memory{email}},
		{"docs", []store.Memory{url}},
		{"setup", []store.Memory{url}},
		{"docs.example.org", []store.Memory{url, email}},
		{"https://docs.example.org/guide", []store.Memory{url, email}},
		{"state-of-the-art", []store.Memory{hyphen}},
		{"state", []store.Memory{hyphen}},
		{"art", []store.Memory{hyphen}},
		{"known", []store.Memory{hyphen}},
		{"well-known", []store.Memory{hyphen}},
		{"BENCH", []store.Memory{bench}},
		{"100821", []store.Memory{bench}},
		{"BENCH-100821", []store.Memory{bench}},
		{"bench 100821", []store.Memory{bench}},
		{"R\u00e9sum\u00e9", []store.Memory{composed, decomposed}},
		{"Re\u0301sume\u0301", []store.Memory{composed, decomposed}},
		{"开会", []store.Memory{chinese}},
		{"今天", []store.Memory{chinese}},
		{"开会讨论", []store.Memory{chinese}},
		{"会議", []store.Memory{japanese}},
		{"東京", []store.Memory{japanese}},
		{"東京で会議", []store.Memory{japanese}},
		{"ありま", []store.Memory{japanese}},
		{"会", nil}, // one character: the index holds pairs (docs/fts-ranking.md)
	} {
		rs, err := h.s.FTSSearch(h.ctx, store.SearchQuery{Text: c.query})
		require.NoError(h, err, c.query)
		sameSet(h, memIDs(c.want...), resultIDs(rs), c.query)
		if len(c.want) > 0 && c.want[0].ID != composed.ID { // the two résumés tie
			require.Equal(h, c.want[0].ID, rs[0].Memory.ID, "%q: best match first", c.query)
		}
	}

	// Only the index sees the normalised text: the memory is stored exactly as given.
	got, err := h.s.Get(h.ctx, decomposed.ID)
	require.NoError(h, err)
	require.Equal(h, "Re\u0301sume\u0301 draft", got.Content)
	rs, err := h.s.FTSSearch(h.ctx, store.SearchQuery{Text: "draft"})
	require.NoError(h, err)
	require.Len(h, rs, 1)
	require.Equal(h, "Re\u0301sume\u0301 draft", rs[0].Memory.Content)

	// An update re-indexes the new text and forgets the old; a delete forgets the memory.
	decomposed.Content = "東京 re\u0301sume\u0301"
	_, err = h.s.Update(h.ctx, decomposed)
	require.NoError(h, err)
	for query, want := range map[string][]store.Memory{
		"draft":            nil,
		"東京":               {japanese, decomposed},
		"r\u00e9sum\u00e9": {composed, decomposed},
	} {
		rs, err := h.s.FTSSearch(h.ctx, store.SearchQuery{Text: query})
		require.NoError(h, err, query)
		sameSet(h, memIDs(want...), resultIDs(rs), query+" after update")
	}
	require.NoError(h, h.s.Delete(h.ctx, decomposed.ID))
	rs, err = h.s.FTSSearch(h.ctx, store.SearchQuery{Text: "r\u00e9sum\u00e9"})
	require.NoError(h, err)
	sameSet(h, memIDs(composed), resultIDs(rs), "after delete")
}
