package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/vestige-mem/vestige/client"
	"github.com/vestige-mem/vestige/client/config"
	"github.com/vestige-mem/vestige/client/store"
	"github.com/vestige-mem/vestige/client/transfer"
)

type migrateReembedCmd struct {
	Model     string `placeholder:"NAME" help:"The model to re-embed with (e.g. hash-1024; default: the configured embedder)."`
	BatchSize int    `default:"256" help:"Texts per embedder call and rows per transaction."`
	DryRun    bool   `help:"Count the memories and embedder calls, time one call to estimate the whole, and write nothing."`
	Yes       bool   `help:"Do not ask for confirmation (the backup advice is still printed)."`
	Abort     bool   `help:"Abandon an unfinished re-embed: the store stays on its current model."`
}

func (c *migrateReembedCmd) Run(ctx context.Context, g *globals) error {
	if c.BatchSize < 1 {
		return usagef("--batch-size must be at least 1")
	}
	cfg, err := g.resolve()
	if err != nil {
		return err
	}
	st, err := client.OpenStore(ctx, cfg.Storage)
	if err != nil {
		return err
	}
	defer st.Close()
	if c.Abort {
		return c.abort(ctx, g, st)
	}
	emb := cfg.Embeddings
	if c.Model != "" {
		emb.Model = c.Model
	}
	e, err := client.NewEmbedder(ctx, emb)
	if err != nil {
		return err
	}
	if !c.DryRun {
		if err := c.confirm(g, cfg); err != nil {
			return err
		}
	}
	p := g.progress("re-embedding")
	rep, err := transfer.Reembed(ctx, st, e, transfer.ReembedOptions{BatchSize: c.BatchSize, DryRun: c.DryRun,
		Progress: func(done, total int) { p.set("memories", done) }, Pause: g.pauseAt()})
	p.done()
	if err != nil {
		return err
	}
	if g.JSON {
		return g.printJSON(rep)
	}
	g.printReembedLines(rep)
	return nil
}

func (c *migrateReembedCmd) abort(ctx context.Context, g *globals, st store.Store) error {
	re, ok := st.(store.Reembedder)
	if !ok {
		return fmt.Errorf("reembed: this store (%T) cannot re-embed", st)
	}
	state, err := re.ReembedState(ctx)
	if err != nil {
		return err
	}
	if err := re.ReembedAbort(ctx); err != nil {
		return err
	}
	if g.JSON {
		return g.printJSON(map[string]any{"aborted": state != nil, "unfinished": state})
	}
	if state == nil {
		fmt.Fprintln(g.stdout, "no re-embed was unfinished")
		return nil
	}
	fmt.Fprintf(g.stdout, "abandoned the re-embed to %s (%d of %d memories were done); the store stays on its current model\n",
		state.Target.Name, state.Done, state.Total)
	return nil
}

// confirm prints the backup advice and asks on a terminal; without a terminal it needs --yes
// (the plan's rule: a re-embed rewrites every vector).
func (c *migrateReembedCmd) confirm(g *globals, cfg config.Config) error {
	advice := "Back up the store first: cp " + cfg.Storage.SQLite.Path + " " + cfg.Storage.SQLite.Path + ".bak (with no vestige running)"
	if cfg.Storage.Backend == config.BackendPostgres {
		advice = "Back up the store first: pg_dump --table=memories --table=embedding_model --table=scheduling --table=edges --table=review_events --table=domains " +
			"(or vestige export > backup.jsonl)"
	}
	fmt.Fprintln(g.stderr, "A re-embed replaces every memory's vector. "+advice+".")
	if c.Yes {
		return nil
	}
	in, ok := g.stdin.(*os.File)
	if !ok || !isTerminal(in) || !isTerminal(os.Stderr) {
		return usagef("confirm the re-embed with --yes (standard input is not a terminal to ask on)")
	}
	fmt.Fprint(g.stderr, "Re-embed now? [y/N] ")
	answer, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && !errors.Is(err, os.ErrClosed) && answer == "" {
		return errors.New("reembed: not confirmed")
	}
	if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
		return errors.New("reembed: not confirmed")
	}
	return nil
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func (g *globals) printReembedLines(rep transfer.ReembedReport) {
	from := "no model"
	if rep.From != nil {
		from = fmt.Sprintf("%s (%d dimensions)", rep.From.Name, rep.From.Dimension)
	}
	to := fmt.Sprintf("%s (%d dimensions)", rep.To.Name, rep.To.Dimension)
	d := func(s float64) time.Duration { return time.Duration(s * 1e9).Round(time.Millisecond) }
	switch {
	case rep.NothingToDo:
		fmt.Fprintf(g.stdout, "nothing to re-embed: the store already holds %s vectors\n", to)
	case rep.DryRun:
		fmt.Fprintf(g.stdout, "re-embed %s → %s (dry run: nothing was written)\n", from, to)
		fmt.Fprintf(g.stdout, "memories to embed %d, embedder calls %d, estimated time %s (from one timed call)\n",
			rep.Embedded, rep.EmbedderCalls, d(rep.EstimateSeconds))
	default:
		resumed := ""
		if rep.Resumed {
			resumed = " (resumed)"
		}
		fmt.Fprintf(g.stdout, "re-embedded %s → %s%s: %d memories embedded, %d at the switch, %d embedder calls\n",
			from, to, resumed, rep.Embedded, rep.AtSwitch, rep.EmbedderCalls)
		fmt.Fprintf(g.stdout, "time %s, re-embedding %s (%.0f memories/s), switch %s\n",
			d(rep.Seconds), d(rep.EmbedSeconds), rep.MemoriesPerSecond, d(rep.SwitchSeconds))
		if rep.IndexBuilt {
			fmt.Fprintf(g.stdout, "vector index built in %s\n", d(rep.IndexSeconds))
		}
	}
}
