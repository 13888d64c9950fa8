package main

import (
	"context"
	"fmt"

	"github.com/vestige-mem/vestige/client/store"
)

type statsCmd struct{}

type statsJSON struct {
	Backend  string `json:"backend"`
	Location string `json:"location"`
	store.Stats
}

func (c *statsCmd) Run(ctx context.Context, g *globals) error {
	st, cfg, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	s, err := st.Stats(ctx)
	if err != nil {
		return err
	}
	if g.JSON {
		return g.printJSON(statsJSON{Backend: cfg.Storage.Backend, Location: location(cfg), Stats: s})
	}
	model := "none registered"
	if s.ModelName != "" {
		model = fmt.Sprintf("%s (%d dimensions)", s.ModelName, s.ModelDimension)
	}
	tw := g.table()
	row(tw, "backend", cfg.Storage.Backend)
	row(tw, "location", location(cfg))
	row(tw, "memories", s.Memories)
	row(tw, "with embeddings", s.WithEmbeddings)
	row(tw, "edges", s.Edges)
	row(tw, "domains", s.Domains)
	row(tw, "review events", s.ReviewEvents)
	row(tw, "model", model)
	return tw.Flush()
}
