package sqlitestore

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"zombiezen.com/go/sqlite"

	"github.com/vestige-mem/vestige/client/store"
)

func openInternal(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "vestige.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// Query terms must be stemmed exactly as the index stems memories.
func TestQueryTokenizerIsTheIndexTokenizer(t *testing.T) {
	s := openInternal(t)
	var ddl string
	require.NoError(t, s.read(context.Background(), func(conn *sqlite.Conn) error {
		_, err := queryOne(conn, `SELECT sql FROM sqlite_schema WHERE name = 'memories_fts'`,
			func(stmt *sqlite.Stmt) error { ddl = stmt.ColumnText(0); return nil })
		return err
	}))
	require.Contains(t, ddl, "tokenize = '"+queryTokenizer+"'")
}

// bind converts every value itself: a typed nil pointer is NULL (zombiezen's reflection would
// store "<nil>"), times are microseconds, vectors little-endian float32, and a type it does
// not know is an error rather than its fmt.Sprint form.
func TestBindConvertsEveryValue(t *testing.T) {
	s := openInternal(t)
	ts := time.Date(2025, 5, 30, 1, 3, 22, 123456789, time.FixedZone("x", 3600))
	var nilTime *time.Time
	var nilInt *int
	var nilFloat *float64
	id := uuid.MustParse("4B1D0000-0000-4000-8000-00000000ABCD")
	require.NoError(t, s.read(context.Background(), func(conn *sqlite.Conn) error {
		_, err := queryOne(conn, `SELECT typeof(?1), typeof(?2), typeof(?3), ?4, ?5, hex(?6), ?7, ?8, ?9, typeof(?10)`,
			func(stmt *sqlite.Stmt) error {
				for i := range 3 {
					require.Equal(t, "null", stmt.ColumnText(i))
				}
				require.Equal(t, ts.UnixMicro(), stmt.ColumnInt64(3))
				require.Equal(t, "4b1d0000-0000-4000-8000-00000000abcd", stmt.ColumnText(4))
				require.Equal(t, "0000803F000000C0", stmt.ColumnText(5)) // 1, -2
				require.Equal(t, `["a","<b>"]`, stmt.ColumnText(6))
				require.Equal(t, `{"k":{"n":1.5}}`, stmt.ColumnText(7))
				require.Equal(t, `[]`, stmt.ColumnText(8))
				require.Equal(t, "null", stmt.ColumnText(9))
				return nil
			}, nilTime, nilInt, nilFloat, ts, id, []float32{1, -2}, []string{"a", "<b>"},
			map[string]any{"k": map[string]any{"n": 1.5}}, []string(nil), []float32(nil))
		return err
	}))
	err := s.read(context.Background(), func(conn *sqlite.Conn) error {
		return exec(conn, `SELECT ?1`, struct{}{})
	})
	require.ErrorContains(t, err, "no SQLite encoding for struct {}")
	err = s.read(context.Background(), func(conn *sqlite.Conn) error {
		return exec(conn, `SELECT ?1`, time.Date(300000, 1, 1, 0, 0, 0, 0, time.UTC))
	})
	require.ErrorContains(t, err, "outside the range")
}

func TestQueryTextDropsStopWordsAndSyntax(t *testing.T) {
	for in, want := range map[string]string{
		`the of and`:                    ``,
		`"Rust" AND (traits) OR NOT x*`: `rust traits x`,
		`don't stop`:                    `stop`,
		"a\x00b \xff café 🚀 rust rust":  `b café rust`,
		`v1.2.3-beta`:                   `v1 2 3 beta`,
		`NEAR(a b, 3) ^c:d`:             `near b 3 c d`,
	} {
		require.Equal(t, want, ftsQueryText(in), "%q", in)
	}
	require.True(t, isStopWord("ourselves"))
	require.False(t, isStopWord("rust"))
	require.Equal(t, 1, strings.Count(ftsQueryText(strings.Repeat("word ", 2000)), "word"))
}

func TestForgettingCurve(t *testing.T) {
	const w20 = 0.1542
	require.Equal(t, 1.0, forgettingCurve(5, 0, w20))
	require.Equal(t, 1.0, forgettingCurve(5, -1, w20))
	require.Equal(t, 0.0, forgettingCurve(0, 3, w20))
	require.InDelta(t, 0.9, forgettingCurve(7, 7, w20), 1e-12, "R(S, S) = 0.9")
}

// Only the first 64 distinct terms of the first 100,000 characters count (vestige_fts_terms).
func TestQueryTermBounds(t *testing.T) {
	ctx := context.Background()
	s := openInternal(t)
	m, err := s.Insert(ctx, store.Memory{Content: "needle"})
	require.NoError(t, err)
	words := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "w%dx ", i)
		}
		return b.String()
	}
	for _, c := range []struct {
		text  string
		found bool
	}{
		{words(63) + "needle", true},
		{words(64) + "needle", false},
		{words(63) + "w1x w2x needle", true}, // repeats are one term
		{strings.Repeat(" ", 99_993) + "needle", true},
		{strings.Repeat("é", 99_995) + " needle", false},
	} {
		res, err := s.FTSSearch(ctx, store.SearchQuery{Text: c.text})
		require.NoError(t, err)
		require.Equal(t, c.found, len(res) == 1 && res[0].Memory.ID == m.ID, "%.40q…", c.text[max(0, len(c.text)-40):])
	}
	require.Equal(t, "ab", firstChars("abc", 2))
	require.Equal(t, "éé", firstChars("ééé", 2))
	require.Equal(t, "é", firstChars("é", 5))
}

