package cli_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// review records FSRS reviews; get shows the scheduling state; due follows the reviews.
func TestReviewCommand(t *testing.T) {
	forBoth(t, func(t *testing.T, e *env) {
		a := e.add("rust trait objects", "--created-at", "2026-01-01T00:00:00Z")
		b := e.add("sourdough starter", "--created-at", "2026-01-02T00:00:00Z")

		var got struct {
			ID             string `json:"id"`
			Scheduling     any    `json:"scheduling"`
			Retrievability float64
		}
		e.okJSON(&got, "get", a)
		require.Nil(t, got.Scheduling, "never reviewed")
		require.Equal(t, 1.0, got.Retrievability)
		require.Contains(t, e.ok("get", a), "state        new")

		type sched struct {
			State      int     `json:"state"`
			Step       *int    `json:"step"`
			Stability  float64 `json:"stability"`
			Reps       int     `json:"reps"`
			Lapses     int     `json:"lapses"`
			LastReview string  `json:"last_review"`
			NextReview string  `json:"next_review"`
		}
		var s sched
		e.okJSON(&s, "review", a, "good", "--at", "2026-01-05T10:00:00Z")
		require.Equal(t, 1, s.State, "learning")
		require.Equal(t, 1, *s.Step)
		require.Equal(t, "2026-01-05T10:10:00Z", s.NextReview, "the second learning step is 10 minutes")
		require.InDelta(t, 2.3065, s.Stability, 1e-12, "w2: the initial stability of Good")
		out := e.ok("review", a, "3", "--at", "2026-01-05T10:20:00")
		require.Contains(t, out, "reviewed "+a+": good")
		require.Contains(t, out, "state        review")
		require.Contains(t, out, "next review  2026-01-07T10:20:00Z")

		e.okJSON(&got, "get", a)
		require.NotNil(t, got.Scheduling)
		require.Contains(t, e.ok("get", a), "reviews      2")

		e.fails(2, []string{"review", a, "perfect"}, "rating \"perfect\"")
		e.fails(1, []string{"review", a, "good", "--at", "2025-01-01"}, "before the last review")
		e.fails(1, []string{"review", "00000000-0000-4000-8000-0000000000ff", "good"}, "not found")

		var due []struct {
			Memory struct {
				ID string `json:"id"`
			} `json:"memory"`
			DueAt string `json:"due_at"`
		}
		e.okJSON(&due, "due", "--before", "2026-01-08T00:00:00Z")
		require.Len(t, due, 2)
		require.Equal(t, b, due[0].Memory.ID, "the new card, due from its creation")
		require.Equal(t, a, due[1].Memory.ID, "then the reviewed one at its next review")
		require.Equal(t, "2026-01-07T10:20:00Z", due[1].DueAt)
		require.True(t, strings.HasPrefix(lines(e.ok("due", "--before", "2026-01-08"))[2], "2026-01-07T10:20:00Z  review"))
	})
}
