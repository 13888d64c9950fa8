package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/vestige-mem/vestige/client"
	"github.com/vestige-mem/vestige/client/store"
)

// importBatch is the number of records written per transaction: large enough that a round
// trip per batch costs little, small enough that memory stays bounded on any file.
const importBatch = 500

type importCmd struct {
	File string `arg:"" optional:"" default:"-" help:"A file written by vestige export (- or nothing: standard input)."`
}

// Run reads JSON Lines and writes them batch by batch. Each batch is one transaction, and
// rows already present are skipped, so an import that stopped can simply be run again.
func (c *importCmd) Run(ctx context.Context, g *globals) error {
	in, name := g.stdin, "standard input"
	if c.File != "-" {
		f, err := os.Open(c.File)
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		defer f.Close()
		in, name = f, c.File
	}
	st, _, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()

	im := importer{ctx: ctx, st: st, name: name, p: g.progress("importing")}
	err = im.run(in)
	im.p.done()
	if err != nil {
		if im.inserted > 0 {
			return fmt.Errorf("%w (rows of earlier lines were written: %d; run the import again once fixed, present rows are skipped)", err, im.inserted)
		}
		return err
	}
	if g.JSON {
		return g.printJSON(map[string]int{"read": im.read, "inserted": im.inserted, "present": im.read - im.inserted})
	}
	fmt.Fprintf(g.stdout, "imported %d new rows from %d records (%d already present)\n", im.inserted, im.read, im.read-im.inserted)
	return nil
}

type importer struct {
	ctx      context.Context
	st       store.Store
	name     string
	p        *progress
	batch    []store.Record
	first    int // line of the batch's first record
	last     int // line of the batch's last record
	read     int
	inserted int
	// seen maps each row's key to the line that gave it: a row given twice is a conflict
	// to report with both lines, never a silent "already present".
	seen map[string]int
}

func (im *importer) run(in io.Reader) error {
	r := bufio.NewReaderSize(in, 1<<20)
	for line := 1; ; line++ {
		b, err := r.ReadBytes('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("import: read %s: %w", im.name, err)
		}
		if b = bytes.TrimSpace(b); len(b) > 0 {
			var rec store.Record
			if err := json.Unmarshal(b, &rec); err != nil {
				return fmt.Errorf("import: %s line %d: %w", im.name, line, err)
			}
			if err := im.once(rec, line); err != nil {
				return err
			}
			if len(im.batch) == 0 {
				im.first = line
			}
			im.batch, im.last = append(im.batch, rec), line
			if len(im.batch) == importBatch {
				if err := im.flush(); err != nil {
					return err
				}
			}
		}
		if errors.Is(err, io.EOF) {
			return im.flush()
		}
	}
}

func (im *importer) once(rec store.Record, line int) error {
	if im.seen == nil {
		im.seen = map[string]int{}
	}
	// Checked here too (Load checks again) so that a bad record is reported by its line.
	if _, err := rec.Normalized(); err != nil {
		return fmt.Errorf("import: %s line %d: %w", im.name, line, err)
	}
	k := rec.Key()
	if first, ok := im.seen[k]; ok {
		return fmt.Errorf("import: %s line %d: %s was already given on line %d (a dump holds each row once): %w",
			im.name, line, k, first, store.ErrInvalidInput)
	}
	im.seen[k] = line
	return nil
}

func (im *importer) flush() error {
	if len(im.batch) == 0 {
		return nil
	}
	n, err := client.Import(im.ctx, im.st, im.batch)
	if err != nil {
		return fmt.Errorf("import: %s lines %d-%d: %w", im.name, im.first, im.last, err)
	}
	im.inserted += n
	im.read += len(im.batch)
	im.p.add(len(im.batch))
	im.batch = im.batch[:0]
	return nil
}
