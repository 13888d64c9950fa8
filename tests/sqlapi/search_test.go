package sqlapi_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// A psql user calls the functions with no SET and no schema prefix, and \df+ shows each one
// with its comment.
func TestFunctionsAreCallableAndCommented(t *testing.T) {
	d := newDB(t)
	d.registerModel()
	d.insert("rust async trait objects", nil, nil, "")
	got := d.search(`vestige_search('rust trait', NULL, 5)`)
	require.Len(t, got, 1)

	rows, err := d.conn.Query(context.Background(), `
		SELECT p.proname, coalesce(obj_description(p.oid, 'pg_proc'), '')
		  FROM pg_proc p WHERE p.proname LIKE 'vestige\_%' ORDER BY 1`)
	require.NoError(t, err)
	comments := map[string]string{}
	for rows.Next() {
		var name, comment string
		require.NoError(t, rows.Scan(&name, &comment))
		comments[name] = comment
	}
	require.NoError(t, rows.Err())
	for _, fn := range []string{"vestige_search", "vestige_fts_search", "vestige_vector_search",
		"vestige_classify", "vestige_ensure_embedding_model", "vestige_neighbors", "vestige_due",
		"vestige_retrievability", "vestige_stats", "vestige_review"} {
		require.Contains(t, comments, fn)
	}
	for name, comment := range comments {
		require.NotEmpty(t, comment, "%s has no COMMENT ON FUNCTION", name)
	}
}

// The plan's five hybrid-search cases, on 20 memories with known content.
func TestHybridSearchRRF(t *testing.T) {
	d := newDB(t)
	d.registerModel()
	rusty := []string{"rust async trait objects", "rust trait bounds and generics", "implementing a rust trait for a struct"}
	others := []string{"postgres hnsw vector index", "fastembed onnx model download", "garden tomatoes need water",
		"kubernetes pod restarts", "python virtualenv activation", "docker image layers cache",
		"sourdough starter feeding schedule", "golang channels and select", "terraform state locking",
		"bicycle chain lubrication", "react hooks dependency array", "sql window functions ranking",
		"coffee grinder burr size", "linux cgroups memory limits", "typescript generics inference",
		"jazz chord voicings", "marathon training long runs"}
	rustIDs := map[uuid.UUID]bool{}
	for i, c := range append(append([]string{}, rusty...), others...) {
		dom := "home"
		if i%2 == 0 {
			dom = "dev"
		}
		id := d.insert(c, []string{dom}, nil, "")
		if i < len(rusty) {
			rustIDs[id] = true
		}
	}

	t.Run("1 text only", func(t *testing.T) {
		got := d.search(`vestige_search(query_text => 'rust trait', query_embedding => NULL)`)
		require.Len(t, got, 3)
		for _, r := range got {
			require.True(t, rustIDs[r.ID], r.Content)
			require.NotNil(t, r.FTSScore)
			require.Nil(t, r.VectorScore)
			require.Nil(t, r.VectorRank)
		}
	})
	t.Run("2 vector only", func(t *testing.T) {
		got := d.search(`vestige_search(query_text => NULL, query_embedding => $1::vector, match_count => 3)`, d.vec("rust trait"))
		require.Len(t, got, 3)
		for _, r := range got {
			require.True(t, rustIDs[r.ID], r.Content)
			require.NotNil(t, r.VectorScore)
			require.Nil(t, r.FTSScore)
			require.Nil(t, r.FTSRank)
		}
	})
	// hash-384's default vector weight is 0 (vestige_fusion_defaults): the plan's cases fuse
	// both branches, so they name equal weights.
	t.Run("3 hybrid", func(t *testing.T) {
		got := d.search(`vestige_search(query_text => 'rust trait', query_embedding => $1::vector, match_count => 5,
			fts_weight => 1, vector_weight => 1)`, d.vec("rust trait"))
		require.NotEmpty(t, got)
		top := got[0]
		require.True(t, rustIDs[top.ID])
		require.NotNil(t, top.FTSScore)
		require.NotNil(t, top.VectorScore)
		if *top.FTSRank == 1 && *top.VectorRank == 1 {
			require.InDelta(t, 2.0/61, top.RRF, 1e-12)
		}
		require.GreaterOrEqual(t, top.RRF, 1.0/61+1.0/63, "ranked in the top 3 of both branches")
		for i := 1; i < len(got); i++ {
			require.GreaterOrEqual(t, got[i-1].RRF, got[i].RRF, "ordered by rrf_score")
		}
	})
	t.Run("4 domain filter", func(t *testing.T) {
		got := d.search(`vestige_search(query_text => 'rust trait', query_embedding => $1::vector,
			match_count => 20, domain_filter => ARRAY['dev'], vector_weight => 1)`, d.vec("rust trait"))
		require.Len(t, got, 10, "every dev memory has a vector, so the page holds all ten")
		var n int
		for _, r := range got {
			require.NoError(t, d.conn.QueryRow(context.Background(),
				`SELECT count(*) FROM memories WHERE id = $1 AND 'dev' = ANY(domains)`, r.ID).Scan(&n))
			require.Equal(t, 1, n, r.Content)
		}
	})
	t.Run("5 one input empty equals the single-branch search", func(t *testing.T) {
		v := d.vec("rust trait")
		require.Equal(t, ids(d.search(`vestige_vector_search($1::vector, 5)`, v)),
			ids(d.search(`vestige_search('', $1::vector, 5)`, v)))
		require.Equal(t, ids(d.search(`vestige_fts_search('rust trait', 5)`)),
			ids(d.search(`vestige_search('rust trait', NULL, 5)`)))
	})
}

