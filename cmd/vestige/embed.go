package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/vestige-mem/vestige/client"
	"github.com/vestige-mem/vestige/client/config"
	"github.com/vestige-mem/vestige/client/embedder"
)

type embedCmd struct {
	Text  []string `arg:"" help:"The text to embed (the words are joined by spaces; - reads standard input)."`
	Query bool     `help:"Embed it as a search does (with query_prefix) rather than as a memory (with document_prefix)."`
}

// embedderInfo describes the configured embedder for people checking a setup.
type embedderInfo struct {
	Provider string `json:"provider"`
	// Server is the base URL without credentials; empty for the built-in hash embedder.
	Server    string `json:"server,omitempty"`
	Model     string `json:"model"`
	Dimension int    `json:"dimension"`
	Hash      string `json:"hash"`
	Digest    string `json:"digest,omitempty"`
}

func describe(cfg config.Embeddings, emb embedder.Embedder) embedderInfo {
	info := embedderInfo{Provider: cfg.Provider, Model: emb.ModelName(), Dimension: emb.Dimension(), Hash: emb.ModelHash()}
	if h, ok := emb.(*embedder.HTTP); ok {
		info.Provider, info.Server, info.Digest = h.Provider(), h.Server(), h.Digest()
	}
	return info
}

type embedJSON struct {
	embedderInfo
	// Purpose is "document" (a memory) or "query" (a search).
	Purpose string    `json:"purpose"`
	Prefix  string    `json:"prefix"`
	Vector  []float32 `json:"vector"`
}

// Run embeds one text with the configured embedder and shows what it answered, without
// opening the store: a way to check a server, a model and its prefixes before adding.
func (c *embedCmd) Run(ctx context.Context, g *globals) error {
	txt, err := text(c.Text, g.stdin)
	if err != nil {
		return err
	}
	cfg, err := g.resolve()
	if err != nil {
		return err
	}
	emb, err := client.NewEmbedder(ctx, cfg.Embeddings)
	if err != nil {
		return err
	}
	out := embedJSON{embedderInfo: describe(cfg.Embeddings, emb), Purpose: "document"}
	var v []float32
	if c.Query {
		out.Purpose = "query"
		v, err = embedder.EmbedQuery(ctx, emb, txt)
	} else {
		v, err = emb.Embed(ctx, txt)
	}
	if err != nil {
		return err
	}
	if _, ok := emb.(*embedder.HTTP); ok {
		out.Prefix = cfg.Embeddings.DocumentPrefix
		if c.Query {
			out.Prefix = cfg.Embeddings.QueryPrefix
		}
	}
	out.Vector = v
	if g.JSON {
		return g.printJSON(out)
	}
	lines := []string{"provider:  " + out.Provider}
	if out.Server != "" {
		lines = append(lines, "server:    "+out.Server)
	}
	lines = append(lines, fmt.Sprintf("model:     %s (%d dimensions, hash %s)", out.Model, out.Dimension, out.Hash))
	if out.Digest != "" {
		lines = append(lines, "digest:    "+out.Digest)
	}
	lines = append(lines, fmt.Sprintf("embedded:  as a %s, prefix %q", out.Purpose, out.Prefix))
	lines = append(lines, "vector:    "+preview(v, 8))
	_, err = fmt.Fprintln(g.stdout, strings.Join(lines, "\n"))
	return err
}

// preview shows the first n components and the length.
func preview(v []float32, n int) string {
	var b strings.Builder
	b.WriteString("[")
	for i, x := range v[:min(n, len(v))] {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%.4f", x)
	}
	if len(v) > n {
		b.WriteString(", …")
	}
	fmt.Fprintf(&b, "] (%d values, unit length)", len(v))
	return b.String()
}
