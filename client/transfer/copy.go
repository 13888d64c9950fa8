// Package transfer moves a store's rows: Copy between two stores (SQLite and Postgres, either
// way) keeping ids and times, and Reembed, which re-embeds every memory of a store with
// another model while searches keep working on the current one. Both are resumable: a copy
// run again skips the rows already present, a re-embed continues from the progress it keeps
// in the database.
package transfer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/vestige-mem/vestige/client/store"
)

// DefaultBatchSize is the rows written per transaction by Copy.
const DefaultBatchSize = 500

// Tables in the order Copy writes them (every row after the rows it refers to).
var Tables = []string{"embedding_model", "fsrs_parameters", "domains", "memories", "scheduling", "edges", "review_events"}

// Source is what Copy reads: a store that dumps its rows in one snapshot (both backends).
type Source interface {
	store.Store
	store.Dumper
}

// tolerantSource reports a row it cannot read instead of stopping (sqlitestore).
type tolerantSource interface {
	DumpTolerant(ctx context.Context, fn func(store.Record) error, bad func(table, key string, err error) error) error
}

// bulkLoader is a destination that loads a batch of one kind faster than Load, without
// naming the row that failed (both backends).
type bulkLoader interface {
	LoadBulk(ctx context.Context, recs []store.Record) (int, error)
}

// BulkIndexer is a destination whose vector index is better built once after a bulk load
// than row by row (pgstore).
type BulkIndexer interface {
	VectorIndexState(ctx context.Context) (present, wanted bool, err error)
	DropVectorIndex(ctx context.Context) error
	BuildVectorIndex(ctx context.Context, concurrently bool) (bool, error)
}

// SearchIndexer is a destination whose full-text, tag and domain indexes (and the
// full-text postings) are better built once after a bulk load into an empty store than
// row by row (pgstore; sqlitestore, whose insert triggers of memories go with them).
type SearchIndexer interface {
	SearchIndexesPending(ctx context.Context) (bool, error)
	DropSearchIndexes(ctx context.Context) error
	BuildSearchIndexes(ctx context.Context, done func(step string, took time.Duration)) error
}

// CopyOptions tune Copy.
type CopyOptions struct {
	// BatchSize is the rows per destination transaction (0: DefaultBatchSize).
	BatchSize int
	// DryRun reads the source and counts its rows; nothing is written.
	DryRun bool
	// StripVectors copies memories without their embeddings and without the source's
	// registry row (domain centroids too): for a copy that re-embeds afterwards.
	StripVectors bool
	// Progress, when set, is called after each batch with the table and its rows so far.
	Progress func(table string, rows int)
	// Logger receives a line per refused row (nil: none).
	Logger *slog.Logger
	// Pause, when set, is called at named points ("memories:3" before the third batch of
	// memories is written, "search-index" before the search indexes' build and
	// "search-index:STEP" after each of its steps, "index" before the vector index build):
	// tests stop the copy there.
	Pause func(point string)
}

// TableReport counts one table's rows: read from the source, copied, already present in the
// destination (skipped), refused by it.
type TableReport struct {
	Table   string `json:"table"`
	Read    int    `json:"read"`
	Copied  int    `json:"copied"`
	Skipped int    `json:"skipped"`
	Refused int    `json:"refused"`
}

// Refusal is a row the copy could not write (or read), with why.
type Refusal struct {
	Table  string `json:"table"`
	Key    string `json:"key"`
	Reason string `json:"reason"`
}

// CopyReport is what Copy did.
type CopyReport struct {
	DryRun  bool                  `json:"dry_run"`
	Model   *store.ModelSignature `json:"model,omitempty"`
	Tables  []TableReport         `json:"tables"`
	Refused []Refusal             `json:"refused"`
	// Seconds is the whole copy's time; IndexSeconds the vector index build's alone (0 when
	// none was built).
	Seconds      float64 `json:"seconds"`
	IndexBuilt   bool    `json:"index_built"`
	IndexSeconds float64 `json:"index_seconds"`
	// Builds are the other derived data built after the load (the search indexes and the
	// full-text postings of a copy into an empty Postgres), in order, each with its time.
	Builds []Build `json:"builds"`
	// MemoriesPerSecond is memories read over the time before the first build.
	MemoriesPerSecond float64 `json:"memories_per_second"`
	// Reembed is the re-embed that followed a copy without vectors (set by the caller).
	Reembed *ReembedReport `json:"reembed,omitempty"`
}

// Build is one index or derived table built after a copy's load, and how long it took.
type Build struct {
	Name    string  `json:"name"`
	Seconds float64 `json:"seconds"`
}

// Copied is the number of rows written, over all tables.
func (r CopyReport) Copied() int {
	n := 0
	for _, t := range r.Tables {
		n += t.Copied
	}
	return n
}

// Table returns the report of one table.
func (r CopyReport) Table(name string) TableReport {
	for _, t := range r.Tables {
		if t.Table == name {
			return t
		}
	}
	return TableReport{Table: name}
}

