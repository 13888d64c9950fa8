// Package fsrsvectors reads testdata/vectors.json, the FSRS-6 reference vectors that both
// twins are held to: client/fsrs in Go and vestige_review in PL/pgSQL. One reader for both, so
// that the two test suites cannot read the file differently. The file is embedded, so every
// test package reads the repository's copy whatever its working directory (testdata/README.md
// says where it comes from).
package fsrsvectors

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

//go:embed testdata/vectors.json
var vectorsJSON []byte

// File is the whole of vectors.json (schema_version 1). Every key is declared and unknown
// keys fail the decode: a new field may carry a rule (expected_hard_floor did), and a test
// that silently ignored it would pass for the wrong reason.
type File struct {
	SchemaVersion       int                  `json:"schema_version"`
	Schedulers          map[string]Scheduler `json:"schedulers"`
	Conventions         json.RawMessage      `json:"conventions"`
	Variants            json.RawMessage      `json:"variants"`
	SchedulerCases      []SchedulerCase      `json:"scheduler_cases"`
	RetrievabilityCases []RetrievabilityCase `json:"retrievability_cases"`
	IntervalCases       []IntervalCase       `json:"interval_cases"`
}

// Scheduler is one parameter set.
type Scheduler struct {
	Parameters             []float64 `json:"parameters"`
	DesiredRetention       float64   `json:"desired_retention"`
	LearningStepsSeconds   []int64   `json:"learning_steps_seconds"`
	RelearningStepsSeconds []int64   `json:"relearning_steps_seconds"`
	MaximumIntervalDays    int       `json:"maximum_interval_days"`
	EnableFuzzing          bool      `json:"enable_fuzzing"`
	Decay                  float64   `json:"decay"`
	Factor                 float64   `json:"factor"`
}

// SchedulerCase is a review history with the expected state after every event.
type SchedulerCase struct {
	ID          string    `json:"id"`
	Description string    `json:"description"`
	Scheduler   string    `json:"scheduler"`
	CardCreated time.Time `json:"card_created"`
	Tags        []string  `json:"tags"`
	Events      []Event   `json:"events"`
	// ExpectedHardFloor, when present, replaces every event's expected output (same order).
	ExpectedHardFloor []Expected `json:"expected_hard_floor"`
}

// Event is one review of a history.
type Event struct {
	ReviewDatetime time.Time `json:"review_datetime"`
	Rating         int       `json:"rating"`
	Expected       Expected  `json:"expected"`
	// ExpectedHardFloor, when present on an event, replaces that event's expected output.
	ExpectedHardFloor *Expected       `json:"expected_hard_floor"`
	Info              json.RawMessage `json:"info"`
}

// Expected is the scheduler's output after an event.
type Expected struct {
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

// RetrievabilityCase is one point of the forgetting curve.
type RetrievabilityCase struct {
	ElapsedDays float64 `json:"elapsed_days"`
	Stability   float64 `json:"stability"`
	W20         float64 `json:"w20"`
	Decay       float64 `json:"decay"`
	Factor      float64 `json:"factor"`
	Expected    float64 `json:"expected"`
}

// IntervalCase is one next-interval computation.
type IntervalCase struct {
	Stability        float64 `json:"stability"`
	DesiredRetention float64 `json:"desired_retention"`
	W20              float64 `json:"w20"`
	MaximumInterval  int     `json:"maximum_interval"`
	ExpectedRawDays  float64 `json:"expected_raw_days"`
	ExpectedDays     int     `json:"expected_days"`
}

// Load strictly decodes the vectors; it fails the test when they are malformed.
func Load(t testing.TB) File {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(vectorsJSON))
	dec.DisallowUnknownFields()
	var v File
	require.NoError(t, dec.Decode(&v))
	require.Equal(t, 1, v.SchemaVersion, "vectors.json schema_version")
	require.NotEmpty(t, v.SchedulerCases)
	require.NotEmpty(t, v.RetrievabilityCases)
	require.NotEmpty(t, v.IntervalCases)
	return v
}

// Expectations is what each event of the case must produce, with expected_hard_floor winning
// over expected wherever it is present (README: vestige follows the current FSRS-6 rule).
func (c SchedulerCase) Expectations() []Expected {
	out := make([]Expected, len(c.Events))
	for i, e := range c.Events {
		switch {
		case e.ExpectedHardFloor != nil:
			out[i] = *e.ExpectedHardFloor
		case len(c.ExpectedHardFloor) == len(c.Events):
			out[i] = c.ExpectedHardFloor[i]
		default:
			out[i] = e.Expected
		}
	}
	return out
}

// RequireClose compares floats with the vectors' relative tolerance of 1e-9.
func RequireClose(t testing.TB, want, got float64, what string, args ...any) {
	t.Helper()
	if want == got {
		return
	}
	tol := 1e-9 * math.Max(math.Abs(want), math.Abs(got))
	if !(math.Abs(want-got) <= tol) {
		require.Failf(t, "not within 1e-9 relative", "%s: want %v, got %v %v", what, want, got, args)
	}
}
