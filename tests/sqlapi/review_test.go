package sqlapi_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/internal/fsrsvectors"
)

// The vectors' reader is shared with client/fsrs' tests (internal/fsrsvectors).
var (
	loadVectors  = fsrsvectors.Load
	requireClose = fsrsvectors.RequireClose
)

// schedRow is a scheduling row, as vestige_review returns it and as the table holds it.
type schedRow struct {
	ID             uuid.UUID
	State          int
	Step           *int
	Stability      float64
	Difficulty     float64
	Retrievability float64
	LastReview     time.Time
	NextReview     time.Time
	Reps           int
	Lapses         int
}

const reviewColumns = `id, state, step, stability, difficulty, retrievability, last_review, next_review, reps, lapses`

func collectSched(rows pgx.Rows, err error) ([]schedRow, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[schedRow])
}

// review calls vestige_review as a psql user would, with named arguments.
func review(t *testing.T, conn *pgx.Conn, id uuid.UUID, rating int, at time.Time) schedRow {
	t.Helper()
	got, err := tryReview(conn, id, rating, at)
	require.NoError(t, err, "review %s rating %d at %s", id, rating, at)
	return got
}

func tryReview(conn *pgx.Conn, id uuid.UUID, rating int, at time.Time) (schedRow, error) {
	rows, err := collectSched(conn.Query(context.Background(),
		`SELECT `+reviewColumns+` FROM vestige_review(memory_id => $1, rating => $2, reviewed_at => $3)`,
		id, rating, at))
	if err != nil {
		return schedRow{}, err
	}
	if len(rows) != 1 {
		return schedRow{}, errNotOneRow
	}
	return rows[0], nil
}

var errNotOneRow = errors.New("vestige_review did not return exactly one row")

// scheduling reads the table's row (nil: none, a new card).
func scheduling(t *testing.T, conn *pgx.Conn, id uuid.UUID) *schedRow {
	t.Helper()
	rows, err := collectSched(conn.Query(context.Background(),
		`SELECT memory_id AS id, state, step, stability, difficulty, retrievability, last_review, next_review, reps, lapses
		   FROM scheduling WHERE memory_id = $1`, id))
	require.NoError(t, err)
	if len(rows) == 0 {
		return nil
	}
	require.Len(t, rows, 1)
	return &rows[0]
}

type reviewEvent struct {
	Rating     int16
	ReviewedAt time.Time
	Prior      map[string]any
	New        map[string]any
}

func reviewEvents(t *testing.T, conn *pgx.Conn, id uuid.UUID) []reviewEvent {
	t.Helper()
	rows, err := conn.Query(context.Background(),
		`SELECT rating, reviewed_at, prior_state, new_state FROM review_events WHERE memory_id = $1 ORDER BY reviewed_at, id`, id)
	require.NoError(t, err)
	evs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[reviewEvent])
	require.NoError(t, err)
	return evs
}

// newMemory inserts a bare memory (no embedding) created at `created`.
func newMemory(t *testing.T, conn *pgx.Conn, content string, created time.Time) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	require.NoError(t, conn.QueryRow(context.Background(),
		`INSERT INTO memories (content, created_at, updated_at) VALUES ($1, $2, $2) RETURNING id`,
		content, created).Scan(&id))
	return id
}

func setScheduler(t *testing.T, conn *pgx.Conn, s fsrsvectors.Scheduler) {
	t.Helper()
	require.False(t, s.EnableFuzzing, "vectors are generated with fuzzing off")
	require.Len(t, s.Parameters, 21)
	learn, relearn := s.LearningStepsSeconds, s.RelearningStepsSeconds
	if learn == nil {
		learn = []int64{}
	}
	if relearn == nil {
		relearn = []int64{}
	}
	_, err := conn.Exec(context.Background(), `UPDATE fsrs_parameters
		SET weights = $1, desired_retention = $2, learning_steps_secs = $3, relearning_steps_secs = $4,
		    maximum_interval_days = $5, updated_at = now()`,
		s.Parameters, s.DesiredRetention, learn, relearn, s.MaximumIntervalDays)
	require.NoError(t, err)
}

// jsonTime is how a review event's JSON spells a time: UTC, microseconds, Z.
func jsonTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

// stateJSON is the JSON object a review event holds for a scheduling row, as decoded by pgx.
func stateJSON(r schedRow) map[string]any {
	var step any
	if r.Step != nil {
		step = float64(*r.Step)
	}
	return map[string]any{
		"state": float64(r.State), "step": step, "stability": r.Stability, "difficulty": r.Difficulty,
		"retrievability": r.Retrievability, "last_review": jsonTime(r.LastReview),
		"next_review": jsonTime(r.NextReview), "reps": float64(r.Reps), "lapses": float64(r.Lapses),
	}
}

