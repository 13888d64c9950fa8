package sqlitestore

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"zombiezen.com/go/sqlite"

	"github.com/vestige-mem/vestige/client/store"
)

// schedulingColumns are read by scanScheduling, in this order.
const schedulingColumns = `s.memory_id, s.stability, s.difficulty, s.retrievability, s.last_review,
	s.next_review, s.reps, s.lapses, s.state, s.step`

func scanScheduling(stmt *sqlite.Stmt, col int) (store.SchedulingState, error) {
	id, err := colUUID(stmt, col)
	return store.SchedulingState{
		MemoryID:       id,
		Stability:      stmt.ColumnFloat(col + 1),
		Difficulty:     stmt.ColumnFloat(col + 2),
		Retrievability: stmt.ColumnFloat(col + 3),
		LastReview:     colTimePtr(stmt, col+4),
		NextReview:     colTimePtr(stmt, col+5),
		Reps:           stmt.ColumnInt(col + 6),
		Lapses:         stmt.ColumnInt(col + 7),
		State:          stmt.ColumnInt(col + 8),
		Step:           colIntPtr(stmt, col+9),
	}, err
}

// GetScheduling returns nil for a new card (never reviewed) and store.ErrNotFound for an
// unknown memory.
func (s *Store) GetScheduling(ctx context.Context, memoryID uuid.UUID) (*store.SchedulingState, error) {
	var st *store.SchedulingState
	err := s.read(ctx, func(conn *sqlite.Conn) error {
		if err := memoryExists(conn, memoryID); err != nil {
			return err
		}
		_, err := queryOne(conn, `SELECT `+schedulingColumns+` FROM scheduling s WHERE s.memory_id = ?1`,
			func(stmt *sqlite.Stmt) error {
				v, err := scanScheduling(stmt, 0)
				st = &v
				return err
			}, memoryID)
		return err
	})
	return st, interpretError(ctx, err)
}

// UpdateScheduling writes the row as given (validated, times at the stored precision); it
// appends no review event: only a review does.
func (s *Store) UpdateScheduling(ctx context.Context, st store.SchedulingState) error {
	if err := store.ValidateScheduling(st); err != nil {
		return err
	}
	st.Retrievability = store.PositiveZero(st.Retrievability) // see store.PositiveZero
	trunc := func(t *time.Time) *time.Time {
		if t == nil {
			return nil
		}
		v := store.Truncate(*t)
		return &v
	}
	err := s.write(ctx, func(conn *sqlite.Conn) error {
		if err := memoryExists(conn, st.MemoryID); err != nil {
			return err
		}
		return exec(conn, `INSERT INTO scheduling (memory_id, stability, difficulty, retrievability,
				last_review, next_review, reps, lapses, state, step)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
			ON CONFLICT (memory_id) DO UPDATE SET stability = excluded.stability,
				difficulty = excluded.difficulty, retrievability = excluded.retrievability,
				last_review = excluded.last_review, next_review = excluded.next_review,
				reps = excluded.reps, lapses = excluded.lapses, state = excluded.state, step = excluded.step`,
			st.MemoryID, st.Stability, st.Difficulty, st.Retrievability, trunc(st.LastReview),
			trunc(st.NextReview), st.Reps, st.Lapses, st.State, st.Step)
	})
	return interpretError(ctx, err)
}

// DueMemories is vestige_due: new cards (no scheduling row with a next review) are due from
// their creation time, reviewed ones at next_review; earliest first, ties by id. A zero
// before means now, and a limit of 0 the default page size, as the SQL defaults.
func (s *Store) DueMemories(ctx context.Context, before time.Time, limit int) ([]store.DueMemory, error) {
	if before.IsZero() {
		before = store.Now()
	}
	if err := store.CheckTime("before", before); err != nil {
		return nil, err
	}
	if limit == 0 {
		limit = store.DefaultLimit
	}
	if limit < 0 {
		return nil, &store.InvalidInputError{Field: "limit", Reason: fmt.Sprintf("%d is negative", limit)}
	}
	out := []store.DueMemory{}
	err := s.read(ctx, func(conn *sqlite.Conn) error {
		// Each side reads its own index in due order, new cards from new_cards (migration 5:
		// memories alone cannot tell them apart without walking every reviewed memory), so
		// the cost follows limit, not the table size.
		return query(conn, `WITH due AS (
				SELECT * FROM (SELECT n.memory_id AS id, n.created_at AS due_at FROM new_cards n
				  WHERE n.created_at <= ?1
				  ORDER BY n.created_at, n.memory_id LIMIT +?2)
				UNION ALL
				SELECT * FROM (SELECT s.memory_id, s.next_review FROM scheduling s
				  WHERE s.next_review <= ?1
				  ORDER BY s.next_review, s.memory_id LIMIT +?2)
			)
			SELECT `+memoryColumns+`, due.due_at, s.memory_id IS NOT NULL, `+schedulingColumns+`
			  FROM due
			  JOIN memories m ON m.id = due.id
			  LEFT JOIN scheduling s ON s.memory_id = m.id
			 ORDER BY due.due_at, m.id
			 LIMIT +?2`,
			func(stmt *sqlite.Stmt) error {
				m, err := scanMemory(stmt, 0)
				if err != nil {
					return err
				}
				d := store.DueMemory{Memory: m, DueAt: colTime(stmt, 9)}
				if stmt.ColumnBool(10) {
					st, err := scanScheduling(stmt, 11)
					if err != nil {
						return err
					}
					d.Scheduling = &st
				}
				out = append(out, d)
				return nil
			}, before, limit)
	})
	if err != nil {
		return nil, interpretError(ctx, err)
	}
	return out, nil
}

// Retrievability is vestige_retrievability: the forgetting curve at `at` (zero means now)
// with fractional days since the last review and w20 of fsrs_parameters; 1 for a new card;
// store.ErrNotFound for an unknown memory.
func (s *Store) Retrievability(ctx context.Context, memoryID uuid.UUID, at time.Time) (float64, error) {
	if at.IsZero() {
		at = store.Now()
	}
	if err := store.CheckTime("at", at); err != nil {
		return 0, err
	}
	atMicros, err := micros(at)
	if err != nil {
		return 0, &store.InvalidInputError{Field: "at", Reason: err.Error()}
	}
	r := 1.0
	err = s.read(ctx, func(conn *sqlite.Conn) error {
		if err := memoryExists(conn, memoryID); err != nil {
			return err
		}
		decay, err := fsrsDecay(conn)
		if err != nil {
			return err
		}
		_, err = queryOne(conn, `SELECT stability, last_review FROM scheduling
				WHERE memory_id = ?1 AND last_review IS NOT NULL`,
			func(stmt *sqlite.Stmt) error {
				stability := stmt.ColumnFloat(0)
				days := float64(atMicros-stmt.ColumnInt64(1)) / microsPerDay
				switch {
				case decay != nil:
					r = forgettingCurve(stability, days, *decay)
				case days <= 0:
					r = 1
				case stability <= 0:
					r = 0
				} // else the SQL curve is NULL for a NULL decay, and coalesce makes it 1
				return nil
			}, memoryID)
		return err
	})
	return r, interpretError(ctx, err)
}
