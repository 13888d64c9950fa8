package sqlitestore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"zombiezen.com/go/sqlite"

	"github.com/vestige-mem/vestige/client/fsrs"
	"github.com/vestige-mem/vestige/client/store"
)

// Review is vestige_review's twin: client/fsrs computes the review with the parameters of
// this store's fsrs_parameters row, and the scheduling row and the review event are written
// in one transaction, with the event's states in the same JSON shape as Postgres writes.
//
// A zero time means now, read once the write transaction holds the database's write lock (as
// vestige_review reads it once it holds the memory's lock): a time read before could be older
// than that of a review that ran while this one waited, which would then refuse this one.
func (s *Store) Review(ctx context.Context, memoryID uuid.UUID, rating int, at time.Time) (store.SchedulingState, error) {
	if !at.IsZero() {
		if err := store.CheckTime("reviewed_at", at); err != nil {
			return store.SchedulingState{}, err
		}
	}
	if !fsrs.Rating(rating).Valid() {
		return store.SchedulingState{}, &store.InvalidInputError{Field: "rating", Reason: fmt.Sprintf("%d is not 1 (again), 2 (hard), 3 (good) or 4 (easy)", rating)}
	}
	var out store.SchedulingState
	err := s.write(ctx, func(conn *sqlite.Conn) error {
		at := at
		if at.IsZero() {
			at = store.Now()
		}
		at = store.Truncate(at)
		if err := memoryExists(conn, memoryID); err != nil {
			return err
		}
		params, err := fsrsParameters(conn)
		if err != nil {
			return err
		}
		var prior *store.SchedulingState
		_, err = queryOne(conn, `SELECT `+schedulingColumns+` FROM scheduling s WHERE s.memory_id = ?1`,
			func(stmt *sqlite.Stmt) error {
				v, err := scanScheduling(stmt, 0)
				prior = &v
				return err
			}, memoryID)
		if err != nil {
			return err
		}
		var card *fsrs.Card
		if prior != nil {
			card = toCard(*prior)
		}
		next, err := params.Review(card, fsrs.Rating(rating), at)
		if err != nil {
			return reviewError(err)
		}
		if err := checkDue(at, next.Due); err != nil {
			return err
		}
		out = fromCard(memoryID, next, params.ReviewRetrievability(card, at))
		priorJSON, err := stateJSON(prior)
		if err != nil {
			return err
		}
		newJSON, err := stateJSON(&out)
		if err != nil {
			return err
		}
		if err := exec(conn, `INSERT INTO scheduling (memory_id, stability, difficulty, retrievability,
				last_review, next_review, reps, lapses, state, step)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
			ON CONFLICT (memory_id) DO UPDATE SET stability = excluded.stability,
				difficulty = excluded.difficulty, retrievability = excluded.retrievability,
				last_review = excluded.last_review, next_review = excluded.next_review,
				reps = excluded.reps, lapses = excluded.lapses, state = excluded.state, step = excluded.step`,
			memoryID, out.Stability, out.Difficulty, out.Retrievability, out.LastReview,
			out.NextReview, out.Reps, out.Lapses, out.State, out.Step); err != nil {
			return err
		}
		return exec(conn, `INSERT INTO review_events (id, memory_id, reviewed_at, rating, prior_state, new_state)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6)`, uuid.New(), memoryID, at, rating, priorJSON, newJSON)
	})
	if err != nil {
		return store.SchedulingState{}, interpretError(ctx, err)
	}
	return out, nil
}

// checkDue refuses a review whose next review would fall after store.MaxTime: it could be
// stored but never exported. (store.MaxIntervalDays bounds the interval, not the date.)
func checkDue(at, due time.Time) error {
	if due.After(store.MaxTime) {
		return &store.InvalidInputError{Field: "reviewed_at", Reason: fmt.Sprintf("%s would schedule the next review after %s (at %s)",
			at.UTC().Format(jsonTimeLayout), store.MaxTime.Format(time.DateOnly), due.UTC().Format(jsonTimeLayout))}
	}
	return nil
}

