package sqlapi_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// connect opens another session on d's database, closed when the test ends.
func (d *db) connect() *pgx.Conn {
	d.t.Helper()
	ctx := context.Background()
	c, err := pgx.ConnectConfig(ctx, d.conn.Config())
	require.NoError(d.t, err)
	d.t.Cleanup(func() { c.Close(ctx) })
	return c
}

// waitForLock returns once the session pid waits on a lock.
func (d *db) waitForLock(pid uint32) {
	d.t.Helper()
	require.Eventually(d.t, func() bool {
		var waiting bool
		err := d.conn.QueryRow(context.Background(),
			`SELECT coalesce((SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $1), false)`,
			pid).Scan(&waiting)
		return err == nil && waiting
	}, 10*time.Second, 10*time.Millisecond, "session %d waits for a lock", pid)
}

// Several sessions call vestige_review(id, 3) on one new memory at once, with no time: each
// review is dated when it holds the card, so none is refused as dated before the last one
// (as when the time was the transaction's start), and the log is one unbroken chain.
func TestReviewConcurrentDefaultTime(t *testing.T) {
	d := newDB(t)
	const sessions, rounds = 6, 3
	conns := make([]*pgx.Conn, sessions)
	for i := range conns {
		conns[i] = d.connect()
	}
	for range rounds {
		id := newMemory(t, d.conn, "reviewed by everyone at once", time.Now())
		start := make(chan struct{})
		errs := make(chan error, sessions)
		var wg sync.WaitGroup
		for _, c := range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, err := c.Exec(context.Background(), `SELECT * FROM vestige_review($1, 3)`, id)
				errs <- err
			}()
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err, "a review without a time")
		}
		require.EqualValues(t, sessions, scheduling(t, d.conn, id).Reps)
		evs := reviewEvents(t, d.conn, id)
		require.Len(t, evs, sessions)
		require.Equal(t, map[string]any{}, evs[0].Prior)
		for i := 1; i < len(evs); i++ {
			require.Equal(t, evs[i-1].New, evs[i].Prior, "event %d's prior is event %d's new state", i, i-1)
		}
	}
}

// A first review never overwrites a scheduling row committed while it waited: a raw INSERT
// in an open transaction holds the memory (its foreign key), the review waits for it, then
// reviews the row it finds, and logs that row as its prior state.
func TestReviewFirstReviewSeesRowCommittedMeanwhile(t *testing.T) {
	d := newDB(t)
	ctx := context.Background()
	t0 := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	id := newMemory(t, d.conn, "scheduled by hand", t0)

	writer := d.connect()
	tx, err := writer.Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `INSERT INTO scheduling (memory_id, stability, difficulty, retrievability,
			last_review, next_review, reps, lapses, state, step)
		VALUES ($1, 5, 5, 0.9, $2, $3, 4, 1, 2, NULL)`, id, t0, t0.Add(5*24*time.Hour))
	require.NoError(t, err)

	reviewer := d.connect()
	var pid uint32
	require.NoError(t, reviewer.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid))
	type result struct {
		row schedRow
		err error
	}
	done := make(chan result, 1)
	go func() {
		r, err := tryReview(reviewer, id, 3, t0.Add(6*24*time.Hour))
		done <- result{r, err}
	}()
	d.waitForLock(pid)
	require.NoError(t, tx.Commit(ctx))

	r := <-done
	require.NoError(t, r.err)
	require.EqualValues(t, 5, r.row.Reps, "the review continued the committed row")
	require.EqualValues(t, 1, r.row.Lapses)
	evs := reviewEvents(t, d.conn, id)
	require.Len(t, evs, 1)
	require.EqualValues(t, 4, evs[0].Prior["reps"], "the prior state is the committed row, not {}")
}

