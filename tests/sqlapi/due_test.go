package sqlapi_test

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store/pgstore"
	"github.com/vestige-mem/vestige/tests/testdb"
)

// requireNoDrift runs one of testdb's drift queries: a derived table (new_cards, the
// full-text postings and statistics) must equal its definition.
func requireNoDrift(t *testing.T, conn *pgx.Conn, drift, what string) {
	t.Helper()
	var n int
	require.NoError(t, conn.QueryRow(context.Background(), drift).Scan(&n), what)
	require.Zero(t, n, "%s: a derived table differs from its definition", what)
}

// vestige_due finds new cards through new_cards (migration 005). Whatever a psql user does
// to memories or scheduling, the list stays exact and vestige_due's answer with it.
func TestDueFollowsPlainSQL(t *testing.T) {
	ctx := context.Background()
	d := newDB(t)
	t0 := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	var ms []uuid.UUID
	for i := range 4 {
		var id uuid.UUID
		require.NoError(t, d.conn.QueryRow(ctx, `INSERT INTO memories (content, created_at) VALUES ($1, $2) RETURNING id`,
			fmt.Sprintf("card %d", i), at(i)).Scan(&id))
		ms = append(ms, id)
	}
	due := func(limit int) []uuid.UUID {
		t.Helper()
		rows, err := d.conn.Query(ctx, `SELECT id FROM vestige_due(before => $1, match_count => $2)`, at(60), limit)
		require.NoError(t, err)
		got, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
		require.NoError(t, err)
		return got
	}
	require.Equal(t, ms[:2], due(2), "new cards by creation")

	for _, tc := range []struct {
		name string
		sql  string
		args []any
		want func() []uuid.UUID
	}{
		{"an easy review schedules 0 days ahead", `SELECT 1 FROM vestige_review(memory_id => $1, rating => 4, reviewed_at => $2)`,
			[]any{ms[0], at(30)}, func() []uuid.UUID { return ms[1:] }},
		{"its next review cleared: new again", `UPDATE scheduling SET next_review = NULL WHERE memory_id = $1`,
			[]any{ms[0]}, func() []uuid.UUID { return ms }},
		{"set again", `UPDATE scheduling SET next_review = $2 WHERE memory_id = $1`,
			[]any{ms[0], at(5)}, func() []uuid.UUID { return []uuid.UUID{ms[1], ms[2], ms[3], ms[0]} }},
		{"its scheduling row deleted: new", `DELETE FROM scheduling WHERE memory_id = $1`,
			[]any{ms[0]}, func() []uuid.UUID { return ms }},
		{"a row without a next review: still new", `INSERT INTO scheduling (memory_id, stability, difficulty, state, last_review) VALUES ($1, 1, 5, 2, $2)`,
			[]any{ms[1], at(0)}, func() []uuid.UUID { return ms }},
		{"a creation time moved", `UPDATE memories SET created_at = $2 WHERE id = $1`,
			[]any{ms[3], at(-1)}, func() []uuid.UUID { return []uuid.UUID{ms[3], ms[0], ms[1], ms[2]} }},
		{"a new card's id changed", `UPDATE memories SET id = $2 WHERE id = $1`,
			[]any{ms[2], uuid.MustParse("00000000-0000-4000-8000-000000000002")}, func() []uuid.UUID {
				ms[2] = uuid.MustParse("00000000-0000-4000-8000-000000000002")
				return []uuid.UUID{ms[3], ms[0], ms[1], ms[2]}
			}},
		{"a memory deleted", `DELETE FROM memories WHERE id = $1`,
			[]any{ms[0]}, func() []uuid.UUID { return []uuid.UUID{ms[3], ms[1], ms[2]} }},
	} {
		_, err := d.conn.Exec(ctx, tc.sql, tc.args...)
		require.NoError(t, err, tc.name)
		requireNoDrift(t, d.conn, testdb.NewCardsDrift, tc.name)
		require.Equal(t, tc.want(), due(10), tc.name)
	}
}

// Migration 005 lists the memories already stored and gives new_cards to the roles granted
// scheduling before it existed, so their writes (which the triggers extend to new_cards)
// keep working without a new `vestige schema grant`.
func TestDueMigrationBackfillsAndGrants(t *testing.T) {
	ctx := context.Background()
	ownerURL := testdb.New(t)
	owner := testdb.Conn(t, ownerURL)
	require.NoError(t, pgstore.MigrateTo(ctx, owner, 4))

	role := "vestige_due_" + uuid.NewString()[:8]
	for _, stmt := range []string{
		fmt.Sprintf(`CREATE ROLE %s LOGIN PASSWORD 'due-pw' NOSUPERUSER NOCREATEDB NOCREATEROLE`, role),
		fmt.Sprintf(`GRANT USAGE ON SCHEMA public TO %s`, role),
		// What `vestige schema grant` gave before version 5.
		fmt.Sprintf(`GRANT SELECT, INSERT, UPDATE, DELETE ON memories, scheduling, edges, domains, review_events, fsrs_parameters TO %s`, role),
		`INSERT INTO memories (content, created_at) SELECT 'old ' || g, now() - g * interval '1 day' FROM generate_series(1, 20) g`,
		`INSERT INTO scheduling (memory_id, stability, difficulty, state, last_review, next_review) SELECT id, 1, 5, 2, now(), now() + interval '1 day' FROM memories ORDER BY created_at LIMIT 15`,
		`INSERT INTO scheduling (memory_id, stability, difficulty, state, last_review) SELECT id, 1, 5, 2, now() FROM memories ORDER BY created_at DESC LIMIT 1`,
	} {
		_, err := owner.Exec(ctx, stmt)
		require.NoError(t, err, stmt)
	}
	t.Cleanup(func() {
		_, _ = owner.Exec(context.Background(), "DROP OWNED BY "+role)
		_, _ = owner.Exec(context.Background(), "DROP ROLE "+role)
	})

	require.NoError(t, pgstore.Migrate(ctx, owner))
	requireNoDrift(t, owner, testdb.NewCardsDrift, "after the migration")
	var n int
	require.NoError(t, owner.QueryRow(ctx, `SELECT count(*) FROM new_cards`).Scan(&n))
	require.Equal(t, 5, n)

	u, err := url.Parse(ownerURL)
	require.NoError(t, err)
	u.User = url.UserPassword(role, "due-pw")
	app := testdb.Conn(t, u.String())
	var id uuid.UUID
	require.NoError(t, app.QueryRow(ctx, `INSERT INTO memories (content) VALUES ('new') RETURNING id`).Scan(&id),
		"the role's insert also writes new_cards")
	_, err = app.Exec(ctx, `SELECT 1 FROM vestige_review(memory_id => $1, rating => 4)`, id)
	require.NoError(t, err, "and its review removes the card")
	require.NoError(t, app.QueryRow(ctx, `SELECT count(*) FROM vestige_due(before => now() + interval '1 hour', match_count => 100)`).Scan(&n))
	require.Equal(t, 5, n)
	requireNoDrift(t, owner, testdb.NewCardsDrift, "after the role's writes")

	require.NoError(t, pgstore.MigrateTo(ctx, owner, 4), "and down again")
	require.NoError(t, owner.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE tablename = 'new_cards'`).Scan(&n))
	require.Zero(t, n)
}
