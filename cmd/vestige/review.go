package main

import (
	"context"
	"fmt"
	"time"

	"github.com/vestige-mem/vestige/client/fsrs"
	"github.com/vestige-mem/vestige/client/store"
)

type reviewCmd struct {
	ID     string `arg:"" help:"The memory's id."`
	Rating string `arg:"" help:"How well it was recalled: again, hard, good or easy (or 1-4)."`
	At     string `help:"When it was reviewed, RFC 3339 (default: now; no zone means UTC)." placeholder:"TIME"`
}

func (c *reviewCmd) Run(ctx context.Context, g *globals) error {
	id, err := parseID("id", c.ID)
	if err != nil {
		return err
	}
	rating, err := fsrs.ParseRating(c.Rating)
	if err != nil {
		return usagef("rating %q is not again, hard, good or easy", c.Rating)
	}
	var at time.Time
	if c.At != "" {
		if at, err = parseTime("--at", c.At); err != nil {
			return err
		}
	}
	st, _, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	s, err := st.Review(ctx, id, int(rating), at)
	if err != nil {
		return err
	}
	if g.JSON {
		return g.printJSON(s)
	}
	fmt.Fprintf(g.stdout, "reviewed %s: %s\n", id, rating)
	return g.printScheduling(&s)
}

// printScheduling shows a memory's FSRS state as a key/value list.
func (g *globals) printScheduling(s *store.SchedulingState) error {
	tw := g.table()
	row(tw, "state", stateName(s))
	if s == nil {
		row(tw, "next review", "due now (never reviewed)")
		return tw.Flush()
	}
	if s.Step != nil {
		row(tw, "step", *s.Step)
	}
	if s.NextReview != nil {
		row(tw, "next review", stamp(*s.NextReview))
	}
	if s.LastReview != nil {
		row(tw, "last review", stamp(*s.LastReview))
	}
	row(tw, "stability", fmt.Sprintf("%.4g days", s.Stability))
	row(tw, "difficulty", fmt.Sprintf("%.4g", s.Difficulty))
	row(tw, "reviews", s.Reps)
	row(tw, "lapses", s.Lapses)
	return tw.Flush()
}
