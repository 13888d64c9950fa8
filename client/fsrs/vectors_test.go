package fsrs

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/internal/shareddata"
)

// The shape of shared/testdata/fsrs/vectors.json (schema_version 1). Every key is declared and
// unknown keys fail the decode: a new field may carry a rule (expected_hard_floor did), and a
// test that silently ignored it would pass for the wrong reason.
type vectorFile struct {
	SchemaVersion       int                        `json:"schema_version"`
	Schedulers          map[string]vectorScheduler `json:"schedulers"`
	Conventions         json.RawMessage            `json:"conventions"`
	Variants            json.RawMessage            `json:"variants"`
	SchedulerCases      []schedulerCase            `json:"scheduler_cases"`
	RetrievabilityCases []retrievabilityCase       `json:"retrievability_cases"`
	IntervalCases       []intervalCase             `json:"interval_cases"`
}

type vectorScheduler struct {
	Parameters             []float64 `json:"parameters"`
	DesiredRetention       float64   `json:"desired_retention"`
	LearningStepsSeconds   []int64   `json:"learning_steps_seconds"`
	RelearningStepsSeconds []int64   `json:"relearning_steps_seconds"`
	MaximumIntervalDays    int       `json:"maximum_interval_days"`
	EnableFuzzing          bool      `json:"enable_fuzzing"`
	Decay                  float64   `json:"decay"`
	Factor                 float64   `json:"factor"`
}

type schedulerCase struct {
	ID          string        `json:"id"`
	Description string        `json:"description"`
	Scheduler   string        `json:"scheduler"`
	CardCreated time.Time     `json:"card_created"`
	Tags        []string      `json:"tags"`
	Events      []vectorEvent `json:"events"`
	// ExpectedHardFloor, when present, replaces every event's expected output (same order).
	ExpectedHardFloor []expectedEvent `json:"expected_hard_floor"`
}

type vectorEvent struct {
	ReviewDatetime time.Time     `json:"review_datetime"`
	Rating         int           `json:"rating"`
	Expected       expectedEvent `json:"expected"`
	// ExpectedHardFloor, when present on an event, replaces that event's expected output.
	ExpectedHardFloor *expectedEvent  `json:"expected_hard_floor"`
	Info              json.RawMessage `json:"info"`
}

type expectedEvent struct {
	State                string    `json:"state"`
	StateValue           int       `json:"state_value"`
	Step                 *int      `json:"step"`
	Stability            float64   `json:"stability"`
	Difficulty           float64   `json:"difficulty"`
	RetrievabilityBefore *float64  `json:"retrievability_before"`
	ElapsedDays          *int      `json:"elapsed_days"`
	Update               string    `json:"update"`
	Due                  time.Time `json:"due"`
	IntervalSeconds      int64     `json:"interval_seconds"`
	ScheduledDays        int       `json:"scheduled_days"`
	IntervalRawDays      *float64  `json:"interval_raw_days"`
}

type retrievabilityCase struct {
	ElapsedDays float64 `json:"elapsed_days"`
	Stability   float64 `json:"stability"`
	W20         float64 `json:"w20"`
	Decay       float64 `json:"decay"`
	Factor      float64 `json:"factor"`
	Expected    float64 `json:"expected"`
}

type intervalCase struct {
	Stability        float64 `json:"stability"`
	DesiredRetention float64 `json:"desired_retention"`
	W20              float64 `json:"w20"`
	MaximumInterval  int     `json:"maximum_interval"`
	ExpectedRawDays  float64 `json:"expected_raw_days"`
	ExpectedDays     int     `json:"expected_days"`
}

func loadVectors(t *testing.T) vectorFile {
	t.Helper()
	raw, err := os.ReadFile(shareddata.Path(t, "fsrs/vectors.json"))
	require.NoError(t, err)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var v vectorFile
	require.NoError(t, dec.Decode(&v))
	require.Equal(t, 1, v.SchemaVersion, "vectors.json schema_version")
	require.NotEmpty(t, v.SchedulerCases)
	require.NotEmpty(t, v.RetrievabilityCases)
	require.NotEmpty(t, v.IntervalCases)
	return v
}

// parameters turns a vector scheduler into Parameters and checks the derived constants.
func (s vectorScheduler) parameters(t *testing.T) Parameters {
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

// requireClose compares floats with the vectors' relative tolerance of 1e-9.
func requireClose(t *testing.T, want, got float64, what string, args ...any) {
	t.Helper()
	if want == got {
		return
	}
	tol := 1e-9 * math.Max(math.Abs(want), math.Abs(got))
	if !(math.Abs(want-got) <= tol) {
		require.Failf(t, "not within 1e-9 relative", "%s: want %v, got %v %v", what, want, got, args)
	}
}

func TestVectorsDefaultScheduler(t *testing.T) {
	v := loadVectors(t)
	s, ok := v.Schedulers["default"]
	require.True(t, ok, "vectors have a default scheduler")
	require.Equal(t, DefaultParameters(), s.parameters(t), "DefaultParameters is the reference default")
}

func TestVectorsSchedulerCases(t *testing.T) {
	v := loadVectors(t)
	for _, c := range v.SchedulerCases {
		t.Run(c.ID, func(t *testing.T) {
			s, ok := v.Schedulers[c.Scheduler]
			require.True(t, ok, "unknown scheduler %q", c.Scheduler)
			p := s.parameters(t)
			if c.ExpectedHardFloor != nil {
				require.Len(t, c.ExpectedHardFloor, len(c.Events), "expected_hard_floor has one entry per event")
			}
			require.False(t, c.Events[0].ReviewDatetime.Before(c.CardCreated), "first review before creation")

			var card *Card
			lapses := 0
			for i, e := range c.Events {
				want := e.Expected
				if c.ExpectedHardFloor != nil {
					want = c.ExpectedHardFloor[i]
				}
				if e.ExpectedHardFloor != nil {
					want = *e.ExpectedHardFloor
				}
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
