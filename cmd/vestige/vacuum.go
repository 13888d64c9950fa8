package main

import (
	"context"
	"fmt"
)

type vacuumCmd struct{}

func (c *vacuumCmd) Run(ctx context.Context, g *globals) error {
	st, _, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Vacuum(ctx); err != nil {
		return err
	}
	if g.JSON {
		return g.printJSON(map[string]bool{"vacuumed": true})
	}
	fmt.Fprintln(g.stdout, "vacuumed")
	return nil
}
