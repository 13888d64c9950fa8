package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/vestige-mem/vestige/client/store"
)

type addCmd struct {
	Content   []string `arg:"" help:"The note's text (the words are joined by spaces; - reads standard input)."`
	Type      string   `short:"t" help:"Node type (default: general)." placeholder:"TYPE"`
	Tag       []string `sep:"none" help:"A tag (repeat the flag for more; a comma is part of the tag)." placeholder:"TAG"`
	Domain    []string `sep:"none" help:"A domain (repeat the flag for more; a comma is part of the id)." placeholder:"ID"`
	Metadata  string   `help:"Metadata as a JSON object." placeholder:"JSON"`
	ID        string   `name:"id" help:"Use this id instead of a new one (not the nil UUID)." placeholder:"UUID"`
	CreatedAt string   `name:"created-at" help:"Creation time, RFC 3339 (default: now; no zone means UTC)." placeholder:"TIME"`
}

func (c *addCmd) Run(ctx context.Context, g *globals) error {
	content, err := text(c.Content, g.stdin)
	if err != nil {
		return err
	}
	m := store.Memory{Content: content, NodeType: c.Type, Tags: nonEmpty(c.Tag), Domains: nonEmpty(c.Domain)}
	if err := checkContent(m); err != nil {
		return err
	}
	if c.Metadata != "" {
		if m.Metadata, err = parseMetadata("--metadata", c.Metadata); err != nil {
			return err
		}
	}
	if c.ID != "" {
		if m.ID, err = parseID("--id", c.ID); err != nil {
			return err
		}
		// The store reads the zero id as "make one": said here, or the user's id is silently
		// replaced.
		if m.ID == uuid.Nil {
			return usagef("--id %q is the nil UUID, which is not a valid memory id", c.ID)
		}
	}
	if c.CreatedAt != "" {
		if m.CreatedAt, err = parseTime("--created-at", c.CreatedAt); err != nil {
			return err
		}
		m.UpdatedAt = m.CreatedAt
	}
	cl, err := g.openClient(ctx)
	if err != nil {
		return err
	}
	defer cl.Close()
	m, err = cl.Remember(ctx, m)
	if errors.Is(err, store.ErrConflict) {
		// Said plainly: Postgres words it as a duplicate key of memories_pkey.
		return fmt.Errorf("a memory with id %s already exists", c.ID)
	}
	if err != nil {
		return err
	}
	if g.JSON {
		return g.printJSON(viewMemory(m, false))
	}
	_, err = g.stdout.Write([]byte(m.ID.String() + "\n"))
	return err
}

// checkContent refuses, as a usage error, a memory the store would refuse for what was typed
// (empty content, a NUL byte): the user can fix the command line, and no store is opened.
func checkContent(m store.Memory) error {
	if m.ID == uuid.Nil {
		m.ID = uuid.New()
	}
	if err := store.ValidateMemory(m); err != nil {
		return usagef("%v", err)
	}
	return nil
}
