package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/vestige-mem/vestige/client/store"
)

type domainsCmd struct {
	List   domainsListCmd   `cmd:"" default:"1" help:"List every domain (the default)."`
	Get    domainsGetCmd    `cmd:"" help:"Show a domain."`
	Upsert domainsUpsertCmd `cmd:"" help:"Create a domain, or change the fields given."`
	Delete domainsDeleteCmd `cmd:"" help:"Delete a domain (memories keep its id in their domains)."`
}

// domainView is a domain as the CLI prints it: the centroid's dimension instead of its
// hundreds of numbers.
type domainView struct {
	store.Domain
	CentroidDimension int `json:"centroid_dimension"`
}

func viewDomain(d store.Domain) domainView {
	v := domainView{Domain: d, CentroidDimension: len(d.Centroid)}
	v.Centroid = nil
	return v
}

func centroidCell(d store.Domain) string {
	if len(d.Centroid) == 0 {
		return "none"
	}
	return fmt.Sprintf("%d dimensions", len(d.Centroid))
}

type domainsListCmd struct{}

func (c *domainsListCmd) Run(ctx context.Context, g *globals) error {
	st, _, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	ds, err := st.ListDomains(ctx)
	if err != nil {
		return err
	}
	if g.JSON {
		out := make([]domainView, len(ds))
		for i, d := range ds {
			out[i] = viewDomain(d)
		}
		return g.printJSON(out)
	}
	if len(ds) == 0 {
		fmt.Fprintln(g.stdout, "no domains")
		return nil
	}
	tw := g.table("ID", "LABEL", "MEMORIES", "CENTROID", "TOP TERMS", "CREATED")
	for _, d := range ds {
		row(tw, d.ID, short(d.Label, 40), d.MemoryCount, centroidCell(d), short(list(d.TopTerms), 40), stamp(d.CreatedAt))
	}
	return tw.Flush()
}

type domainsGetCmd struct {
	ID string `arg:"" help:"The domain's id."`
}

func (c *domainsGetCmd) Run(ctx context.Context, g *globals) error {
	st, _, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	d, err := st.GetDomain(ctx, c.ID)
	if err != nil {
		return err
	}
	return g.printDomain(d)
}

func (g *globals) printDomain(d store.Domain) error {
	if g.JSON {
		return g.printJSON(viewDomain(d))
	}
	tw := g.table()
	row(tw, "id", d.ID)
	row(tw, "label", d.Label)
	row(tw, "memories", d.MemoryCount)
	row(tw, "centroid", centroidCell(d))
	row(tw, "top terms", list(d.TopTerms))
	row(tw, "metadata", compactJSON(d.Metadata))
	row(tw, "created", stamp(d.CreatedAt))
	return tw.Flush()
}

type domainsUpsertCmd struct {
	ID           string   `arg:"" help:"The domain's id."`
	Label        *string  `help:"Label." placeholder:"TEXT"`
	CentroidText *string  `name:"centroid-text" help:"Set the centroid to the embedding of this text (what the domain is about)." placeholder:"TEXT"`
	TopTerm      []string `name:"top-term" sep:"none" help:"Replace the top terms (repeatable; a comma is part of the term; --top-term '' clears them)." placeholder:"TERM"`
	MemoryCount  *int     `name:"memory-count" help:"Number of memories in the domain." placeholder:"N"`
	Metadata     *string  `help:"Replace the metadata with this JSON object." placeholder:"JSON"`
}

func (c *domainsUpsertCmd) Run(ctx context.Context, g *globals) error {
	if c.ID == "" {
		return usagef("the domain id is empty")
	}
	var meta map[string]any
	var err error
	if c.Metadata != nil {
		if meta, err = parseMetadata("--metadata", *c.Metadata); err != nil {
			return err
		}
	}
	if c.MemoryCount != nil && *c.MemoryCount < 0 {
		return usagef("--memory-count %d is negative", *c.MemoryCount)
	}
	// The embedder is needed only for a centroid; without one, the store is opened bare.
	var st store.Store
	var embed func(string) ([]float32, error)
	if c.CentroidText != nil {
		cl, err := g.openClient(ctx)
		if err != nil {
			return err
		}
		defer cl.Close()
		st = cl.Store()
		embed = func(s string) ([]float32, error) { return cl.Embedder().Embed(ctx, s) }
	} else {
		if st, _, err = g.openStore(ctx); err != nil {
			return err
		}
		defer st.Close()
	}
	d, err := st.GetDomain(ctx, c.ID)
	if errors.Is(err, store.ErrNotFound) {
		d, err = store.Domain{ID: c.ID, Label: c.ID}, nil
	}
	if err != nil {
		return err
	}
	if c.Label != nil {
		d.Label = *c.Label
	}
	if c.CentroidText != nil {
		if d.Centroid, err = embed(*c.CentroidText); err != nil {
			return fmt.Errorf("--centroid-text: %w", err)
		}
	}
	if c.TopTerm != nil {
		d.TopTerms = nonEmpty(c.TopTerm)
	}
	if c.MemoryCount != nil {
		d.MemoryCount = *c.MemoryCount
	}
	if meta != nil {
		d.Metadata = meta
	}
	if d, err = st.UpsertDomain(ctx, d); err != nil {
		return err
	}
	return g.printDomain(d)
}

type domainsDeleteCmd struct {
	ID string `arg:"" help:"The domain's id."`
}

func (c *domainsDeleteCmd) Run(ctx context.Context, g *globals) error {
	st, _, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.DeleteDomain(ctx, c.ID); err != nil {
		return err
	}
	if g.JSON {
		return g.printJSON(map[string]any{"deleted": c.ID})
	}
	fmt.Fprintf(g.stdout, "deleted domain %s\n", c.ID)
	return nil
}