// Every time vestige_review stores can be exported: a reviewed_at outside 0001..9999, or one
// whose next review would fall after 9999-12-31, is refused (VS006) and writes nothing; a
// maximum interval above 36500 days is refused with the parameters.
func TestReviewTimeBounds(t *testing.T) {
	d := newDB(t)
	ctx := context.Background()
	id := newMemory(t, d.conn, "the end of time", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))

	for _, tc := range []struct {
		rating int
		at     string
		want   []string
	}{
		{4, "9999-12-30 00:00:00Z", []string{"reviewed_at", "would schedule the next review after 9999-12-31"}},
		{3, "10000-01-01 00:00:00Z", []string{"reviewed_at", "outside the stored range"}},
		{3, "9999-12-31 23:59:59.999999-01", []string{"reviewed_at", "outside the stored range"}},
		{3, "0001-12-31 23:59:59Z BC", []string{"reviewed_at", "outside the stored range"}},
		{3, "infinity", []string{"reviewed_at", "outside the stored range"}},
		{3, "-infinity", []string{"reviewed_at", "outside the stored range"}},
	} {
		_, err := d.conn.Exec(ctx, `SELECT * FROM vestige_review($1, $2, $3::timestamptz)`, id, tc.rating, tc.at)
		requireState(t, err, "VS006", tc.want...)
	}
	require.Nil(t, scheduling(t, d.conn, id), "nothing written")
	require.Empty(t, reviewEvents(t, d.conn, id))

	// A ten-minute learning step on 9999-12-30 stays in range; graduating from it would not.
	late := time.Date(9999, 12, 30, 0, 0, 0, 0, time.UTC)
	first := review(t, d.conn, id, 3, late)
	require.False(t, first.NextReview.After(time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)))
	_, err := tryReview(d.conn, id, 4, late.Add(time.Hour))
	requireState(t, err, "VS006", "after 9999-12-31")
	require.Equal(t, first, *scheduling(t, d.conn, id), "the refused review changed nothing")
	require.Len(t, reviewEvents(t, d.conn, id), 1)

	// The table itself refuses a maximum interval past 36500 days (vestige_review checks
	// it again, for parameters written before migration 002).
	_, err = d.conn.Exec(ctx, `UPDATE fsrs_parameters SET maximum_interval_days = 36501`)
	requireState(t, err, "23514", "fsrs_parameters_maximum_interval_days_max_check")
}

// vestige_retrievability takes an `at` the stored times can be compared with: NULL is now(),
// and a time outside 0001..9999 is refused (VS006) instead of failing on infinity ("cannot
// subtract infinite timestamps") or wrapping round to a wrong R far away.
func TestRetrievabilityTimeBounds(t *testing.T) {
	d := newDB(t)
	ctx := context.Background()
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	id := newMemory(t, d.conn, "how well remembered", t0)
	review(t, d.conn, id, 3, t0)

	for _, at := range []string{"infinity", "-infinity", "200000-01-01Z", "10000-01-01Z", "0001-12-31Z BC"} {
		_, err := d.conn.Exec(ctx, `SELECT vestige_retrievability($1, $2::timestamptz)`, id, at)
		requireState(t, err, "VS006", "at ", "outside the stored range")
	}
	var withNull, withDefault float64
	require.NoError(t, d.conn.QueryRow(ctx, `SELECT vestige_retrievability($1, NULL), vestige_retrievability($1)`, id).
		Scan(&withNull, &withDefault))
	require.Equal(t, withDefault, withNull, "NULL means now()")
	require.Less(t, withNull, 0.9, "reviewed long ago")
	var atMax float64
	require.NoError(t, d.conn.QueryRow(ctx, `SELECT vestige_retrievability($1, '9999-12-31 23:59:59.999999Z')`, id).Scan(&atMax))
	require.Greater(t, atMax, 0.0)
	require.Less(t, atMax, withNull)
	_, err := d.conn.Exec(ctx, `SELECT vestige_retrievability($1, now())`, uuid.New())
	requireState(t, err, "VS005")
}
