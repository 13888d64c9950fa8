package sqlapi_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/embedder"
	"github.com/vestige-mem/vestige/tests/testdb"
)

type activation struct {
	ID   uuid.UUID
	Act  float64
	Hops int32
}

func (d *db) neighbors(sql string, args ...any) []activation {
	d.t.Helper()
	rows, err := d.conn.Query(context.Background(), `SELECT memory_id, activation, hops FROM `+sql, args...)
	require.NoError(d.t, err)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[activation])
	require.NoError(d.t, err)
	return out
}

// Start node 1.0; ×0.7 and × the edge weight per hop; the best path wins even when it is
// longer; edges are walked in both directions.
func TestNeighborsSpreadingActivation(t *testing.T) {
	d := newDB(t)
	d.registerModel()
	a := d.insert("node a", nil, nil, "")
	b := d.insert("node b", nil, nil, "")
	c := d.insert("node c", nil, nil, "")
	e := d.insert("node e", nil, nil, "")
	far := d.insert("node far", nil, nil, "")
	edge := func(src, dst uuid.UUID, typ string, w float64) {
		d.exec(`INSERT INTO edges (source_id, target_id, edge_type, weight) VALUES ($1, $2, $3, $4)`, src, dst, typ, w)
	}
	edge(a, b, "related", 1.0)   // a → b
	edge(c, b, "related", 0.5)   // c → b: reached from a against the edge's direction
	edge(a, e, "related", 0.1)   // weak direct edge a → e ...
	edge(b, e, "causes", 1.0)    // ... beaten by the two-hop path a → b → e
	edge(far, c, "related", 1.0) // three hops from a

	got := d.neighbors(`vestige_neighbors(node_id => $1, depth => 3)`, a)
	want := []activation{
		{a, 1.0, 0},
		{b, 0.7, 1},
		{e, 0.49, 2},
		{c, 0.7 * 0.7 * 0.5, 2},
		{far, 0.7 * 0.7 * 0.5 * 0.7, 3},
	}
	require.Len(t, got, len(want))
	for i := range want {
		require.Equal(t, want[i].ID, got[i].ID, "row %d", i)
		require.InDelta(t, want[i].Act, got[i].Act, 1e-12, "row %d", i)
		require.Equal(t, want[i].Hops, got[i].Hops, "row %d", i)
	}

	depth1 := d.neighbors(`vestige_neighbors($1, 1)`, a)
	require.Len(t, depth1, 3, "a, b and the weak direct e")
	require.InDelta(t, 0.07, depth1[2].Act, 1e-12)

	typed := d.neighbors(`vestige_neighbors($1, 3, edge_type => 'causes')`, a)
	require.Len(t, typed, 1, "no 'causes' edge touches a")
	require.Len(t, d.neighbors(`vestige_neighbors($1, 0)`, a), 1)

	_, err := d.conn.Exec(context.Background(), `SELECT * FROM vestige_neighbors($1, 2)`, uuid.New())
	requireState(t, err, "VS005")
	_, err = d.conn.Exec(context.Background(), `SELECT * FROM vestige_neighbors($1, 11)`, a)
	requireState(t, err, "VS006")
	_, err = d.conn.Exec(context.Background(), `INSERT INTO edges (source_id, target_id, weight) VALUES ($1, $2, 1.5)`, b, c)
	requireState(t, err, "23514")
}

