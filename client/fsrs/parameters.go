package fsrs

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Parameters is one scheduler configuration: the one-row FSRS parameter table that both the SQL
// and the Go side read. The zero value is not usable; start from DefaultParameters.
type Parameters struct {
	// Weights are w0…w20 of FSRS-6; w20 is the forgetting curve's decay.
	Weights [21]float64
	// DesiredRetention is the R at which a Review-state card falls due.
	DesiredRetention float64
	// LearningSteps and RelearningSteps are the short waits of the (re)learning states. They
	// must be whole seconds, so that every wait derived from them — (steps[0]+steps[1])/2 and
	// steps[0]*1.5 included — is exact at the microsecond precision of the stores.
	LearningSteps   []time.Duration
	RelearningSteps []time.Duration
	// MaximumInterval caps a Review-state interval, in days. The stores hold it to at most
	// store.MaxIntervalDays (36500) where they read their parameter row (this package cannot
	// name that limit: store imports it), and refuse a review whose due time would fall after
	// store.MaxTime; Review itself computes any due time a time.Time can hold.
	MaximumInterval int
}

// DefaultParameters returns py-fsrs 6.3.2's default scheduler (the defaults of the parameter
// table). A fresh value each call: the slices are never shared between callers.
func DefaultParameters() Parameters {
	return Parameters{
		Weights: [21]float64{
			0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796,
			1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542,
		},
		DesiredRetention: 0.9,
		LearningSteps:    []time.Duration{time.Minute, 10 * time.Minute},
		RelearningSteps:  []time.Duration{10 * time.Minute},
		MaximumInterval:  36500,
	}
}

// Difficulty bounds and the stability floor of py-fsrs (MIN_DIFFICULTY, MAX_DIFFICULTY,
// STABILITY_MIN). Stability has no ceiling: only the interval is capped.
const (
	minDifficulty = 1.0
	maxDifficulty = 10.0
	stabilityMin  = 0.001
)

// weightBounds returns py-fsrs' LOWER_BOUNDS_PARAMETERS and UPPER_BOUNDS_PARAMETERS: the ranges
// its optimizer keeps the weights in, outside of which the formulas are untested (and some,
// such as w20 = 0, divide by zero).
func weightBounds() (lower, upper [21]float64) {
	const sMax = 100.0 // INITIAL_STABILITY_MAX
	lower = [21]float64{
		stabilityMin, stabilityMin, stabilityMin, stabilityMin,
		1.0, 0.001, 0.001, 0.001, 0.0, 0.0, 0.001, 0.001, 0.001, 0.001, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.1,
	}
	upper = [21]float64{
		sMax, sMax, sMax, sMax,
		10.0, 4.0, 4.0, 0.75, 4.5, 0.8, 3.5, 5.0, 0.25, 0.9, 4.0, 1.0, 6.0, 2.0, 2.0, 0.8, 0.8,
	}
	return lower, upper
}

// Validate reports every problem of p at once, wrapped in ErrInvalidParameters. The weight
// bounds are py-fsrs'; the other checks are vestige's (py-fsrs accepts any retention and steps,
// and then fails or schedules nonsense at review time).
func (p Parameters) Validate() error {
	var problems []string
	lower, upper := weightBounds()
	for i, w := range p.Weights {
		if !(w >= lower[i] && w <= upper[i]) { // also catches NaN
			problems = append(problems, fmt.Sprintf("weights[%d] = %v is outside [%v, %v]", i, w, lower[i], upper[i]))
		}
	}
	if !(p.DesiredRetention > 0 && p.DesiredRetention < 1) {
		problems = append(problems, fmt.Sprintf("desired retention %v is outside (0, 1)", p.DesiredRetention))
	}
	problems = append(problems, checkSteps("learning", p.LearningSteps)...)
	problems = append(problems, checkSteps("relearning", p.RelearningSteps)...)
	if p.MaximumInterval < 1 {
		problems = append(problems, fmt.Sprintf("maximum interval %d is below 1 day", p.MaximumInterval))
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", ErrInvalidParameters, strings.Join(problems, "; "))
	}
	return nil
}

func checkSteps(kind string, steps []time.Duration) []string {
	var problems []string
	for i, s := range steps {
		if s <= 0 || s%time.Second != 0 {
			problems = append(problems, fmt.Sprintf("%s step %d = %v is not a positive whole number of seconds", kind, i, s))
		}
	}
	return problems
}

// decay is FSRS-6's DECAY = −w20: the exponent of the power forgetting curve.
func (p Parameters) decay() float64 { return -p.Weights[20] }

// factor is FSRS-6's FACTOR = 0.9^(1/DECAY) − 1, chosen so that R(S, S) = 0.9 whatever w20 is:
// stability keeps its meaning ("days until R falls to 90 %") across decays.
func (p Parameters) factor() float64 { return math.Pow(0.9, 1/p.decay()) - 1 }
