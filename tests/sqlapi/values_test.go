package sqlapi_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store"
)

// Rows written with plain SQL obey the value rules the Go side enforces (migration 002), with
// the same limits and wording, so that a store written by psql exports and imports intact.
func TestValueRulesHoldForPlainSQL(t *testing.T) {
	d := newDB(t)
	ctx := context.Background()
	d.registerModel()
	a := d.insert("first memory", nil, nil, "")
	b := d.insert("second memory", nil, nil, "")
	deep := func(n int) string { return strings.Repeat(`{"a":`, n-1) + `{"leaf":1}` + strings.Repeat(`}`, n-1) }
	refused := []struct {
		name, sql, field, says string
		args                   []any
	}{
		{"node type of 2,700 letters", `INSERT INTO memories (content, node_type) VALUES ('x', repeat('q', 2700))`, "node_type", "more than the 256 allowed", nil},
		{"tag of 2,700 letters", `INSERT INTO memories (content, tags) VALUES ('x', ARRAY['ok', repeat('q', 2700)])`, "tags[1]", "2700 bytes", nil},
		{"domain of 2,700 letters", `INSERT INTO memories (content, domains) VALUES ('x', ARRAY[repeat('q', 2700)])`, "domains[0]", "more than the 256", nil},
		{"65 tags", `INSERT INTO memories (content, tags) VALUES ('x', ARRAY(SELECT 't' || g FROM generate_series(1, 65) g))`, "tags", "65 values", nil},
		{"empty tag", `INSERT INTO memories (content, tags) VALUES ('x', ARRAY[''])`, "tags[0]", "is empty", nil},
		{"blank content", `INSERT INTO memories (content) VALUES (E' \n\u3000')`, "content", "only white space", nil},
		{"content too long", `INSERT INTO memories (content) VALUES (repeat('w', 262145))`, "content", "more than the 262144", nil},
		{"metadata 1,001 deep", `INSERT INTO memories (content, metadata) VALUES ('x', $1::jsonb)`, "metadata", "nested more than 32", []any{deep(1001)}},
		{"metadata 33 deep", `INSERT INTO memories (content, metadata) VALUES ('x', $1::jsonb)`, "metadata", "nested more than 32", []any{deep(33)}},
		{"metadata 1e400", `INSERT INTO memories (content, metadata) VALUES ('x', '{"g":1e400}')`, "metadata", "out of range", nil},
		{"metadata 1e-400", `INSERT INTO memories (content, metadata) VALUES ('x', '{"g":1e-400}')`, "metadata", "out of range", nil},
		{"metadata not an object", `UPDATE memories SET metadata = '[]' WHERE id = $1`, "metadata", "not array", []any{a}},
		{"metadata too big", `INSERT INTO memories (content, metadata) VALUES ('x', jsonb_build_object('k', repeat('z', 65536)))`, "metadata", "more than the 65536", nil},
		{"domain score a string", `INSERT INTO memories (content, domain_scores) VALUES ('x', '{"a":"high"}')`, "domain_scores", "not a number", nil},
		{"nil id", `INSERT INTO memories (id, content) VALUES ('00000000-0000-0000-0000-000000000000', 'x')`, "id", "nil UUID", nil},
		{"created in year 10000", `INSERT INTO memories (content, created_at) VALUES ('x', '10000-01-01')`, "created_at", "outside the stored range", nil},
		{"embedding of norm 1e-45", `INSERT INTO memories (content, embedding) VALUES ('x', (ARRAY[1e-45] || array_fill(0::real, ARRAY[383]))::real[]::vector)`, "embedding", "too small", nil},
		{"embedding of norm 1e7", `INSERT INTO memories (content, embedding) VALUES ('x', (ARRAY[1e7] || array_fill(0::real, ARRAY[383]))::real[]::vector)`, "embedding", "above", nil},
		{"self loop", `INSERT INTO edges (source_id, target_id) VALUES ($1, $1)`, "edge", "same memory", []any{a}},
		{"edge type with a newline", `INSERT INTO edges (source_id, target_id, edge_type) VALUES ($1, $2, E'a\nb')`, "edge_type", "U+000A", []any{a, b}},
		{"edge type of 2,700 letters", `INSERT INTO edges (source_id, target_id, edge_type) VALUES ($1, $2, repeat('e', 2700))`, "edge_type", "more than the 256", []any{a, b}},
		{"domain id of 2,700 letters", `INSERT INTO domains (id, label) VALUES (repeat('d', 2700), 'x')`, "domain id", "more than the 256", nil},
		{"domain label too long", `INSERT INTO domains (id, label) VALUES ('d', repeat('l', 1025))`, "label", "more than the 1024", nil},
		{"centroid of norm 4e38", `INSERT INTO domains (id, label, centroid) VALUES ('d', 'x', '[3e38,3e38]')`, "centroid", "above the 1e+06", nil},
		{"tags as a 2-D array", `INSERT INTO memories (content, tags) VALUES ('x', '{{a,b},{c,d}}')`, "tags", "one-dimensional", nil},
		{"review state 1e400", `INSERT INTO review_events (memory_id, rating, prior_state, new_state) VALUES ($1, 3, '{"x":1e400}', '{}')`, "prior_state", "out of range", []any{a}},
		{"review state 100 deep", `INSERT INTO review_events (memory_id, rating, prior_state, new_state) VALUES ($1, 3, '{}', $2::jsonb)`, "new_state", "nested more than 32", []any{a, deep(100)}},
		{"review event nil id", `INSERT INTO review_events (id, memory_id, rating, prior_state, new_state) VALUES ('00000000-0000-0000-0000-000000000000', $1, 3, '{}', '{}')`, "id", "nil UUID", []any{a}},
		{"centroid of norm 1e-30", `INSERT INTO domains (id, label, centroid) VALUES ('d', 'x', '[1e-30,0,0]')`, "centroid", "too small", nil},
	}
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			_, err := d.conn.Exec(ctx, c.sql, c.args...)
			requireState(t, err, "VS006", "invalid "+c.field+": ", c.says)
		})
	}

	// Inconsistent scheduling rows break named constraints (the Go side reports the column).
	checks := []struct{ name, sql, constraint string }{
		{"review state with a step", `INSERT INTO scheduling (memory_id, stability, difficulty, last_review, state, step) VALUES ($1, 1, 5, now(), 2, 0)`, "step_state"},
		{"learning without a step", `INSERT INTO scheduling (memory_id, stability, difficulty, last_review, state) VALUES ($1, 1, 5, now(), 1)`, "step_state"},
		{"no last review", `INSERT INTO scheduling (memory_id, stability, difficulty, state) VALUES ($1, 1, 5, 2)`, "last_review"},
		{"stability 0", `INSERT INTO scheduling (memory_id, stability, difficulty, last_review, state) VALUES ($1, 0, 5, now(), 2)`, "stability"},
		{"stability NaN", `INSERT INTO scheduling (memory_id, stability, difficulty, last_review, state) VALUES ($1, 'NaN', 5, now(), 2)`, "stability"},
		{"difficulty 11", `INSERT INTO scheduling (memory_id, stability, difficulty, last_review, state) VALUES ($1, 1, 11, now(), 2)`, "difficulty"},
		{"due after 9999", `INSERT INTO scheduling (memory_id, stability, difficulty, last_review, next_review, state) VALUES ($1, 1, 5, now(), '10000-01-01', 2)`, "next_review"},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			_, err := d.conn.Exec(ctx, c.sql, a)
			requireState(t, err, "23514")
			var pg *pgconn.PgError
			require.ErrorAs(t, err, &pg)
			require.Equal(t, "scheduling_"+c.constraint+"_check", pg.ConstraintName)
		})
	}

	// At the limits, plain SQL writes are accepted, and numbers come back exactly.
	var meta string
	err := d.conn.QueryRow(ctx, `INSERT INTO memories (content, node_type, tags, metadata)
		VALUES ('at the limits', repeat('n', 256), ARRAY(SELECT repeat('t', 255) || g % 10 FROM generate_series(1, 64) g),
		        $1::jsonb || '{"n": 9007199254740993, "sci": 1e2}') RETURNING metadata::text`, deep(32)).Scan(&meta)
	require.NoError(t, err)
	require.Contains(t, meta, `"n": 9007199254740993`)
	require.Contains(t, meta, `"sci": 100`)
}

// The schema's plain form of a number is the one the Go side stores in SQLite: the same
// text on both backends.
func TestCanonicalNumbersMatchPostgres(t *testing.T) {
	d := newDB(t)
	ctx := context.Background()
	for _, lit := range []string{"0", "-0", "-0.0", "1", "1e2", "1E+2", "1.50", "1.50e1", "1.5e1", "0.00e5", "1e-7",
		"123.456e-2", "-9007199254740993", "1e-300", "1.7976931348623157e308", "0.1", "12345678901234567890.123",
		"5e-1", "-1.0e-5", "100e-2", "7.0E0"} {
		want, err := store.CanonicalJSONNumber(lit)
		require.NoError(t, err, lit)
		var got string
		require.NoError(t, d.conn.QueryRow(ctx, `SELECT ($1::jsonb)::text`, lit).Scan(&got))
		require.Equal(t, got, want, "plain form of %s", lit)
		var v any
		require.NoError(t, json.Unmarshal([]byte(want), &v), "%s is valid JSON", want)
	}
}
