package storetest

import (
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store"
)

// testDueMostlyReviewed: most memories reviewed (the oldest, as in use) and a limit. The
// new cards, found through their own index since migration 5, still come in due order among
// the overdue reviewed ones, and follow every change that makes a card new or reviewed.
func testDueMostlyReviewed(h *harness) {
	t0 := time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	const n, reviewed = 60, 54
	var ms []store.Memory
	states := map[int]store.SchedulingState{}
	for i := range n {
		ms = append(ms, h.insert(store.Memory{Content: "card", CreatedAt: at(time.Duration(i) * time.Minute)}))
	}
	for i := range reviewed {
		last, next := at(2*time.Hour), at(30*24*time.Hour+time.Duration(i)*time.Minute)
		if i%20 == 7 { // 7, 27, 47: overdue, latest created first
			next = at(-time.Duration(i) * time.Minute)
		}
		st := store.SchedulingState{MemoryID: ms[i].ID, Stability: 3, Difficulty: 5, Retrievability: 0.9,
			LastReview: &last, NextReview: &next, Reps: 1, State: 2}
		require.NoError(h, h.s.UpdateScheduling(h.ctx, st))
		states[i] = st
	}
	now := at(4 * time.Hour)
	requireDue := func(want []int, limit int, what string) {
		h.Helper()
		got, err := h.s.DueMemories(h.ctx, now, limit)
		require.NoError(h, err, what)
		wantIDs := make([]store.Memory, len(want))
		for i, w := range want {
			wantIDs[i] = ms[w]
		}
		require.Equal(h, memIDs(wantIDs...), dueIDs(got), what)
	}

	for _, tc := range []struct {
		name  string
		limit int
		want  []int
	}{
		{"limit 1", 1, []int{47}},
		{"limit 5: overdue first, then new cards by creation", 5, []int{47, 27, 7, 54, 55}},
		{"every due card", 20, []int{47, 27, 7, 54, 55, 56, 57, 58, 59}},
	} {
		requireDue(tc.want, tc.limit, tc.name)
	}

	// A memory reviewed again moves out; one whose next review is cleared is new again.
	later := at(40 * 24 * time.Hour)
	st := states[27]
	st.NextReview = &later
	require.NoError(h, h.s.UpdateScheduling(h.ctx, st))
	requireDue([]int{47, 7, 54}, 3, "27 rescheduled")
	st = states[3]
	st.NextReview = nil
	require.NoError(h, h.s.UpdateScheduling(h.ctx, st))
	requireDue([]int{47, 7, 3, 54}, 4, "3 without a next review: new again, due from its creation")
	st.NextReview = states[3].NextReview
	require.NoError(h, h.s.UpdateScheduling(h.ctx, st))
	requireDue([]int{47, 7, 54}, 3, "3 scheduled again")

	// Deleting memories takes their cards, new or reviewed, with them.
	for _, i := range []int{54, 47, 7} {
		require.NoError(h, h.s.Delete(h.ctx, ms[i].ID))
	}
	requireDue([]int{55, 56}, 2, "54, 47 and 7 deleted: the page is still full")

	// A first review of a new card, as the scheduler writes it.
	last, next := at(3*time.Hour), at(5*24*time.Hour)
	require.NoError(h, h.s.UpdateScheduling(h.ctx, store.SchedulingState{MemoryID: ms[55].ID, Stability: 1,
		Difficulty: 5, Retrievability: 1, LastReview: &last, NextReview: &next, Reps: 1, State: 2}))
	requireDue([]int{56, 57, 58, 59}, 10, "55 reviewed")
}
