package main

import (
	"context"
	"fmt"
	"time"

	"github.com/vestige-mem/vestige/client/store"
)

type dueCmd struct {
	Before string `help:"Due by this time, RFC 3339 (default: now; no zone means UTC)." placeholder:"TIME"`
	Limit  int    `short:"n" default:"10" help:"How many memories to list."`
}

func (c *dueCmd) Run(ctx context.Context, g *globals) error {
	var before time.Time
	var err error
	if c.Before != "" {
		if before, err = parseTime("--before", c.Before); err != nil {
			return err
		}
	}
	if c.Limit < 1 || c.Limit > 1000 {
		return usagef("-n %d is outside 1..1000", c.Limit)
	}
	st, _, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	due, err := st.DueMemories(ctx, before, c.Limit)
	if err != nil {
		return err
	}
	if g.JSON {
		if due == nil {
			due = []store.DueMemory{}
		}
		return g.printJSON(due)
	}
	if len(due) == 0 {
		fmt.Fprintln(g.stdout, "nothing is due")
		return nil
	}
	tw := g.table("DUE", "STATE", "ID", "CONTENT")
	for _, d := range due {
		row(tw, stamp(d.DueAt), stateName(d.Scheduling), d.Memory.ID, short(d.Memory.Content, 72))
	}
	return tw.Flush()
}

// stateName names an FSRS state as the reference scheduler does.
func stateName(s *store.SchedulingState) string {
	if s == nil {
		return "new"
	}
	switch s.State {
	case 1:
		return "learning"
	case 2:
		return "review"
	case 3:
		return "relearning"
	}
	return fmt.Sprint(s.State)
}
