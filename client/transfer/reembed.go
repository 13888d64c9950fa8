package transfer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/vestige-mem/vestige/client/embedder"
	"github.com/vestige-mem/vestige/client/store"
)

// DefaultReembedBatch is the texts per embedder call and per write transaction.
const DefaultReembedBatch = 256

// ReembedOptions tune Reembed.
type ReembedOptions struct {
	// BatchSize is the texts per embedder call and rows per transaction (0: DefaultReembedBatch).
	BatchSize int
	// DryRun counts the work and times one embedder call to estimate the whole; nothing is
	// written.
	DryRun bool
	// Progress, when set, is called after each batch with the memories done and the total.
	Progress func(done, total int)
	// Pause, when set, is called at named points: "batch:N" between embedding batch N and
	// writing it, "index" before the index build, "switch" inside the switching
	// transaction (when it has rows to embed). Tests stop the re-embed there.
	Pause func(point string)
}

// ReembedReport is what Reembed did (or, dry, would do).
type ReembedReport struct {
	DryRun bool                  `json:"dry_run"`
	From   *store.ModelSignature `json:"from"`
	To     store.ModelSignature  `json:"to"`
	// NothingToDo: the store already holds To's vectors for every memory that has text.
	NothingToDo bool `json:"nothing_to_do"`
	Resumed     bool `json:"resumed"`
	Memories    int  `json:"memories"`
	// Embedded counts memories embedded by this run (a resumed run skips those done before),
	// AtSwitch those embedded inside the switch (written or changed meanwhile).
	Embedded      int     `json:"embedded"`
	AtSwitch      int     `json:"at_switch"`
	EmbedderCalls int     `json:"embedder_calls"`
	Seconds       float64 `json:"seconds"`
	// EmbedSeconds is the re-embedding itself (embedder and writes), IndexSeconds the index
	// build, SwitchSeconds the switching transaction.
	EmbedSeconds      float64 `json:"embed_seconds"`
	IndexBuilt        bool    `json:"index_built"`
	IndexSeconds      float64 `json:"index_seconds"`
	SwitchSeconds     float64 `json:"switch_seconds"`
	MemoriesPerSecond float64 `json:"memories_per_second"`
	// EstimateSeconds is a dry run's estimate of the time to embed every memory.
	EstimateSeconds float64 `json:"estimate_seconds,omitempty"`
}

