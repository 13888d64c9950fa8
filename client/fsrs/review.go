package fsrs

import (
	"fmt"
	"strconv"
	"time"
)

// microsPerDay is one elapsed day: 24 hours, at the microsecond precision the stores keep.
const microsPerDay = 24 * 60 * 60 * 1_000_000

// update names the stability formula a review ran (the vectors' "update" field).
type update int

const (
	updateInitial update = iota + 1
	updateShortTerm
	updateRecall
	updateForget
)

// String returns the vectors' name of the formula.
func (u update) String() string {
	switch u {
	case updateInitial:
		return "initial"
	case updateShortTerm:
		return "short_term"
	case updateRecall:
		return "recall"
	case updateForget:
		return "forget"
	}
	return "update(" + strconv.Itoa(int(u)) + ")"
}

// reviewInfo is what a review computed on the way, besides the new card: the vectors check it,
// and it is what review_events and the stored retrievability are made of.
type reviewInfo struct {
	update update
	// elapsedDays and retrievabilityBefore are meaningful only when update != updateInitial.
	elapsedDays          int
	retrievabilityBefore float64
	// scheduledDays is the interval in whole days, or 0 when the card waits a (re)learning step.
	scheduledDays int
}

// Review applies one review to a card and returns the new card; card == nil is a new card.
// The input card is not modified and the result shares no memory with it.
//
// Times are taken at microsecond precision in UTC (the precision of both stores), so the Go and
// SQL twins see the same instants; the returned LastReview is now truncated to the microsecond.
// A review at the same instant as the last one is a same-day review; one dated before it is
// refused with ErrReviewBeforeLast.
func (p Parameters) Review(card *Card, rating Rating, now time.Time) (Card, error) {
	next, _, err := p.review(card, rating, now)
	return next, err
}

// review is Review, also returning what the vectors check on the way.
//
// It follows py-fsrs Scheduler.review_card: first the memory update (initial for a new card,
// short-term when fewer than one whole day has elapsed, long-term otherwise; difficulty after
// stability, from the old difficulty), then the state machine that picks the wait.
func (p Parameters) review(card *Card, rating Rating, now time.Time) (Card, reviewInfo, error) {
	if err := p.Validate(); err != nil {
		return Card{}, reviewInfo{}, err
	}
	if !rating.Valid() {
		return Card{}, reviewInfo{}, fmt.Errorf("%w: %d (want 1-4)", ErrInvalidRating, int(rating))
	}
	now = micro(now)

	var next Card
	var info reviewInfo
	if card == nil {
		next = Card{State: Learning, Step: intPtr(0)}
		next.Stability = p.initialStability(rating)
		next.Difficulty = p.initialDifficulty(rating, true)
		info.update = updateInitial
		info.retrievabilityBefore = 1 // a new card counts as R = 1 (py-fsrs would say 0)
	} else {
		if err := card.check(); err != nil {
			return Card{}, reviewInfo{}, err
		}
		last := micro(*card.LastReview)
		if now.Before(last) {
			return Card{}, reviewInfo{}, fmt.Errorf("%w: review at %s, last review at %s",
				ErrReviewBeforeLast, now.Format(time.RFC3339Nano), last.Format(time.RFC3339Nano))
		}
		next = *card
		if card.Step != nil {
			next.Step = intPtr(*card.Step)
		}
		info.elapsedDays = ElapsedDays(last, now)
		info.retrievabilityBefore = p.Retrievability(card.Stability, float64(info.elapsedDays))
		if info.elapsedDays < 1 {
			next.Stability = p.shortTermStability(card.Stability, rating)
			info.update = updateShortTerm
		} else {
			next.Stability = p.nextStability(card.Difficulty, card.Stability, info.retrievabilityBefore, rating)
			info.update = updateRecall
			if rating == Again {
				info.update = updateForget
			}
		}
		next.Difficulty = p.nextDifficulty(card.Difficulty, rating)
		if card.State == Review && rating == Again {
			next.Lapses++
		}
	}
	next.Reps++

	var wait time.Duration
	inDays := false // scheduled in whole days (Review) rather than a step wait
	switch next.State {
	case Learning:
		*next.Step, wait, inDays = stepTransition(p.LearningSteps, *next.Step, rating)
	case Relearning:
		*next.Step, wait, inDays = stepTransition(p.RelearningSteps, *next.Step, rating)
	case Review:
		// A lapse goes to the first relearning step; without relearning steps the card stays
		// in Review and is simply rescheduled in days from its (lowered) stability.
		if rating == Again && len(p.RelearningSteps) > 0 {
			next.State, next.Step, wait = Relearning, intPtr(0), p.RelearningSteps[0]
		} else {
			inDays = true
		}
	}
	if inDays {
		next.State, next.Step = Review, nil
		info.scheduledDays = p.NextInterval(next.Stability)
		// In UTC a calendar day is exactly 24 h, and AddDate cannot overflow a Duration.
		next.Due = now.AddDate(0, 0, info.scheduledDays)
	} else {
		next.Due = now.Add(wait)
	}
	next.LastReview = &now
	return next, info, nil
}

