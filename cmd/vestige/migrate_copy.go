package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vestige-mem/vestige/client"
	"github.com/vestige-mem/vestige/client/config"
	"github.com/vestige-mem/vestige/client/store"
	"github.com/vestige-mem/vestige/client/transfer"
)

type migrateCopyCmd struct {
	From       string `required:"" enum:"sqlite,postgres" placeholder:"sqlite|postgres" help:"Backend to read (sqlite or postgres); it is never changed."`
	To         string `required:"" enum:"sqlite,postgres" placeholder:"postgres|sqlite" help:"Backend to write (postgres or sqlite); created and migrated when new."`
	SQLitePath string `name:"sqlite-path" type:"path" placeholder:"FILE" help:"The SQLite file (default: the configured one, ~/.vestige/vestige.db)."`
	BatchSize  int    `default:"500" help:"Rows per destination transaction."`
	DryRun     bool   `help:"Count the source's rows per table and write nothing."`
	Reembed    bool   `help:"Copy the memories without their vectors, then re-embed them with --model (for a destination that holds another model's vectors)."`
	Model      string `placeholder:"NAME" help:"With --reembed: the model to embed with (default: the destination's registered model, else the configured one)."`
}

// errRefused makes the exit status say that rows were refused (after the report is printed).
var errRefused = errors.New("rows were refused")

func (c *migrateCopyCmd) Run(ctx context.Context, g *globals) error {
	if c.From == c.To {
		return usagef("--from and --to are both %s: a copy goes from one backend to the other", c.From)
	}
	if c.BatchSize < 1 {
		return usagef("--batch-size must be at least 1")
	}
	if c.Model != "" && !c.Reembed {
		return usagef("--model is for --reembed")
	}
	cfg, err := g.resolve()
	if err != nil {
		return err
	}
	path := c.SQLitePath
	if path == "" {
		path = cfg.Storage.SQLite.Path
	}
	src, srcName, err := endpoint(ctx, cfg, c.From, path, true)
	if err != nil {
		return fmt.Errorf("copy: open the source (%s %s): %w", c.From, srcName, err)
	}
	defer src.Close()
	if c.DryRun {
		rep, err := transfer.Copy(ctx, src, src, transfer.CopyOptions{DryRun: true, BatchSize: c.BatchSize})
		if err != nil {
			return err
		}
		return g.printCopy(rep, c, srcName, "(dry run)")
	}
	dst, dstName, err := endpoint(ctx, cfg, c.To, path, false)
	if err != nil {
		return fmt.Errorf("copy: open the destination (%s %s): %w", c.To, dstName, err)
	}
	defer dst.Close()

	p := g.progress("copying")
	opts := transfer.CopyOptions{BatchSize: c.BatchSize, StripVectors: c.Reembed,
		Progress: func(table string, n int) { p.set(table, n) }, Pause: g.pauseAt()}
	rep, err := transfer.Copy(ctx, src, dst, opts)
	p.done()
	if err != nil {
		return err
	}
	if c.Reembed {
		if err := c.reembed(ctx, g, cfg, dst, &rep); err != nil {
			return err
		}
	}
	if err := g.printCopy(rep, c, srcName, dstName); err != nil {
		return err
	}
	if n := len(rep.Refused); n > 0 {
		return fmt.Errorf("copy: %d %s: %w (see the report; fix them in the source and run the copy again)", n, plural(n, "row was refused", "rows were refused"), errRefused)
	}
	return nil
}

// reembed embeds the copied memories with the chosen model (the copy left them without
// vectors).
func (c *migrateCopyCmd) reembed(ctx context.Context, g *globals, cfg config.Config, dst store.Store, rep *transfer.CopyReport) error {
	emb := cfg.Embeddings
	switch {
	case c.Model != "":
		emb.Model = c.Model
	case rep.Model != nil:
		emb.Model = rep.Model.Name
	}
	e, err := client.NewEmbedder(ctx, emb)
	if err != nil {
		return err
	}
	p := g.progress("re-embedding")
	rr, err := transfer.Reembed(ctx, dst, e, transfer.ReembedOptions{Progress: func(done, total int) { p.set("memories", done) }, Pause: g.pauseAt()})
	p.done()
	if err != nil {
		return fmt.Errorf("copy: rows copied; %w (run vestige migrate reembed on the destination to finish)", err)
	}
	rep.Reembed = &rr
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (g *globals) printCopy(rep transfer.CopyReport, c *migrateCopyCmd, from, to string) error {
	if g.JSON {
		return g.printJSON(struct {
			From string `json:"from"`
			To   string `json:"to"`
			transfer.CopyReport
		}{c.From, c.To, rep})
	}
	fmt.Fprintf(g.stdout, "copy %s %s → %s %s\n", c.From, from, c.To, to)
	tw := g.table("table", "read", "copied", "skipped", "refused")
	for _, t := range rep.Tables {
		row(tw, t.Table, t.Read, t.Copied, t.Skipped, t.Refused)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range rep.Refused {
		fmt.Fprintf(g.stdout, "refused: %s %s: %s\n", r.Table, r.Key, r.Reason)
	}
	if rep.DryRun {
		fmt.Fprintln(g.stdout, "dry run: nothing was written")
		return nil
	}
	if rep.Copied() == 0 && len(rep.Refused) == 0 {
		fmt.Fprintln(g.stdout, "nothing to copy: every row is already in the destination")
	}
	fmt.Fprintf(g.stdout, "time %s, %.0f memories/s\n", (time.Duration(rep.Seconds * 1e9)).Round(time.Millisecond), rep.MemoriesPerSecond)
	for _, b := range rep.Builds {
		what := "index " + b.Name
		switch b.Name {
		case "postings":
			what = "full-text postings and new cards"
		case "memories_fts":
			what = "full-text index"
		case "new_cards":
			what = "new-card list"
		}
		fmt.Fprintf(g.stdout, "%s built in %s\n", what, (time.Duration(b.Seconds * 1e9)).Round(time.Millisecond))
	}
	if rep.IndexBuilt {
		fmt.Fprintf(g.stdout, "vector index built in %s\n", (time.Duration(rep.IndexSeconds * 1e9)).Round(time.Millisecond))
	}
	if rep.Reembed != nil {
		g.printReembedLines(*rep.Reembed)
	}
	return nil
}
