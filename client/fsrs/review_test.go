package fsrs

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// refTime is the arbitrary instant the hand-written scenarios start at.
func refTime() time.Time { return time.Date(2024, 5, 6, 9, 0, 0, 0, time.UTC) }

// reviewAll reviews a new card once per rating, each at its time, and returns every card.
func reviewAll(t *testing.T, p Parameters, ratings []Rating, times []time.Time) []Card {
	t.Helper()
	require.Len(t, times, len(ratings))
	var card *Card
	var out []Card
	for i, r := range ratings {
		next, err := p.Review(card, r, times[i])
		require.NoError(t, err, "review %d", i)
		out = append(out, next)
		card = &next
	}
	return out
}

func TestReviewBeforeLast(t *testing.T) {
	t0 := refTime()
	p := DefaultParameters()
	first, err := p.Review(nil, Good, t0)
	require.NoError(t, err)

	_, err = p.Review(&first, Good, t0.Add(-time.Second))
	require.ErrorIs(t, err, ErrReviewBeforeLast)

	// The same instant is a same-day review, not an error.
	same, err := p.Review(&first, Good, t0)
	require.NoError(t, err)
	require.Equal(t, 2, same.Reps)

	// Below the stores' microsecond precision, "before" does not exist.
	_, err = p.Review(&first, Good, t0.Add(-time.Nanosecond).Add(time.Microsecond))
	require.NoError(t, err)
}

func TestReviewInvalidInput(t *testing.T) {
	t0 := refTime()
	p := DefaultParameters()
	good, err := p.Review(nil, Good, t0)
	require.NoError(t, err)
	later := t0.Add(time.Hour)

	for _, r := range []Rating{0, 5, -1} {
		_, err := p.Review(nil, r, t0)
		require.ErrorIs(t, err, ErrInvalidRating, "rating %d", r)
	}

	cases := []struct {
		name   string
		modify func(c *Card)
	}{
		{"unknown state", func(c *Card) { c.State = 0 }},
		{"review with a step", func(c *Card) { c.State = Review }},
		{"learning without a step", func(c *Card) { c.Step = nil }},
		{"negative step", func(c *Card) { c.Step = intPtr(-1) }},
		{"no last review", func(c *Card) { c.LastReview = nil }},
		{"zero stability", func(c *Card) { c.Stability = 0 }},
		{"NaN stability", func(c *Card) { c.Stability = math.NaN() }},
		{"infinite stability", func(c *Card) { c.Stability = math.Inf(1) }},
		{"difficulty below 1", func(c *Card) { c.Difficulty = 0.5 }},
		{"difficulty above 10", func(c *Card) { c.Difficulty = 10.5 }},
		{"negative lapses", func(c *Card) { c.Lapses = -1 }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := good
			c.Step = intPtr(*good.Step)
			tc.modify(&c)
			_, err := p.Review(&c, Good, later)
			require.ErrorIs(t, err, ErrInvalidCard)
		})
	}

	bad := DefaultParameters()
	bad.DesiredRetention = 1
	_, err = bad.Review(nil, Good, t0)
	require.ErrorIs(t, err, ErrInvalidParameters)
}

func TestReviewDoesNotAlias(t *testing.T) {
	t0 := refTime()
	p := DefaultParameters()
	first, err := p.Review(nil, Again, t0)
	require.NoError(t, err)
	before := first
	stepBefore, lastBefore := *first.Step, *first.LastReview

	second, err := p.Review(&first, Good, t0.Add(time.Minute))
	require.NoError(t, err)
	require.Equal(t, 1, *second.Step)
	require.Equal(t, before, first, "input card unchanged")
	require.Equal(t, stepBefore, *first.Step, "input step unchanged")
	require.Equal(t, lastBefore, *first.LastReview, "input last review unchanged")
	require.NotSame(t, first.Step, second.Step)
	require.NotSame(t, first.LastReview, second.LastReview)
}

func TestReviewNormalisesTime(t *testing.T) {
	t0 := refTime()
	p := DefaultParameters()
	tokyo := time.FixedZone("JST", 9*3600)
	now := t0.In(tokyo).Add(1234 * time.Nanosecond)
	got, err := p.Review(nil, Good, now)
	require.NoError(t, err)
	require.Equal(t, time.UTC, got.LastReview.Location())
	require.Equal(t, t0.Add(time.Microsecond), *got.LastReview, "UTC, truncated to the microsecond")
	require.Equal(t, t0.Add(time.Microsecond+10*time.Minute), got.Due)
}

