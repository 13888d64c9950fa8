package sqlitestore

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/tests/testdb"
)

// The stop words are Postgres' own: every word of the server's english.stop is one, and of
// the words of a text, exactly those that to_tsvector('english') drops are.
func TestStopWordsArePostgresEnglish(t *testing.T) {
	ctx := context.Background()
	conn := testdb.Conn(t, testdb.New(t))
	var file string
	require.NoError(t, conn.QueryRow(ctx, `SELECT pg_read_file(
		(SELECT setting FROM pg_config WHERE name = 'SHAREDIR') || '/tsearch_data/english.stop')`).Scan(&file))
	words := strings.Fields(file)
	require.Len(t, words, 127)
	for _, w := range words {
		require.True(t, isStopWord(w), "%q is a Postgres stop word", w)
	}

	text := `The kubernetes ingress returned errors after we rotated certificates; nobody could
		say why, but it was fixed by the time I had gone home. Doing more of this is not what we
		want: should they ask, here is the answer and those are the numbers. Few others were there
		again, once, and will be again. Own it, then: such is our job, not theirs.` + " " + file
	for _, w := range tokens(text) {
		var lexemes int
		require.NoError(t, conn.QueryRow(ctx, `SELECT length(to_tsvector('english', $1))`, w).Scan(&lexemes))
		require.Equal(t, lexemes == 0, isStopWord(w), "%q", w)
	}
}
