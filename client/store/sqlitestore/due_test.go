package sqlitestore

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"zombiezen.com/go/sqlite"

	"github.com/vestige-mem/vestige/client/store"
)

// newCardsDrift counts the rows by which new_cards differs from its definition: memories
// without a scheduling row whose next_review is set, with their creation time.
const newCardsDrift = `SELECT count(*) FROM (
	SELECT * FROM (SELECT memory_id, created_at FROM new_cards
	 EXCEPT SELECT m.id, m.created_at FROM memories m
	  WHERE NOT EXISTS (SELECT 1 FROM scheduling s WHERE s.memory_id = m.id AND s.next_review IS NOT NULL))
	UNION ALL
	SELECT * FROM (SELECT m.id, m.created_at FROM memories m
	  WHERE NOT EXISTS (SELECT 1 FROM scheduling s WHERE s.memory_id = m.id AND s.next_review IS NOT NULL)
	 EXCEPT SELECT memory_id, created_at FROM new_cards))`

func requireNoDrift(t *testing.T, s *Store, what string) {
	t.Helper()
	var n int64
	require.NoError(t, s.read(context.Background(), func(conn *sqlite.Conn) error {
		_, err := queryOne(conn, newCardsDrift, func(stmt *sqlite.Stmt) error { n = stmt.ColumnInt64(0); return nil })
		return err
	}), what)
	require.Zero(t, n, "%s: new_cards differs from its definition", what)
}

// The triggers of migration 5 keep new_cards exact whatever SQL changes memories or
// scheduling (the store's own writes are in the conformance suite), and the migration lists
// the memories stored before it.
func TestNewCardsFollowPlainSQL(t *testing.T) {
	ctx := context.Background()
	s := openInternal(t)
	t0 := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	var ms []store.Memory
	for i := range 4 {
		m, err := s.Insert(ctx, store.Memory{Content: "card", CreatedAt: t0.Add(time.Duration(i) * time.Minute)})
		require.NoError(t, err)
		ms = append(ms, m)
	}
	last, next := t0, t0.Add(24*time.Hour)
	require.NoError(t, s.UpdateScheduling(ctx, store.SchedulingState{MemoryID: ms[0].ID, Stability: 1, Difficulty: 5,
		Retrievability: 1, LastReview: &last, NextReview: &next, Reps: 1, State: 2}))
	requireNoDrift(t, s, "after the store's writes")

	newID := uuid.MustParse("00000000-0000-4000-8000-000000000002")
	for _, tc := range []struct {
		name string
		sql  string
		args []any
	}{
		{"next review cleared", `UPDATE scheduling SET next_review = NULL WHERE memory_id = ?1`, []any{ms[0].ID}},
		{"set again", `UPDATE scheduling SET next_review = ?2 WHERE memory_id = ?1`, []any{ms[0].ID, next}},
		{"scheduling row deleted", `DELETE FROM scheduling WHERE memory_id = ?1`, []any{ms[0].ID}},
		{"a row without a next review", `INSERT INTO scheduling (memory_id, stability, difficulty, state, last_review)
			VALUES (?1, 1, 5, 2, ?2)`, []any{ms[1].ID, last}},
		{"its memory_id moved to a new card", `UPDATE scheduling SET memory_id = ?2, next_review = ?3 WHERE memory_id = ?1`,
			[]any{ms[1].ID, ms[3].ID, next}},
		{"a creation time moved", `UPDATE memories SET created_at = ?2 WHERE id = ?1`, []any{ms[2].ID, t0.Add(-time.Hour)}},
		{"a new card's id changed", `UPDATE memories SET id = ?2 WHERE id = ?1`, []any{ms[2].ID, newID}},
		{"a reviewed memory deleted", `DELETE FROM memories WHERE id = ?1`, []any{ms[3].ID}},
	} {
		require.NoError(t, s.write(ctx, func(conn *sqlite.Conn) error { return exec(conn, tc.sql, tc.args...) }), tc.name)
		requireNoDrift(t, s, tc.name)
	}
	due, err := s.DueMemories(ctx, t0.Add(time.Hour), 10)
	require.NoError(t, err)
	require.Len(t, due, 3)
	require.Equal(t, newID, due[0].Memory.ID, "the moved card comes first under its new id")

	require.NoError(t, s.MigrateTo(ctx, 4))
	require.NoError(t, s.Migrate(ctx))
	requireNoDrift(t, s, "after migrating down and up")
	again, err := s.DueMemories(ctx, t0.Add(time.Hour), 10)
	require.NoError(t, err)
	require.Equal(t, due, again, "the migration lists the stored new cards")
}