func TestClassifyNearestCentroidFirst(t *testing.T) {
	d := newDB(t)
	d.registerModel()
	for _, dom := range []struct{ id, text string }{
		{"dev", "rust golang compiler code"}, {"home", "garden kitchen tomatoes"}, {"ops", "kubernetes deploy pager"},
	} {
		d.exec(`INSERT INTO domains (id, label, centroid) VALUES ($1, $1, $2::vector)`, dom.id, d.vec(dom.text))
	}
	d.exec(`INSERT INTO domains (id, label) VALUES ('empty', 'no centroid')`)
	rows, err := d.conn.Query(context.Background(), `SELECT domain_id, similarity FROM vestige_classify($1::vector)`, d.vec("tomatoes in my garden"))
	require.NoError(t, err)
	type class struct {
		ID  string
		Sim float64
	}
	got, err := pgx.CollectRows(rows, pgx.RowToStructByPos[class])
	require.NoError(t, err)
	require.Len(t, got, 3, "the domain without a centroid is skipped")
	require.Equal(t, "home", got[0].ID)
	require.Greater(t, got[0].Sim, got[1].Sim)
	require.GreaterOrEqual(t, got[1].Sim, got[2].Sim)

	_, err = d.conn.Exec(context.Background(), `SELECT * FROM vestige_classify('[1,2]'::vector)`)
	requireState(t, err, "VS002", "2 dimensions", "384")
}

// New memories count as R = 1; a memory last reviewed long ago with little stability is
// forgotten; due lists new memories by creation time.
func TestRetrievabilityAndDue(t *testing.T) {
	d := newDB(t)
	d.registerModel()
	ctx := context.Background()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var newIDs []uuid.UUID
	for i := 0; i < 3; i++ {
		id := d.insert("rust memory "+string(rune('a'+i)), nil, nil, "")
		// Created in reverse order of insertion, to show due sorts by creation time.
		d.exec(`UPDATE memories SET created_at = $2 WHERE id = $1`, id, base.Add(time.Duration(3-i)*time.Hour))
		newIDs = append(newIDs, id)
	}
	old := d.insert("rust memory reviewed long ago", nil, nil, "")
	d.exec(`UPDATE memories SET created_at = $2 WHERE id = $1`, old, base.Add(-time.Hour))
	d.exec(`INSERT INTO scheduling (memory_id, stability, difficulty, last_review, next_review, state)
		VALUES ($1, 1.0, 5.0, now() - interval '400 days', $2, 2)`, old, base.AddDate(0, 0, 100))

	var r float64
	require.NoError(t, d.conn.QueryRow(ctx, `SELECT vestige_retrievability($1)`, newIDs[0]).Scan(&r))
	require.Equal(t, 1.0, r)
	require.NoError(t, d.conn.QueryRow(ctx, `SELECT vestige_retrievability(memory_id => $1)`, old).Scan(&r))
	require.Less(t, r, 0.5)

	kept := d.search(`vestige_fts_search('rust', 10, min_retrievability => 0.9)`)
	require.ElementsMatch(t, newIDs, ids(kept), "new memories kept, the forgotten one dropped")
	kept = d.search(`vestige_vector_search($1::vector, 10, min_retrievability => 0.9)`, d.vec("rust memory"))
	require.ElementsMatch(t, newIDs, ids(kept))
	require.Len(t, d.search(`vestige_fts_search('rust', 10)`), 4)

	rows, err := d.conn.Query(ctx, `SELECT id, due_at, state FROM vestige_due(before => $1, match_count => 10)`, base.Add(10*time.Hour))
	require.NoError(t, err)
	type due struct {
		ID    uuid.UUID
		DueAt time.Time
		State *int16
	}
	got, err := pgx.CollectRows(rows, pgx.RowToStructByPos[due])
	require.NoError(t, err)
	require.Len(t, got, 3, "the reviewed memory is due after `before`")
	require.Equal(t, []uuid.UUID{newIDs[2], newIDs[1], newIDs[0]}, []uuid.UUID{got[0].ID, got[1].ID, got[2].ID})
	for _, g := range got {
		require.Nil(t, g.State, "new cards have no scheduling state")
	}
	var all int
	require.NoError(t, d.conn.QueryRow(ctx, `SELECT count(*) FROM vestige_due()`).Scan(&all))
	require.Equal(t, 4, all, "by now the reviewed memory is overdue too")
	_, err = d.conn.Exec(ctx, `SELECT vestige_retrievability($1)`, uuid.New())
	requireState(t, err, "VS005")
}

