package sqlitestore

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"zombiezen.com/go/sqlite"
	"zombiezen.com/go/sqlite/sqlitex"

	"github.com/vestige-mem/vestige/client/store"
)

// Rows written into the file by another program (the sqlite3 shell, say) obey the value rules
// as Postgres' do (sql/sqlite/002), and the store reads the refusal as the field it names.
func TestValueRulesHoldForPlainSQL(t *testing.T) {
	s := openInternal(t)
	ctx := context.Background()
	a, err := s.Insert(ctx, store.Memory{Content: "first"})
	require.NoError(t, err)
	b, err := s.Insert(ctx, store.Memory{Content: "second"})
	require.NoError(t, err)
	ins := `INSERT INTO memories (id, content, node_type, tags, domains, domain_scores, metadata, created_at, updated_at)
		VALUES ('0190a1b2-0000-7000-8000-0000000000ff', %s, %s, %s, '[]', %s, '{}', 0, 0)`
	mem := func(content, nodeType, tags, scores string) string {
		r := strings.NewReplacer("%s", "\x00")
		parts := strings.Split(r.Replace(ins), "\x00")
		return parts[0] + content + parts[1] + nodeType + parts[2] + tags + parts[3] + scores + parts[4]
	}
	cases := []struct{ name, sql, field, says string }{
		{"node type of 2,700 letters", mem("'x'", "printf('%.2700c', 'q')", "'[]'", "'{}'"), "node_type", "256 bytes"},
		{"tag of 2,700 letters", mem("'x'", "'general'", "json_array('ok', printf('%.2700c', 'q'))", "'{}'"), "tags", "256 bytes"},
		{"65 tags", mem("'x'", "'general'", "(WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 65) SELECT json_group_array('t' || n) FROM g)", "'{}'"), "tags", "more than the 64"},
		{"blank content", mem("char(32, 10, 12288)", "'general'", "'[]'", "'{}'"), "content", "only white space"},
		{"tag with a tab", mem("'x'", "'general'", "json_array('a' || char(9) || 'b')", "'{}'"), "tags", "control character"},
		{"domain score a string", mem("'x'", "'general'", "'[]'", `'{"a":"high"}'`), "domain_scores", "not a number"},
		{"nil id", strings.Replace(mem("'x'", "'general'", "'[]'", "'{}'"), "0190a1b2-0000-7000-8000-0000000000ff", "00000000-0000-0000-0000-000000000000", 1), "id", "nil UUID"},
		{"created after 9999", strings.Replace(mem("'x'", "'general'", "'[]'", "'{}'"), "0, 0)", "253402300800000000, 0)", 1), "created_at", "outside the stored range"},
		{"self loop", `INSERT INTO edges (source_id, target_id, edge_type, weight, created_at) VALUES ('` + a.ID.String() + `', '` + a.ID.String() + `', 'related', 1, 0)`, "edge", "same memory"},
		{"edge type with a newline", `INSERT INTO edges (source_id, target_id, edge_type, weight, created_at) VALUES ('` + a.ID.String() + `', '` + b.ID.String() + `', 'a' || char(10), 1, 0)`, "edge_type", "label rule"},
		{"domain id blank", `INSERT INTO domains (id, label, top_terms, metadata, created_at) VALUES (' ', '', '[]', '{}', 0)`, "domain id", "label rule"},
		{"id not a UUID", strings.Replace(mem("'x'", "'general'", "'[]'", "'{}'"), "0190a1b2-0000-7000-8000-0000000000ff", "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", 1), "id", "not a UUID"},
		{"content with NUL", mem("'a' || char(0) || 'b'", "'general'", "'[]'", "'{}'"), "content", "NUL"},
		{"metadata in relaxed JSON", strings.Replace(mem("'x'", "'general'", "'[]'", "'{}'"), "'{}', 0, 0)", "'{x:1}', 0, 0)", 1), "metadata", "RFC 8259"},
		{"metadata 1e400", strings.Replace(mem("'x'", "'general'", "'[]'", "'{}'"), "'{}', 0, 0)", `'{"x":1e400}', 0, 0)`, 1), "metadata", "out of range"},
		{"review event nil id", `INSERT INTO review_events (id, memory_id, reviewed_at, rating, prior_state, new_state) VALUES ('00000000-0000-0000-0000-000000000000', '` + a.ID.String() + `', 0, 3, '{}', '{}')`, "id", "nil UUID"},
		{"review state with a step", `INSERT INTO scheduling (memory_id, stability, difficulty, retrievability, last_review, reps, lapses, state, step) VALUES ('` + a.ID.String() + `', 1, 5, 1, 0, 1, 0, 2, 0)`, "step", "review state"},
		{"no last review", `INSERT INTO scheduling (memory_id, stability, difficulty, retrievability, reps, lapses, state) VALUES ('` + a.ID.String() + `', 1, 5, 1, 1, 0, 2)`, "last_review", "required"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := s.write(ctx, func(conn *sqlite.Conn) error { return sqlitex.ExecuteTransient(conn, c.sql, nil) })
			require.Error(t, err)
			err = interpretError(ctx, err)
			require.ErrorIs(t, err, store.ErrInvalidInput, "%v", err)
			var bad *store.InvalidInputError
			require.True(t, errors.As(err, &bad))
			require.Equal(t, c.field, bad.Field, "%v", err)
			require.Contains(t, bad.Reason, c.says)
		})
	}
	// A stability of 1e308 is a finite double: accepted, as on Postgres.
	require.NoError(t, s.write(ctx, func(conn *sqlite.Conn) error {
		return sqlitex.ExecuteTransient(conn, `INSERT INTO scheduling (memory_id, stability, difficulty, retrievability, last_review, reps, lapses, state) VALUES ('`+b.ID.String()+`', 1e308, 5, 1, 0, 1, 0, 2)`, nil)
	}))
	n, err := s.Count(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 2, n, "nothing refused was written")

	// An update is held to the same rules.
	err = s.write(ctx, func(conn *sqlite.Conn) error {
		return sqlitex.ExecuteTransient(conn, `UPDATE memories SET node_type = '' WHERE id = '`+a.ID.String()+`'`, nil)
	})
	require.ErrorIs(t, interpretError(ctx, err), store.ErrInvalidInput)
}
