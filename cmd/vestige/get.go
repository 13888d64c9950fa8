package main

import "context"

type getCmd struct {
	ID        string `arg:"" help:"The memory's id."`
	Embedding bool   `help:"Also print the embedding."`
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
	return g.printMemory(m, c.Embedding)
}