// Every review history of the vectors, replayed through vestige_review: state, step and due
// time exactly, stability and difficulty within 1e-9 relative, after every event. The session
// runs in a time zone with DST and with extra_float_digits = 0, to show that neither leaks
// into the schedule or the event log.
func TestReviewVectorsSchedulerCases(t *testing.T) {
	v := loadVectors(t)
	for _, c := range v.SchedulerCases {
		t.Run(c.ID, func(t *testing.T) {
			d := newDB(t)
			ctx := context.Background()
			d.exec(`SET TimeZone = 'America/New_York'`)
			d.exec(`SET extra_float_digits = 0`)
			s, ok := v.Schedulers[c.Scheduler]
			require.True(t, ok, "unknown scheduler %q", c.Scheduler)
			setScheduler(t, d.conn, s)
			if c.ExpectedHardFloor != nil {
				require.Len(t, c.ExpectedHardFloor, len(c.Events), "expected_hard_floor has one entry per event")
			}

			id := newMemory(t, d.conn, "vector case "+c.ID, c.CardCreated)
			var history []schedRow
			var lapses int
			// expected_hard_floor (per case or per event) wins over expected.
			wants := c.Expectations()
			for i, e := range c.Events {
				want := wants[i]
				if i > 0 && history[i-1].State == 2 && e.Rating == 1 {
					lapses++
				}

				got := review(t, d.conn, id, e.Rating, e.ReviewDatetime)
				row := scheduling(t, d.conn, id)
				require.NotNil(t, row, "event %d: the review wrote a scheduling row", i)
				require.Equal(t, got, *row, "event %d: vestige_review returns the row it wrote", i)

				require.Equal(t, id, got.ID)
				require.Equal(t, want.StateValue, got.State, "event %d: state", i)
				require.Equal(t, want.Step, got.Step, "event %d: step", i)
				requireClose(t, want.Stability, got.Stability, "stability", "event", i)
				requireClose(t, want.Difficulty, got.Difficulty, "difficulty", "event", i)
				require.True(t, want.Due.Equal(got.NextReview), "event %d: due: want %s, got %s", i, want.Due, got.NextReview.UTC())
				require.Equal(t, want.IntervalSeconds, int64(got.NextReview.Sub(e.ReviewDatetime)/time.Second), "event %d: interval", i)
				require.True(t, e.ReviewDatetime.Equal(got.LastReview), "event %d: last review", i)
				if want.RetrievabilityBefore == nil {
					require.Equal(t, 1.0, got.Retrievability, "event %d: a new card counts as R = 1", i)
				} else {
					requireClose(t, *want.RetrievabilityBefore, got.Retrievability, "retrievability before", "event", i)
				}
				require.EqualValues(t, i+1, got.Reps, "event %d: reps", i)
				require.Equal(t, lapses, got.Lapses, "event %d: lapses", i)
				history = append(history, got)

				// The live R agrees with the scheduler's whole-day R when the next review is a
				// whole number of days later.
				if i+1 < len(c.Events) {
					next := c.Events[i+1]
					gap := next.ReviewDatetime.Sub(e.ReviewDatetime)
					if rb := wants[i+1].RetrievabilityBefore; gap%(24*time.Hour) == 0 && rb != nil {
						var r float64
						require.NoError(t, d.conn.QueryRow(ctx, `SELECT vestige_retrievability(memory_id => $1, at => $2)`,
							id, next.ReviewDatetime).Scan(&r))
						requireClose(t, *rb, r, "vestige_retrievability", "before event", i+1)
					}
				}
			}

			// One event per review, each holding the row before ({} for the new card) and after.
			evs := reviewEvents(t, d.conn, id)
			require.Len(t, evs, len(c.Events))
			for i, ev := range evs {
				require.EqualValues(t, c.Events[i].Rating, ev.Rating, "event %d: rating", i)
				require.True(t, c.Events[i].ReviewDatetime.Equal(ev.ReviewedAt), "event %d: reviewed_at", i)
				if i == 0 {
					require.Equal(t, map[string]any{}, ev.Prior, "a new card's prior state is {}")
				} else {
					require.Equal(t, stateJSON(history[i-1]), ev.Prior, "event %d: prior state", i)
				}
				require.Equal(t, stateJSON(history[i]), ev.New, "event %d: new state", i)
			}
		})
	}
}

