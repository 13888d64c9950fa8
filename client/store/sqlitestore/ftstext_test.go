package sqlitestore

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"zombiezen.com/go/sqlite"
	"zombiezen.com/go/sqlite/sqlitex"

	"github.com/vestige-mem/vestige/client/store"
)

// ftsText is memories_search_text (sql/migrations/004_tokens.sql) minus the punctuation,
// which unicode61 splits at by itself.
func TestFTSText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain ascii, alice@example.com", "plain ascii, alice@example.com"},
		{"Re\u0301sume\u0301", "R\u00e9sum\u00e9"},
		{"我们今天开会", " 我们 们今 今天 天开 开会 "},
		{"会", " 会 "},
		{"Go言語とRust", "Go 言語 語と Rust"},
		{"今日は。明日", " 今日 日は 。 明日 "},
		{"データベース", " デー ータ タベ ベー ース "},
		{"ｶﾀｶﾅ", " ｶﾀ ﾀｶ ｶﾅ "},
		{"한국어 문장", "한국어 문장"}, // Hangul: words have spaces
	} {
		require.Equal(t, c.want, ftsText(c.in), "%q", c.in)
	}
}

// requireIndexIsSource checks that memories_fts holds exactly the tokens of
// memories_fts_source, the view an external-content FTS5 table must agree with (deleting a
// row sends the values the view shows: if they differ from what was indexed, the index is
// corrupt without an error). The expected index is built in a temp FTS5 table with the same
// tokenizer.
func requireIndexIsSource(t *testing.T, conn *sqlite.Conn) {
	t.Helper()
	for _, stmt := range []string{
		`DROP TABLE IF EXISTS temp.want_fts`,
		`CREATE VIRTUAL TABLE temp.want_fts USING fts5 (content, node_type, tags, tokenize = '` + queryTokenizer + `')`,
		`CREATE VIRTUAL TABLE IF NOT EXISTS temp.want_fts_i USING fts5vocab (temp, want_fts, instance)`,
		`INSERT INTO temp.want_fts (rowid, content, node_type, tags) SELECT rid, content, node_type, tags FROM memories_fts_source`,
	} {
		require.NoError(t, sqlitex.ExecuteTransient(conn, stmt, nil), stmt)
	}
	for _, q := range []string{
		`SELECT count(*) FROM (SELECT term, doc, col, offset FROM memories_fts_instances
		   EXCEPT SELECT term, doc, col, offset FROM temp.want_fts_i)`,
		`SELECT count(*) FROM (SELECT term, doc, col, offset FROM temp.want_fts_i
		   EXCEPT SELECT term, doc, col, offset FROM memories_fts_instances)`,
	} {
		n, err := sqlitex.ResultInt(conn.Prep(q))
		require.NoError(t, err)
		require.Zero(t, n, "index and source differ: %s", q)
	}
}

// ftsHits is the contents of the memories FTSSearch finds for text.
func ftsHits(t *testing.T, s *Store, text string) []string {
	t.Helper()
	rs, err := s.FTSSearch(context.Background(), store.SearchQuery{Text: text})
	require.NoError(t, err)
	ids := []string{}
	for _, r := range rs {
		ids = append(ids, r.Memory.Content)
	}
	return ids
}

// Rows written by plain SQL (no vestige code: no NFC in SQL) are indexed as stored and the
// index stays exact through every mix of plain and Go writes; the Go store's next write of a
// row, or reindexAllFTS, brings it to its ftsText.
func TestFTSIndexWithPlainWriters(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "vestige.db")
	s, err := Open(ctx, path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	plain, err := sqlite.OpenConn(path, sqlite.OpenReadWrite)
	require.NoError(t, err)
	t.Cleanup(func() { _ = plain.Close() })
	sql := func(q string) {
		t.Helper()
		require.NoError(t, sqlitex.ExecuteTransient(plain, q, nil), q)
		requireIndexIsSource(t, plain)
	}

	m, err := s.Insert(ctx, store.Memory{Content: "Re\u0301sume\u0301 東京の会議", Tags: []string{"会議室"}})
	require.NoError(t, err)
	requireIndexIsSource(t, plain)
	require.Equal(t, []string{m.Content}, ftsHits(t, s, "r\u00e9sum\u00e9"))
	require.Equal(t, []string{m.Content}, ftsHits(t, s, "議室"), "tags are paired too")

	// A plain update of a row the Go store indexed: the trigger deletes what was indexed.
	sql(`UPDATE memories SET content = 'plain 東京タワー' WHERE id = '` + m.ID.String() + `'`)
	require.Equal(t, []string{"plain 東京タワー"}, ftsHits(t, s, "plain"))
	require.Empty(t, ftsHits(t, s, "r\u00e9sum\u00e9"))
	// Indexed as stored: a CJK run is one token until vestige writes the row again.
	require.Empty(t, ftsHits(t, s, "東京"))
	sql(`UPDATE memories SET metadata = '{"k":1}' WHERE id = '` + m.ID.String() + `'`)

	sql(`INSERT INTO memories (id, content) VALUES ('00000000-0000-4000-8000-000000000001', 'Re' || char(769) || 'sume' || char(769) || ' by hand')`)
	sql(`INSERT INTO memories (id, content) VALUES ('00000000-0000-4000-8000-000000000002', '我们今天开会')`)
	require.NoError(t, s.write(ctx, reindexAllFTS))
	requireIndexIsSource(t, plain)
	require.Equal(t, []string{"plain 東京タワー"}, ftsHits(t, s, "東京"))
	require.Equal(t, []string{"Re\u0301sume\u0301 by hand"}, ftsHits(t, s, "r\u00e9sum\u00e9"))
	require.Equal(t, []string{"我们今天开会"}, ftsHits(t, s, "开会"))

	sql(`DELETE FROM memories WHERE id = '00000000-0000-4000-8000-000000000002'`)
	require.Empty(t, ftsHits(t, s, "开会"))
	sql(`UPDATE memories SET tags = '["x"]' WHERE id = '00000000-0000-4000-8000-000000000001'`)
	require.NoError(t, s.Delete(ctx, m.ID))
	requireIndexIsSource(t, plain)
	n, err := sqlitex.ResultInt(plain.Prep(`SELECT count(*) FROM memories_fts_text`))
	require.NoError(t, err)
	require.Zero(t, n, "no text is kept for a row indexed as stored, or for a deleted row")
}

// Migration 004 re-indexes existing rows; its down part puts the index back to the text as
// stored.
func TestMigration004(t *testing.T) {
	ctx := context.Background()
	s := openInternal(t)
	require.NoError(t, s.MigrateTo(ctx, 3))
	require.NoError(t, s.write(ctx, func(conn *sqlite.Conn) error {
		return exec(conn, `INSERT INTO memories (id, content, tags) VALUES
			('00000000-0000-4000-8000-000000000001', 'Re' || char(769) || 'sume' || char(769), '["会議室"]'),
			('00000000-0000-4000-8000-000000000002', 'plain words', '[]')`)
	}))
	check := func() {
		t.Helper()
		require.NoError(t, s.read(ctx, func(conn *sqlite.Conn) error {
			requireIndexIsSource(t, conn)
			return nil
		}))
	}
	check()
	require.NoError(t, s.Migrate(ctx))
	check()
	require.Len(t, ftsHits(t, s, "r\u00e9sum\u00e9"), 1)
	require.Len(t, ftsHits(t, s, "議室"), 1)
	require.NoError(t, s.MigrateTo(ctx, 3))
	check()
	require.NoError(t, s.Migrate(ctx))
	check()
}
