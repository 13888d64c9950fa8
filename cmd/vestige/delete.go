package main

import (
	"context"
	"fmt"

	"github.com/google/uuid"
)

type deleteCmd struct {
	IDs []string `arg:"" name:"id" help:"Ids of the memories to forget."`
}

func (c *deleteCmd) Run(ctx context.Context, g *globals) error {
	ids := make([]uuid.UUID, len(c.IDs))
	for i, s := range c.IDs {
		id, err := parseID("id", s)
		if err != nil {
			return err
		}
		ids[i] = id
	}
	st, _, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	deleted := []uuid.UUID{}
	for _, id := range ids {
		if err := st.Delete(ctx, id); err != nil {
			// The ones before stay deleted: say which, so a retry does not guess.
			if len(deleted) > 0 && !g.JSON {
				fmt.Fprintf(g.stdout, "deleted %d of %d before the error\n", len(deleted), len(ids))
			}
			return err
		}
		deleted = append(deleted, id)
	}
	if g.JSON {
		return g.printJSON(map[string]any{"deleted": deleted})
	}
	for _, id := range deleted {
		fmt.Fprintf(g.stdout, "deleted %s\n", id)
	}
	return nil
}
