package main

import (
	"context"
	"fmt"

	"github.com/vestige-mem/vestige/client"
	"github.com/vestige-mem/vestige/client/store"
)

type searchCmd struct {
	Query             []string `arg:"" help:"What to look for (the words are joined by spaces; - reads standard input)."`
	Mode              string   `enum:"hybrid,fts,vector" default:"hybrid" help:"hybrid (full-text and vector ranks fused), fts or vector."`
	Limit             int      `short:"k" default:"10" help:"How many memories to return."`
	Domain            []string `sep:"none" help:"Only memories in one of these domains (repeatable; a comma is part of the id)." placeholder:"ID"`
	Type              []string `short:"t" sep:"none" help:"Only memories of one of these node types (repeatable; a comma is part of the type)." placeholder:"TYPE"`
	Tag               []string `sep:"none" help:"Only memories with one of these tags (repeatable; a comma is part of the tag)." placeholder:"TAG"`
	MinRetrievability *float64 `name:"min-retrievability" help:"Only memories whose FSRS retrievability is at least this (0 to 1; new memories count as 1)." placeholder:"R"`
	FTSWeight         *float64 `name:"fts-weight" help:"Weight of the full-text rank in the hybrid fusion (0 to 1; default 1)." placeholder:"W"`
	VectorWeight      *float64 `name:"vector-weight" help:"Weight of the vector rank in the hybrid fusion (0 to 1; default 0 for the hash embedders, else 1)." placeholder:"W"`
	MinVectorScore    *float64 `name:"min-vector-score" help:"Drop vector candidates whose cosine similarity is below this (-1 to 1)." placeholder:"S"`
}

func (c *searchCmd) Run(ctx context.Context, g *globals) error {
	q, err := text(c.Query, g.stdin)
	if err != nil {
		return err
	}
	mode, err := client.ParseMode(c.Mode)
	if err != nil {
		return usagef("%v", err)
	}
	if c.Limit < 1 || c.Limit > 1000 {
		return usagef("-k %d is outside 1..1000", c.Limit)
	}
	if r := c.MinRetrievability; r != nil && !(*r >= 0 && *r <= 1) {
		return usagef("--min-retrievability %v is outside 0..1", *r)
	}
	for _, w := range []struct {
		flag   string
		v      *float64
		lo, hi float64
	}{{"--fts-weight", c.FTSWeight, 0, 1}, {"--vector-weight", c.VectorWeight, 0, 1}, {"--min-vector-score", c.MinVectorScore, -1, 1}} {
		if w.v != nil && !(*w.v >= w.lo && *w.v <= w.hi) {
			return usagef("%s %v is outside %v..%v", w.flag, *w.v, w.lo, w.hi)
		}
	}
	cl, err := g.openClient(ctx)
	if err != nil {
		return err
	}
	defer cl.Close()
	res, err := cl.Search(ctx, mode, store.SearchQuery{Text: q, Limit: c.Limit, Domains: nonEmpty(c.Domain),
		NodeTypes: nonEmpty(c.Type), Tags: nonEmpty(c.Tag), MinRetrievability: c.MinRetrievability,
		FTSWeight: c.FTSWeight, VectorWeight: c.VectorWeight, MinVectorScore: c.MinVectorScore})
	if err != nil {
		return err
	}
	if g.JSON {
		if res == nil {
			res = []store.SearchResult{}
		}
		return g.printJSON(res)
	}
	if len(res) == 0 {
		fmt.Fprintln(g.stdout, "no memories found")
		return nil
	}
	tw := g.table("#", "SCORE", "FTS", "VECTOR", "ID", "TYPE", "CONTENT")
	for i, r := range res {
		row(tw, i+1, fmt.Sprintf("%.4f", r.RRFScore), rank(r.FTSRank), rank(r.VectorRank), r.Memory.ID,
			r.Memory.NodeType, short(r.Memory.Content, 72))
	}
	return tw.Flush()
}

// rank shows a branch's rank, "-" when that branch did not find the memory.
func rank(r *int) string {
	if r == nil {
		return "-"
	}
	return fmt.Sprint(*r)
}
