package main

import (
	"context"
	"fmt"

	"github.com/vestige-mem/vestige/client/store"
)

type unlinkCmd struct {
	Source string `arg:"" help:"Id of the memory the edge starts at."`
	Target string `arg:"" help:"Id of the memory the edge ends at."`
	Type   string `short:"t" default:"related" help:"Edge type."`
}

func (c *unlinkCmd) Run(ctx context.Context, g *globals) error {
	src, err := parseID("source", c.Source)
	if err != nil {
		return err
	}
	dst, err := parseID("target", c.Target)
	if err != nil {
		return err
	}
	st, _, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.RemoveEdge(ctx, src, dst, c.Type); err != nil {
		return err
	}
	if g.JSON {
		return g.printJSON(map[string]any{"removed": store.Edge{SourceID: src, TargetID: dst, EdgeType: c.Type}})
	}
	fmt.Fprintf(g.stdout, "unlinked %s -[%s]-> %s\n", src, c.Type, dst)
	return nil
}