func TestSearchErrors(t *testing.T) {
	d := newDB(t)
	d.registerModel()
	d.insert("rust async trait objects", nil, nil, "")

	_, err := d.query(`vestige_search(NULL, NULL)`)
	requireState(t, err, "VS001", "empty query")
	_, err = d.query(`vestige_search('', NULL)`)
	requireState(t, err, "VS001")
	_, err = d.query(`vestige_fts_search('')`)
	requireState(t, err, "VS001")
	_, err = d.query(`vestige_vector_search(NULL)`)
	requireState(t, err, "VS001")

	_, err = d.query(`vestige_search('rust', '[1,2,3]'::vector)`)
	requireState(t, err, "VS002", "3 dimensions", "384")
	_, err = d.query(`vestige_search('rust', $1::vector, 0)`, d.vec("x"))
	requireState(t, err, "VS006", "match_count")
	_, err = d.query(`vestige_search('rust', NULL, min_retrievability => 2)`)
	requireState(t, err, "VS006", "min_retrievability")

	_, err = d.conn.Exec(context.Background(), `SELECT vestige_ensure_embedding_model('other-model', 768, 'abc')`)
	requireState(t, err, "VS003", "hash-384", "other-model", "768", "384", "vestige migrate reembed")
	var created bool
	require.NoError(t, d.conn.QueryRow(context.Background(), `SELECT vestige_ensure_embedding_model($1, $2, $3)`,
		d.emb.ModelName(), d.emb.Dimension(), d.emb.ModelHash()).Scan(&created))
	require.False(t, created, "the same model passes")
}

func TestEmbeddingWritesNeedTheRegisteredModel(t *testing.T) {
	d := newDB(t)
	_, err := d.conn.Exec(context.Background(), `INSERT INTO memories (content, embedding) VALUES ('x', '[1,2,3]')`)
	requireState(t, err, "VS004", "no embedding model is registered")
	var created bool
	require.NoError(t, d.conn.QueryRow(context.Background(), `SELECT vestige_ensure_embedding_model('m3', 3, 'h')`).Scan(&created))
	require.True(t, created)
	d.exec(`INSERT INTO memories (content, embedding) VALUES ('x', '[1,2,3]')`)
	var indexed int
	require.NoError(t, d.conn.QueryRow(context.Background(),
		`SELECT count(*) FROM pg_indexes WHERE indexname = 'idx_memories_embedding_hnsw'`).Scan(&indexed))
	require.Equal(t, 1, indexed, "the first registration builds the HNSW index")
	_, err = d.conn.Exec(context.Background(), `INSERT INTO memories (content, embedding) VALUES ('y', '[1,2]')`)
	require.Error(t, err, "a vector of another dimension is refused")
}

