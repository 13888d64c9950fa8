package main

import (
	"context"
	"fmt"

	"github.com/vestige-mem/vestige/client/store"
)

type healthCmd struct{}

type healthJSON struct {
	Backend  string `json:"backend"`
	Location string `json:"location"`
	store.Health
}

// Run prints the status and fails unless it is healthy, so that `vestige health` works as a
// probe in scripts and containers.
func (c *healthCmd) Run(ctx context.Context, g *globals) error {
	st, cfg, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	h, err := st.HealthCheck(ctx)
	if err != nil {
		return err
	}
	if g.JSON {
		err = g.printJSON(healthJSON{Backend: cfg.Storage.Backend, Location: location(cfg), Health: h})
	} else {
		_, err = fmt.Fprintf(g.stdout, "%s (%s at %s)\n", h.Status, cfg.Storage.Backend, location(cfg))
	}
	if err != nil {
		return err
	}
	if h.Status != store.Healthy {
		return fmt.Errorf("store is %s: %s", h.Status, h.Reason)
	}
	return nil
}
