package sqlapi_test

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store/pgstore"
	"github.com/vestige-mem/vestige/tests/testdb"
)

// searchTextInputs is the text memories_search_text is compared on: the tokenisation cases of
// TestTokens, every ASCII character, text that is not in NFC, each CJK range's edges, and
// random strings (ASCII only, and mixed with the characters the function treats apart).
func searchTextInputs() []*string {
	fixed := []string{
		"", " ", "plain words", "Contact alice@example.com about invoices",
		"Docs at https://docs.example.org/guide/setup-steps?lang=en", "A state-of-the-art, well-known compressor",
		"Run BENCH-100821 finished overnight", "R\u00e9sum\u00e9 notes", "Re\u0301sume\u0301 draft",
		"我们今天下午开会讨论预算", "明日は東京で会議があります", "会議室", "会", "Go言語 BENCH-100821 a.b@c.d",
		"ｶﾀｶﾅ and ﾞ", "\U00020000\U00020001x\U0002ffff", "한국어 텍스트", "😀 ok 😀", "\u00a0nbsp\u2003em space",
		"Ω\u0301 K\u212a Å", "ﬁ ligature", "tab\tnew\nline\rcr\x01\x1f\x7f", "々〆〇 ゝゞゟ ァヺ ーヿ 㐀䶿 一鿿 豈﫿",
		"\u3004\u3008\u3040\u3097\u309c\u30a0\u30fb\u33ff\u4dc0\ua000\uf8ff\ufb00\uff65\uffa0\U0001ffff\U00030000",
	}
	var all strings.Builder
	for c := rune(1); c < 128; c++ {
		all.WriteRune(c)
	}
	fixed = append(fixed, all.String())
	for c := rune(1); c < 128; c++ {
		fixed = append(fixed, "a"+string(c)+"b")
	}

	rng := rand.New(rand.NewPCG(7, 13))
	mixed := []rune("abcXYZ019 .,-@/_'\"!?~`{}[]\t\u00e9e\u0301\u00c5A\u030a\u3005\u3041\u30a2\u30fc\u4e00\u4e8c\u9fff\uff66\uff9f\uac00\U00020000\U0002a6d6\U0001f600\u00a0\u200b")
	random := func(alphabet []rune) string {
		r := make([]rune, rng.IntN(60))
		for i := range r {
			r[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(r)
	}
	ascii := make([]rune, 0, 127)
	for c := rune(1); c < 128; c++ {
		ascii = append(ascii, c)
	}
	for range 400 {
		fixed = append(fixed, random(ascii), random(mixed))
	}

	out := []*string{nil}
	for i := range fixed {
		out = append(out, &fixed[i])
	}
	return out
}

type searchVectorInput struct {
	content, nodeType *string
	tags              []*string
}

func searchVectorInputs(texts []*string) []searchVectorInput {
	rng := rand.New(rand.NewPCG(11, 5))
	pick := func() *string { return texts[rng.IntN(len(texts))] }
	out := make([]searchVectorInput, 0, len(texts))
	for _, c := range texts {
		in := searchVectorInput{content: c, nodeType: pick()}
		if rng.IntN(5) > 0 {
			in.tags = make([]*string, rng.IntN(4))
			for i := range in.tags {
				in.tags[i] = pick()
			}
		}
		out = append(out, in)
	}
	return out
}

// searchOutputs is what the schema's functions give for the inputs: memories_search_text of
// each text, and memories_search_vector (as text) of each triple.
func searchOutputs(t *testing.T, conn *pgx.Conn, texts []*string, vecs []searchVectorInput) (text, vector []*string) {
	t.Helper()
	ctx := context.Background()
	b := &pgx.Batch{}
	for _, s := range texts {
		b.Queue(`SELECT memories_search_text($1::text)`, s)
	}
	for _, v := range vecs {
		b.Queue(`SELECT memories_search_vector($1::text, $2::text, $3::text[])::text`, v.content, v.nodeType, v.tags)
	}
	res := conn.SendBatch(ctx, b)
	defer func() { require.NoError(t, res.Close()) }()
	scan := func(n int) []*string {
		out := make([]*string, n)
		for i := range out {
			require.NoError(t, res.QueryRow().Scan(&out[i]))
		}
		return out
	}
	return scan(len(texts)), scan(len(vecs))
}

// Migration 007 replaces memories_search_text and memories_search_vector with faster bodies
// that must give the same result for every input (search_vec is not recomputed), and sets
// memories' toast_tuple_target; its down part puts the old bodies and the default back.
func TestSearchTextMigration(t *testing.T) {
	ctx := context.Background()
	conn := testdb.Conn(t, testdb.New(t))
	require.NoError(t, pgstore.MigrateTo(ctx, conn, 6))
	texts := searchTextInputs()
	vecs := searchVectorInputs(texts)

	language := func(fn string) string {
		t.Helper()
		var l string
		require.NoError(t, conn.QueryRow(ctx, `SELECT l.lanname FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
			WHERE p.oid = $1::regproc`, fn).Scan(&l))
		return l
	}
	reloptions := func() []string {
		t.Helper()
		var o []string
		require.NoError(t, conn.QueryRow(ctx, `SELECT reloptions FROM pg_class WHERE oid = 'memories'::regclass`).Scan(&o))
		return o
	}
	// toasted inserts a memory with a 768-d vector (3 KB, kept in the row) and a content of
	// a few hundred bytes, and says whether anything of it went to the TOAST table.
	toasted := func() bool {
		t.Helper()
		var n int64
		require.NoError(t, conn.QueryRow(ctx, `WITH m AS (
				INSERT INTO memories (content, tags, metadata, embedding)
				VALUES (repeat('a row that fits a page ', 20), '{one,two}', '{"k": "some value"}',
				        array_fill(0.5, ARRAY[768])::vector)
				RETURNING id)
			SELECT count(*) FROM m`).Scan(&n))
		require.Equal(t, int64(1), n)
		require.NoError(t, conn.QueryRow(ctx, `SELECT pg_relation_size(reltoastrelid) FROM pg_class
			WHERE oid = 'memories'::regclass`).Scan(&n))
		_, err := conn.Exec(ctx, `TRUNCATE memories CASCADE`)
		require.NoError(t, err)
		return n > 0
	}

	oldText, oldVec := searchOutputs(t, conn, texts, vecs)
	require.Equal(t, "plpgsql", language("memories_search_text"))
	require.Empty(t, reloptions())
	// What vestige_ensure_embedding_model does (the SQL API is installed at the newest
	// version only): vectors of 768 dimensions, kept in the row.
	for _, q := range []string{
		`INSERT INTO embedding_model (name, dimension, hash) VALUES ('identity-768', 768, 'h')`,
		`ALTER TABLE memories ALTER COLUMN embedding TYPE vector(768)`,
		`ALTER TABLE memories ALTER COLUMN embedding SET STORAGE PLAIN`,
	} {
		_, err := conn.Exec(ctx, q)
		require.NoError(t, err, q)
	}
	require.True(t, toasted(), "version 6: a 3 KB vector pushes the rest of the row out")
	// Rows stored under version 6 keep their search_vec: it must be what version 7 computes.
	// (The value check is off for them: the inputs include text it refuses.)
	b := &pgx.Batch{}
	b.Queue(`ALTER TABLE memories DISABLE TRIGGER trg_memories_check_values`)
	for _, v := range vecs {
		b.Queue(`INSERT INTO memories (content, node_type, tags) VALUES (coalesce($1::text, ''), coalesce($2::text, ''), coalesce($3::text[], '{}'))`,
			v.content, v.nodeType, v.tags)
	}
	b.Queue(`ALTER TABLE memories ENABLE TRIGGER trg_memories_check_values`)
	require.NoError(t, conn.SendBatch(ctx, b).Close())

	require.NoError(t, pgstore.Migrate(ctx, conn))
	newText, newVec := searchOutputs(t, conn, texts, vecs)
	require.Equal(t, oldText, newText, "memories_search_text")
	require.Equal(t, oldVec, newVec, "memories_search_vector")
	require.Equal(t, "sql", language("memories_search_text"), "inlined into its callers")
	require.Equal(t, "plpgsql", language("memories_search_vector"))
	emptyPath(t, conn)
	var stale int
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM memories
		WHERE search_vec IS DISTINCT FROM memories_search_vector(content, node_type, tags)`).Scan(&stale))
	require.Zero(t, stale, "search_vec stored under version 6 is what version 7 computes")
	require.Equal(t, []string{"toast_tuple_target=8160"}, reloptions())
	_, err := conn.Exec(ctx, `TRUNCATE memories CASCADE`)
	require.NoError(t, err)
	require.False(t, toasted(), "version 7: a row that fits a page stays whole")

	require.NoError(t, pgstore.MigrateTo(ctx, conn, 6), "and down again")
	downText, downVec := searchOutputs(t, conn, texts, vecs)
	require.Equal(t, oldText, downText)
	require.Equal(t, oldVec, downVec)
	require.Equal(t, "plpgsql", language("memories_search_text"))
	require.Equal(t, "sql", language("memories_search_vector"))
	emptyPath(t, conn)
	var config []string
	require.NoError(t, conn.QueryRow(ctx, `SELECT proconfig FROM pg_proc WHERE oid = 'memories_search_vector'::regproc`).Scan(&config))
	require.Empty(t, config)
	require.Empty(t, reloptions())
	var helper *string
	require.NoError(t, conn.QueryRow(ctx, `SELECT to_regproc('memories_search_text_unicode')::text`).Scan(&helper))
	require.Nil(t, helper, "the helper is dropped")
	require.True(t, toasted())
}

// emptyPath computes search_vec's expression with an empty search_path, as pg_restore loads
// rows (and a logical replication subscriber writes them): the functions must find what
// they call without it.
func emptyPath(t *testing.T, conn *pgx.Conn) {
	t.Helper()
	ctx := context.Background()
	var schema, want, got string
	require.NoError(t, conn.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema))
	fn := pgx.Identifier{schema, "memories_search_vector"}.Sanitize()
	q := `SELECT ` + fn + `('Contact alice@example.com, Résumé', 'fact', '{会議室,x-y}')::text`
	require.NoError(t, conn.QueryRow(ctx, q).Scan(&want))
	tx, err := conn.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	_, err = tx.Exec(ctx, `SET LOCAL search_path = ''`)
	require.NoError(t, err)
	require.NoError(t, tx.QueryRow(ctx, q).Scan(&got))
	require.Equal(t, want, got)
}