// The forgetting curve of the vectors, through vestige_forgetting_curve, and through
// vestige_retrievability (fractional days) and a second review (whole days) on a memory whose
// scheduling row a first review created.
func TestRetrievabilityVectors(t *testing.T) {
	v := loadVectors(t)
	d := newDB(t)
	ctx := context.Background()
	last := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	for i, c := range v.RetrievabilityCases {
		var r float64
		require.NoError(t, d.conn.QueryRow(ctx,
			`SELECT vestige_forgetting_curve(stability => $1, elapsed_days => $2, decay => $3)`,
			c.Stability, c.ElapsedDays, c.W20).Scan(&r))
		requireClose(t, c.Expected, r, "vestige_forgetting_curve", "case", i)

		d.exec(`UPDATE fsrs_parameters SET weights[21] = $1`, c.W20)
		id := newMemory(t, d.conn, "retrievability case", last.Add(-time.Hour))
		review(t, d.conn, id, 3, last)
		d.exec(`UPDATE scheduling SET stability = $2 WHERE memory_id = $1`, id, c.Stability)
		at := last.Add(time.Duration(c.ElapsedDays * float64(24*time.Hour)))
		require.NoError(t, d.conn.QueryRow(ctx,
			`SELECT vestige_retrievability(memory_id => $1, at => $2)`, id, at).Scan(&r))
		requireClose(t, c.Expected, r, "vestige_retrievability", "case", i)

		if c.ElapsedDays == math.Trunc(c.ElapsedDays) {
			// The review's stored retrievability is R just before it, with whole days.
			got := review(t, d.conn, id, 3, at)
			requireClose(t, c.Expected, got.Retrievability, "retrievability before a review", "case", i)
		}
	}
}

// A review is one atomic step: when the event cannot be written, the scheduling row is left
// exactly as it was (or absent, for a new card) and no event exists.
func TestReviewIsAtomic(t *testing.T) {
	d := newDB(t)
	ctx := context.Background()
	t0 := time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)
	seen := newMemory(t, d.conn, "reviewed once", t0)
	fresh := newMemory(t, d.conn, "never reviewed", t0)
	before := review(t, d.conn, seen, 3, t0)

	d.exec(`CREATE FUNCTION test_refuse_review_event() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'review_events is closed' USING ERRCODE = 'P0001'; END $$`)
	d.exec(`CREATE TRIGGER test_refuse BEFORE INSERT ON review_events
		FOR EACH ROW EXECUTE FUNCTION test_refuse_review_event()`)

	_, err := tryReview(d.conn, seen, 3, t0.Add(48*time.Hour))
	requireState(t, err, "P0001", "review_events is closed")
	require.Equal(t, before, *scheduling(t, d.conn, seen), "scheduling row unchanged")
	require.Len(t, reviewEvents(t, d.conn, seen), 1, "no event written")

	_, err = tryReview(d.conn, fresh, 4, t0)
	requireState(t, err, "P0001")
	require.Nil(t, scheduling(t, d.conn, fresh), "a new card stays new")
	require.Empty(t, reviewEvents(t, d.conn, fresh))

	// The same inside a caller's transaction: the failed call takes nothing with it.
	tx, err := d.conn.Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `SELECT vestige_review($1, 3, $2)`, seen, t0.Add(72*time.Hour))
	requireState(t, err, "P0001")
	require.NoError(t, tx.Rollback(ctx))

	d.exec(`DROP TRIGGER test_refuse ON review_events`)
	after := review(t, d.conn, seen, 3, t0.Add(48*time.Hour))
	require.EqualValues(t, 2, after.Reps)
	require.Len(t, reviewEvents(t, d.conn, seen), 2)
}