// reviewError maps client/fsrs' errors to the store's, as the SQLSTATEs of vestige_review do.
func reviewError(err error) error {
	// detail is what fsrs says after its sentinel's own text, which the store's replaces.
	detail := func(sentinel error) string {
		return strings.TrimPrefix(strings.TrimPrefix(err.Error(), sentinel.Error()), ": ")
	}
	switch {
	case errors.Is(err, fsrs.ErrReviewBeforeLast):
		return fmt.Errorf("%w: %s", store.ErrReviewBeforeLast, detail(fsrs.ErrReviewBeforeLast))
	case errors.Is(err, fsrs.ErrInvalidRating):
		return &store.InvalidInputError{Field: "rating", Reason: detail(fsrs.ErrInvalidRating)}
	case errors.Is(err, fsrs.ErrInvalidCard):
		return &store.InvalidInputError{Field: "scheduling", Reason: detail(fsrs.ErrInvalidCard)}
	case errors.Is(err, fsrs.ErrInvalidParameters):
		return &store.InvalidInputError{Field: "fsrs_parameters", Reason: detail(fsrs.ErrInvalidParameters)}
	}
	return err
}

// fsrsParameters reads the one fsrs_parameters row.
func fsrsParameters(conn *sqlite.Conn) (fsrs.Parameters, error) {
	var p fsrs.Parameters
	var scanErr error
	found, err := queryOne(conn, `SELECT weights, desired_retention, learning_steps_secs, relearning_steps_secs,
			maximum_interval_days FROM fsrs_parameters WHERE id = 1`, func(stmt *sqlite.Stmt) error {
		var weights []float64
		var learning, relearning []int64
		scanErr = errors.Join(
			json.Unmarshal([]byte(stmt.ColumnText(0)), &weights),
			json.Unmarshal([]byte(stmt.ColumnText(2)), &learning),
			json.Unmarshal([]byte(stmt.ColumnText(3)), &relearning))
		if len(weights) != len(p.Weights) {
			scanErr = errors.Join(scanErr, fmt.Errorf("fsrs_parameters.weights has %d values, not 21", len(weights)))
		} else {
			copy(p.Weights[:], weights)
		}
		p.DesiredRetention = stmt.ColumnFloat(1)
		p.LearningSteps = seconds(learning)
		p.RelearningSteps = seconds(relearning)
		p.MaximumInterval = stmt.ColumnInt(4)
		return nil
	})
	if err = errors.Join(err, scanErr); err != nil {
		return p, err
	}
	if !found {
		return p, &store.InvalidInputError{Field: "fsrs_parameters", Reason: "the row is missing"}
	}
	// client/fsrs cannot name store's limits (store imports it), so the bound is held here,
	// where the row is read, as vestige_review holds it where it reads the row.
	if p.MaximumInterval > store.MaxIntervalDays {
		return p, &store.InvalidInputError{Field: "fsrs_parameters", Reason: fmt.Sprintf("maximum interval %d days is above the %d allowed", p.MaximumInterval, store.MaxIntervalDays)}
	}
	return p, nil
}

func seconds(secs []int64) []time.Duration {
	out := make([]time.Duration, len(secs))
	for i, s := range secs {
		out[i] = time.Duration(s) * time.Second
	}
	return out
}

func toCard(s store.SchedulingState) *fsrs.Card {
	c := &fsrs.Card{
		State: fsrs.State(s.State), Step: s.Step, Stability: s.Stability, Difficulty: s.Difficulty,
		LastReview: s.LastReview, Reps: s.Reps, Lapses: s.Lapses,
	}
	if s.NextReview != nil {
		c.Due = *s.NextReview
	}
	return c
}

func fromCard(id uuid.UUID, c fsrs.Card, r float64) store.SchedulingState {
	due := c.Due.UTC()
	return store.SchedulingState{
		MemoryID: id, Stability: c.Stability, Difficulty: c.Difficulty, Retrievability: r,
		LastReview: c.LastReview, NextReview: &due, Reps: c.Reps, Lapses: c.Lapses,
		State: int(c.State), Step: c.Step,
	}
}

// jsonTimeLayout is how vestige_review writes a time: UTC, six fraction digits, Z.
const jsonTimeLayout = "2006-01-02T15:04:05.000000Z"

// stateJSON is a scheduling row as review_events holds it, in vestige_review's shape: {} for a
// new card; times as UTC with six fraction digits.
func stateJSON(s *store.SchedulingState) (jsonText, error) {
	if s == nil {
		return "{}", nil
	}
	ts := func(t *time.Time) any {
		if t == nil {
			return nil
		}
		return t.UTC().Format(jsonTimeLayout)
	}
	b, err := json.Marshal(map[string]any{
		"state": s.State, "step": s.Step, "stability": s.Stability, "difficulty": s.Difficulty,
		"retrievability": s.Retrievability, "last_review": ts(s.LastReview),
		"next_review": ts(s.NextReview), "reps": s.Reps, "lapses": s.Lapses,
	})
	return jsonText(b), err
}
