package main

import (
	"context"
	"fmt"
)

type neighborsCmd struct {
	ID    string `arg:"" help:"The memory to start from."`
	Depth int    `short:"d" default:"2" help:"How many hops to walk (0 to 10)."`
	Type  string `short:"t" help:"Only follow edges of this type." placeholder:"TYPE"`
}

func (c *neighborsCmd) Run(ctx context.Context, g *globals) error {
	id, err := parseID("id", c.ID)
	if err != nil {
		return err
	}
	if c.Depth < 0 || c.Depth > 10 {
		return usagef("--depth %d is outside 0..10", c.Depth)
	}
	st, _, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	ns, err := st.Neighbors(ctx, id, c.Depth, c.Type)
	if err != nil {
		return err
	}
	if g.JSON {
		return g.printJSON(ns)
	}
	tw := g.table("HOPS", "ACTIVATION", "ID", "TYPE", "CONTENT")
	for _, n := range ns {
		row(tw, n.Hops, fmt.Sprintf("%.4f", n.Activation), n.Memory.ID, n.Memory.NodeType, short(n.Memory.Content, 72))
	}
	return tw.Flush()
}
