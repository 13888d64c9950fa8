package storetest

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/fsrs"
	"github.com/vestige-mem/vestige/client/store"
)

// testReview holds a backend's review to client/fsrs, the Go twin both backends mirror
// (Postgres through vestige_review, SQLite by calling it): same states, steps and due times,
// the same stability and difficulty to 1e-9, and a review event per review.
func testReview(h *harness) {
	m := h.note("a memory to review")
	got, err := h.s.GetScheduling(h.ctx, m.ID)
	require.NoError(h, err)
	require.Nil(h, got, "a new card has no scheduling row")

	params := fsrs.DefaultParameters()
	t0 := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	steps := []struct {
		rating fsrs.Rating
		at     time.Time
	}{
		{fsrs.Good, t0},
		{fsrs.Good, t0.Add(12 * time.Minute)},
		{fsrs.Hard, t0.Add(3 * 24 * time.Hour)},
		{fsrs.Again, t0.Add(20 * 24 * time.Hour)},
		{fsrs.Good, t0.Add(20*24*time.Hour + 15*time.Minute)},
		{fsrs.Easy, t0.Add(40 * 24 * time.Hour)},
	}
	var card *fsrs.Card
	for i, step := range steps {
		want, err := params.Review(card, step.rating, step.at)
		require.NoError(h, err)
		wantR := params.ReviewRetrievability(card, step.at)
		card = &want

		st, err := h.s.Review(h.ctx, m.ID, int(step.rating), step.at)
		require.NoError(h, err, "review %d", i)
		require.Equal(h, m.ID, st.MemoryID)
		require.Equal(h, int(want.State), st.State, "review %d: state", i)
		require.Equal(h, want.Step, st.Step, "review %d: step", i)
		require.Equal(h, want.Reps, st.Reps, "review %d: reps", i)
		require.Equal(h, want.Lapses, st.Lapses, "review %d: lapses", i)
		requireRel(h, want.Stability, st.Stability, "stability", i)
		requireRel(h, want.Difficulty, st.Difficulty, "difficulty", i)
		requireRel(h, wantR, st.Retrievability, "retrievability before the review", i)
		require.NotNil(h, st.NextReview)
		h.requireTime(want.Due, *st.NextReview, "next review")
		h.requireTimePtr(&step.at, st.LastReview, "last review")

		stored, err := h.s.GetScheduling(h.ctx, m.ID)
		require.NoError(h, err)
		h.requireScheduling(st, stored, "stored row after review")
	}
	stats, err := h.s.Stats(h.ctx)
	require.NoError(h, err)
	require.Equal(h, int64(len(steps)), stats.ReviewEvents, "one event per review")

	// Refused reviews change nothing.
	before, err := h.s.GetScheduling(h.ctx, m.ID)
	require.NoError(h, err)
	_, err = h.s.Review(h.ctx, m.ID, int(fsrs.Good), t0)
	require.True(h, errors.Is(err, store.ErrReviewBeforeLast), "a review dated before the last: %v", err)
	for _, rating := range []int{0, 5, -1} {
		_, err = h.s.Review(h.ctx, m.ID, rating, t0.Add(100*24*time.Hour))
		require.True(h, errors.Is(err, store.ErrInvalidInput), "rating %d: %v", rating, err)
	}
	after, err := h.s.GetScheduling(h.ctx, m.ID)
	require.NoError(h, err)
	h.requireScheduling(*before, after, "row after refused reviews")
	stats, err = h.s.Stats(h.ctx)
	require.NoError(h, err)
	require.Equal(h, int64(len(steps)), stats.ReviewEvents, "refused reviews write no event")

	_, err = h.s.Review(h.ctx, m.ID, int(fsrs.Good), time.Time{})
	require.NoError(h, err, "a zero time reviews now")
	_, err = h.s.Review(h.ctx, uuid.New(), int(fsrs.Good), t0)
	require.True(h, errors.Is(err, store.ErrNotFound), "unknown memory: %v", err)
}