// Raw user text never raises, whatever it holds.
func TestHostileTextNeverRaises(t *testing.T) {
	d := newDB(t)
	d.registerModel()
	d.insert("don't panic: version 1.2.3 of the foo-bar tool (beta)", nil, nil, "")
	hostile := []string{
		`'`, `''`, `"`, `"unbalanced`, `it's`, `don't stop`, `foo-bar`, `-foo`, `--`, `a & b`, `a | b`, `!a`,
		`!!`, `(`, `)`, `((a)`, `a)`, `a:*`, `*`, `:*`, `a <-> b`, `<->`, `<2>`, `a & | ! ( ) : * < - >`,
		`\`, `\\'`, `'; DROP TABLE memories; --`, `$$`, `1.2.3`, `v1.2.3-beta`, `AND OR NOT`, `NEAR(a b)`,
		`^`, `a^2`, `:`, `:a`, `a:`, `🚀 rocket`, "tab\there", "new\nline", strings.Repeat("word ", 2000),
		strings.Repeat("(", 500), `the of and`, `???`, `@#$%^&*`,
	}
	for _, q := range hostile {
		_, err := d.query(`vestige_fts_search($1, 10)`, q)
		require.NoError(t, err, "%q", q)
		_, err = d.query(`vestige_search($1, $2::vector, 10)`, q, d.vec("panic"))
		require.NoError(t, err, "%q", q)
	}
	got := d.search(`vestige_fts_search($1, 10)`, `"don't" (panic) & 1.2.3 | foo-bar!!`)
	require.Len(t, got, 1)
}

// A long natural-language question finds the memories that share its important words, even
// when no memory holds them all.
func TestLongQuestionFindsEveryRelevantMemory(t *testing.T) {
	d := newDB(t)
	d.registerModel()
	relevant := []string{
		"The kubernetes ingress controller returned 502 errors after the certificate rotation.",
		"We pinned the terraform provider version because the upgrade broke state locking.",
		"Grafana dashboards showed the postgres replication lag spiking every night at backup time.",
		"The flaky integration test was caused by a race in the redis connection pool.",
		"Our latency budget for the checkout service is 200 milliseconds at p99.",
	}
	want := map[uuid.UUID]bool{}
	for _, c := range relevant {
		want[d.insert(c, nil, nil, "")] = true
	}
	// Distractors share the question's everyday words but none of its important ones.
	fillers := []string{"we", "should", "know", "what", "happened", "last", "week", "with", "team", "please",
		"tell", "about", "things", "people", "said", "time", "good", "day", "also", "think"}
	for i := 0; i < 200; i++ {
		var words []string
		for j := 0; j < 8; j++ {
			words = append(words, fillers[(i*7+j*3)%len(fillers)])
		}
		d.insert(strings.Join(words, " ")+fmt.Sprintf(" note %d", i), nil, nil, "")
	}
	question := "Can you tell me what we know about the kubernetes ingress certificate problem, " +
		"the terraform provider state locking issue, postgres replication lag during backup, the flaky " +
		"redis pool race, and the checkout latency budget that the team said last week?"
	require.Equal(t, 40, len(strings.Fields(question)))
	got := d.search(`vestige_fts_search(query_text => $1, match_count => 10)`, question)
	found := 0
	for _, r := range got {
		if want[r.ID] {
			found++
		}
	}
	require.Equal(t, 5, found, "all five relevant memories in the top 10: %v", got)
}

// A query embedding must have a direction: a norm outside [1e-06, 1e+06] (store.MinVectorNorm,
// MaxVectorNorm) is refused with VS006 naming the query embedding and the bound, before any
// other check, by every function that takes one. pgvector itself refuses NaN and infinities.
func TestQueryEmbeddingNorm(t *testing.T) {
	d := newDB(t)
	d.exec(`SELECT vestige_ensure_embedding_model('random-4', 4, 'test')`)
	d.exec(`INSERT INTO memories (content, embedding) VALUES ('direction probe', '[1,0,0,0]')`)
	for _, c := range []struct{ vec, want string }{
		{"[1e-45,0,0,0]", "below the 1e-06 allowed"},
		{"[1e-7,0,0,0]", "below the 1e-06 allowed"},
		{"[2e6,0,0,0]", "above the 1e+06 allowed"},
		{"[3e38,3e38,0,0]", "above the 1e+06 allowed"},
		{"[0,0,0,0]", "zero vector"},
		{"[1e-45,0]", "below the 1e-06 allowed"}, // before the dimension check
	} {
		for _, call := range []string{
			`vestige_search(NULL, $1::vector)`, `vestige_search('probe', $1::vector, 5)`,
			`vestige_vector_search($1::vector)`, `vestige_vector_search($1::vector, 5, domain_filter => ARRAY['x'])`,
		} {
			_, err := d.query(call, c.vec)
			requireState(t, err, "VS006", "query embedding", c.want)
		}
		_, err := d.conn.Exec(context.Background(), `SELECT * FROM vestige_vector_ranked($1::vector, 5)`, c.vec)
		requireState(t, err, "VS006", "query embedding", c.want)
	}
	for _, vec := range []string{"[2e-6,0,0,0]", "[5e5,0,0,0]"} {
		got := d.search(`vestige_vector_search($1::vector)`, vec)
		require.Len(t, got, 1, vec)
		require.InDelta(t, 1, *got[0].VectorScore, 1e-6, vec)
	}
}

