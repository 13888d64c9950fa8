package main

import (
	"context"
	"fmt"

	"github.com/vestige-mem/vestige/client/store"
)

type getCmd struct {
	ID        string `arg:"" help:"The memory's id."`
	Embedding bool   `help:"Also print the embedding."`
}

// getView is a memory with its spaced-repetition state: the FSRS row (null for a memory never
// reviewed) and its live retrievability now.
type getView struct {
	memoryView
	Scheduling     *store.SchedulingState `json:"scheduling"`
	Retrievability float64                `json:"retrievability"`
}

func (c *getCmd) Run(ctx context.Context, g *globals) error {
	id, err := parseID("id", c.ID)
	if err != nil {
		return err
	}
	st, _, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	m, err := st.Get(ctx, id)
	if err != nil {
		return err
	}
	sched, err := st.GetScheduling(ctx, id)
	if err != nil {
		return err
	}
	r, err := st.Retrievability(ctx, id, store.Now())
	if err != nil {
		return err
	}
	if g.JSON {
		return g.printJSON(getView{viewMemory(m, c.Embedding), sched, r})
	}
	if err := g.printMemory(m, c.Embedding); err != nil {
		return err
	}
	fmt.Fprintln(g.stdout)
	if err := g.printScheduling(sched); err != nil {
		return err
	}
	tw := g.table()
	row(tw, "retrievability", fmt.Sprintf("%.3f now", r))
	return tw.Flush()
}
