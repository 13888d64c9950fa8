package sqlitestore

import (
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"golang.org/x/text/unicode/norm"
	"zombiezen.com/go/sqlite"
)

// ftsText is the text the full-text index and the query see instead of the text as stored,
// Postgres' memories_search_text (sql/migrations/004_tokens.sql) rule for rule
// (docs/fts-ranking.md, "Tokens"):
//
//   - NFC: a composed é and an e followed by U+0301 are the same word;
//   - every run of Chinese or Japanese characters (scripts written without spaces) becomes
//     its overlapping pairs of characters ("今日は" → "今日 日は"; a lone character stays
//     itself), set apart from its neighbours by spaces, so a two-character query finds it.
//
// Punctuation needs no work here: FTS5's unicode61 splits at every character that is not a
// letter, digit or private-use character (alice@example.com → alice, example, com), which is
// what Postgres does after memories_search_text blanks ASCII punctuation.
func ftsText(s string) string {
	s = norm.NFC.String(s)
	if !strings.ContainsFunc(s, isCJK) {
		return s
	}
	var b strings.Builder
	var run []rune
	flush := func() {
		if len(run) == 0 {
			return
		}
		b.WriteByte(' ')
		for i := 0; i < max(len(run)-1, 1); i++ {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(string(run[i:min(i+2, len(run))]))
		}
		b.WriteByte(' ')
		run = run[:0]
	}
	for _, r := range s {
		if isCJK(r) {
			run = append(run, r)
			continue
		}
		flush()
		b.WriteRune(r)
	}
	flush()
	return b.String()
}

// isCJK reports the characters ftsText pairs: Han ideographs (with 々 〆 〇), hiragana,
// katakana (with ー; without the middle dot ・, punctuation) and half-width katakana. The
// ranges are memories_search_text's bracket expression, one for one. Hangul is not here:
// Korean separates words with spaces.
func isCJK(r rune) bool {
	switch {
	case r >= 0x3005 && r <= 0x3007,
		r >= 0x3041 && r <= 0x3096, r >= 0x309D && r <= 0x309F,
		r >= 0x30A1 && r <= 0x30FA, r >= 0x30FC && r <= 0x30FF,
		r >= 0x3400 && r <= 0x4DBF, r >= 0x4E00 && r <= 0x9FFF, r >= 0xF900 && r <= 0xFAFF,
		r >= 0xFF66 && r <= 0xFF9F,
		r >= 0x20000 && r <= 0x2FFFF:
		return true
	}
	return false
}

// indexFTS makes the index hold ftsText of memory rid's columns. The triggers of
// sql/sqlite/004_tokens.sql index the text as stored (SQL has no NFC); the Go store calls
// this after each write of content, node type or tags. Rows whose text is already its own
// ftsText (most) cost one read.
func indexFTS(conn *sqlite.Conn, rid int64) error {
	var content, nodeType, tags string
	var tagsNull bool
	found, err := queryOne(conn, `SELECT content, node_type,
			(SELECT group_concat(t.value, ' ' ORDER BY t.key) FROM json_each(m.tags) t)
		  FROM memories m WHERE rid = ?1`, func(stmt *sqlite.Stmt) error {
		content, nodeType = stmt.ColumnText(0), stmt.ColumnText(1)
		tagsNull = stmt.ColumnType(2) == sqlite.TypeNull
		tags = stmt.ColumnText(2)
		return nil
	}, rid)
	if err != nil || !found {
		return err
	}
	c, n, t := ftsText(content), ftsText(nodeType), ftsText(tags)
	if c == content && n == nodeType && t == tags {
		return nil
	}
	var tagsArg any = t
	if tagsNull {
		tagsArg = nil
	}
	// Delete exactly what is indexed (the view shows it), record the new text, index it.
	for _, step := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO memories_fts (memories_fts, rowid, content, node_type, tags)
		  SELECT 'delete', rid, content, node_type, tags FROM memories_fts_source WHERE rid = ?1`, []any{rid}},
		{`INSERT OR REPLACE INTO memories_fts_text (rid, content, node_type, tags) VALUES (?1, ?2, ?3, ?4)`,
			[]any{rid, c, n, tagsArg}},
		{`INSERT INTO memories_fts (rowid, content, node_type, tags)
		  SELECT rid, content, node_type, tags FROM memories_fts_source WHERE rid = ?1`, []any{rid}},
	} {
		if err := exec(conn, step.sql, step.args...); err != nil {
			return err
		}
	}
	return nil
}

// indexFTSByID is indexFTS for the memory with this id (the store's writes know ids).
func indexFTSByID(conn *sqlite.Conn, id uuid.UUID) error {
	var rid int64
	found, err := queryOne(conn, `SELECT rid FROM memories WHERE id = ?1`, func(stmt *sqlite.Stmt) error {
		rid = stmt.ColumnInt64(0)
		return nil
	}, id)
	if err != nil || !found {
		return err
	}
	return indexFTS(conn, rid)
}

// reindexAllFTS brings every memory's index entry to its ftsText: migration 004 runs it after
// its script, and it repairs rows written by plain SQL. Only rows with text that NFC or the
// CJK pairs change are rewritten.
func reindexAllFTS(conn *sqlite.Conn) error {
	var rids []int64
	err := query(conn, `SELECT rid, content, node_type,
			(SELECT group_concat(t.value, ' ' ORDER BY t.key) FROM json_each(m.tags) t) FROM memories m`, func(stmt *sqlite.Stmt) error {
		for i := range 3 {
			if s := stmt.ColumnText(i + 1); needsFTSText(s) {
				rids = append(rids, stmt.ColumnInt64(0))
				return nil
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, rid := range rids {
		if err := indexFTS(conn, rid); err != nil {
			return err
		}
	}
	return nil
}

// needsFTSText is a quick filter for ftsText(s) != s: ASCII text never changes.
func needsFTSText(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return ftsText(s) != s
		}
	}
	return false
}
