package transfer

import (
	"context"
	"fmt"
	"sync"

	"github.com/vestige-mem/vestige/client/store"
)

// copier runs a copy as two goroutines: one reads the source and cuts it into batches of one
// kind, the other writes them, so that reading (and decoding) overlaps the destination's
// work. At most two batches wait between them: memory stays bounded by the batch size.
type copier struct {
	ctx    context.Context
	dst    store.Dumper
	opts   CopyOptions
	bulk   BulkIndexer
	search SearchIndexer

	mu  sync.Mutex // guards rep: both goroutines count into it
	rep *CopyReport

	// The reader's state.
	batch []store.Record
	kind  string
	out   chan<- batch

	// The writer's state.
	dropped       bool // the vector index was dropped by this run
	searchDropped bool // so were the search indexes
	batches       map[string]int
}

type batch struct {
	kind string
	recs []store.Record
}

func (c *copier) run(src Source) error {
	ch := make(chan batch, 2)
	ctx, cancel := context.WithCancel(c.ctx)
	defer cancel()
	c.out = ch
	var readErr error
	go func() {
		defer close(ch)
		if readErr = c.read(ctx, src); readErr == nil {
			readErr = c.send(ctx)
		}
	}()
	var writeErr error
	for b := range ch {
		if writeErr != nil {
			continue // drain until the reader sees the cancellation
		}
		if writeErr = c.write(b); writeErr != nil {
			cancel()
		}
	}
	if writeErr != nil {
		return writeErr
	}
	return readErr
}

func (c *copier) pause(point string) {
	if c.opts.Pause != nil {
		c.opts.Pause(point)
	}
}

// count applies fn to the report of table under the lock.
func (c *copier) count(table string, fn func(t *TableReport)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range c.rep.Tables {
		if c.rep.Tables[i].Table == table {
			fn(&c.rep.Tables[i])
			return
		}
	}
	c.rep.Tables = append(c.rep.Tables, TableReport{Table: table})
	fn(&c.rep.Tables[len(c.rep.Tables)-1])
}

func (c *copier) refuse(table, key string, err error) {
	c.count(table, func(t *TableReport) { t.Refused++ })
	c.mu.Lock()
	c.rep.Refused = append(c.rep.Refused, Refusal{Table: table, Key: key, Reason: err.Error()})
	c.mu.Unlock()
	if c.opts.Logger != nil {
		c.opts.Logger.Warn("row refused", "table", table, "key", key, "reason", err.Error())
	}
}

func (c *copier) read(ctx context.Context, src Source) error {
	fn := func(r store.Record) error { return c.add(ctx, r) }
	if ts, ok := src.(tolerantSource); ok {
		return ts.DumpTolerant(ctx, fn, func(table, key string, err error) error {
			c.count(table, func(t *TableReport) { t.Read++ })
			c.refuse(table, key, fmt.Errorf("the source row cannot be read: %w", err))
			return nil
		})
	}
	return src.Dump(ctx, fn)
}

func (c *copier) add(ctx context.Context, r store.Record) error {
	if c.opts.StripVectors {
		switch {
		case r.Type == store.RecordEmbeddingModel:
			return nil
		case r.Memory != nil:
			m := *r.Memory
			m.Embedding = nil
			r.Memory = &m
		case r.Domain != nil:
			d := *r.Domain
			d.Centroid = nil
			r.Domain = &d
		}
	}
	if r.Type != c.kind || len(c.batch) == c.opts.BatchSize {
		if err := c.send(ctx); err != nil {
			return err
		}
		c.kind = r.Type
	}
	c.batch = append(c.batch, r)
	c.count(store.RecordTable(r.Type), func(t *TableReport) { t.Read++ })
	return nil
}

// send hands the batch read so far to the writer.
func (c *copier) send(ctx context.Context) error {
	if len(c.batch) == 0 {
		return nil
	}
	b := batch{kind: c.kind, recs: c.batch}
	c.batch = make([]store.Record, 0, c.opts.BatchSize)
	select {
	case c.out <- b:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// write loads one batch; when the destination refuses it for a row's sake, it loads the rows
// one by one (Load names the row) and reports the refused ones.
func (c *copier) write(b batch) error {
	table := store.RecordTable(b.kind)
	progress := func() {
		if c.opts.Progress != nil {
			var n int
			c.count(table, func(t *TableReport) { n = t.Read })
			c.opts.Progress(table, n)
		}
	}
	if c.opts.DryRun {
		progress()
		return nil
	}
	if b.kind == store.RecordMemory && c.bulk != nil && !c.dropped {
		// After the registry row (which builds the index in a new store), before the rows.
		if err := c.bulk.DropVectorIndex(c.ctx); err != nil {
			return err
		}
		c.dropped = true
	}
	if b.kind == store.RecordMemory && c.search != nil && !c.searchDropped {
		if err := c.search.DropSearchIndexes(c.ctx); err != nil {
			return err
		}
		c.searchDropped = true
	}
	c.batches[table]++
	c.pause(fmt.Sprintf("%s:%d", table, c.batches[table]))
	load := c.dst.Load
	if bl, ok := c.dst.(bulkLoader); ok {
		load = bl.LoadBulk
	}
	n, err := load(c.ctx, b.recs)
	switch {
	case err == nil:
		c.count(table, func(t *TableReport) { t.Copied += n; t.Skipped += len(b.recs) - n })
	case rowLevel(err):
		for _, r := range b.recs {
			n, err := c.dst.Load(c.ctx, []store.Record{r})
			switch {
			case err == nil:
				c.count(table, func(t *TableReport) { t.Copied += n; t.Skipped += 1 - n })
			case rowLevel(err):
				c.refuse(table, keyOf(r), err)
			default:
				return err
			}
		}
	default:
		return err
	}
	progress()
	return nil
}
