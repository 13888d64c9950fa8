// Package fsrs is the Go twin of vestige's PL/pgSQL FSRS-6 scheduler: it reproduces py-fsrs 6.3.2
// (fuzzing off) so that the SQLite backend schedules a memory exactly as Postgres does.
//
// The package is deliberately plain — one function per formula, named as in py-fsrs and the
// FSRS-6 paper — because the PL/pgSQL function vestige_review is ported from it line by line and
// both must reproduce internal/fsrsvectors/testdata/vectors.json. Neither twin is the master: a
// change here is a change there.
//
// A memory that was never reviewed has no card at all (no scheduling row): pass a nil *Card.
// It counts as retrievability 1 and is due from its creation time, which only the caller knows.
package fsrs

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Sentinel errors, matched with errors.Is. Each maps to one SQLSTATE of the SQL twin.
var (
	// ErrReviewBeforeLast refuses a review dated before the card's last review: the elapsed
	// time would be negative, which FSRS has no meaning for, and the review history would no
	// longer be in order.
	ErrReviewBeforeLast = errors.New("fsrs: review is dated before the card's last review")
	// ErrInvalidRating is returned for a rating outside Again (1) … Easy (4).
	ErrInvalidRating = errors.New("fsrs: invalid rating")
	// ErrInvalidCard is returned for a card no review could have produced (unknown state,
	// missing step or last review, non-positive stability, difficulty outside [1, 10]).
	ErrInvalidCard = errors.New("fsrs: invalid card")
	// ErrInvalidParameters is returned by Validate (and so by Review) for a parameter set
	// outside the bounds py-fsrs accepts.
	ErrInvalidParameters = errors.New("fsrs: invalid parameters")
)

// Rating is the grade given at a review. The numeric values are the reference's and are what
// the SQL API and review_events store.
type Rating int

// The four FSRS ratings.
const (
	Again Rating = 1
	Hard  Rating = 2
	Good  Rating = 3
	Easy  Rating = 4
)

// Valid reports whether r is one of the four ratings.
func (r Rating) Valid() bool { return r >= Again && r <= Easy }

// String returns the lower-case name that ParseRating accepts, so a rating round-trips through
// text (command line, config).
func (r Rating) String() string {
	switch r {
	case Again:
		return "again"
	case Hard:
		return "hard"
	case Good:
		return "good"
	case Easy:
		return "easy"
	}
	return "Rating(" + strconv.Itoa(int(r)) + ")"
}

// ParseRating accepts a rating's name in any case ("again", "Hard", …) or its number ("1"–"4"),
// since people type names and programs pass numbers.
func ParseRating(s string) (Rating, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	for r := Again; r <= Easy; r++ {
		if t == r.String() || t == strconv.Itoa(int(r)) {
			return r, nil
		}
	}
	return 0, fmt.Errorf("%w %q: want again, hard, good or easy (or 1-4)", ErrInvalidRating, s)
}

// State is a card's scheduling state. py-fsrs has no New state (a never-reviewed card is a nil
// *Card here), so the values start at 1 as in the reference and the scheduling table.
type State int

// The three states of a reviewed card.
const (
	Learning   State = 1
	Review     State = 2
	Relearning State = 3
)

// Valid reports whether s is one of the three states.
func (s State) Valid() bool { return s >= Learning && s <= Relearning }

// String returns the state's lower-case name.
func (s State) String() string {
	switch s {
	case Learning:
		return "learning"
	case Review:
		return "review"
	case Relearning:
		return "relearning"
	}
	return "State(" + strconv.Itoa(int(s)) + ")"
}

// Card is the scheduling state of a memory after at least one review (a scheduling row).
type Card struct {
	State State
	// Step is the index into the learning (or relearning) steps; nil in the Review state.
	Step       *int
	Stability  float64 // days until R falls to 0.9
	Difficulty float64 // in [1, 10]
	Due        time.Time
	// LastReview is never nil on a card returned by Review; it is a pointer only to mirror the
	// nullable column.
	LastReview *time.Time
	Reps       int // reviews, every rating
	Lapses     int // Again ratings given in the Review state
}

// check refuses a card that no review could have produced, before any formula turns it into
// NaN or a nonsense schedule.
func (c *Card) check() error {
	switch {
	case !c.State.Valid():
		return fmt.Errorf("%w: state %d", ErrInvalidCard, int(c.State))
	case c.State == Review && c.Step != nil:
		return fmt.Errorf("%w: step %d in the review state", ErrInvalidCard, *c.Step)
	case c.State != Review && c.Step == nil:
		return fmt.Errorf("%w: no step in the %s state", ErrInvalidCard, c.State)
	case c.Step != nil && *c.Step < 0:
		return fmt.Errorf("%w: negative step %d", ErrInvalidCard, *c.Step)
	case c.LastReview == nil:
		return fmt.Errorf("%w: no last review (a new card is a nil *Card)", ErrInvalidCard)
	case !(c.Stability > 0) || math.IsInf(c.Stability, 0):
		return fmt.Errorf("%w: stability %v", ErrInvalidCard, c.Stability)
	case !(c.Difficulty >= minDifficulty && c.Difficulty <= maxDifficulty):
		return fmt.Errorf("%w: difficulty %v outside [1, 10]", ErrInvalidCard, c.Difficulty)
	case c.Reps < 0 || c.Lapses < 0:
		return fmt.Errorf("%w: negative reps or lapses", ErrInvalidCard)
	}
	return nil
}