// Reembed re-embeds every memory of st with emb and switches the store to emb's model. The
// new vectors are written beside the current ones, so searches keep using the current model
// until one short transaction makes the new vectors, their index and the registry current
// together; the progress lives in the database, so a Reembed stopped anywhere (even by
// kill -9) continues when called again with the same model. Ids, content, scheduling and
// edges are not touched. A store already on emb's model with every text embedded is left
// alone (NothingToDo). st must implement store.Reembedder (both backends do).
func Reembed(ctx context.Context, st store.Store, emb embedder.Embedder, opts ReembedOptions) (ReembedReport, error) {
	start := time.Now()
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultReembedBatch
	}
	target := store.ModelSignature{Name: emb.ModelName(), Dimension: emb.Dimension(), Hash: emb.ModelHash()}
	rep := ReembedReport{DryRun: opts.DryRun, To: target}
	re, ok := st.(store.Reembedder)
	if !ok {
		return rep, fmt.Errorf("reembed: this store (%T) cannot re-embed", st)
	}
	from, err := st.Model(ctx)
	if err != nil {
		return rep, fmt.Errorf("reembed: %w", err)
	}
	rep.From = from
	state, err := re.ReembedState(ctx)
	if err != nil {
		return rep, fmt.Errorf("reembed: %w", err)
	}
	if state != nil && state.Target != target {
		return rep, fmt.Errorf("reembed: %w", &store.ReembedInProgressError{Unfinished: state.Target, Requested: target})
	}
	stats, err := st.Stats(ctx)
	if err != nil {
		return rep, fmt.Errorf("reembed: %w", err)
	}
	rep.Memories = int(stats.Memories)
	if state == nil && from != nil && *from == target {
		missing, err := missingVectors(ctx, st, emb)
		if err != nil {
			return rep, fmt.Errorf("reembed: look for memories without a vector: %w", err)
		}
		if !missing {
			rep.NothingToDo = true
			rep.Seconds = time.Since(start).Seconds()
			return rep, nil
		}
	}
	embed := batchEmbedder(emb, &rep)
	if opts.DryRun {
		return dryReembed(ctx, re, embed, opts, rep, state, start)
	}

	p, err := re.ReembedStart(ctx, target)
	if err != nil {
		return rep, fmt.Errorf("reembed: %w", err)
	}
	rep.Resumed = p.Resumed
	done := p.Done
	batches := 0
	pause := func(point string) {
		if opts.Pause != nil {
			opts.Pause(point)
		}
	}
	t := time.Now()
	// One goroutine reads and embeds the next batch while this one writes the last: the
	// embedder (a remote model, often) and the database work at the same time. At most one
	// embedded batch waits.
	type embedded struct {
		ids  []uuid.UUID
		vecs [][]float32
	}
	pctx, stop := context.WithCancel(ctx)
	defer stop()
	ch := make(chan embedded, 1)
	var readErr error
	go func() {
		defer close(ch)
		after := uuid.Nil
		for {
			rows, err := re.ReembedPending(pctx, after, opts.BatchSize)
			if err != nil {
				readErr = err
				return
			}
			if len(rows) == 0 {
				return
			}
			ids, texts := split(rows)
			vecs, err := embed(pctx, texts)
			if err != nil {
				readErr = fmt.Errorf("embed memories %s..%s: %w", ids[0], ids[len(ids)-1], err)
				return
			}
			after = ids[len(ids)-1]
			select {
			case ch <- embedded{ids, vecs}:
			case <-pctx.Done():
				readErr = pctx.Err()
				return
			}
		}
	}()
	var writeErr error
	for b := range ch {
		if writeErr != nil {
			continue
		}
		batches++
		pause(fmt.Sprintf("batch:%d", batches))
		if writeErr = re.ReembedWrite(ctx, b.ids, b.vecs); writeErr != nil {
			stop()
			continue
		}
		rep.Embedded += len(b.ids)
		done += len(b.ids)
		if opts.Progress != nil {
			opts.Progress(min(done, p.Total), p.Total)
		}
	}
	if writeErr != nil {
		return rep, fmt.Errorf("reembed: %w", writeErr)
	}
	if readErr != nil {
		return rep, fmt.Errorf("reembed: %w", readErr)
	}
	rep.EmbedSeconds = time.Since(t).Seconds()
	if rep.EmbedSeconds > 0 {
		rep.MemoriesPerSecond = float64(rep.Embedded) / rep.EmbedSeconds
	}

	pause("index")
	t = time.Now()
	rep.IndexBuilt, err = re.ReembedIndex(ctx)
	if err != nil {
		return rep, fmt.Errorf("reembed: build the new vectors' index (run again to retry; searches still use the current model): %w", err)
	}
	rep.IndexSeconds = time.Since(t).Seconds()

	t = time.Now()
	rep.AtSwitch, err = re.ReembedSwitch(ctx, func(ctx context.Context, texts []string) ([][]float32, error) {
		pause("switch")
		return embed(ctx, texts)
	})
	if err != nil {
		return rep, fmt.Errorf("reembed: switch (nothing switched; run again to retry): %w", err)
	}
	rep.SwitchSeconds = time.Since(t).Seconds()
	rep.Seconds = time.Since(start).Seconds()
	return rep, nil
}