// Copy writes every row of src that dst lacks into dst, keeping ids and times, one
// transaction per batch, reading src in one snapshot (which it never changes). A row dst
// refuses (or src cannot read) is reported in CopyReport.Refused and the copy goes on; an
// error ends it (what was committed stays, and a second run completes it).
//
// Before any row is written, the registries are compared: a destination holding vectors of
// another model is refused with *store.EmbeddingMismatchError naming both (unless
// StripVectors). When dst is a BulkIndexer and the copy brings at least as many memories as
// dst holds, dst's vector index is dropped before the memories and built once after them.
func Copy(ctx context.Context, src Source, dst store.Store, opts CopyOptions) (CopyReport, error) {
	start := time.Now()
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	rep := CopyReport{DryRun: opts.DryRun, Refused: []Refusal{}, Builds: []Build{}}
	for _, t := range Tables {
		rep.Tables = append(rep.Tables, TableReport{Table: t})
	}
	from, err := src.Model(ctx)
	if err != nil {
		return rep, fmt.Errorf("copy: read the source's model: %w", err)
	}
	to, err := dst.Model(ctx)
	if err != nil {
		return rep, fmt.Errorf("copy: read the destination's model: %w", err)
	}
	rep.Model = from
	if opts.StripVectors {
		rep.Model = to
	} else if from != nil && to != nil && *from != *to {
		return rep, fmt.Errorf("copy: the destination holds vectors of another model (copy with --reembed to re-embed the copied memories with the destination's): %w",
			&store.EmbeddingMismatchError{Registered: *to, Requested: *from})
	}
	dumper, ok := dst.(store.Dumper)
	if !ok && !opts.DryRun {
		return rep, fmt.Errorf("copy: the destination (%T) cannot load rows", dst)
	}

	c := &copier{ctx: ctx, dst: dumper, opts: opts, rep: &rep, batches: map[string]int{}}
	if bi, ok := dst.(BulkIndexer); ok && !opts.DryRun && !opts.StripVectors {
		c.bulk, err = planBulk(ctx, src, dst, bi)
		if err != nil {
			return rep, fmt.Errorf("copy: %w", err)
		}
	}
	if si, ok := dst.(SearchIndexer); ok && !opts.DryRun {
		c.search, err = planSearch(ctx, dst, si)
		if err != nil {
			return rep, fmt.Errorf("copy: %w", err)
		}
	}
	err = c.run(src)
	loaded := time.Since(start)
	if err != nil {
		return rep, fmt.Errorf("copy: %w", err)
	}
	if c.search != nil {
		// Also after a run that dropped them and was killed: still missing.
		pending, err := c.search.SearchIndexesPending(ctx)
		if err != nil {
			return rep, fmt.Errorf("copy: %w", err)
		}
		if pending {
			c.pause("search-index")
			err := c.search.BuildSearchIndexes(ctx, func(step string, took time.Duration) {
				rep.Builds = append(rep.Builds, Build{Name: step, Seconds: took.Seconds()})
				c.pause("search-index:" + step) // inside SQLite's one build transaction
			})
			if err != nil {
				return rep, fmt.Errorf("copy: rows copied, but the search index build failed (run the copy again to retry it): %w", err)
			}
		}
	}
	if c.bulk != nil {
		// Also after a run that dropped the index and was killed: wanted but missing.
		present, wanted, err := c.bulk.VectorIndexState(ctx)
		if err != nil {
			return rep, fmt.Errorf("copy: %w", err)
		}
		if wanted && !present {
			c.pause("index")
			t := time.Now()
			built, err := c.bulk.BuildVectorIndex(ctx, false)
			if err != nil {
				return rep, fmt.Errorf("copy: rows copied, but the vector index build failed (run the copy again to retry it): %w", err)
			}
			rep.IndexBuilt, rep.IndexSeconds = built, time.Since(t).Seconds()
		}
	}
	rep.Seconds = time.Since(start).Seconds()
	if s := loaded.Seconds(); s > 0 {
		rep.MemoriesPerSecond = float64(rep.Table("memories").Read) / s
	}
	return rep, nil
}

// planBulk decides whether to load dst without its vector index: when the copy brings at
// more vectors than dst holds memories (a rebuild then costs at most twice the
// build the new rows alone need, and a live index takes rows a hundred times slower). It
// returns nil to keep the index.
func planBulk(ctx context.Context, src, dst store.Store, bi BulkIndexer) (BulkIndexer, error) {
	have, err := dst.Stats(ctx)
	if err != nil {
		return nil, err
	}
	bring, err := src.Stats(ctx)
	if err != nil {
		return nil, err
	}
	if bring.WithEmbeddings <= have.Memories {
		present, wanted, err := bi.VectorIndexState(ctx)
		if err != nil || !wanted || present {
			return nil, err
		}
		return bi, nil // left missing by a killed run: build it at the end
	}
	return bi, nil
}

// planSearch decides whether to load dst without its search indexes and postings: when dst
// holds no memory (their build then costs what the rows alone need), or when a killed run
// left them missing (they are built at the end). It returns nil to keep them.
func planSearch(ctx context.Context, dst store.Store, si SearchIndexer) (SearchIndexer, error) {
	have, err := dst.Stats(ctx)
	if err != nil {
		return nil, err
	}
	if have.Memories == 0 {
		return si, nil
	}
	pending, err := si.SearchIndexesPending(ctx)
	if err != nil || !pending {
		return nil, err
	}
	return si, nil
}

// rowLevel reports whether err is about a row's values (the row is refused and the copy goes
// on) rather than about the store or the connection (the copy stops).
func rowLevel(err error) bool {
	var mismatch *store.EmbeddingMismatchError
	if errors.As(err, &mismatch) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	return errors.Is(err, store.ErrInvalidInput) || errors.Is(err, store.ErrNotFound) ||
		errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrDimension) || errors.Is(err, store.ErrNoModel)
}

// keyOf is the row's primary key as text.
func keyOf(r store.Record) string {
	switch {
	case r.Memory != nil:
		return r.Memory.ID.String()
	case r.Scheduling != nil:
		return r.Scheduling.MemoryID.String()
	case r.Edge != nil:
		return fmt.Sprintf("%s -> %s (%s)", r.Edge.SourceID, r.Edge.TargetID, r.Edge.EdgeType)
	case r.ReviewEvent != nil:
		return r.ReviewEvent.ID.String()
	case r.Domain != nil:
		return r.Domain.ID
	case r.Model != nil:
		return r.Model.Name
	}
	return r.Type
}