// testReviewFollows: retrievability and due listing follow reviews. A memory last reviewed
// long ago is forgotten (excluded by min_retrievability) and included again right after a
// review; due lists new and overdue memories, earliest first.
func testReviewFollows(h *harness) {
	h.registerModel4()
	now := store.Now()
	created := now.Add(-500 * 24 * time.Hour)
	insert := func(content string, at time.Time) store.Memory {
		return h.insert(store.Memory{Content: content, Embedding: []float32{1, 0.1, 0, 0}, CreatedAt: at, UpdatedAt: at})
	}
	old := insert("forgotten rust lore", created)
	fresh := insert("new rust lore", now.Add(-2*time.Hour))
	overdue := insert("overdue rust lore", created)

	_, err := h.s.Review(h.ctx, old.ID, int(fsrs.Good), now.Add(-400*24*time.Hour))
	require.NoError(h, err)
	_, err = h.s.Review(h.ctx, overdue.ID, int(fsrs.Good), now.Add(-30*24*time.Hour))
	require.NoError(h, err)

	minR := 0.9
	q := store.SearchQuery{Text: "rust lore", Embedding: []float32{1, 0.1, 0, 0}, MinRetrievability: &minR}
	for name, search := range map[string]func() ([]store.SearchResult, error){
		"hybrid": func() ([]store.SearchResult, error) { return h.s.Search(h.ctx, q) },
		"fts":    func() ([]store.SearchResult, error) { return h.s.FTSSearch(h.ctx, q) },
		"vector": func() ([]store.SearchResult, error) { return h.s.VectorSearch(h.ctx, q) },
	} {
		rs, err := search()
		require.NoError(h, err, name)
		sameSet(h, memIDs(fresh), resultIDs(rs), name+": only the new memory is retrievable enough")
	}

	due, err := h.s.DueMemories(h.ctx, now, 10)
	require.NoError(h, err)
	require.Equal(h, memIDs(old, overdue, fresh), dueIDs(due), "overdue reviews (earliest first), then the new card")
	require.NotNil(h, due[0].Scheduling)
	require.Nil(h, due[2].Scheduling, "a new card has no scheduling state")

	st, err := h.s.Review(h.ctx, old.ID, int(fsrs.Good), now)
	require.NoError(h, err)
	r, err := h.s.Retrievability(h.ctx, old.ID, now)
	require.NoError(h, err)
	require.InDelta(h, 1.0, r, 1e-12, "right after a review")
	rs, err := h.s.Search(h.ctx, q)
	require.NoError(h, err)
	sameSet(h, memIDs(old, fresh), resultIDs(rs), "the reviewed memory is back")
	due, err = h.s.DueMemories(h.ctx, now, 10)
	require.NoError(h, err)
	require.Equal(h, memIDs(overdue, fresh), dueIDs(due), "no longer due until its next review")
	later, err := h.s.DueMemories(h.ctx, *st.NextReview, 10)
	require.NoError(h, err)
	require.Contains(h, dueIDs(later), old.ID, "due again at its next review")
}

func requireRel(h *harness, want, got float64, what string, i int) {
	h.Helper()
	tol := 1e-9 * math.Max(math.Abs(want), 1e-300)
	require.InDelta(h, want, got, tol, "review %d: %s", i, what)
}