// No search returns a NaN score, even over a stored vector pgvector cannot score (written
// before the norm rules, or with the rules' trigger off): that row is left out of the vector
// branch.
func TestNoNaNScores(t *testing.T) {
	d := newDB(t)
	d.exec(`SELECT vestige_ensure_embedding_model('random-4', 4, 'test')`)
	ok := d.insertRaw(`'legit probe one', '[1,0,0,0]'`)
	ok2 := d.insertRaw(`'legit probe two', '[0,1,0,0]'`)
	// A row as an older schema let it in: user triggers off for this one statement.
	d.exec(`SET session_replication_role = replica`)
	tiny := d.insertRaw(`'tiny probe', '[1e-45,0,0,0]'`)
	d.exec(`RESET session_replication_role`)
	var distance float64
	require.NoError(t, d.conn.QueryRow(context.Background(),
		`SELECT embedding <=> '[0,1,0,0]' FROM memories WHERE id = $1`, tiny).Scan(&distance))
	require.True(t, math.IsNaN(distance), "pgvector scores this row NaN")

	for _, call := range []string{
		`vestige_vector_search('[0,1,0,0]', 10)`,
		`vestige_vector_search('[0,1,0,0]', 10, tag_filter => '{}', min_retrievability => 0)`,
		`vestige_search('probe', '[0,1,0,0]', 10)`,
	} {
		got := d.search(call)
		for _, r := range got {
			require.NotNil(t, r.RRF, call)
			require.False(t, math.IsNaN(r.RRF), call)
			if r.VectorScore != nil {
				require.False(t, math.IsNaN(*r.VectorScore), "%s: %s", call, r.Content)
				require.NotEqual(t, tiny, r.ID, "%s: the row without a direction has no vector rank", call)
			}
		}
		require.Contains(t, ids(got), ok, call)
		require.Contains(t, ids(got), ok2, call)
	}
}

func (d *db) insertRaw(values string) uuid.UUID {
	d.t.Helper()
	var id uuid.UUID
	require.NoError(d.t, d.conn.QueryRow(context.Background(),
		`INSERT INTO memories (content, embedding) VALUES (`+values+`) RETURNING id`).Scan(&id))
	return id
}

// Query text: the first 100,000 characters count (store.MaxQueryTextChars), as on SQLite
// and through the Go client; a word past 32 KiB still finds its memory.
func TestQueryTextBound(t *testing.T) {
	d := newDB(t)
	d.registerModel()
	target := d.insert("zyzzyva beetles", nil, nil, "")
	d.insert("gardening tomatoes season", nil, nil, "")
	const unit = "lorem café ipsum " // 17 characters, 18 bytes
	pad := func(chars int) string { return strings.Repeat(unit, chars/17) + strings.Repeat(" ", chars%17) }
	for _, c := range []struct {
		text  string
		found bool
	}{
		{pad(40<<10) + "zyzzyva", true},
		{pad(100000-7) + "zyzzyva", true},
		{pad(100000) + " zyzzyva", false},
	} {
		got := d.search(`vestige_fts_search($1)`, c.text)
		if c.found {
			require.Equal(t, []uuid.UUID{target}, ids(got), "%d characters", len([]rune(c.text)))
		} else {
			require.Empty(t, got, "%d characters", len([]rune(c.text)))
		}
	}
}