func TestStats(t *testing.T) {
	d := newDB(t)
	var memories, withEmb int64
	var model *string
	require.NoError(t, d.conn.QueryRow(context.Background(), `SELECT memories, with_embeddings, model_name FROM vestige_stats()`).Scan(&memories, &withEmb, &model))
	require.Zero(t, memories)
	require.Nil(t, model)
	d.registerModel()
	d.insert("one", nil, nil, "")
	d.exec(`INSERT INTO memories (content) VALUES ('two, no vector')`)
	require.NoError(t, d.conn.QueryRow(context.Background(), `SELECT memories, with_embeddings, model_name FROM vestige_stats()`).Scan(&memories, &withEmb, &model))
	require.Equal(t, int64(2), memories)
	require.Equal(t, int64(1), withEmb)
	require.Equal(t, "hash-384", *model)
}

// vecOf is a 384-dimension vector literal (the test model's) whose first element is x.
func vecOf(x string) string {
	return "[" + x + strings.Repeat(",0", 383) + "]"
}

// The query vector obeys the rule of stored vectors: a norm within [1e-6, 1e6]; past it the
// cosine is NaN (pgvector's float32 sums underflow) or meaningless. VS006 names the bound,
// and comes before the dimension check, as in the Go stores.
func TestClassifyRefusesQueryVector(t *testing.T) {
	d := newDB(t)
	d.registerModel()
	d.exec(`INSERT INTO domains (id, label, centroid) VALUES ('x', 'x', $1::vector)`, vecOf("1"))
	ctx := context.Background()
	for _, tc := range []struct {
		name, sql string
		args      []any
		contains  []string
	}{
		{"zero", `vestige_classify($1::vector)`, []any{vecOf("0")}, []string{"zero vector"}},
		{"denormal", `vestige_classify($1::vector)`, []any{vecOf("1e-45")}, []string{"invalid embedding: has norm", "below the 1e-06 allowed"}},
		{"below the minimum", `vestige_classify($1::vector)`, []any{vecOf("5e-7")}, []string{"below the 1e-06 allowed"}},
		{"above the maximum", `vestige_classify($1::vector)`, []any{vecOf("2e6")}, []string{"above the 1e+06 allowed"}},
		{"too small, wrong dimension", `vestige_classify('[1e-30,0]'::vector)`, nil, []string{"below the 1e-06 allowed"}},
		{"NULL", `vestige_classify(NULL)`, nil, []string{"embedding is NULL"}},
		{"negative match_count", `vestige_classify($1::vector, -1)`, []any{vecOf("1")}, []string{"match_count -1"}},
	} {
		_, err := d.conn.Exec(ctx, `SELECT * FROM `+tc.sql, tc.args...)
		requireState(t, err, "VS006", tc.contains...)
	}
	for _, x := range []string{"2e-6", "5e5"} {
		var sim float64
		require.NoError(t, d.conn.QueryRow(ctx, `SELECT similarity FROM vestige_classify($1::vector)`, vecOf(x)).Scan(&sim), x)
		require.InDelta(t, 1, sim, 1e-6, x)
	}
}

// On a database collating by ICU en-US ("_x" < "a" < "B" < "é" < "Z"), equal similarities
// still come by domain id bytewise ("B" < "Z" < "_x" < "a" < "é"), as SQLite orders them.
func TestClassifyTiesBytewiseOnICU(t *testing.T) {
	emb, err := embedder.FromName(context.Background(), "hash-384", embedder.Options{})
	require.NoError(t, err)
	d := &db{t: t, conn: testdb.Conn(t, testdb.NewICU(t)), emb: emb}
	d.registerModel()
	ids := []string{"B", "a", "_x", "é", "Z"}
	for _, id := range ids {
		d.exec(`INSERT INTO domains (id, label, centroid) VALUES ($1, $1, $2::vector)`, id, vecOf("1"))
	}
	rows, err := d.conn.Query(context.Background(), `SELECT domain_id FROM vestige_classify($1::vector)`, vecOf("1"))
	require.NoError(t, err)
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	require.Equal(t, []string{"B", "Z", "_x", "a", "é"}, got)
}