// plainStrings reads what json.Unmarshal reads, for the text it takes; encodeJSON's own
// arrays of plain strings are among them.
func TestPlainStringsIsUnmarshal(t *testing.T) {
	for _, c := range []struct {
		text string
		ok   bool
	}{
		{`[]`, true}, {`["a"]`, true}, {`["a","b c"]`, true}, {`["é","会議","🙂"]`, true}, {`[""]`, true},
		{`["a\"b"]`, false}, {`["a\u0041"]`, false}, {`[ "a" ]`, false}, {`["a",]`, false}, {`["a""b"]`, false},
		{"[\"\xff\"]", false}, {"[\"a\tb\"]", false}, {`[1]`, false}, {`null`, false}, {`["a",`, false}, {`[`, false},
		{`["a"`, false}, {`[,"a"]`, false}, {`"a"`, false},
	} {
		got, ok := plainStrings(c.text)
		require.Equal(t, c.ok, ok, "%q", c.text)
		if !ok {
			continue
		}
		var want []string
		require.NoError(t, json.Unmarshal([]byte(c.text), &want), "%q", c.text)
		require.Equal(t, want, got, "%q", c.text)
		require.NotNil(t, got)
	}
	for _, tags := range [][]string{{}, {"a"}, {"work", "deploy pipeline", "café", "会議室"}} {
		text, err := encodeJSON(tags)
		require.NoError(t, err)
		got, ok := plainStrings(text)
		require.True(t, ok, text)
		require.Equal(t, tags, got)
	}
}

// plainStringsText writes what encoding/json writes (with encodeJSON's two differences: <, >
// and & unescaped, U+2028 and U+2029 as themselves), for the strings it takes.
func TestPlainStringsTextIsTheEncoder(t *testing.T) {
	for _, c := range []struct {
		in []string
		ok bool
	}{
		{[]string{}, true}, {[]string{"a"}, true}, {[]string{"a b", "<&>", "é", "会議", "🙂", "\u2028x\u2029", "\x7f"}, true},
		{[]string{""}, true}, {[]string{`a"b`}, false}, {[]string{`a\b`}, false}, {[]string{"a\nb"}, false},
		{[]string{"\xff"}, false}, {[]string{"ok", "\x01"}, false},
	} {
		got, ok := plainStringsText(c.in)
		require.Equal(t, c.ok, ok, "%q", c.in)
		if !ok {
			continue
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		require.NoError(t, enc.Encode(c.in))
		require.Equal(t, unescapeLineSeparators(bytes.TrimRight(buf.Bytes(), "\n")), got, "%q", c.in)
	}
}