// Scenarios the published vectors do not reach, each derived by hand from py-fsrs' rules.
func TestReviewStepRules(t *testing.T) {
	t0 := refTime()
	def := DefaultParameters()

	t.Run("hard on a new card waits between the first two steps", func(t *testing.T) {
		cards := reviewAll(t, def, []Rating{Hard}, []time.Time{t0})
		require.Equal(t, Learning, cards[0].State)
		require.Equal(t, 0, *cards[0].Step)
		require.Equal(t, t0.Add(330*time.Second), cards[0].Due, "(1m + 10m) / 2, unrounded")
	})

	t.Run("hard with a single relearning step waits 1.5 steps", func(t *testing.T) {
		cards := reviewAll(t, def, []Rating{Easy, Again, Hard},
			[]time.Time{t0, t0.Add(10 * 24 * time.Hour), t0.Add(10*24*time.Hour + 10*time.Minute)})
		require.Equal(t, Relearning, cards[1].State)
		require.Equal(t, 1, cards[1].Lapses)
		require.Equal(t, Relearning, cards[2].State)
		require.Equal(t, 0, *cards[2].Step)
		require.Equal(t, cards[2].LastReview.Add(15*time.Minute), cards[2].Due)
		require.Equal(t, 1, cards[2].Lapses, "Again only counts as a lapse in the review state")
	})

	t.Run("again in relearning is not a lapse", func(t *testing.T) {
		cards := reviewAll(t, def, []Rating{Easy, Again, Again},
			[]time.Time{t0, t0.Add(10 * 24 * time.Hour), t0.Add(10*24*time.Hour + 10*time.Minute)})
		require.Equal(t, 1, cards[2].Lapses)
		require.Equal(t, 3, cards[2].Reps)
	})

	t.Run("lapse without relearning steps stays in review", func(t *testing.T) {
		p := DefaultParameters()
		p.RelearningSteps = nil
		cards := reviewAll(t, p, []Rating{Easy, Again}, []time.Time{t0, t0.Add(10 * 24 * time.Hour)})
		require.Equal(t, Review, cards[1].State)
		require.Nil(t, cards[1].Step)
		require.Equal(t, 1, cards[1].Lapses)
		days := p.NextInterval(cards[1].Stability)
		require.Equal(t, cards[1].LastReview.AddDate(0, 0, days), cards[1].Due)
	})

	t.Run("a card past the last step after the steps shrank", func(t *testing.T) {
		long := DefaultParameters()
		long.LearningSteps = []time.Duration{time.Minute, 10 * time.Minute, time.Hour}
		cards := reviewAll(t, long, []Rating{Good, Good}, []time.Time{t0, t0.Add(10 * time.Minute)})
		require.Equal(t, 2, *cards[1].Step)

		// The default parameters have only two learning steps: step 2 is past the end.
		good, err := def.Review(&cards[1], Good, t0.Add(2*time.Hour))
		require.NoError(t, err)
		require.Equal(t, Review, good.State, "a success graduates")
		again, err := def.Review(&cards[1], Again, t0.Add(2*time.Hour))
		require.NoError(t, err)
		require.Equal(t, Learning, again.State, "Again restarts the steps")
		require.Equal(t, 0, *again.Step)
		require.Equal(t, t0.Add(2*time.Hour+time.Minute), again.Due)
	})
}

func TestStepTransition(t *testing.T) {
	m := time.Minute
	cases := []struct {
		name     string
		steps    []time.Duration
		step     int
		rating   Rating
		wantStep int
		wantWait time.Duration
		graduate bool
	}{
		{"no steps", nil, 0, Again, 0, 0, true},
		{"again", []time.Duration{m, 10 * m}, 1, Again, 0, m, false},
		{"hard at step 0, two steps", []time.Duration{m, 10 * m}, 0, Hard, 0, 330 * time.Second, false},
		{"hard at step 0, one step", []time.Duration{10 * m}, 0, Hard, 0, 15 * m, false},
		{"hard at step 0, three steps", []time.Duration{m, 10 * m, 60 * m}, 0, Hard, 0, 330 * time.Second, false},
		{"hard at a later step repeats it", []time.Duration{m, 10 * m, 60 * m}, 2, Hard, 2, 60 * m, false},
		{"good to the next step", []time.Duration{m, 10 * m, 60 * m}, 1, Good, 2, 60 * m, false},
		{"good at the last step graduates", []time.Duration{m, 10 * m}, 1, Good, 1, 0, true},
		{"easy graduates", []time.Duration{m, 10 * m}, 0, Easy, 0, 0, true},
		{"past the end, hard graduates", []time.Duration{m}, 3, Hard, 3, 0, true},
		{"past the end, again restarts", []time.Duration{m}, 3, Again, 0, m, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			step, wait, graduate := stepTransition(tc.steps, tc.step, tc.rating)
			require.Equal(t, tc.graduate, graduate)
			if !graduate {
				require.Equal(t, tc.wantStep, step)
				require.Equal(t, tc.wantWait, wait)
			}
		})
	}
}

