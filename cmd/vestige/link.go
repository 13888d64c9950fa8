package main

import (
	"context"
	"fmt"
	"math"

	"github.com/google/uuid"

	"github.com/vestige-mem/vestige/client/store"
)

type linkCmd struct {
	Source string  `arg:"" help:"Id of the memory the edge starts at."`
	Target string  `arg:"" help:"Id of the memory the edge ends at."`
	Type   string  `short:"t" default:"related" help:"Edge type."`
	Weight float64 `short:"w" default:"1" help:"Weight in [0, 1]; the graph walk multiplies weights along a path."`
}

func (c *linkCmd) Run(ctx context.Context, g *globals) error {
	src, err := parseID("source", c.Source)
	if err != nil {
		return err
	}
	dst, err := parseID("target", c.Target)
	if err != nil {
		return err
	}
	if math.IsNaN(c.Weight) || c.Weight < 0 || c.Weight > 1 {
		return usagef("--weight %v is outside [0, 1]", c.Weight)
	}
	if src == dst {
		return usagef("source and target are the same memory")
	}
	st, _, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	// Name the end that is missing; the store would only report a broken reference.
	for _, id := range []uuid.UUID{src, dst} {
		if _, err := st.Get(ctx, id); err != nil {
			return err
		}
	}
	e, err := st.AddEdge(ctx, store.Edge{SourceID: src, TargetID: dst, EdgeType: c.Type, Weight: c.Weight})
	if err != nil {
		return err
	}
	if g.JSON {
		return g.printJSON(e)
	}
	fmt.Fprintf(g.stdout, "linked %s -[%s %g]-> %s\n", e.SourceID, e.EdgeType, e.Weight, e.TargetID)
	return nil
}