// missingVectors reports whether some memory has no vector (a copy that stripped them).
// The Reembedder interface has no count of its own: a dry start would write, so the
// pending list of an unstarted re-embed cannot be read; use stats instead.
// missingVectors reports whether a memory has no vector although emb can embed its text. A
// memory whose text has nothing to embed ("!!!") keeps no vector, so counting vectors alone
// would make every re-embed of such a store to its own model rewrite all of it. Only when
// the counts differ are the memories without a vector read (by Dump) and their texts
// embedded, until one gives a vector.
func missingVectors(ctx context.Context, st store.Store, emb embedder.Embedder) (bool, error) {
	s, err := st.Stats(ctx)
	if err != nil || s.WithEmbeddings >= s.Memories {
		return false, err
	}
	d, ok := st.(store.Dumper)
	if !ok {
		return true, nil
	}
	embed := batchEmbedder(emb, &ReembedReport{})
	var texts []string
	found := false
	flush := func() error {
		if len(texts) == 0 {
			return nil
		}
		vecs, err := embed(ctx, texts)
		texts = texts[:0]
		if err != nil {
			return err
		}
		for _, v := range vecs {
			if v != nil {
				found = true
				return errFound
			}
		}
		return nil
	}
	err = d.Dump(ctx, func(r store.Record) error {
		if r.Type != store.RecordMemory {
			if store.RecordRank(r.Type) > store.RecordRank(store.RecordMemory) {
				return errFound // past the memories: nothing more to look at
			}
			return nil
		}
		if len(r.Memory.Embedding) > 0 {
			return nil
		}
		if texts = append(texts, r.Memory.Content); len(texts) >= DefaultReembedBatch {
			return flush()
		}
		return nil
	})
	if err == nil || errors.Is(err, errFound) {
		err = flush()
	}
	if errors.Is(err, errFound) {
		err = nil
	}
	return found, err
}

// errFound stops a Dump early.
var errFound = errors.New("found")

func split(rows []store.TextRow) ([]uuid.UUID, []string) {
	ids, texts := make([]uuid.UUID, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		ids[i], texts[i] = r.ID, r.Content
	}
	return ids, texts
}

// batchEmbedder embeds texts in one call; a text with nothing to embed gets nil (the memory
// keeps no vector, as when it was written), which costs a second pass one text at a time.
func batchEmbedder(emb embedder.Embedder, rep *ReembedReport) store.EmbedFunc {
	return func(ctx context.Context, texts []string) ([][]float32, error) {
		rep.EmbedderCalls++
		vecs, err := emb.EmbedBatch(ctx, texts)
		if err == nil {
			return vecs, nil
		}
		if !errors.Is(err, embedder.ErrEmptyText) {
			return nil, err
		}
		vecs = make([][]float32, len(texts))
		for i, t := range texts {
			rep.EmbedderCalls++
			v, err := emb.Embed(ctx, t)
			switch {
			case errors.Is(err, embedder.ErrEmptyText):
			case err != nil:
				return nil, err
			default:
				vecs[i] = v
			}
		}
		return vecs, nil
	}
}

// dryReembed counts the work and times one embedder call on the first batch to estimate
// the rest; it writes nothing.
func dryReembed(ctx context.Context, re store.Reembedder, embed store.EmbedFunc, opts ReembedOptions,
	rep ReembedReport, state *store.ReembedProgress, start time.Time) (ReembedReport, error) {
	todo := rep.Memories
	if state != nil {
		rep.Resumed = true
		todo = state.Total - state.Done
	}
	var sample []string
	if state != nil {
		rows, err := re.ReembedPending(ctx, uuid.Nil, opts.BatchSize)
		if err != nil {
			return rep, fmt.Errorf("reembed: %w", err)
		}
		_, sample = split(rows)
	} else if st, ok := re.(store.Dumper); ok {
		errEnough := errors.New("enough")
		err := st.Dump(ctx, func(r store.Record) error {
			if r.Memory == nil {
				return nil
			}
			sample = append(sample, r.Memory.Content)
			if len(sample) == opts.BatchSize {
				return errEnough
			}
			return nil
		})
		if err != nil && !errors.Is(err, errEnough) {
			return rep, fmt.Errorf("reembed: %w", err)
		}
	}
	calls := (todo + opts.BatchSize - 1) / opts.BatchSize
	if len(sample) > 0 {
		t := time.Now()
		if _, err := embed(ctx, sample); err != nil {
			return rep, fmt.Errorf("reembed: a trial embedder call failed: %w", err)
		}
		rep.EstimateSeconds = time.Since(t).Seconds() / float64(len(sample)) * float64(todo)
	}
	rep.EmbedderCalls = calls
	rep.Embedded = todo
	rep.Seconds = time.Since(start).Seconds()
	return rep, nil
}

// Signature is emb's model signature, as a store registers it.
func Signature(emb embedder.Embedder) store.ModelSignature {
	return store.ModelSignature{Name: emb.ModelName(), Dimension: emb.Dimension(), Hash: emb.ModelHash()}
}