func TestElapsedDays(t *testing.T) {
	t0 := refTime()
	cases := []struct {
		name string
		d    time.Duration
		want int
	}{
		{"same instant", 0, 0},
		{"a microsecond short of a day", 24*time.Hour - time.Microsecond, 0},
		{"exactly a day", 24 * time.Hour, 1},
		{"47h59m", 47*time.Hour + 59*time.Minute, 1},
		{"a year", 365 * 24 * time.Hour, 365},
		{"a microsecond before", -time.Microsecond, -1},
		{"a day before", -24 * time.Hour, -1},
		{"a day and a second before", -24*time.Hour - time.Second, -2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, ElapsedDays(t0, t0.Add(tc.d)))
		})
	}
	// Calendar days do not count: 22:00 to 07:00 the next day is no whole day.
	evening := time.Date(2023, 11, 20, 22, 0, 0, 0, time.UTC)
	require.Equal(t, 0, ElapsedDays(evening, evening.Add(9*time.Hour)))
	// Centuries apart, beyond what a time.Duration holds.
	require.Equal(t, 146097, ElapsedDays(t0, t0.AddDate(400, 0, 0)))
}

func TestRetrievabilityAt(t *testing.T) {
	t0 := refTime()
	p := DefaultParameters()
	require.Equal(t, 1.0, p.RetrievabilityAt(nil, t0), "a new card counts as R = 1")
	require.Equal(t, 1.0, p.ReviewRetrievability(nil, t0), "a new card counts as R = 1")

	last := t0
	card := &Card{State: Review, Stability: 10, Difficulty: 5, LastReview: &last}
	require.Equal(t, 1.0, p.RetrievabilityAt(card, t0.Add(-time.Hour)), "before the last review")
	require.Equal(t, 1.0, p.ReviewRetrievability(card, t0.Add(-time.Hour)), "before the last review")

	// Fractional days for the live R, whole days for the scheduler's.
	at := t0.Add(36 * time.Hour)
	requireClose(t, p.Retrievability(10, 1.5), p.RetrievabilityAt(card, at), "live R")
	requireClose(t, p.Retrievability(10, 1), p.ReviewRetrievability(card, at), "review R")
	requireClose(t, 0.9, p.RetrievabilityAt(card, t0.AddDate(0, 0, 10)), "R(S, S) = 0.9")
}

func TestParseRating(t *testing.T) {
	cases := []struct {
		in   string
		want Rating
	}{
		{"again", Again}, {"hard", Hard}, {"good", Good}, {"easy", Easy},
		{"Again", Again}, {"HARD", Hard}, {" good ", Good},
		{"1", Again}, {"2", Hard}, {"3", Good}, {"4", Easy},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseRating(tc.in)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
	for _, in := range []string{"", "0", "5", "ok", "again!", "goodd"} {
		t.Run("invalid "+in, func(t *testing.T) {
			_, err := ParseRating(in)
			require.ErrorIs(t, err, ErrInvalidRating)
		})
	}
	for r := Again; r <= Easy; r++ {
		back, err := ParseRating(r.String())
		require.NoError(t, err)
		require.Equal(t, r, back, "String and ParseRating round-trip")
	}
	require.Equal(t, "Rating(7)", Rating(7).String())
	require.Equal(t, "relearning", Relearning.String())
	require.Equal(t, "State(0)", State(0).String())
}

func TestValidate(t *testing.T) {
	require.NoError(t, DefaultParameters().Validate())

	cases := []struct {
		name    string
		modify  func(p *Parameters)
		mention string
	}{
		{"weight below bound", func(p *Parameters) { p.Weights[0] = 0 }, "weights[0]"},
		{"weight above bound", func(p *Parameters) { p.Weights[7] = 0.8 }, "weights[7]"},
		{"NaN weight", func(p *Parameters) { p.Weights[12] = math.NaN() }, "weights[12]"},
		{"zero decay", func(p *Parameters) { p.Weights[20] = 0 }, "weights[20]"},
		{"retention 0", func(p *Parameters) { p.DesiredRetention = 0 }, "desired retention"},
		{"retention 1", func(p *Parameters) { p.DesiredRetention = 1 }, "desired retention"},
		{"retention NaN", func(p *Parameters) { p.DesiredRetention = math.NaN() }, "desired retention"},
		{"zero learning step", func(p *Parameters) { p.LearningSteps[1] = 0 }, "learning step 1"},
		{"fractional relearning step", func(p *Parameters) { p.RelearningSteps[0] = 1500 * time.Millisecond }, "relearning step 0"},
		{"maximum interval 0", func(p *Parameters) { p.MaximumInterval = 0 }, "maximum interval"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := DefaultParameters()
			tc.modify(&p)
			err := p.Validate()
			require.ErrorIs(t, err, ErrInvalidParameters)
			require.ErrorContains(t, err, tc.mention)
		})
	}

	// Every problem is reported at once.
	p := DefaultParameters()
	p.Weights[3] = 101
	p.MaximumInterval = -1
	err := p.Validate()
	require.ErrorContains(t, err, "weights[3]")
	require.ErrorContains(t, err, "maximum interval")

	// Empty steps are valid: every rating then schedules in days.
	p = DefaultParameters()
	p.LearningSteps, p.RelearningSteps = nil, nil
	require.NoError(t, p.Validate())

	// DefaultParameters hands out fresh slices.
	a, b := DefaultParameters(), DefaultParameters()
	a.LearningSteps[0] = time.Hour
	require.Equal(t, time.Minute, b.LearningSteps[0])
	require.False(t, errors.Is(b.Validate(), ErrInvalidParameters))
}
