package pgstore

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/vestige-mem/vestige/client/store"
)

// Review calls vestige_review, which computes FSRS-6 in PL/pgSQL and writes the scheduling
// row and the review event in one statement. A zero time is sent as NULL: vestige_review then
// reads the clock once it holds the memory's lock, so that reviews queued behind one another
// are dated in the order they run (a time read here could be older than the review ahead).
func (s *Store) Review(ctx context.Context, memoryID uuid.UUID, rating int, at time.Time) (store.SchedulingState, error) {
	var reviewedAt *time.Time
	if !at.IsZero() {
		if err := store.CheckTime("reviewed_at", at); err != nil {
			return store.SchedulingState{}, err
		}
		t := store.Truncate(at)
		reviewedAt = &t
	}
	var st store.SchedulingState
	var state int16
	var step *int32
	// One statement: a conflict the server rolled back (40001, 40P01) is replayed whole.
	err := retry(ctx, func() error {
		return s.pool.QueryRow(ctx, `SELECT id, state, step, stability, difficulty, retrievability,
			last_review, next_review, reps, lapses
		  FROM vestige_review(memory_id => $1, rating => $2, reviewed_at => $3)`,
			memoryID, rating, reviewedAt).
			Scan(&st.MemoryID, &state, &step, &st.Stability, &st.Difficulty, &st.Retrievability,
				&st.LastReview, &st.NextReview, &st.Reps, &st.Lapses)
	})
	if err != nil {
		return store.SchedulingState{}, interpretError(err)
	}
	st.State = int(state)
	if step != nil {
		v := int(*step)
		st.Step = &v
	}
	st.LastReview = utcPtr(st.LastReview)
	st.NextReview = utcPtr(st.NextReview)
	return st, nil
}
