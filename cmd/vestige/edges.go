package main

import (
	"context"
	"fmt"
)

type edgesCmd struct {
	ID   string `arg:"" help:"The memory's id."`
	Type string `short:"t" help:"Only edges of this type." placeholder:"TYPE"`
}

func (c *edgesCmd) Run(ctx context.Context, g *globals) error {
	id, err := parseID("id", c.ID)
	if err != nil {
		return err
	}
	st, _, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	// An unknown memory has no edges; say so as an error rather than print an empty list.
	if _, err := st.Get(ctx, id); err != nil {
		return err
	}
	edges, err := st.GetEdges(ctx, id, c.Type)
	if err != nil {
		return err
	}
	if g.JSON {
		return g.printJSON(edges)
	}
	if len(edges) == 0 {
		fmt.Fprintln(g.stdout, "no edges")
		return nil
	}
	tw := g.table("SOURCE", "TARGET", "TYPE", "WEIGHT", "CREATED")
	for _, e := range edges {
		row(tw, e.SourceID, e.TargetID, e.EdgeType, fmt.Sprintf("%g", e.Weight), stamp(e.CreatedAt))
	}
	return tw.Flush()
}