// stepTransition is the (re)learning-steps state machine of py-fsrs, shared by Learning (with
// the learning steps) and Relearning (with the relearning steps). It returns the next step, the
// wait until the card is due, and whether the card graduates to Review instead (then step and
// wait are meaningless and the interval comes from NextInterval).
//
//   - No steps at all: every rating graduates.
//   - step ≥ len(steps) (the parameters lost steps since the card was scheduled): a success
//     graduates; Again restarts at step 0.
//   - Again: back to step 0, wait steps[0].
//   - Hard: the step stays; at step 0 wait (steps[0]+steps[1])/2 — between the first two steps,
//     unrounded — or steps[0]·1.5 when there is one step; at a later step wait steps[step].
//   - Good: the next step and its wait, or graduate from the last step.
//   - Easy: graduate.
func stepTransition(steps []time.Duration, step int, rating Rating) (int, time.Duration, bool) {
	if len(steps) == 0 || (step >= len(steps) && rating != Again) {
		return step, 0, true
	}
	switch rating {
	case Again:
		return 0, steps[0], false
	case Hard:
		switch {
		case step == 0 && len(steps) == 1:
			return step, steps[0] * 3 / 2, false // exact: steps are whole seconds
		case step == 0:
			return step, (steps[0] + steps[1]) / 2, false
		default:
			return step, steps[step], false
		}
	case Good:
		if step+1 == len(steps) {
			return step, 0, true
		}
		return step + 1, steps[step+1], false
	default: // Easy
		return step, 0, true
	}
}

// ElapsedDays is the number of whole 24-hour periods from last to now, rounded down (Python's
// timedelta.days, which py-fsrs uses), at microsecond precision. These are not calendar days:
// 22:00 to 07:00 the next morning is 0 days, and it selects the same-day formula. Negative when
// now is before last.
func ElapsedDays(last, now time.Time) int {
	d := now.UnixMicro() - last.UnixMicro()
	days := d / microsPerDay
	if d%microsPerDay != 0 && d < 0 {
		days-- // floor, not truncation
	}
	return int(days)
}

// ReviewRetrievability is R as the scheduler sees it at a review at `at`: whole elapsed days,
// as py-fsrs' get_card_retrievability (negative elapsed counts as 0). It is the R the
// stability update uses, and the "retrievability just before the review" a store records. A new
// card (nil) counts as 1.
func (p Parameters) ReviewRetrievability(card *Card, at time.Time) float64 {
	if card == nil || card.LastReview == nil {
		return 1
	}
	days := max(ElapsedDays(*card.LastReview, at), 0)
	return p.Retrievability(card.Stability, float64(days))
}

// RetrievabilityAt is the live R of a card at `at`, with fractional elapsed days (microsecond
// precision), for search filters and display. The scheduler itself uses whole days
// (ReviewRetrievability). A new card (nil) counts as 1, and so does a time before the last
// review.
func (p Parameters) RetrievabilityAt(card *Card, at time.Time) float64 {
	if card == nil || card.LastReview == nil {
		return 1
	}
	d := at.UnixMicro() - card.LastReview.UnixMicro()
	if d <= 0 {
		return 1
	}
	return p.Retrievability(card.Stability, float64(d)/microsPerDay)
}

// micro is t in UTC, truncated to the microsecond (the stores' precision).
func micro(t time.Time) time.Time { return time.UnixMicro(t.UnixMicro()).UTC() }

func intPtr(i int) *int { return &i }
