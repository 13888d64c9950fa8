package pgstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/vestige-mem/vestige/client/store"
)

// schedulingDest scans the scheduling columns of an outer join, where a new card has NULLs.
type schedulingDest struct {
	state                                 *int
	step                                  *int
	stability, difficulty, retrievability *float64
	lastReview, nextReview                *time.Time
	reps, lapses                          *int
}

func (d *schedulingDest) targets() []any {
	return []any{&d.state, &d.step, &d.stability, &d.difficulty, &d.retrievability,
		&d.lastReview, &d.nextReview, &d.reps, &d.lapses}
}

func (d *schedulingDest) scheduling(id uuid.UUID) *store.SchedulingState {
	if d.state == nil {
		return nil
	}
	return &store.SchedulingState{
		MemoryID: id, State: *d.state, Step: d.step,
		Stability: *d.stability, Difficulty: *d.difficulty, Retrievability: *d.retrievability,
		LastReview: utcPtr(d.lastReview), NextReview: utcPtr(d.nextReview),
		Reps: *d.reps, Lapses: *d.lapses,
	}
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func truncPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := store.Truncate(*t)
	return &u
}

const schedulingColumns = `s.state, s.step, s.stability, s.difficulty, s.retrievability,
	s.last_review, s.next_review, s.reps, s.lapses`

// GetScheduling returns nil for a new card, ErrNotFound for an unknown memory: one outer
// join tells the two apart.
func (s *Store) GetScheduling(ctx context.Context, memoryID uuid.UUID) (*store.SchedulingState, error) {
	var d schedulingDest
	err := s.read(ctx, "get scheduling", func(c *pgxpool.Conn) error {
		err := c.QueryRow(ctx, `SELECT `+schedulingColumns+`
			FROM memories m LEFT JOIN scheduling s ON s.memory_id = m.id
			WHERE m.id = $1::uuid`, memoryID).Scan(d.targets()...)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("memory %s: %w", memoryID, store.ErrNotFound)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return d.scheduling(memoryID), nil
}

// UpdateScheduling upserts the scheduling row as given, after validation; it writes no
// review event (only a review does).
func (s *Store) UpdateScheduling(ctx context.Context, st store.SchedulingState) error {
	if err := store.ValidateScheduling(st); err != nil {
		return fmt.Errorf("pgstore update scheduling: %w", err)
	}
	st.Retrievability = store.PositiveZero(st.Retrievability) // see store.PositiveZero
	return s.with(ctx, "update scheduling", func(c *pgxpool.Conn) error {
		_, err := c.Exec(ctx, `INSERT INTO scheduling AS s
				(memory_id, stability, difficulty, retrievability, last_review, next_review, reps, lapses, state, step)
			VALUES ($1::uuid, $2::float8, $3::float8, $4::float8, $5::timestamptz, $6::timestamptz,
			        $7::integer, $8::integer, $9::smallint, $10::integer)
			ON CONFLICT (memory_id) DO UPDATE SET stability = excluded.stability,
				difficulty = excluded.difficulty, retrievability = excluded.retrievability,
				last_review = excluded.last_review, next_review = excluded.next_review,
				reps = excluded.reps, lapses = excluded.lapses, state = excluded.state, step = excluded.step`,
			st.MemoryID, st.Stability, st.Difficulty, st.Retrievability,
			truncPtr(st.LastReview), truncPtr(st.NextReview), st.Reps, st.Lapses, st.State, st.Step)
		return err
	})
}

// DueMemories is vestige_due: due by before (new cards from their creation), earliest first.
// A limit of 0 means store.DefaultLimit.
func (s *Store) DueMemories(ctx context.Context, before time.Time, n int) ([]store.DueMemory, error) {
	if before.IsZero() {
		before = store.Now()
	}
	if err := store.CheckTime("before", before); err != nil {
		return nil, err
	}
	var out []store.DueMemory
	err := s.read(ctx, "due memories", func(c *pgxpool.Conn) error {
		rows, err := c.Query(ctx, `SELECT r.id, r.content, r.node_type, r.tags, r.domains, r.domain_scores,
				r.metadata, r.created_at, r.updated_at, r.due_at, r.state, r.step, r.stability, r.difficulty,
				r.retrievability, r.last_review, r.next_review, r.reps, r.lapses
			FROM vestige_due(before => $1::timestamptz, match_count => $2::integer) r`,
			store.Truncate(before), limit(n))
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.DueMemory, error) {
			var m memoryDest
			var sd schedulingDest
			var due store.DueMemory
			err := row.Scan(append(append(m.targets(), &due.DueAt), sd.targets()...)...)
			due.Memory = m.memory()
			due.DueAt = due.DueAt.UTC()
			due.Scheduling = sd.scheduling(due.Memory.ID)
			return due, err
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return nonNil(out), nil
}

// Retrievability is vestige_retrievability at a time (now when zero).
func (s *Store) Retrievability(ctx context.Context, memoryID uuid.UUID, at time.Time) (float64, error) {
	if at.IsZero() {
		at = store.Now()
	}
	if err := store.CheckTime("at", at); err != nil {
		return 0, err
	}
	var r float64
	err := s.read(ctx, "retrievability", func(c *pgxpool.Conn) error {
		return c.QueryRow(ctx, `SELECT vestige_retrievability(memory_id => $1::uuid, at => $2::timestamptz)`,
			memoryID, store.Truncate(at)).Scan(&r)
	})
	return r, err
}
