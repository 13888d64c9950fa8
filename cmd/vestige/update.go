package main

import (
	"context"
)

type updateCmd struct {
	ID       string   `arg:"" help:"The memory's id."`
	Content  *string  `help:"New text (- reads standard input); the memory is embedded again." placeholder:"TEXT"`
	Type     *string  `short:"t" help:"New node type." placeholder:"TYPE"`
	Tag      []string `sep:"none" help:"Replace the tags (repeat the flag; a comma is part of the tag; --tag '' clears them)." placeholder:"TAG"`
	Domain   []string `sep:"none" help:"Replace the domains (repeat the flag; a comma is part of the id; --domain '' clears them)." placeholder:"ID"`
	Metadata *string  `help:"Replace the metadata with this JSON object." placeholder:"JSON"`
}

func (c *updateCmd) Run(ctx context.Context, g *globals) error {
	id, err := parseID("id", c.ID)
	if err != nil {
		return err
	}
	if c.Content == nil && c.Type == nil && c.Tag == nil && c.Domain == nil && c.Metadata == nil {
		return usagef("nothing to update: give --content, --type, --tag, --domain or --metadata")
	}
	var content string
	if c.Content != nil {
		if content, err = text([]string{*c.Content}, g.stdin); err != nil {
			return err
		}
	}
	var meta map[string]any
	if c.Metadata != nil {
		if meta, err = parseMetadata("--metadata", *c.Metadata); err != nil {
			return err
		}
	}
	cl, err := g.openClient(ctx)
	if err != nil {
		return err
	}
	defer cl.Close()
	m, err := cl.Get(ctx, id)
	if err != nil {
		return err
	}
	if c.Content != nil {
		m.Content = content
	}
	if c.Type != nil {
		m.NodeType = *c.Type
	}
	if c.Tag != nil {
		m.Tags = nonEmpty(c.Tag)
	}
	if c.Domain != nil {
		m.Domains = nonEmpty(c.Domain)
	}
	if meta != nil {
		m.Metadata = meta
	}
	if err := checkContent(m); err != nil {
		return err
	}
	m, err = cl.Update(ctx, m)
	if err != nil {
		return err
	}
	return g.printMemory(m, false)
}
