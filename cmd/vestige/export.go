package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/vestige-mem/vestige/client"
	"github.com/vestige-mem/vestige/client/store"
)

type exportCmd struct {
	Output string `short:"o" type:"path" help:"Write to this file (created private to you) instead of standard output." placeholder:"FILE"`
}

// Run writes one JSON record per line, in the store's dump order. A file is written under a
// temporary name and renamed when complete, so a failed export never leaves half a file
// that looks whole.
func (c *exportCmd) Run(ctx context.Context, g *globals) error {
	st, _, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()

	out, commit, abort := g.stdout, func() error { return nil }, func() {}
	if c.Output != "" {
		var err error
		if out, commit, abort, err = openOutput(c.Output); err != nil {
			return fmt.Errorf("export: %w", err)
		}
	}
	counts, err := c.write(ctx, g, st, out)
	if err == nil {
		err = commit()
	}
	if err != nil {
		abort()
		return fmt.Errorf("export: %w", err)
	}
	if c.Output == "" {
		return nil // standard output holds the records and nothing else
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	if g.JSON {
		return g.printJSON(map[string]any{"path": c.Output, "records": total, "counts": counts})
	}
	fmt.Fprintf(g.stdout, "exported %d records to %s (%s)\n", total, c.Output, describeCounts(counts))
	return nil
}

func (c *exportCmd) write(ctx context.Context, g *globals, st store.Store, out io.Writer) (map[string]int, error) {
	bw := bufio.NewWriterSize(out, 1<<20)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	counts := map[string]int{}
	p := g.progress("exporting")
	err := client.Export(ctx, st, func(r store.Record) error {
		counts[r.Type]++
		p.add(1)
		return enc.Encode(r)
	})
	p.done()
	return counts, errors.Join(err, bw.Flush())
}

// describeCounts lists counts by kind in dump order: "2 memory, 1 edge".
func describeCounts(counts map[string]int) string {
	kinds := make([]string, 0, len(counts))
	for k := range counts {
		kinds = append(kinds, k)
	}
	slices.SortFunc(kinds, func(a, b string) int { return store.RecordRank(a) - store.RecordRank(b) })
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = fmt.Sprintf("%d %s", counts[k], k)
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, ", ")
}

// openOutput opens path for an export. A regular file (or a new one) is written under a
// temporary name beside it and renamed over it by commit; a symlink's target is the file
// written, so the link stays. Anything else (/dev/null, /dev/stdout, a FIFO) is written
// directly: renaming over a device would replace it with a plain file for every process.
func openOutput(path string) (out io.Writer, commit func() error, abort func(), err error) {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		if fi.IsDir() {
			return nil, nil, nil, fmt.Errorf("%s is a directory", path)
		}
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return nil, nil, nil, err
		}
		return f, f.Close, func() { _ = f.Close() }, nil
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".vestige-export-*")
	if err != nil {
		return nil, nil, nil, err
	}
	abort = func() { _ = f.Close(); _ = os.Remove(f.Name()) }
	commit = func() error {
		if err := f.Close(); err != nil {
			return err
		}
		return os.Rename(f.Name(), path)
	}
	return f, commit, abort, nil
}