// testReviewTimeBounds: every time a review stores can be read back and exported. A review
// time outside [MinTime, MaxTime] is refused, and so is one whose next review would fall after
// MaxTime (an Easy on 9999-12-30 would schedule it in year 10000); nothing is written, and the
// store still exports. A review near MaxTime whose next review stays within it passes.
func testReviewTimeBounds(h *harness) {
	m := h.note("a memory reviewed at the end of time")
	requireField := func(err error, field, reason, what string) {
		h.Helper()
		require.ErrorIs(h, err, store.ErrInvalidInput, what)
		ie, ok := errorsAs[*store.InvalidInputError](err)
		require.True(h, ok, "%s: %v is an *InvalidInputError", what, err)
		require.Equal(h, field, ie.Field, what)
		require.Contains(h, ie.Reason, reason, what)
	}
	late := time.Date(9999, 12, 30, 0, 0, 0, 0, time.UTC)
	_, err := h.s.Review(h.ctx, m.ID, int(fsrs.Easy), late)
	requireField(err, "reviewed_at", "would schedule the next review after 9999-12-31", "Easy on 9999-12-30")
	for _, at := range []time.Time{store.MaxTime.Add(time.Microsecond), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		store.MinTime.Add(-time.Hour)} { // (MinTime less 1µs is the zero time: "now")
		_, err = h.s.Review(h.ctx, m.ID, int(fsrs.Good), at)
		requireField(err, "reviewed_at", "outside the stored range", at.String())
	}
	got, err := h.s.GetScheduling(h.ctx, m.ID)
	require.NoError(h, err)
	require.Nil(h, got, "refused reviews write no scheduling row")
	stats, err := h.s.Stats(h.ctx)
	require.NoError(h, err)
	require.Zero(h, stats.ReviewEvents, "refused reviews write no event")

	// A learning step of ten minutes stays within the range: accepted, and readable.
	st, err := h.s.Review(h.ctx, m.ID, int(fsrs.Good), late)
	require.NoError(h, err, "Good on 9999-12-30 waits a learning step")
	require.True(h, !st.NextReview.After(store.MaxTime), "next review %s", st.NextReview)
	_, err = h.s.Review(h.ctx, m.ID, int(fsrs.Easy), late.Add(time.Hour))
	requireField(err, "reviewed_at", "after 9999-12-31", "Easy graduates past MaxTime")
	stored, err := h.s.GetScheduling(h.ctx, m.ID)
	require.NoError(h, err)
	h.requireScheduling(st, stored, "the refused Easy changed nothing")

	// Retrievability and due listing take only times the store can hold.
	_, err = h.s.Retrievability(h.ctx, m.ID, store.MaxTime.Add(time.Microsecond))
	requireField(err, "at", "outside the stored range", "Retrievability")
	_, err = h.s.DueMemories(h.ctx, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), 10)
	requireField(err, "before", "outside the stored range", "DueMemories")
	due, err := h.s.DueMemories(h.ctx, store.MaxTime, 10)
	require.NoError(h, err)
	require.Equal(h, memIDs(m), dueIDs(due))

	if d, ok := h.s.(store.Dumper); ok {
		n := 0
		require.NoError(h, d.Dump(h.ctx, func(r store.Record) error {
			n++
			_, err := json.Marshal(r)
			return err
		}), "the store still exports")
		require.Equal(h, 4, n, "fsrs parameters, memory, scheduling, one review event")
	}
}

// testReviewConcurrentNow: reviews without a time, of one new memory, at once. Each is dated
// when it runs (holding the card), so none is refused as dated before the last review, none
// overwrites the card another created, and the review log is one unbroken chain.
func testReviewConcurrentNow(h *harness) {
	// A few rounds: one round alone can happen to be scheduled in clock order.
	for range 3 {
		h.reviewAtOnce(h.note("a memory everyone reviews at once"))
	}
}

func (h *harness) reviewAtOnce(m store.Memory) {
	h.Helper()
	const reviewers = 8
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, reviewers)
	for range reviewers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := h.s.Review(h.ctx, m.ID, int(fsrs.Good), time.Time{})
			errs <- err
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(h, err, "a review without a time")
	}
	st, err := h.s.GetScheduling(h.ctx, m.ID)
	require.NoError(h, err)
	require.NotNil(h, st)
	require.Equal(h, reviewers, st.Reps, "every review counted")

	d, ok := h.s.(store.Dumper)
	if !ok {
		return
	}
	var events []store.ReviewEvent
	require.NoError(h, d.Dump(h.ctx, func(r store.Record) error {
		if r.ReviewEvent != nil && r.ReviewEvent.MemoryID == m.ID {
			events = append(events, *r.ReviewEvent)
		}
		return nil
	}))
	require.Len(h, events, reviewers, "one event per review")
	require.Empty(h, events[0].PriorState, "the first review saw a new card")
	for i := 1; i < len(events); i++ {
		require.Equal(h, events[i-1].NewState, events[i].PriorState, "event %d's prior is event %d's new state", i, i-1)
		require.Equal(h, json.Number(strconv.Itoa(i+1)), events[i].NewState["reps"], "event %d", i)
	}
}
