package main

import (
	"context"
	"fmt"

	"github.com/vestige-mem/vestige/client/store"
)

type classifyCmd struct {
	Text []string `arg:"" help:"The text to classify (the words are joined by spaces; - reads standard input)."`
}

func (c *classifyCmd) Run(ctx context.Context, g *globals) error {
	t, err := text(c.Text, g.stdin)
	if err != nil {
		return err
	}
	cl, err := g.openClient(ctx)
	if err != nil {
		return err
	}
	defer cl.Close()
	res, err := cl.Classify(ctx, t)
	if err != nil {
		return err
	}
	if g.JSON {
		if res == nil {
			res = []store.Classification{}
		}
		return g.printJSON(res)
	}
	if len(res) == 0 {
		fmt.Fprintln(g.stdout, "no domain has a centroid (see vestige domains upsert --centroid-text)")
		return nil
	}
	tw := g.table("DOMAIN", "SIMILARITY")
	for _, r := range res {
		row(tw, r.DomainID, fmt.Sprintf("%.4f", r.Similarity))
	}
	return tw.Flush()
}