func TestReviewErrors(t *testing.T) {
	d := newDB(t)
	ctx := context.Background()
	t0 := time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)
	id := newMemory(t, d.conn, "error cases", t0)

	_, err := tryReview(d.conn, uuid.New(), 3, t0)
	requireState(t, err, "VS005", "not found")

	for _, rating := range []int{0, 5, -1} {
		_, err = tryReview(d.conn, id, rating, t0)
		requireState(t, err, "VS006", "rating")
	}
	_, err = d.conn.Exec(ctx, `SELECT vestige_review(memory_id => $1, rating => NULL)`, id)
	requireState(t, err, "VS006", "rating")
	_, err = d.conn.Exec(ctx, `SELECT vestige_review(memory_id => NULL, rating => 3)`)
	requireState(t, err, "VS006", "memory_id")
	require.Nil(t, scheduling(t, d.conn, id), "no error wrote anything")
	require.Empty(t, reviewEvents(t, d.conn, id))

	first := review(t, d.conn, id, 3, t0)
	_, err = tryReview(d.conn, id, 3, t0.Add(-time.Microsecond))
	requireState(t, err, "VS007", "before the last review")
	require.Equal(t, first, *scheduling(t, d.conn, id))
	// The same instant is a same-day review, not an error.
	same := review(t, d.conn, id, 3, t0)
	require.EqualValues(t, 2, same.Reps)

	// Parameters outside py-fsrs' bounds are refused, not scheduled with.
	d.exec(`UPDATE fsrs_parameters SET weights[21] = 0.9`)
	_, err = tryReview(d.conn, id, 3, t0.Add(time.Hour))
	requireState(t, err, "VS006", "fsrs_parameters", "weights[20]")
	d.exec(`UPDATE fsrs_parameters SET weights[21] = 0.1542`)

	// A scheduling row no review could have produced (a raw INSERT with the defaults) is
	// refused by the table (migration 002); vestige_review refuses such a row too, should
	// one predate the constraints: shown by lifting them for this test.
	raw := newMemory(t, d.conn, "raw scheduling row", t0)
	_, err = d.conn.Exec(ctx, `INSERT INTO scheduling (memory_id) VALUES ($1)`, raw)
	requireState(t, err, "23514")
	for _, c := range []string{"stability", "difficulty", "step_state", "last_review"} {
		d.exec(`ALTER TABLE scheduling DROP CONSTRAINT scheduling_` + c + `_check`)
	}
	d.exec(`INSERT INTO scheduling (memory_id) VALUES ($1)`, raw)
	_, err = tryReview(d.conn, raw, 3, t0)
	requireState(t, err, "VS006", "no step", "no last review", "stability 0")
}

// reps counts every review; lapses only Again in the review state. Without reviewed_at (or
// with NULL) the review is dated when it holds the card: clock_timestamp(), not the
// transaction's now().
func TestReviewRepsLapsesAndDefaultTime(t *testing.T) {
	d := newDB(t)
	ctx := context.Background()
	t0 := time.Date(2025, 1, 10, 8, 0, 0, 0, time.UTC)
	id := newMemory(t, d.conn, "counting", t0)
	steps := []struct {
		after  time.Duration
		rating int
		state  int
		lapses int
	}{
		{0, 4, 2, 0},                    // Easy graduates a new card
		{10 * 24 * time.Hour, 1, 3, 1},  // Again in review: a lapse, relearning
		{5 * time.Minute, 1, 3, 1},      // Again in relearning: no lapse
		{10 * time.Minute, 3, 2, 1},     // Good: back to review
		{30 * 24 * time.Hour, 1, 3, 2},  // another lapse
		{24 * time.Hour, 4, 2, 2},       // Easy
		{100 * 24 * time.Hour, 2, 2, 2}, // Hard in review stays in review
	}
	at := t0
	for i, s := range steps {
		at = at.Add(s.after)
		got := review(t, d.conn, id, s.rating, at)
		require.Equal(t, s.state, got.State, "review %d: state", i)
		require.EqualValues(t, i+1, got.Reps, "review %d: reps", i)
		require.Equal(t, s.lapses, got.Lapses, "review %d: lapses", i)
		if got.State == 2 {
			require.Nil(t, got.Step)
		} else {
			require.NotNil(t, got.Step)
		}
	}
	evs := reviewEvents(t, d.conn, id)
	require.Len(t, evs, len(steps))
	require.Equal(t, map[string]any{}, evs[0].Prior)
	for i := 1; i < len(evs); i++ {
		require.Equal(t, evs[i-1].New, evs[i].Prior, "event %d's prior is event %d's new state", i, i-1)
	}

	// Without reviewed_at, the review happens when it runs, later than the transaction's start.
	for _, call := range []string{`SELECT last_review FROM vestige_review($1, 3)`,
		`SELECT last_review FROM vestige_review($1, 3, NULL)`} {
		other := newMemory(t, d.conn, "reviewed now", t0)
		tx, err := d.conn.Begin(ctx)
		require.NoError(t, err)
		var start, last, after time.Time
		require.NoError(t, tx.QueryRow(ctx, `SELECT now() FROM pg_sleep(0.01)`).Scan(&start))
		require.NoError(t, tx.QueryRow(ctx, call, other).Scan(&last))
		require.NoError(t, tx.QueryRow(ctx, `SELECT clock_timestamp()`).Scan(&after))
		require.NoError(t, tx.Commit(ctx))
		require.True(t, last.After(start) && !last.After(after), "%s: want a time in (%s, %s], got %s", call, start, after, last)
	}
}

