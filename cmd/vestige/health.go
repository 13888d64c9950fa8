package main

import (
	"context"
	"fmt"
	"io"

	"github.com/vestige-mem/vestige/client/store"
	"github.com/vestige-mem/vestige/client/store/pgstore"
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
		err = printHealth(g.stdout, h, cfg.Storage.Backend, location(cfg))
	}
	if err != nil {
		return err
	}
	if h.Status != store.Healthy {
		return fmt.Errorf("store is %s: %s", h.Status, h.Reason)
	}
	return nil
}

// printHealth writes the status line (its shape is kept for scripts that read it) and then
// one line for each thing the check saw.
func printHealth(w io.Writer, h store.Health, backend, where string) error {
	lines := []string{fmt.Sprintf("%s (%s at %s)", h.Status, backend, where)}
	if h.Server != "" {
		lines = append(lines, "server:    "+h.Server)
	}
	if p := h.Pgvector; p != nil {
		lines = append(lines, "pgvector:  "+pgvectorLine(*p))
	}
	if s := h.Schema; s != nil {
		lines = append(lines, fmt.Sprintf("schema:    version %d of %d, functions %s", s.Version, s.Latest, s.Functions))
	}
	if h.Schema != nil {
		model := "none registered"
		if m := h.Model; m != nil {
			model = fmt.Sprintf("%s (%d dimensions)", m.Name, m.Dimension)
		}
		lines = append(lines, "model:     "+model)
	}
	for _, l := range lines {
		if _, err := fmt.Fprintln(w, l); err != nil {
			return err
		}
	}
	return nil
}

// pgvectorLine says which pgvector runs and, when the database's extension lags the
// library or either is older than vestige supports, what to do about it.
func pgvectorLine(p store.PgvectorHealth) string {
	if p.Library == "" {
		return "not installed on the server"
	}
	var line string
	switch p.Extension {
	case "":
		line = fmt.Sprintf("library %s, extension not created in this database", p.Library)
	case p.Library:
		line = p.Library
	default:
		line = fmt.Sprintf("extension %s, library %s (ALTER EXTENSION vector UPDATE brings the extension to %s)",
			p.Extension, p.Library, p.Library)
	}
	if pgstore.VersionBelow(p.Library, p.Minimum) {
		line += fmt.Sprintf("; older than %s, the oldest supported", p.Minimum)
	} else if p.Extension != "" && pgstore.VersionBelow(p.Extension, p.Minimum) {
		line += fmt.Sprintf("; the extension is recorded as older than %s, the library has the fix", p.Minimum)
	}
	return line
}
