package sqlitestore

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"zombiezen.com/go/sqlite"
)

// dueBeforeNewCards is DueMemories' query before migration 5: new cards by an anti-join
// walk of memories in creation order. Kept here to measure the two in one run.
const dueBeforeNewCards = `WITH due AS (
		SELECT * FROM (SELECT m.id, m.created_at AS due_at FROM memories m
		  WHERE m.created_at <= ?1
		    AND NOT EXISTS (SELECT 1 FROM scheduling s WHERE s.memory_id = m.id AND s.next_review IS NOT NULL)
		  ORDER BY m.created_at, m.id LIMIT ?2)
		UNION ALL
		SELECT * FROM (SELECT s.memory_id, s.next_review FROM scheduling s
		  WHERE s.next_review <= ?1
		  ORDER BY s.next_review, s.memory_id LIMIT ?2)
	)
	SELECT m.id FROM due JOIN memories m ON m.id = due.id ORDER BY due.due_at, m.id LIMIT ?2`

// BenchmarkDueMostlyReviewed: 230k memories (VESTIGE_BENCH_DUE_N to change), the oldest
// 95 % reviewed with next reviews spread over 200 days from 3 days ago, as in use; a page of
// 10 due now. "anti-join" is the query before migration 5, "new_cards" DueMemories now.
func BenchmarkDueMostlyReviewed(b *testing.B) {
	n := 230_000
	if v, err := strconv.Atoi(os.Getenv("VESTIGE_BENCH_DUE_N")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "vestige.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	now := time.Now().UTC()
	err = s.write(ctx, func(conn *sqlite.Conn) error {
		if err := exec(conn, `WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < ?1)
			INSERT INTO memories (id, content, created_at, updated_at)
			SELECT printf('%08x-0000-4000-8000-%012x', i, i), 'memory number ' || i,
			       ?2 - 400 * 86400000000 + i * 120000000, ?2 FROM g`, n, now); err != nil {
			return err
		}
		return exec(conn, `INSERT INTO scheduling (memory_id, stability, difficulty, state, last_review, next_review, reps)
			SELECT id, 10, 5, 2, ?2 - 5 * 86400000000, ?2 - 3 * 86400000000 + (rid % 100000) * 180000000, 1
			  FROM memories WHERE rid <= ?1 * 95 / 100`, n, now)
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.write(ctx, func(conn *sqlite.Conn) error { return exec(conn, "ANALYZE") }); err != nil {
		b.Fatal(err)
	}
	b.Run("anti-join", func(b *testing.B) {
		for b.Loop() {
			rows := 0
			err := s.read(ctx, func(conn *sqlite.Conn) error {
				return query(conn, dueBeforeNewCards, func(*sqlite.Stmt) error { rows++; return nil }, now, 10)
			})
			if err != nil || rows != 10 {
				b.Fatal(rows, err)
			}
		}
	})
	b.Run("new_cards", func(b *testing.B) {
		for b.Loop() {
			got, err := s.DueMemories(ctx, now, 10)
			if err != nil || len(got) != 10 {
				b.Fatal(len(got), err)
			}
		}
	})
}