// Two first reviews of the same memory at once serialize: the second waits for the first and
// then reviews the card the first created (reps 2, its prior is the first's new state).
func TestReviewConcurrentFirstReviewsSerialize(t *testing.T) {
	d := newDB(t)
	ctx := context.Background()
	t0 := time.Date(2025, 2, 1, 9, 0, 0, 0, time.UTC)
	id := newMemory(t, d.conn, "contended", t0)

	other, err := pgx.ConnectConfig(ctx, d.conn.Config())
	require.NoError(t, err)
	defer other.Close(ctx)
	var otherPID uint32
	require.NoError(t, other.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&otherPID))

	tx, err := d.conn.Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `SELECT vestige_review($1, 3, $2)`, id, t0)
	require.NoError(t, err)

	type result struct {
		row schedRow
		err error
	}
	done := make(chan result, 1)
	go func() {
		r, err := tryReview(other, id, 3, t0.Add(time.Minute))
		done <- result{r, err}
	}()

	// Wait until the second review is blocked on a lock held by the first.
	watcher, err := pgx.ConnectConfig(ctx, d.conn.Config())
	require.NoError(t, err)
	defer watcher.Close(ctx)
	require.Eventually(t, func() bool {
		var waiting bool
		err := watcher.QueryRow(ctx, `SELECT coalesce((SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $1), false)`,
			otherPID).Scan(&waiting)
		return err == nil && waiting
	}, 10*time.Second, 10*time.Millisecond, "the second first review waits for the first")
	select {
	case r := <-done:
		t.Fatalf("second review finished while the first held its lock: %+v", r)
	default:
	}
	require.NoError(t, tx.Commit(ctx))

	r := <-done
	require.NoError(t, r.err)
	require.EqualValues(t, 2, r.row.Reps, "the second review saw the first one's card")
	evs := reviewEvents(t, d.conn, id)
	require.Len(t, evs, 2)
	require.Equal(t, map[string]any{}, evs[0].Prior)
	require.Equal(t, evs[0].New, evs[1].Prior)
}

// After a review, vestige_due lists the memory at its next_review (not before), and the live
// retrievability filter of vestige_search keeps a memory reviewed just now and drops one
// whose only review was long ago.
func TestReviewDrivesDueAndRetrievabilityFilter(t *testing.T) {
	d := newDB(t)
	d.registerModel()
	ctx := context.Background()
	fresh := d.insert("rust borrow checker lifetimes", nil, nil, "")
	stale := d.insert("rust borrow checker moves", nil, nil, "")
	d.exec(`UPDATE memories SET created_at = now() - interval '500 days'`)

	var now time.Time
	require.NoError(t, d.conn.QueryRow(ctx, `SELECT now()`).Scan(&now))
	got := review(t, d.conn, fresh, 4, now)
	require.Equal(t, 2, got.State)
	longAgo := now.AddDate(0, 0, -400)
	review(t, d.conn, stale, 3, longAgo)

	due := func(before time.Time) map[uuid.UUID]time.Time {
		rows, err := d.conn.Query(ctx, `SELECT id, due_at FROM vestige_due(before => $1, match_count => 100)`, before)
		require.NoError(t, err)
		out := map[uuid.UUID]time.Time{}
		for rows.Next() {
			var id uuid.UUID
			var at time.Time
			require.NoError(t, rows.Scan(&id, &at))
			out[id] = at
		}
		require.NoError(t, rows.Err())
		return out
	}
	require.NotContains(t, due(got.NextReview.Add(-time.Microsecond)), fresh, "not due before next_review")
	list := due(got.NextReview)
	require.Contains(t, list, fresh, "due at next_review")
	require.True(t, got.NextReview.Equal(list[fresh]))
	require.Contains(t, list, stale, "the stale memory is long overdue")

	var rFresh, rStale float64
	require.NoError(t, d.conn.QueryRow(ctx, `SELECT vestige_retrievability($1), vestige_retrievability($2)`, fresh, stale).Scan(&rFresh, &rStale))
	require.Greater(t, rFresh, 0.99)
	require.Less(t, rStale, 0.9)

	kept := d.search(`vestige_search(query_text => 'rust borrow checker', query_embedding => $1::vector, match_count => 10, min_retrievability => 0.9)`,
		d.vec("rust borrow checker"))
	require.Equal(t, []uuid.UUID{fresh}, ids(kept))
	require.Len(t, d.search(`vestige_search('rust borrow checker', NULL, 10)`), 2)
}
