package main

import (
	"context"
	"fmt"
	"io"

	"github.com/vestige-mem/vestige/client"
	"github.com/vestige-mem/vestige/client/config"
	"github.com/vestige-mem/vestige/client/store"
	"github.com/vestige-mem/vestige/client/store/pgstore"
)

type healthCmd struct{}

type healthJSON struct {
	Backend  string `json:"backend"`
	Location string `json:"location"`
	store.Health
	Embedder embedderHealth `json:"embedder"`
}

// embedderHealth is the configured embedder as health sees it: what it answered, or why it
// could not be built, and whether the store's vectors are its own.
type embedderHealth struct {
	*embedderInfo
	Error string `json:"error,omitempty"`
	// MatchesStore is false when the store holds another model's vectors (nil: the store
	// has none yet, or the embedder could not be built).
	MatchesStore *bool `json:"matches_store,omitempty"`
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
	eh, embErr := checkEmbedder(ctx, cfg, h.Model)
	if g.JSON {
		err = g.printJSON(healthJSON{Backend: cfg.Storage.Backend, Location: location(cfg), Health: h, Embedder: eh})
	} else {
		err = printHealth(g.stdout, h, cfg.Storage.Backend, location(cfg))
		if err == nil {
			_, err = fmt.Fprintln(g.stdout, "embedder:  "+embedderLine(eh))
		}
	}
	if err != nil {
		return err
	}
	if h.Status != store.Healthy {
		return fmt.Errorf("store is %s: %s", h.Status, h.Reason)
	}
	return embErr
}

// checkEmbedder builds the configured embedder (an HTTP one asks its server) and compares
// it with the registered model: the commands that embed would fail on either problem.
func checkEmbedder(ctx context.Context, cfg config.Config, registered *store.ModelSignature) (embedderHealth, error) {
	emb, err := client.NewEmbedder(ctx, cfg.Embeddings)
	if err != nil {
		return embedderHealth{Error: err.Error()}, err
	}
	info := describe(cfg.Embeddings, emb)
	eh := embedderHealth{embedderInfo: &info}
	if registered == nil {
		return eh, nil
	}
	sig := client.Signature(emb)
	matches := *registered == sig
	eh.MatchesStore = &matches
	if !matches {
		return eh, &store.EmbeddingMismatchError{Registered: *registered, Requested: sig}
	}
	return eh, nil
}

func embedderLine(eh embedderHealth) string {
	if eh.embedderInfo == nil {
		return "unavailable"
	}
	line := fmt.Sprintf("%s (%d dimensions)", eh.Model, eh.Dimension)
	if eh.Server != "" {
		line += " at " + eh.Server
	}
	if eh.MatchesStore != nil && !*eh.MatchesStore {
		line += "; not the store's model"
	}
	return line
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
