package sqlapi_test

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store/pgstore"
)

// contents is the contents of rows, sorted: the set a search found.
func contents(rows []row) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Content
	}
	slices.Sort(out)
	return out
}

// Rows written by plain SQL are indexed through memories_search_text (migration 004), and
// vestige_fts_search parses the query the same way: NFC, ASCII punctuation as spaces, CJK
// runs as character pairs (docs/fts-ranking.md, "Tokens"). The SQLite store finds the same
// (storetest's SearchTokens).
func TestTokens(t *testing.T) {
	d := newDB(t)
	d.registerModel()
	const (
		email  = "Contact alice@example.com about invoices"
		url    = "Docs at https://docs.example.org/guide/setup-steps?lang=en"
		hyphen = "A state-of-the-art, well-known compressor"
		bench  = "Run BENCH-100821 finished overnight"
		nfc    = "R\u00e9sum\u00e9 notes"
		nfd    = "Re\u0301sume\u0301 draft"
		zh     = "我们今天下午开会讨论预算"
		ja     = "明日は東京で会議があります"
	)
	for _, c := range []string{email, url, hyphen, bench, nfc, nfd, zh, ja} {
		d.insert(c, nil, nil, "")
	}
	d.insert("plain", nil, []string{"会議室"}, "")

	for _, c := range []struct {
		query string
		want  []string
	}{
		{"alice", []string{email}},
		{"alice@example.com", []string{email, url}},
		{"setup", []string{url}},
		{"docs.example.org", []string{email, url}},
		{"state-of-the-art", []string{hyphen}},
		{"known", []string{hyphen}},
		{"BENCH", []string{bench}},
		{"100821", []string{bench}},
		{"BENCH-100821", []string{bench}},
		{"R\u00e9sum\u00e9", []string{nfc, nfd}},
		{"Re\u0301sume\u0301", []string{nfc, nfd}},
		{"开会", []string{zh}},
		{"会議", []string{ja, "plain"}}, // the tag 会議室 holds the pair too
		{"東京で", []string{ja}},
		{"議室", []string{"plain"}}, // tags are paired too
		{"会", []string{}},
	} {
		got := d.search(`vestige_fts_search($1, 20)`, c.query)
		want := slices.Clone(c.want)
		slices.Sort(want)
		require.Equal(t, want, contents(got), "%q", c.query)
	}

	// The stored text is the text given; only the index sees it normalised.
	var stored string
	require.NoError(t, d.conn.QueryRow(context.Background(),
		`SELECT content FROM memories WHERE content LIKE '%draft'`).Scan(&stored))
	require.Equal(t, nfd, stored)

	var text string
	require.NoError(t, d.conn.QueryRow(context.Background(),
		`SELECT memories_search_text('Go言語 BENCH-100821 a.b@c.d')`).Scan(&text))
	require.Equal(t, "Go 言語  BENCH 100821 a b c d", text)
}

// Migration 004 recomputes search_vec for the rows already there, and its down part puts the
// old parsing back: alice@example.com is one lexeme again.
func TestTokensMigration(t *testing.T) {
	ctx := context.Background()
	d := newDB(t)
	d.registerModel()
	d.insert("Contact alice@example.com", nil, nil, "")
	count := func(query string) int {
		t.Helper()
		var n int
		require.NoError(t, d.conn.QueryRow(ctx,
			`SELECT count(*) FROM memories WHERE search_vec @@ to_tsquery('english', $1)`, query).Scan(&n))
		return n
	}
	require.Equal(t, 1, count("alice"))
	require.NoError(t, pgstore.MigrateTo(ctx, d.conn, 3))
	require.Equal(t, 0, count("alice"))
	require.Equal(t, 1, count("'alice@example.com'"))
	require.NoError(t, pgstore.Migrate(ctx, d.conn))
	require.Equal(t, 1, count("alice"))
	var storage string
	require.NoError(t, d.conn.QueryRow(ctx, `SELECT a.attstorage::text FROM pg_attribute a
		 WHERE a.attrelid = 'memories'::regclass AND a.attname = 'search_vec'`).Scan(&storage))
	require.Equal(t, "m", storage, "search_vec stays in the row (SET STORAGE MAIN)")
	var idx int
	require.NoError(t, d.conn.QueryRow(ctx, `SELECT count(*) FROM pg_indexes WHERE indexname = 'idx_memories_fts'`).Scan(&idx))
	require.Equal(t, 1, idx)
}
