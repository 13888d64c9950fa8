package fsrs

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/internal/fsrsvectors"
)

// The vectors' reader is shared with the PL/pgSQL twin's tests (internal/fsrsvectors).
type (
	vectorEvent   = fsrsvectors.Event
	expectedEvent = fsrsvectors.Expected
)

var (
	loadVectors  = fsrsvectors.Load
	requireClose = fsrsvectors.RequireClose
)

// schedulerParameters turns a vector scheduler into Parameters and checks the derived
// constants.
func schedulerParameters(t *testing.T, s fsrsvectors.Scheduler) Parameters {
	t.Helper()
	require.False(t, s.EnableFuzzing, "vectors are generated with fuzzing off")
	require.Len(t, s.Parameters, 21)
	var p Parameters
	copy(p.Weights[:], s.Parameters)
	p.DesiredRetention = s.DesiredRetention
	p.LearningSteps = secondsToDurations(s.LearningStepsSeconds)
	p.RelearningSteps = secondsToDurations(s.RelearningStepsSeconds)
	p.MaximumInterval = s.MaximumIntervalDays
	require.NoError(t, p.Validate())
	requireClose(t, s.Decay, p.decay(), "decay")
	requireClose(t, s.Factor, p.factor(), "factor")
	return p
}

func secondsToDurations(secs []int64) []time.Duration {
	var out []time.Duration
	for _, s := range secs {
		out = append(out, time.Duration(s)*time.Second)
	}
	return out
}

func TestVectorsDefaultScheduler(t *testing.T) {
	v := loadVectors(t)
	s, ok := v.Schedulers["default"]
	require.True(t, ok, "vectors have a default scheduler")
	require.Equal(t, DefaultParameters(), schedulerParameters(t, s), "DefaultParameters is the reference default")
}

func TestVectorsSchedulerCases(t *testing.T) {
	v := loadVectors(t)
	for _, c := range v.SchedulerCases {
		t.Run(c.ID, func(t *testing.T) {
			s, ok := v.Schedulers[c.Scheduler]
			require.True(t, ok, "unknown scheduler %q", c.Scheduler)
			p := schedulerParameters(t, s)
			if c.ExpectedHardFloor != nil {
				require.Len(t, c.ExpectedHardFloor, len(c.Events), "expected_hard_floor has one entry per event")
			}
			require.False(t, c.Events[0].ReviewDatetime.Before(c.CardCreated), "first review before creation")

			var card *Card
			lapses := 0
			wants := c.Expectations()
			for i, e := range c.Events {
				want := wants[i]
				if card != nil && card.State == Review && e.Rating == int(Again) {
					lapses++
				}
				got, info, err := p.review(card, Rating(e.Rating), e.ReviewDatetime)
				require.NoError(t, err, "event %d", i)
				checkEvent(t, p, i, e, want, got, info)
				require.Equal(t, i+1, got.Reps, "event %d: reps", i)
				require.Equal(t, lapses, got.Lapses, "event %d: lapses", i)

				// The public entry point agrees with the one the test inspects.
				pub, err := p.Review(card, Rating(e.Rating), e.ReviewDatetime)
				require.NoError(t, err)
				require.Equal(t, got, pub, "event %d: Review", i)
				card = &got
			}
		})
	}
}

// checkEvent compares one review's output with the vector's expected output.
func checkEvent(t *testing.T, p Parameters, i int, e vectorEvent, want expectedEvent, got Card, info reviewInfo) {
	t.Helper()
	require.Equal(t, want.StateValue, int(got.State), "event %d: state", i)
	require.True(t, strings.EqualFold(want.State, got.State.String()), "event %d: state name %q vs %q", i, want.State, got.State)
	require.Equal(t, want.Step, got.Step, "event %d: step", i)
	requireClose(t, want.Stability, got.Stability, "stability", "event", i)
	requireClose(t, want.Difficulty, got.Difficulty, "difficulty", "event", i)
	require.True(t, want.Due.Equal(got.Due), "event %d: due: want %s, got %s", i, want.Due, got.Due)
	require.Equal(t, want.IntervalSeconds, int64(got.Due.Sub(e.ReviewDatetime)/time.Second), "event %d: interval seconds", i)
	require.NotNil(t, got.LastReview)
	require.True(t, e.ReviewDatetime.Equal(*got.LastReview), "event %d: last review", i)

	require.Equal(t, want.Update, info.update.String(), "event %d: update", i)
	if want.ElapsedDays == nil {
		require.Equal(t, updateInitial, info.update, "event %d: only the first review has no elapsed days", i)
	} else {
		require.Equal(t, *want.ElapsedDays, info.elapsedDays, "event %d: elapsed days", i)
	}
	if want.RetrievabilityBefore != nil {
		requireClose(t, *want.RetrievabilityBefore, info.retrievabilityBefore, "retrievability before", "event", i)
	}
	require.Equal(t, want.ScheduledDays, info.scheduledDays, "event %d: scheduled days", i)
	if want.IntervalRawDays == nil {
		require.Zero(t, info.scheduledDays, "event %d: a step wait has no raw interval", i)
	} else {
		requireClose(t, *want.IntervalRawDays, p.nextIntervalRaw(got.Stability), "raw interval", "event", i)
		require.Equal(t, want.ScheduledDays, p.NextInterval(got.Stability), "event %d: NextInterval", i)
	}
}

func TestVectorsRetrievability(t *testing.T) {
	v := loadVectors(t)
	for _, c := range v.RetrievabilityCases {
		name := "S=" + fmtFloat(c.Stability) + "/t=" + fmtFloat(c.ElapsedDays) + "/w20=" + fmtFloat(c.W20)
		t.Run(name, func(t *testing.T) {
			p := DefaultParameters()
			p.Weights[20] = c.W20
			requireClose(t, c.Decay, p.decay(), "decay")
			requireClose(t, c.Factor, p.factor(), "factor")
			requireClose(t, c.Expected, p.Retrievability(c.Stability, c.ElapsedDays), "retrievability")

			// The card-level helper gives the same R from the same elapsed time.
			last := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
			card := &Card{State: Review, Stability: c.Stability, Difficulty: 5, LastReview: &last}
			at := last.Add(time.Duration(c.ElapsedDays * float64(24*time.Hour)))
			requireClose(t, c.Expected, p.RetrievabilityAt(card, at), "RetrievabilityAt")
			if c.ElapsedDays == math.Trunc(c.ElapsedDays) {
				requireClose(t, c.Expected, p.ReviewRetrievability(card, at), "ReviewRetrievability")
			}
		})
	}
}

func TestVectorsInterval(t *testing.T) {
	v := loadVectors(t)
	for _, c := range v.IntervalCases {
		name := "S=" + fmtFloat(c.Stability) + "/DR=" + fmtFloat(c.DesiredRetention) +
			"/w20=" + fmtFloat(c.W20) + "/max=" + fmtFloat(float64(c.MaximumInterval))
		t.Run(name, func(t *testing.T) {
			p := DefaultParameters()
			p.Weights[20] = c.W20
			p.DesiredRetention = c.DesiredRetention
			p.MaximumInterval = c.MaximumInterval
			require.NoError(t, p.Validate())
			requireClose(t, c.ExpectedRawDays, p.nextIntervalRaw(c.Stability), "raw interval")
			require.Equal(t, c.ExpectedDays, p.NextInterval(c.Stability))
		})
	}
}

func fmtFloat(f float64) string {
	b, _ := json.Marshal(f)
	return string(b)
}
